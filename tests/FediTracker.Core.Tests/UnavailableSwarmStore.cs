using FediTracker.Core.Swarms;
using FediTracker.Protocol;

namespace FediTracker.Core.Tests;

/// <summary>
/// A fault injector, not a fake store: it fails every call the way a real store fails when its backend is down
/// (<see cref="SwarmStoreUnavailableException"/>), either by throwing at once or through a faulted task.
/// </summary>
public sealed class UnavailableSwarmStore(bool throwSynchronously) : ISwarmStore
{
    private int _calls;

    /// <summary>How many times the store was asked anything.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<StoreAnnounceResult> AnnounceAsync(AnnounceRequest request, Memory<PeerEntry> peers, CancellationToken cancellationToken) =>
        ValueTask.FromException<StoreAnnounceResult>(Outage());

    public ValueTask ScrapeAsync(ReadOnlyMemory<InfoHash> infoHashes, Memory<ScrapeEntry> results, CancellationToken cancellationToken) =>
        ValueTask.FromException(Outage());

    public ValueTask<int> PurgeAsync(InfoHash infoHash, CancellationToken cancellationToken) =>
        ValueTask.FromException<int>(Outage());

    public ValueTask<int> BlockAsync(InfoHash infoHash, CancellationToken cancellationToken) =>
        ValueTask.FromException<int>(Outage());

    public ValueTask UnblockAsync(InfoHash infoHash, CancellationToken cancellationToken) =>
        ValueTask.FromException(Outage());

    // Counts the call, then throws here (synchronous failure) or hands the exception back for a faulted task.
    private SwarmStoreUnavailableException Outage()
    {
        Interlocked.Increment(ref _calls);
        var exception = new SwarmStoreUnavailableException("injected outage");
        return throwSynchronously ? throw exception : exception;
    }
}
