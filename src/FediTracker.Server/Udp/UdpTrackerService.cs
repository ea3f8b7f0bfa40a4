using System.Net;
using System.Net.Sockets;
using FediTracker.Core;
using FediTracker.Server.Configuration;
using FediTracker.Server.Hosting;
using Microsoft.Extensions.Options;

namespace FediTracker.Server.Udp;

/// <summary>
/// The UDP tracker listener: one socket per configured endpoint, several receive loops per socket, each on its own
/// thread (<see cref="UdpReceiveLoop"/>). Each loop owns its buffer, its <see cref="SocketAddress"/> and its peer
/// buffer, so a datagram costs no heap allocation. A loop survives anything a datagram can do to it: a failure is
/// logged at Debug and counted, and the loop goes on.
/// </summary>
internal sealed class UdpTrackerService : IHostedService, IDisposable
{
    private readonly ResolvedListenOptions _listen;
    private readonly BoundEndpoints _bound;
    private readonly UdpTracker _handler;
    private readonly int _maxPeers;
    private readonly int _maxScrape;
    private readonly ILogger<UdpTrackerService> _logger;
    private readonly List<Socket> _sockets = [];
    private readonly List<UdpReceiveLoop> _loops = [];
    private readonly CancellationTokenSource _stopping = new();

    public UdpTrackerService(ResolvedListenOptions listen, BoundEndpoints bound, UdpTracker handler, IOptions<TrackerOptions> options, ILogger<UdpTrackerService> logger)
    {
        _listen = listen;
        _bound = bound;
        _handler = handler;
        _maxPeers = options.Value.MaxNumWant;
        _maxScrape = options.Value.MaxScrapeHashes;
        _logger = logger;
    }

    /// <summary>True while every socket is open and its loops run.</summary>
    public bool IsListening => _sockets.Count == _listen.Udp.Count && _loops.TrueForAll(l => !l.Completion.IsCompleted);

    /// <summary>The fewest datagrams any loop takes per system call (see <c>Listen:UdpBatch</c>); 0 before the start.</summary>
    public int Batch => _loops.Count == 0 ? 0 : _loops.Min(l => l.Batch);

    /// <summary>Datagrams whose handling failed unexpectedly (a bug, never a client mistake).</summary>
    public long Faults
    {
        get
        {
            long faults = 0;
            foreach (var loop in _loops)
            {
                faults += loop.Faults;
            }

            return faults;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var endpoint in _listen.Udp)
        {
            var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    // IPv4 clients use the IPv4 socket; keeping the families apart lets both bind the same port.
                    socket.DualMode = false;
                }

                socket.ReceiveBufferSize = 4 * 1024 * 1024;
                socket.SendBufferSize = 4 * 1024 * 1024;
                if (_listen.UdpBatch > 1 && MultiMessage.IsSupported)
                {
                    // A batched loop blocks in recvmmsg, which closing the socket need not wake; it looks at the stop
                    // token at least this often.
                    socket.ReceiveTimeout = (int)UdpReceiveLoop.BatchReceiveTimeout.TotalMilliseconds;
                }

                socket.Bind(endpoint);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            _sockets.Add(socket);
            var local = (IPEndPoint)socket.LocalEndPoint!;
            _bound.AddUdp(local);
            for (var i = 0; i < _listen.UdpReceiveLoops; i++)
            {
                var loop = new UdpReceiveLoop(socket, _handler, _maxPeers, _maxScrape, _logger, _stopping.Token, _listen.UdpBatch);
                _loops.Add(loop);
                loop.Start($"UDP {local.Port} #{i}");
            }
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();

        // Closing a socket wakes the threads blocked in its ReceiveFrom (the runtime shuts it down first).
        foreach (var socket in _sockets)
        {
            socket.Close();
        }

        await Task.WhenAll(_loops.ConvertAll(l => l.Completion)).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose()
    {
        _stopping.Dispose();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }
}
