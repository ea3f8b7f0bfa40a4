using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace FediTracker.Protocol.Bencode;

/// <summary>
/// Writes bencode straight into an <see cref="IBufferWriter{T}"/>, with no intermediate objects and no allocation.
/// </summary>
/// <remarks>
/// <para>
/// The writer tracks the structure of what it writes (for the outer 64 levels of nesting) and throws
/// <see cref="InvalidOperationException"/> on a programming error: a dictionary key out of ascending raw-byte order
/// or repeated (BEP 3), a key outside a dictionary, a non-string where a key is due, a key without a value, an
/// <see cref="WriteEnd"/> with nothing open, or a write while a string body from <see cref="WriteStringHeader"/> is
/// not yet committed. Keys are checked against every earlier key of their own dictionary, also after nested
/// containers; a key longer than 64 bytes is remembered by its first 64 bytes only, so a key that shares those bytes
/// with the previous key is let through.
/// </para>
/// <para>
/// A string written with <see cref="WriteString(ReadOnlySpan{byte})"/>, <see cref="WriteString(string)"/> or
/// <see cref="WriteStringHeader"/> where a key is due is taken as that key and checked like one.
/// </para>
/// <para>The writer is a mutable struct: pass it by <see langword="ref"/>.</para>
/// </remarks>
public ref struct BencodeWriter
{
    private const int MaxKeyCheckLength = 64;
    private const int MaxTrackedDepth = 64;
    private const int KeyStackSize = 256;
    private const byte NoKeyYet = 0xFF;

    private readonly IBufferWriter<byte> _output;
    private long _written;
    private int _depth;
    private ulong _dictionaryLevels; // bit (d - 1) is set when the container at depth d (<= 64) is a dictionary
    private bool _expectValue;       // the innermost dictionary has a key that waits for its value
    private bool _bodyPending;
    private bool _pendingIsKey;
    private Span<byte> _pendingBody;

    // The last key of each open (tracked) dictionary, innermost on top. A record is the key's first bytes followed by
    // one byte with their count, or the single byte NoKeyYet. See RecordKey for why the stack never overflows.
    private KeyStack _keys;
    private int _keysLength;

    public BencodeWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly long BytesWritten => _written;

    /// <summary>How many lists and dictionaries are open.</summary>
    public readonly int CurrentDepth => _depth;

    // A dictionary key is due: the innermost container is a tracked dictionary that is not waiting for a value.
    private readonly bool AtKeyPosition => _depth is > 0 and <= MaxTrackedDepth && IsDictionaryLevel(_depth) && !_expectValue;

    public void WriteInteger(long value)
    {
        BeforeNonStringValue();
        var span = _output.GetSpan(22); // 'i' + 20 characters for long.MinValue + 'e'
        span[0] = (byte)'i';
        Utf8Formatter.TryFormat(value, span[1..], out var n);
        span[n + 1] = (byte)'e';
        Advance(n + 2);
    }

    public void WriteString(scoped ReadOnlySpan<byte> value)
    {
        ThrowIfBodyPending();
        if (AtKeyPosition)
        {
            RecordKey(value);
        }
        else
        {
            _expectValue = false;
        }

        WriteStringCore(value);
    }

    /// <summary>Writes <paramref name="value"/> as UTF-8.</summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        ThrowIfBodyPending();
        var byteCount = Encoding.UTF8.GetByteCount(value);
        var span = _output.GetSpan(byteCount + 11);
        Utf8Formatter.TryFormat(byteCount, span, out var n);
        span[n] = (byte)':';
        var body = span.Slice(n + 1, byteCount);
        Encoding.UTF8.GetBytes(value, body);
        if (AtKeyPosition)
        {
            RecordKey(body);
        }
        else
        {
            _expectValue = false;
        }

        Advance(n + 1 + byteCount);
    }

    /// <summary>
    /// Writes the header of a string of <paramref name="length"/> bytes and returns the span the caller writes them
    /// into; <see cref="CommitStringBody"/> must follow before any other write.
    /// </summary>
    public Span<byte> WriteStringHeader(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ThrowIfBodyPending();
        _pendingIsKey = AtKeyPosition;
        if (!_pendingIsKey)
        {
            _expectValue = false;
        }

        var span = _output.GetSpan(length + 11);
        Utf8Formatter.TryFormat(length, span, out var n);
        span[n] = (byte)':';
        Advance(n + 1);
        _pendingBody = _output.GetSpan(length)[..length];
        _bodyPending = true;
        return _pendingBody;
    }

    /// <summary>Marks the span from <see cref="WriteStringHeader"/> as written; <paramref name="count"/> must be the length given there.</summary>
    public void CommitStringBody(int count)
    {
        if (!_bodyPending)
        {
            ThrowInvalidOperation("CommitStringBody must follow WriteStringHeader.");
        }

        if (count != _pendingBody.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The count must equal the length given to WriteStringHeader.");
        }

        if (_pendingIsKey)
        {
            RecordKey(_pendingBody);
        }

        _bodyPending = false;
        _pendingBody = default;
        Advance(count);
    }

    /// <summary>Writes a dictionary key; the keys of a dictionary must come in ascending raw-byte order, each once.</summary>
    public void WriteKey(scoped ReadOnlySpan<byte> key)
    {
        ThrowIfBodyPending();
        if (_depth == 0)
        {
            ThrowInvalidOperation("A bencode key can only be written inside a dictionary.");
        }

        if (_depth <= MaxTrackedDepth)
        {
            if (!IsDictionaryLevel(_depth))
            {
                ThrowInvalidOperation("A bencode key can only be written inside a dictionary, not a list.");
            }

            if (_expectValue)
            {
                ThrowInvalidOperation("The previous bencode dictionary key has no value yet.");
            }

            RecordKey(key);
        }

        WriteStringCore(key);
    }

    public void WriteDictionaryStart()
    {
        BeforeNonStringValue();
        WriteByte((byte)'d');
        _depth++;
        if (_depth <= MaxTrackedDepth)
        {
            _dictionaryLevels |= 1UL << (_depth - 1);
            _keys[_keysLength++] = NoKeyYet;
        }
    }

    public void WriteListStart()
    {
        BeforeNonStringValue();
        WriteByte((byte)'l');
        _depth++;
        if (_depth <= MaxTrackedDepth)
        {
            _dictionaryLevels &= ~(1UL << (_depth - 1));
        }
    }

    /// <summary>Ends the innermost list or dictionary.</summary>
    public void WriteEnd()
    {
        ThrowIfBodyPending();
        if (_depth == 0)
        {
            ThrowInvalidOperation("There is no open bencode list or dictionary to end.");
        }

        if (_depth <= MaxTrackedDepth && IsDictionaryLevel(_depth))
        {
            if (_expectValue)
            {
                ThrowInvalidOperation("The last bencode dictionary key has no value.");
            }

            var tag = _keys[_keysLength - 1];
            _keysLength -= tag == NoKeyYet ? 1 : tag + 1;
        }

        _depth--;
        _expectValue = false; // the container just ended was the value of its parent's last key, if any
        WriteByte((byte)'e');
    }

    private void BeforeNonStringValue()
    {
        ThrowIfBodyPending();
        if (AtKeyPosition)
        {
            ThrowInvalidOperation("A bencode dictionary key must be a string; write it with WriteKey.");
        }

        _expectValue = false;
    }

    // Checks key against the previous key of the innermost dictionary (which is at a key position) and remembers it.
    private void RecordKey(scoped ReadOnlySpan<byte> key)
    {
        var tagIndex = _keysLength - 1;
        var tag = _keys[tagIndex];
        var recordStart = tagIndex;
        if (tag != NoKeyYet)
        {
            recordStart = tagIndex - tag;
            ReadOnlySpan<byte> previous = _keys[recordStart..tagIndex];

            // previous is the whole previous key or its prefix P; key <= P means key <= the previous key either way.
            if (key.SequenceCompareTo(previous) <= 0)
            {
                ThrowInvalidOperation("Bencode dictionary keys must be unique and in ascending order.");
            }
        }

        // Keep one byte free for each deeper level that may still open a dictionary; by induction the room left here
        // is never negative (each lower record left at least MaxTrackedDepth - itsDepth bytes).
        var room = KeyStackSize - recordStart - 1 - (MaxTrackedDepth - _depth);
        var stored = Math.Min(Math.Min(key.Length, MaxKeyCheckLength), room);
        key[..stored].CopyTo(_keys[recordStart..]);
        _keys[recordStart + stored] = (byte)stored;
        _keysLength = recordStart + stored + 1;
        _expectValue = true;
    }

    private readonly bool IsDictionaryLevel(int depth) => (_dictionaryLevels & (1UL << (depth - 1))) != 0;

    private readonly void ThrowIfBodyPending()
    {
        if (_bodyPending)
        {
            ThrowInvalidOperation("CommitStringBody must be called after WriteStringHeader before anything else is written.");
        }
    }

    private void WriteStringCore(scoped ReadOnlySpan<byte> value)
    {
        var span = _output.GetSpan(value.Length + 11);
        Utf8Formatter.TryFormat(value.Length, span, out var n);
        span[n] = (byte)':';
        value.CopyTo(span[(n + 1)..]);
        Advance(n + 1 + value.Length);
    }

    private void WriteByte(byte b)
    {
        var span = _output.GetSpan(1);
        span[0] = b;
        Advance(1);
    }

    private void Advance(int count)
    {
        _output.Advance(count);
        _written += count;
    }

    [DoesNotReturn]
    private static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [InlineArray(KeyStackSize)]
    private struct KeyStack
    {
        private byte _element;
    }
}
