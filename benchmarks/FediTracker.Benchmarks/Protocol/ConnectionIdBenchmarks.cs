using BenchmarkDotNet.Attributes;
using FediTracker.Protocol;
using FediTracker.Protocol.Udp;

namespace FediTracker.Benchmarks.Protocol;

/// <summary>
/// <see cref="ConnectionIdIssuer"/>: issuing an id is one SipHash-2-4 of 26 bytes; validating computes two (this
/// slot and the previous) and compares both in constant time.
/// </summary>
[MemoryDiagnoser]
public class ConnectionIdBenchmarks
{
    private const long Now = 1_760_000_000;

    private ConnectionIdIssuer? _issuer;
    private PeerEndpoint _client;
    private long _id;

    [GlobalSetup]
    public void Setup()
    {
        var key = new byte[ConnectionIdIssuer.KeyLength];
        new Random(3).NextBytes(key);
        _issuer = new ConnectionIdIssuer(key);
        _client = BenchmarkData.V4Peer(12_345);
        _id = _issuer.Issue(_client, Now);
        if (!_issuer.Validate(_id, _client, Now + 60))
        {
            throw new InvalidOperationException("The issued id does not validate.");
        }
    }

    [Benchmark]
    public long Issue() => _issuer!.Issue(_client, Now);

    [Benchmark]
    public bool Validate() => _issuer!.Validate(_id, _client, Now + 60);
}
