using System.Net;
using System.Net.Sockets;
using FediTracker.Core;
using FediTracker.Server.Configuration;
using FediTracker.Server.Hosting;
using Microsoft.Extensions.Options;

namespace FediTracker.Server.Udp;

/// <summary>
/// The UDP tracker listener: one socket per configured endpoint, several receive loops per socket. Each loop owns
/// its buffer, its <see cref="SocketAddress"/> and its peer buffer, so a datagram costs no heap allocation. A loop
/// survives anything a datagram can do to it: a failure is logged at Debug and counted, and the loop goes on.
/// </summary>
internal sealed partial class UdpTrackerService : IHostedService, IDisposable
{
    /// <summary>Large enough for any request, and for the largest reply under the MTU.</summary>
    private const int BufferSize = 2048;

    private readonly ResolvedListenOptions _listen;
    private readonly BoundEndpoints _bound;
    private readonly UdpTracker _handler;
    private readonly int _maxPeers;
    private readonly int _maxScrape;
    private readonly ILogger<UdpTrackerService> _logger;
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _loops = [];
    private readonly CancellationTokenSource _stopping = new();
    private long _faults;

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
    public bool IsListening => _sockets.Count == _listen.Udp.Count && _loops.TrueForAll(t => !t.IsCompleted);

    /// <summary>Datagrams whose handling failed unexpectedly (a bug, never a client mistake).</summary>
    public long Faults => Interlocked.Read(ref _faults);

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
                _loops.Add(Task.Run(() => ReceiveLoopAsync(socket, _stopping.Token), CancellationToken.None));
            }
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        foreach (var socket in _sockets)
        {
            socket.Close();
        }

        await Task.WhenAll(_loops).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose()
    {
        _stopping.Dispose();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }

    private async Task ReceiveLoopAsync(Socket socket, CancellationToken stopping)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
        var state = new UdpLoopState(_maxPeers, _maxScrape);
        var address = new SocketAddress(socket.AddressFamily);
        while (!stopping.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, address, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                // E.g. an ICMP error from an earlier send surfacing here, or a truncated (oversize) datagram.
                Log.ReceiveFailed(_logger, ex.SocketErrorCode);
                continue;
            }

            try
            {
                if (!SocketAddressReader.TryRead(address, out var client))
                {
                    continue;
                }

                var length = await _handler.HandleAsync(buffer, received, client, state, stopping);
                if (length > 0)
                {
                    await socket.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, address, stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Interlocked.Increment(ref _faults);
                Log.DatagramFailed(_logger, ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "UDP receive failed: {Error}")]
        public static partial void ReceiveFailed(ILogger logger, SocketError error);

        [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "A UDP datagram could not be handled; the listener goes on")]
        public static partial void DatagramFailed(ILogger logger, Exception exception);
    }
}
