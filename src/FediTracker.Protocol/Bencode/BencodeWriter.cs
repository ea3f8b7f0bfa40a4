using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace FediTracker.Protocol.Bencode;

/// <summary>
/// Writes bencode straight into an <see cref="IBufferWriter{T}"/>, with no intermediate objects.
/// Dictionary keys must be written in ascending raw-byte order (BEP 3); the writer checks this for the keys of the
/// current dictionary (until a nested container ends) and throws <see cref="InvalidOperationException"/> on a programming error.
/// </summary>
public ref struct BencodeWriter
{
    private const int MaxKeyCheckLength = 64;

    private readonly IBufferWriter<byte> _output;
    private long _written;

    // The last key written in the innermost dictionary, to check ascending order (keys here are short literals).
    private KeyBuffer _lastKey;
    private int _lastKeyLength; // -1: no key yet in the innermost dictionary

    public BencodeWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _lastKeyLength = -1;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly long BytesWritten => _written;

    public void WriteInteger(long value)
    {
        var span = _output.GetSpan(22);
        span[0] = (byte)'i';
        Utf8Formatter.TryFormat(value, span[1..], out var n);
        span[n + 1] = (byte)'e';
        Advance(n + 2);
    }

    public void WriteString(scoped ReadOnlySpan<byte> value)
    {
        var span = _output.GetSpan(value.Length + 11);
        Utf8Formatter.TryFormat(value.Length, span, out var n);
        span[n] = (byte)':';
        value.CopyTo(span[(n + 1)..]);
        Advance(n + 1 + value.Length);
    }

    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var byteCount = Encoding.UTF8.GetByteCount(value);
        var span = _output.GetSpan(byteCount + 11);
        Utf8Formatter.TryFormat(byteCount, span, out var n);
        span[n] = (byte)':';
        Encoding.UTF8.GetBytes(value, span[(n + 1)..]);
        Advance(n + 1 + byteCount);
    }

    /// <summary>Writes a string whose bytes are written by the caller into the <paramref name="length"/> bytes returned.</summary>
    public Span<byte> WriteStringHeader(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var span = _output.GetSpan(length + 11);
        Utf8Formatter.TryFormat(length, span, out var n);
        span[n] = (byte)':';
        Advance(n + 1);
        return _output.GetSpan(length)[..length];
    }

    /// <summary>Marks <paramref name="count"/> bytes of the span from <see cref="WriteStringHeader"/> as written.</summary>
    public void CommitStringBody(int count) => Advance(count);

    /// <summary>Writes a dictionary key; keys must come in ascending byte order.</summary>
    public void WriteKey(scoped ReadOnlySpan<byte> key)
    {
        if (_lastKeyLength >= 0 && key.Length <= MaxKeyCheckLength)
        {
            ReadOnlySpan<byte> last = _lastKey[.._lastKeyLength];
            if (key.SequenceCompareTo(last) <= 0)
            {
                throw new InvalidOperationException("Bencode dictionary keys must be unique and in ascending order.");
            }
        }

        if (key.Length <= MaxKeyCheckLength)
        {
            key.CopyTo(_lastKey);
            _lastKeyLength = key.Length;
        }

        WriteString(key);
    }

    public void WriteDictionaryStart()
    {
        WriteByte((byte)'d');
        _lastKeyLength = -1;
    }

    public void WriteListStart() => WriteByte((byte)'l');

    /// <summary>Ends the innermost list or dictionary. Key-order checking resumes with the next new dictionary.</summary>
    public void WriteEnd()
    {
        WriteByte((byte)'e');
        _lastKeyLength = -1;
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

    [System.Runtime.CompilerServices.InlineArray(MaxKeyCheckLength)]
    private struct KeyBuffer
    {
        private byte _element;
    }
}
