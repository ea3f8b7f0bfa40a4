namespace FediTracker.Protocol.Udp;

/// <summary>Constants of the UDP tracker protocol (BEP 15) and its extensions (BEP 41). All integers are big-endian.</summary>
public static class UdpProtocol
{
    /// <summary>The magic a connect request carries where other requests carry the connection id.</summary>
    public const long ProtocolId = 0x41727101980;

    /// <summary>Every request starts with connection id (8), action (4) and transaction id (4).</summary>
    public const int RequestHeaderLength = 16;

    public const int ConnectRequestLength = 16;
    public const int ConnectResponseLength = 16;

    /// <summary>The fixed part of an announce request; BEP 41 options follow it.</summary>
    public const int AnnounceRequestLength = 98;

    /// <summary>action, transaction id, interval, leechers, seeders; the peers follow.</summary>
    public const int AnnounceResponseHeaderLength = 20;

    /// <summary>One peer in an announce response to a request that came over IPv4: address (4) and port (2).</summary>
    public const int IPv4PeerLength = 6;

    /// <summary>One peer in an announce response to a request that came over IPv6: address (16) and port (2).</summary>
    public const int IPv6PeerLength = 18;

    /// <summary>One info-hash in a scrape request.</summary>
    public const int ScrapeRequestEntryLength = 20;

    /// <summary>action and transaction id; the per-hash triples follow.</summary>
    public const int ScrapeResponseHeaderLength = 8;

    /// <summary>seeders, completed, leechers for one info-hash.</summary>
    public const int ScrapeResponseEntryLength = 12;

    /// <summary>action and transaction id; the message follows.</summary>
    public const int ErrorHeaderLength = 8;

    /// <summary>
    /// The most BEP 41 URL data (all URLData options together) an announce may carry; a longer one makes the packet
    /// malformed. BEP 41 allows more than 255 bytes by chunking, so the cap is above one option's 255.
    /// </summary>
    public const int MaxUrlDataLength = 1024;

    internal const byte OptionEndOfOptions = 0x0;
    internal const byte OptionNop = 0x1;
    internal const byte OptionUrlData = 0x2;
}
