namespace FediTracker.Protocol;

/// <summary>A peer's address and port: the key a tracker files a peer under.</summary>
public readonly record struct PeerEndpoint(PeerAddress Address, ushort Port)
{
    public bool IsIPv4 => Address.IsIPv4;

    /// <summary>Compact form (BEP 23 / BEP 7): 6 bytes for IPv4, 18 for IPv6; returns the count.</summary>
    public int WriteCompact(Span<byte> destination)
    {
        var n = Address.WriteCompact(destination);
        destination[n] = (byte)(Port >> 8);
        destination[n + 1] = (byte)Port;
        return n + 2;
    }

    public override string ToString() => IsIPv4 ? $"{Address}:{Port}" : $"[{Address}]:{Port}";
}
