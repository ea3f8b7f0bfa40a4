using BenchmarkDotNet.Attributes;
using FediTracker.Protocol;
using FediTracker.Protocol.Udp;

namespace FediTracker.Benchmarks.Protocol;

/// <summary><see cref="UdpResponseWriter.WriteAnnounce"/> of 50 IPv4 peers into a 1 472-byte datagram buffer.</summary>
[MemoryDiagnoser]
public class UdpAnnounceReplyWriteBenchmarks
{
    private readonly byte[] _buffer = new byte[1472];
    private PeerEntry[] _peers = [];

    [GlobalSetup]
    public void Setup() => _peers = BenchmarkData.Peers(50, ipv6: false);

    [Benchmark]
    public int WriteAnnounce50V4() =>
        UdpResponseWriter.WriteAnnounce(_buffer, transactionId: 0x12345678, interval: 937, leechers: 7_500, seeders: 2_500, _peers, ipv6: false);
}
