using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FediTracker.Core;

/// <summary>
/// The announce and scrape use cases, shared by the HTTP and UDP front ends: applies the options (numwant,
/// intervals), asks the swarm store, and turns store faults into a failure the client understands.
/// </summary>
public sealed partial class Tracker
{
    private readonly ISwarmStore _store;
    private readonly TrackerOptions _options;
    private readonly ILogger<Tracker> _logger;

    public Tracker(ISwarmStore store, IOptions<TrackerOptions> options, ILogger<Tracker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options.Value;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public TrackerOptions Options => _options;

    /// <summary>The numwant to use for a client's request (negative means "not given").</summary>
    public int ClampNumWant(int requested) =>
        requested < 0 ? Math.Min(_options.DefaultNumWant, _options.MaxNumWant) : Math.Min(requested, _options.MaxNumWant);

    /// <summary>
    /// Handles an announce; other peers are written into <paramref name="peers"/>. <c>request.NumWant</c> is
    /// clamped here; the buffer should hold <see cref="TrackerOptions.MaxNumWant"/> entries.
    /// </summary>
    public async ValueTask<AnnounceOutcome> AnnounceAsync(AnnounceRequest request, Memory<PeerEntry> peers, CancellationToken cancellationToken)
    {
        request = request with { NumWant = ClampNumWant(request.NumWant) };
        StoreAnnounceResult result;
        try
        {
            result = await _store.AnnounceAsync(request, peers, cancellationToken);
        }
        catch (SwarmStoreUnavailableException ex)
        {
            Log.StoreUnavailable(_logger, ex);
            return AnnounceOutcome.Fail(FailureReasons.StoreUnavailable);
        }

        return new AnnounceOutcome(
            null,
            false,
            JitteredInterval(),
            _options.MinAnnounceIntervalSeconds,
            result.Complete,
            result.Incomplete,
            result.Downloaded,
            result.PeerCount);
    }

    /// <summary>Scrapes up to <see cref="TrackerOptions.MaxScrapeHashes"/> hashes; null on success, else the failure reason.</summary>
    public async ValueTask<string?> ScrapeAsync(ReadOnlyMemory<InfoHash> infoHashes, Memory<ScrapeEntry> results, CancellationToken cancellationToken)
    {
        if (infoHashes.Length > _options.MaxScrapeHashes)
        {
            return FailureReasons.TooManyScrapeHashes;
        }

        try
        {
            await _store.ScrapeAsync(infoHashes, results, cancellationToken);
            return null;
        }
        catch (SwarmStoreUnavailableException ex)
        {
            Log.StoreUnavailable(_logger, ex);
            return FailureReasons.StoreUnavailable;
        }
    }

    private int JitteredInterval()
    {
        var interval = _options.AnnounceIntervalSeconds;
        var jitter = (int)(interval * _options.IntervalJitter);
        return jitter <= 0 ? interval : interval + Random.Shared.Next(jitter + 1);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "The swarm store is unavailable; announces fail until it is back")]
        public static partial void StoreUnavailable(ILogger logger, Exception exception);
    }
}
