namespace FediTracker.Protocol.Udp;

/// <summary>The action field of a BEP 15 packet.</summary>
public enum UdpAction
{
    Connect = 0,
    Announce = 1,
    Scrape = 2,

    /// <summary>Sent by the tracker only; a request with this action is malformed.</summary>
    Error = 3,
}
