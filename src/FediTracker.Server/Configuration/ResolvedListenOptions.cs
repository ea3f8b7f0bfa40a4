using System.Net;

namespace FediTracker.Server.Configuration;

/// <summary>The listen and network configuration after validation: parsed endpoints, the UDP secret, trusted proxies.</summary>
internal sealed record ResolvedListenOptions(
    IReadOnlyList<IPEndPoint> Http,
    IReadOnlyList<IPEndPoint> Udp,
    IReadOnlyList<IPEndPoint> Admin,
    int UdpReceiveLoops,
    byte[] UdpSecret,
    IReadOnlyList<IPNetwork> TrustedProxies,
    int UdpBatch = ListenOptions.DefaultUdpBatch);
