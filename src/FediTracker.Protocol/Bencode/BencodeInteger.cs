using System.Globalization;

namespace FediTracker.Protocol.Bencode;

/// <summary>A bencode integer.</summary>
public sealed class BencodeInteger : BencodeValue
{
    public BencodeInteger(long value) => Value = value;

    public long Value { get; }

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
