using System.Net;

namespace FediTracker.Server.Configuration;

/// <summary>Where the tracker listens. Section <c>Listen</c>. Lists are comma-separated <c>address:port</c> items.</summary>
public sealed class ListenOptions
{
    public const string SectionName = "Listen";

    /// <summary>Public HTTP announce/scrape endpoints. Default: port 6969 on every IPv4 and IPv6 address.</summary>
    public string Http { get; set; } = "0.0.0.0:6969,[::]:6969";

    /// <summary>Public UDP (BEP 15) endpoints. Default: port 6969 on every IPv4 and IPv6 address.</summary>
    public string Udp { get; set; } = "0.0.0.0:6969,[::]:6969";

    /// <summary>The admin listener (health now; admin API and metrics later). Default: loopback only, port 6970.</summary>
    public string Admin { get; set; } = "127.0.0.1:6970";

    /// <summary>By default a receive loop takes up to this many datagrams per system call.</summary>
    public const int DefaultUdpBatch = 32;

    /// <summary>Receive loops per UDP socket. 0 (the default) means one per processor.</summary>
    public int UdpReceiveLoops { get; set; }

    /// <summary>
    /// Most datagrams a UDP receive loop takes with one system call, and most replies it sends with one, on Linux
    /// (<c>recvmmsg</c>/<c>sendmmsg</c>; the call returns as soon as one datagram is there, with whatever else is
    /// queued). 1 reads and answers one datagram per call, as other systems always do. 32 by default; 1 to 256.
    /// </summary>
    public int UdpBatch { get; set; } = DefaultUdpBatch;

    /// <summary>
    /// The 16-byte secret (base64) that UDP connection ids are made with. Empty (default): a random secret at start,
    /// so ids do not survive a restart; set the same value on every node of a cluster.
    /// </summary>
    public string UdpConnectionSecret { get; set; } = string.Empty;

    /// <summary>Parses a comma-separated endpoint list; adds a message to <paramref name="errors"/> for each bad item.</summary>
    public static IReadOnlyList<IPEndPoint> ParseEndpoints(string? value, string name, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var result = new List<IPEndPoint>();
        if (string.IsNullOrWhiteSpace(value))
        {
            return result;
        }

        foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPEndPoint.TryParse(item, out var endpoint) && item.Contains(':', StringComparison.Ordinal) && endpoint.Port is >= 0 and <= 65535)
            {
                result.Add(endpoint);
            }
            else
            {
                errors.Add($"{SectionName}:{name}: '{item}' is not an address:port (IPv6 in brackets, e.g. [::]:6969).");
            }
        }

        return result;
    }
}
