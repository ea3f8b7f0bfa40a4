using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace FediTracker.Protocol.Bencode;

/// <summary>Converts between bencode bytes and <see cref="BencodeValue"/> trees.</summary>
/// <remarks>
/// Named <c>BencodeSerializer</c> rather than <c>Bencode</c>: a type named like its namespace cannot be named from
/// code in a sibling namespace (for example <c>FediTracker.Protocol.Tests.Bencode</c>), where <c>Bencode</c> binds to
/// the namespace.
/// </remarks>
public static class BencodeSerializer
{
    /// <summary>
    /// Parses exactly one bencoded value; never throws on bad input.
    /// </summary>
    /// <param name="data">The whole document; bytes after its one value are <see cref="BencodeError.TrailingBytes"/>.</param>
    /// <param name="value">The value, when the method returns <see langword="true"/>.</param>
    /// <param name="error">Why the input was rejected, or <see cref="BencodeError.None"/>.</param>
    /// <param name="errorOffset">The byte offset of the error, or -1.</param>
    /// <param name="maxDepth">How deep lists and dictionaries may nest, 0 to <see cref="BencodeReader.MaxSupportedDepth"/>.</param>
    /// <param name="strictKeyOrder">
    /// <see langword="false"/> (the default): dictionary keys may come in any order, since torrents in the wild are
    /// sometimes written that way, but a repeated key is <see cref="BencodeError.DuplicateKey"/> (which value would
    /// win is ambiguous, and re-encoding would lose one). The tree keeps keys sorted, so re-encoding such input gives
    /// different bytes: hash raw input with <see cref="BencodeReader.TryReadRawValue"/>, never a re-encoding.
    /// <see langword="true"/>: keys must be strictly ascending as BEP 3 requires; an out-of-order key is
    /// <see cref="BencodeError.UnsortedKey"/>. Input accepted in strict mode re-encodes to the same bytes.
    /// </param>
    /// <remarks>
    /// <para>
    /// Errors are reported where they are found, reading from the start. In the default mode, a duplicate among keys
    /// that arrived out of order is found when its dictionary ends, and reported at the earliest repeated key.
    /// </para>
    /// <para>
    /// The tree costs tens of bytes per value (an empty list is two input bytes), so cap the size of untrusted input
    /// before parsing it; or walk it with a <see cref="BencodeReader"/>, which allocates nothing.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDepth"/> is out of range.</exception>
    public static bool TryParse(
        ReadOnlySpan<byte> data,
        [NotNullWhen(true)] out BencodeValue? value,
        out BencodeError error,
        out int errorOffset,
        int maxDepth = BencodeReader.DefaultMaxDepth,
        bool strictKeyOrder = false)
    {
        var reader = new BencodeReader(data, maxDepth);
        var open = new List<Frame>();
        BencodeValue? root = null;
        value = null;

        while (reader.TryReadToken(out var type))
        {
            BencodeValue? completed;
            switch (type)
            {
                case BencodeTokenType.Integer:
                    completed = new BencodeInteger(reader.IntegerValue);
                    break;

                case BencodeTokenType.String when reader.TokenIsKey:
                    var frame = open[^1];
                    if (!frame.TryAddKey(new BencodeString(reader.ValueSpan), reader.TokenStart, strictKeyOrder, out error))
                    {
                        errorOffset = reader.TokenStart;
                        return false;
                    }

                    continue;

                case BencodeTokenType.String:
                    completed = new BencodeString(reader.ValueSpan);
                    break;

                case BencodeTokenType.ListStart:
                    open.Add(new Frame(isDictionary: false));
                    continue;

                case BencodeTokenType.DictionaryStart:
                    open.Add(new Frame(isDictionary: true));
                    continue;

                default: // End
                    var closed = open[^1];
                    open.RemoveAt(open.Count - 1);
                    if (!closed.TryBuild(out completed, out errorOffset))
                    {
                        error = BencodeError.DuplicateKey;
                        return false;
                    }

                    break;
            }

            if (open.Count == 0)
            {
                root = completed;
            }
            else
            {
                open[^1].AddValue(completed);
            }
        }

        error = reader.Error;
        if (error != BencodeError.None)
        {
            errorOffset = reader.ErrorOffset;
            return false;
        }

        // The reader stops without an error only after the complete top-level value, with no bytes left.
        value = root!;
        errorOffset = -1;
        return true;
    }

