namespace FediTracker.Federation.Fetching;

/// <summary>What kind of destination an IP address is, for deciding whether the fetcher may connect to it.</summary>
public enum AddressKind
{
    /// <summary>A global unicast address.</summary>
    Public,

    /// <summary>127.0.0.0/8, ::1.</summary>
    Loopback,

    /// <summary>RFC 1918 (10/8, 172.16/12, 192.168/16), IPv6 unique local fc00::/7 and deprecated site-local fec0::/10.</summary>
    Private,

    /// <summary>100.64.0.0/10, the carrier-grade NAT shared address space (RFC 6598).</summary>
    SharedAddressSpace,

    /// <summary>169.254.0.0/16 (where cloud metadata services live), fe80::/10.</summary>
    LinkLocal,

    /// <summary>224.0.0.0/4, ff00::/8.</summary>
    Multicast,

    /// <summary>0.0.0.0/8, ::.</summary>
    Unspecified,

    /// <summary>Ranges with no public host: 240/4 and broadcast, 192.0.0/24, documentation and benchmarking nets, 100::/64, 2001:db8::/32, deprecated ::/96.</summary>
    Reserved,
}
