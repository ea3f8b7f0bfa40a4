using BenchmarkDotNet.Attributes;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;

namespace FediTracker.Benchmarks.Store;

/// <summary>
/// <see cref="MemorySwarmStore.Scrape"/> of 74 hashes (the most one UDP scrape carries, and the default cap) out of
/// a store of 1 000 swarms of 8 peers each.
/// </summary>
[MemoryDiagnoser]
public class MemorySwarmStoreScrapeBenchmarks
{
    private const int Swarms = 1_000;
    private const int HashesPerScrape = 74;

    private readonly InfoHash[] _hashes = new InfoHash[HashesPerScrape];
    private readonly ScrapeEntry[] _results = new ScrapeEntry[HashesPerScrape];
    private MemorySwarmStore? _store;

    [GlobalSetup]
    public void Setup()
    {
        _store = new MemorySwarmStore(TimeProvider.System, TimeSpan.FromHours(1));
        for (var s = 0; s < Swarms; s++)
        {
            _ = new PrefilledSwarm(_store, BenchmarkData.Hash(s), 8);
        }

        // Spread over the store, not its first few swarms.
        for (var i = 0; i < HashesPerScrape; i++)
        {
            _hashes[i] = BenchmarkData.Hash(i * 13);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _store = null;

    [Benchmark]
    public int Scrape74()
    {
        _store!.Scrape(_hashes, _results);
        return _results[HashesPerScrape - 1].Complete;
    }
}
