using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using FediTracker.Benchmarks.Protocol;
using FediTracker.Benchmarks.Store;
using FediTracker.Protocol;
using FediTracker.Protocol.Udp;

namespace FediTracker.Benchmarks.Server;

/// <summary>
/// A BEP 15 announce datagram through <c>UdpTracker.HandleAsync</c>, buffer in, reply out: header and announce
/// parse, connection id check, <c>Tracker.AnnounceAsync</c> (numwant clamp, interval jitter), the memory store, and
/// the reply written over the request. The announcers are 1 024 existing leechers of a swarm of
/// <see cref="SwarmSize"/> peers, each with a valid connection id, taken in turn; each asks for 50 peers.
/// </summary>
[MemoryDiagnoser]
public class UdpAnnounceBenchmarks
{
    private const int Announcers = 1024;
    private const int NumWant = 50;
    private const int ExpectedLength = UdpProtocol.AnnounceResponseHeaderLength + (NumWant * UdpProtocol.IPv4PeerLength);

    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(2048, pinned: true);
    private UdpTrackerFixture? _fixture;
    private byte[][] _requests = [];
    private PeerEndpoint[] _clients = [];
    private int _next;
    private int _lastLength;

    [Params(10_000, 1_000_000)]
    public int SwarmSize { get; set; }

    /// <summary>Nobody listening to the tracker's instruments, a bare meter listener, or the OpenTelemetry SDK (as in production).</summary>
    [Params(MetricsMode.Off, MetricsMode.Listener, MetricsMode.OpenTelemetry)]
    public MetricsMode Metrics { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new UdpTrackerFixture(Metrics);
        var swarm = _fixture.Fill(BenchmarkData.Hash(1), SwarmSize);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _requests = new byte[Announcers][];
        _clients = new PeerEndpoint[Announcers];
        var stride = swarm.LeecherCount / Announcers;
        for (var i = 0; i < Announcers; i++)
        {
            var peer = PrefilledSwarm.Leecher(i * stride);
            _clients[i] = BenchmarkData.V4Peer(peer);
            _requests[i] = UdpPackets.Announce(
                _fixture.Ids.Issue(_clients[i], now),
                swarm.InfoHash,
                BenchmarkData.PeerId(peer),
                PrefilledSwarm.LeecherLeft,
                AnnounceEvent.None,
                NumWant,
                BenchmarkData.PeerPort);
        }

        var length = Announce();
        if (length != ExpectedLength || BinaryPrimitives.ReadInt32BigEndian(_buffer) != (int)UdpAction.Announce)
        {
            throw new InvalidOperationException($"The announce was answered with {length} bytes, action {BinaryPrimitives.ReadInt32BigEndian(_buffer)}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fixture?.Dispose();
        _fixture = null;

        // Connection ids live two to four minutes: a run that outlived them would have measured the rejection path.
        if (_lastLength != ExpectedLength)
        {
            throw new InvalidOperationException($"The last announce reply was {_lastLength} bytes, not {ExpectedLength}.");
        }
    }

    [Benchmark]
    public int Announce()
    {
        var i = _next;
        _next = (i + 1) & (Announcers - 1);
        var request = _requests[i];
        request.CopyTo(_buffer, 0);
        return _lastLength = UdpTrackerFixture.Complete(_fixture!.Handler.HandleAsync(_buffer, request.Length, _clients[i], _fixture.State, CancellationToken.None));
    }
}
