using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace FediTracker.Protocol.Bencode;

/// <summary>
/// A bencode dictionary. Keys are byte strings, unique, and always kept in ascending raw-byte order (the order
/// BEP 3 requires on the wire), whatever order they were added or parsed in.
/// </summary>
public sealed class BencodeDictionary : BencodeValue, IReadOnlyDictionary<BencodeString, BencodeValue>
{
    private readonly List<KeyValuePair<BencodeString, BencodeValue>> _entries;

    public BencodeDictionary() => _entries = [];

    // Takes ownership of entries already sorted by key, keys unique, values not null.
    internal BencodeDictionary(List<KeyValuePair<BencodeString, BencodeValue>> sortedEntries) => _entries = sortedEntries;

    public int Count => _entries.Count;

    /// <summary>The keys, in ascending order.</summary>
    public IEnumerable<BencodeString> Keys
    {
        get
        {
            foreach (var entry in _entries)
            {
                yield return entry.Key;
            }
        }
    }

    /// <summary>The values, in the order of their keys.</summary>
    public IEnumerable<BencodeValue> Values
    {
        get
        {
            foreach (var entry in _entries)
            {
                yield return entry.Value;
            }
        }
    }

    /// <summary>Gets the value of a key (compared by its bytes).</summary>
    /// <exception cref="KeyNotFoundException">The key is absent.</exception>
    public BencodeValue this[BencodeString key]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(key);
            return TryGetValue(key.Span, out var value) ? value : throw new KeyNotFoundException($"The bencode dictionary has no key '{key}'.");
        }
    }

    /// <summary>Gets or sets the value of a key given as text (UTF-8).</summary>
    /// <exception cref="KeyNotFoundException">On get, when the key is absent.</exception>
    public BencodeValue this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The bencode dictionary has no key '{key}'.");
        set => Set(key, value);
    }

    public bool TryGetValue(ReadOnlySpan<byte> key, [NotNullWhen(true)] out BencodeValue? value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _entries[index].Value : null;
        return index >= 0;
    }

    public bool TryGetValue(string key, [NotNullWhen(true)] out BencodeValue? value) => TryGetValue(Utf8(key), out value);

    public bool TryGetValue(BencodeString key, [MaybeNullWhen(false)] out BencodeValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        return TryGetValue(key.Span, out value);
    }

    /// <summary>Gets the value of <paramref name="key"/> if it is present and a <typeparamref name="T"/>.</summary>
    public bool TryGet<T>(ReadOnlySpan<byte> key, [NotNullWhen(true)] out T? value)
        where T : BencodeValue
    {
        value = TryGetValue(key, out var found) ? found as T : null;
        return value is not null;
    }

    /// <summary>Gets the value of <paramref name="key"/> (text, UTF-8) if it is present and a <typeparamref name="T"/>.</summary>
    public bool TryGet<T>(string key, [NotNullWhen(true)] out T? value)
        where T : BencodeValue => TryGet(Utf8(key), out value);

    public bool ContainsKey(ReadOnlySpan<byte> key) => IndexOf(key) >= 0;

    public bool ContainsKey(string key) => ContainsKey(Utf8(key));

    public bool ContainsKey(BencodeString key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ContainsKey(key.Span);
    }

    /// <summary>Adds <paramref name="key"/> in its sorted place, or replaces its value.</summary>
    public void Set(ReadOnlySpan<byte> key, BencodeValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var index = IndexOf(key);
        if (index >= 0)
        {
            _entries[index] = new(_entries[index].Key, value);
        }
        else
        {
            _entries.Insert(~index, new(new BencodeString(key), value));
        }
    }

    public void Set(string key, BencodeValue value) => Set(Utf8(key), value);

    public bool Remove(ReadOnlySpan<byte> key)
    {
        var index = IndexOf(key);
        if (index < 0)
        {
            return false;
        }

        _entries.RemoveAt(index);
        return true;
    }

    public bool Remove(string key) => Remove(Utf8(key));

    /// <summary>Enumerates the entries in ascending key order.</summary>
    public List<KeyValuePair<BencodeString, BencodeValue>>.Enumerator GetEnumerator() => _entries.GetEnumerator();

    IEnumerator<KeyValuePair<BencodeString, BencodeValue>> IEnumerable<KeyValuePair<BencodeString, BencodeValue>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal KeyValuePair<BencodeString, BencodeValue> EntryAt(int index) => _entries[index];

    private static byte[] Utf8(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Encoding.UTF8.GetBytes(key);
    }

    // Binary search by raw bytes: the index of key, or the bitwise complement of where it would be inserted.
    private int IndexOf(ReadOnlySpan<byte> key)
    {
        var low = 0;
        var high = _entries.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var comparison = _entries[middle].Key.Span.SequenceCompareTo(key);
            if (comparison == 0)
            {
                return middle;
            }

            if (comparison < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }
}
