namespace FediTracker.Protocol;

/// <summary>A torrent's 20-byte info-hash: the SHA-1 of a v1 info dictionary, or a v2 SHA-256 truncated to 20 bytes (BEP 52).</summary>
public readonly record struct InfoHash(Bytes20 Value)
{
    public static InfoHash Read(ReadOnlySpan<byte> source) => new(Bytes20.Read(source));

    public static bool TryParseHex(ReadOnlySpan<char> hex, out InfoHash value)
    {
        var ok = Bytes20.TryParseHex(hex, out var bytes);
        value = new InfoHash(bytes);
        return ok;
    }

    public void CopyTo(Span<byte> destination) => Value.CopyTo(destination);

    public string ToHex() => Value.ToHex();

    public override string ToString() => Value.ToHex();
}
