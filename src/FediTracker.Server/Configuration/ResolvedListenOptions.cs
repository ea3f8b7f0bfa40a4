using System.Net;

namespace FediTracker.Server.Configuration;

/// <summary>The listen configuration after validation: parsed endpoints and the UDP secret.</summary>
internal sealed record ResolvedListenOptions(
    IReadOnlyList<IPEndPoint> Http,
    IReadOnlyList<IPEndPoint> Udp,
    IReadOnlyList<IPEndPoint> Admin,
    int UdpReceiveLoops,
    byte[] UdpSecret);
