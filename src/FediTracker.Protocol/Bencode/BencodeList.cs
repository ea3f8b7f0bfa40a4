using System.Collections;

namespace FediTracker.Protocol.Bencode;

/// <summary>A bencode list.</summary>
public sealed class BencodeList : BencodeValue, IReadOnlyList<BencodeValue>
{
    private readonly List<BencodeValue> _items;

    public BencodeList() => _items = [];

    public BencodeList(params ReadOnlySpan<BencodeValue> items)
    {
        _items = new List<BencodeValue>(items.Length);
        foreach (var item in items)
        {
            Add(item);
        }
    }

    // Takes ownership of a list whose items are known not to be null.
    internal BencodeList(List<BencodeValue> items) => _items = items;

    public int Count => _items.Count;

    public BencodeValue this[int index] => _items[index];

    public void Add(BencodeValue item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _items.Add(item);
    }

    public List<BencodeValue>.Enumerator GetEnumerator() => _items.GetEnumerator();

    IEnumerator<BencodeValue> IEnumerable<BencodeValue>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
