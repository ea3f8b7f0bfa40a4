using BenchmarkDotNet.Attributes;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;

namespace FediTracker.Benchmarks.Store;

/// <summary>
/// <see cref="MemorySwarmStore.Announce"/> into one swarm of <see cref="SwarmSize"/> IPv4 peers (a quarter seeders),
/// numwant 50. The steady state is an existing peer re-announcing; successive operations take different peers, spread
/// over the whole swarm. The store's rule is that announce cost does not depend on the swarm's size.
/// </summary>
[MemoryDiagnoser]
public class MemorySwarmStoreAnnounceBenchmarks
{
    private const int NumWant = 50;

    /// <summary>Distinct newcomers cycled through by the insert-then-stop benchmark.</summary>
    private const int Newcomers = 4096;

    // As in the server: room for the most peers a reply may carry, numwant decides how many are written.
    private readonly PeerEntry[] _peers = new PeerEntry[200];
    private MemorySwarmStore? _store;
    private PrefilledSwarm? _swarm;
    private Rotation _leechers;
    private Rotation _seeders;
    private Rotation _newcomers;
    private int _newcomerBase;

    [Params(10, 10_000, 1_000_000)]
    public int SwarmSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _store = new MemorySwarmStore(TimeProvider.System, TimeSpan.FromHours(1));
        _swarm = new PrefilledSwarm(_store, BenchmarkData.Hash(1), SwarmSize);
        _leechers = new Rotation(_swarm.LeecherCount);
        _seeders = new Rotation(_swarm.SeederCount);
        _newcomers = new Rotation(Newcomers);

        // Above every filled peer, and a multiple of 4 so that PrefilledSwarm.Leecher(k) stays a leecher.
        _newcomerBase = (SwarmSize + 3) / 4 * 4;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store = null;
        _swarm = null;
    }

    /// <summary>An existing leecher re-announces (no event) and gets 50 peers, seeders and leechers.</summary>
    [Benchmark]
    public int LeecherReannounce()
    {
        var peer = PrefilledSwarm.Leecher(_leechers.Next());
        return _store!.Announce(_swarm!.Request(peer, AnnounceEvent.None, NumWant), _peers).PeerCount;
    }

    /// <summary>
    /// An existing leecher re-announces asking for no peers: the lookup and refresh of its own entry alone, to tell
    /// that cost from the cost of picking 50 peers.
    /// </summary>
    [Benchmark]
    public int LeecherReannounceNumWant0()
    {
        var peer = PrefilledSwarm.Leecher(_leechers.Next());
        return _store!.Announce(_swarm!.Request(peer, AnnounceEvent.None, numWant: 0), _peers).Incomplete;
    }

    /// <summary>An existing seeder re-announces (no event) and gets up to 50 leechers.</summary>
    [Benchmark]
    public int SeederReannounce()
    {
        var peer = PrefilledSwarm.Seeder(_seeders.Next());
        return _store!.Announce(_swarm!.Request(peer, AnnounceEvent.None, NumWant), _peers).PeerCount;
    }

    /// <summary>
    /// A peer new to the swarm announces <c>started</c> (insert, 50 peers back), then <c>stopped</c> (removal): two
    /// store calls per operation, leaving the swarm as it was.
    /// </summary>
    [Benchmark]
    public int NewPeerStartThenStop()
    {
        var peer = _newcomerBase + PrefilledSwarm.Leecher(_newcomers.Next());
        var started = _store!.Announce(_swarm!.Request(peer, AnnounceEvent.Started, NumWant), _peers);
        var stopped = _store.Announce(_swarm.Request(peer, AnnounceEvent.Stopped, NumWant), _peers);
        return started.PeerCount + stopped.Incomplete;
    }
}
