using BenchmarkDotNet.Attributes;
using FediTracker.Protocol;
using FediTracker.Protocol.Udp;

namespace FediTracker.Benchmarks.Protocol;

/// <summary>
/// <see cref="UdpRequestParser.TryParseAnnounce"/> of a plain 98-byte announce, and of one carrying BEP 41 URL data
/// (the tracker URL's path and query in two URLData options), which is then copied out as a private tracker would.
/// </summary>
[MemoryDiagnoser]
public class UdpAnnounceParseBenchmarks
{
    private byte[] _plain = [];
    private byte[] _withUrlData = [];
    private byte[] _urlData = [];

    [GlobalSetup]
    public void Setup()
    {
        var hash = BenchmarkData.Hash(1);
        var peerId = BenchmarkData.PeerId(1);
        _plain = UdpPackets.Announce(0x1122334455667788, hash, peerId, 734_003_200, AnnounceEvent.Started, 50, 6881);

        var path = "/announce"u8;
        var query = "?passkey=0f1e2d3c4b5a69788796a5b4c3d2e1f0"u8;
        byte[] options = [2, (byte)path.Length, .. path, 2, (byte)query.Length, .. query, 0];
        _withUrlData = UdpPackets.Announce(0x1122334455667788, hash, peerId, 734_003_200, AnnounceEvent.Started, 50, 6881, options);
        _urlData = new byte[UdpProtocol.MaxUrlDataLength];

        if (Parse98() == 0 || ParseWithUrlData() != path.Length + query.Length)
        {
            throw new InvalidOperationException("The benchmark packets do not parse.");
        }
    }

    [Benchmark]
    public long Parse98()
    {
        if (!UdpRequestParser.TryParseAnnounce(_plain, out var request))
        {
            return 0;
        }

        return request.ConnectionId ^ request.Left ^ request.NumWant ^ request.Port ^ request.InfoHash.GetHashCode();
    }

    [Benchmark]
    public long ParseWithUrlData()
    {
        if (!UdpRequestParser.TryParseAnnounce(_withUrlData, out var request) || !request.TryCopyUrlData(_urlData, out var written))
        {
            return 0;
        }

        return written;
    }
}