    /// <summary>Writes <paramref name="value"/> (dictionary keys in ascending order) to <paramref name="output"/>.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="value"/> contains itself.</exception>
    public static void Encode(BencodeValue value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(output);

        var writer = new BencodeWriter(output);
        var open = new Stack<(BencodeValue Container, int Next)>();
        var onPath = new HashSet<BencodeValue>(ReferenceEqualityComparer.Instance);
        BencodeValue? next = value;

        while (true)
        {
            switch (next)
            {
                case BencodeInteger integer:
                    writer.WriteInteger(integer.Value);
                    break;
                case BencodeString text:
                    writer.WriteString(text.Span);
                    break;
                case BencodeList or BencodeDictionary:
                    if (!onPath.Add(next))
                    {
                        throw new InvalidOperationException("A bencode list or dictionary cannot contain itself.");
                    }

                    if (next is BencodeList)
                    {
                        writer.WriteListStart();
                    }
                    else
                    {
                        writer.WriteDictionaryStart();
                    }

                    open.Push((next, 0));
                    break;
            }

            // Find the next value to write, closing finished containers on the way.
            next = null;
            while (next is null && open.Count > 0)
            {
                var (container, index) = open.Pop();
                if (container is BencodeList list && index < list.Count)
                {
                    open.Push((container, index + 1));
                    next = list[index];
                }
                else if (container is BencodeDictionary dictionary && index < dictionary.Count)
                {
                    var entry = dictionary.EntryAt(index);
                    writer.WriteKey(entry.Key.Span);
                    open.Push((container, index + 1));
                    next = entry.Value;
                }
                else
                {
                    writer.WriteEnd();
                    onPath.Remove(container);
                }
            }

            if (next is null)
            {
                return;
            }
        }
    }

    /// <summary>Encodes <paramref name="value"/> into a new array.</summary>
    public static byte[] Encode(BencodeValue value)
    {
        var output = new ArrayBufferWriter<byte>();
        Encode(value, output);
        return output.WrittenSpan.ToArray();
    }

    // A list or dictionary being parsed.
    private sealed class Frame(bool isDictionary)
    {
        private readonly List<BencodeValue>? _items = isDictionary ? null : [];
        private readonly List<(BencodeString Key, int Offset, BencodeValue Value)>? _entries = isDictionary ? [] : null;
        private BencodeString? _pendingKey;
        private int _pendingOffset;
        private bool _sorted = true;

        public bool TryAddKey(BencodeString key, int offset, bool strictKeyOrder, out BencodeError error)
        {
            error = BencodeError.None;
            if (_sorted && _entries!.Count > 0)
            {
                var comparison = key.Span.SequenceCompareTo(_entries[^1].Key.Span);
                if (comparison == 0)
                {
                    error = BencodeError.DuplicateKey; // all earlier keys are distinct, so this is the first repeat
                    return false;
                }

                if (comparison < 0)
                {
                    if (strictKeyOrder)
                    {
                        error = BencodeError.UnsortedKey;
                        return false;
                    }

                    _sorted = false;
                }
            }

            _pendingKey = key;
            _pendingOffset = offset;
            return true;
        }

        public void AddValue(BencodeValue value)
        {
            if (_items is not null)
            {
                _items.Add(value);
            }
            else
            {
                _entries!.Add((_pendingKey!, _pendingOffset, value));
                _pendingKey = null;
            }
        }

        // Fails only for a dictionary with a repeated key; errorOffset is then the earliest repeat.
        public bool TryBuild([NotNullWhen(true)] out BencodeValue? value, out int errorOffset)
        {
            errorOffset = -1;
            if (_items is not null)
            {
                value = new BencodeList(_items);
                return true;
            }

            var entries = _entries!;
            if (!_sorted)
            {
                entries.Sort(static (a, b) =>
                {
                    var comparison = a.Key.Span.SequenceCompareTo(b.Key.Span);
                    return comparison != 0 ? comparison : a.Offset.CompareTo(b.Offset);
                });

                // Equal keys are adjacent, ordered by offset; any entry equal to the one before it is a repeat, and
                // the repeat with the smallest offset is where a reader going forward would have noticed first.
                for (var i = 1; i < entries.Count; i++)
                {
                    if (entries[i].Key.Span.SequenceEqual(entries[i - 1].Key.Span)
                        && (errorOffset < 0 || entries[i].Offset < errorOffset))
                    {
                        errorOffset = entries[i].Offset;
                    }
                }

                if (errorOffset >= 0)
                {
                    value = null;
                    return false;
                }
            }

            var sorted = new List<KeyValuePair<BencodeString, BencodeValue>>(entries.Count);
            foreach (var (key, _, item) in entries)
            {
                sorted.Add(new(key, item));
            }

            value = new BencodeDictionary(sorted);
            return true;
        }
    }
}
