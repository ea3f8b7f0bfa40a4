using System.Net;

namespace FediTracker.Server.Hosting;

/// <summary>
/// The endpoints the tracker is actually bound to (with port 0 in configuration, the port the system chose), known
/// once the host has started.
/// </summary>
public sealed class BoundEndpoints
{
    private readonly List<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions> _http = [];
    private readonly List<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions> _admin = [];
    private readonly List<IPEndPoint> _udp = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<IPEndPoint> Http => Resolve(_http);

    public IReadOnlyList<IPEndPoint> Admin => Resolve(_admin);

    public IReadOnlyList<IPEndPoint> Udp
    {
        get
        {
            lock (_gate)
            {
                return [.. _udp];
            }
        }
    }

    internal void AddHttp(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions options) => _http.Add(options);

    internal void AddAdmin(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions options) => _admin.Add(options);

    internal void AddUdp(IPEndPoint endpoint)
    {
        lock (_gate)
        {
            _udp.Add(endpoint);
        }
    }

    private static List<IPEndPoint> Resolve(List<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions> options) =>
        options.Select(o => o.IPEndPoint!).ToList();
}
