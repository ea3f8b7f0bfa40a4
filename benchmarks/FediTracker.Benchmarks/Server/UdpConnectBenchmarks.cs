using BenchmarkDotNet.Attributes;
using FediTracker.Benchmarks.Protocol;
using FediTracker.Protocol;
using FediTracker.Protocol.Udp;

namespace FediTracker.Benchmarks.Server;

/// <summary>
/// A BEP 15 connect datagram through <c>UdpTracker.HandleAsync</c>: the 16 request bytes are copied into the loop's
/// buffer (as a receive would put them there), and the 16-byte reply with a fresh connection id is written over them.
/// </summary>
[MemoryDiagnoser]
public class UdpConnectBenchmarks
{
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(2048, pinned: true);
    private UdpTrackerFixture? _fixture;
    private byte[] _request = [];
    private PeerEndpoint _client;
    private int _lastLength;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new UdpTrackerFixture();
        _request = UdpPackets.Connect(transactionId: 0x0BADF00D);
        _client = BenchmarkData.V4Peer(42);
        if (Connect() != UdpProtocol.ConnectResponseLength)
        {
            throw new InvalidOperationException("The connect request was not answered.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fixture = null;
        if (_lastLength != UdpProtocol.ConnectResponseLength)
        {
            throw new InvalidOperationException($"The last connect reply was {_lastLength} bytes.");
        }
    }

    [Benchmark]
    public int Connect()
    {
        _request.CopyTo(_buffer, 0);
        return _lastLength = UdpTrackerFixture.Complete(_fixture!.Handler.HandleAsync(_buffer, _request.Length, _client, _fixture.State, CancellationToken.None));
    }
}
