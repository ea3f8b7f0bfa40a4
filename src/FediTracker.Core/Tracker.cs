using System.Diagnostics;
using FediTracker.Core.Diagnostics;
using FediTracker.Core.Limits;
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
    private readonly TrackerMetrics _metrics;
    private readonly AddressRateLimiter _limiter;

    public Tracker(ISwarmStore store, IOptions<TrackerOptions> options, TrackerMetrics metrics, ILogger<Tracker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options.Value;
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _limiter = new AddressRateLimiter(_options.RateLimitPerSecond, _options.RateLimitBurst);
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public TrackerMetrics Metrics => _metrics;

    /// <summary>The per-address limiter; its idle entries are dropped by a background timer.</summary>
    public AddressRateLimiter RateLimiter => _limiter;

    public TrackerOptions Options => _options;

    /// <summary>The numwant to use for a client's request (negative means "not given").</summary>
    public int ClampNumWant(int requested) =>
        requested < 0 ? Math.Min(_options.DefaultNumWant, _options.MaxNumWant) : Math.Min(requested, _options.MaxNumWant);

    /// <summary>
    /// Handles an announce; other peers are written into <paramref name="peers"/>. <c>request.NumWant</c> is
    /// clamped here; the buffer should hold <see cref="TrackerOptions.MaxNumWant"/> entries.
    /// </summary>
    public async ValueTask<AnnounceOutcome> AnnounceAsync(Transport transport, AnnounceRequest request, Memory<PeerEntry> peers, CancellationToken cancellationToken)
    {
        request = request with { NumWant = ClampNumWant(request.NumWant) };
        var ipv6 = !request.Endpoint.IsIPv4;
        if (!_limiter.TryAcquire(request.Endpoint.Address))
        {
            LogRefused(FailureKinds.RateLimited, request.Endpoint.Address);
            _metrics.Failure(transport, FailureKinds.RateLimited);
            _metrics.Announce(transport, ipv6, request.Event, FailureKinds.ResultFailed);
            return AnnounceOutcome.Fail(FailureReasons.RateLimited);
        }

        StoreAnnounceResult result;
        var start = Stopwatch.GetTimestamp();
        try
        {
            result = await _store.AnnounceAsync(request, peers, cancellationToken);
            _metrics.StoreDuration("announce", start);
        }
        catch (SwarmStoreUnavailableException ex)
        {
            Log.StoreUnavailable(_logger, ex);
            _metrics.StoreError("announce");
            _metrics.Failure(transport, FailureKinds.StoreUnavailable);
            _metrics.Announce(transport, ipv6, request.Event, FailureKinds.ResultFailed);
            return AnnounceOutcome.Fail(FailureReasons.StoreUnavailable);
        }

        if (result.Status == StoreAnnounceStatus.Revoked)
        {
            LogRefused(FailureKinds.Revoked, request.Endpoint.Address);
            _metrics.Failure(transport, FailureKinds.Revoked);
            _metrics.Announce(transport, ipv6, request.Event, FailureKinds.ResultFailed);
            return AnnounceOutcome.Fail(FailureReasons.Revoked, retryNever: true);
        }

        _metrics.Announce(transport, ipv6, request.Event, FailureKinds.ResultOk);

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
    public async ValueTask<string?> ScrapeAsync(Transport transport, PeerAddress client, ReadOnlyMemory<InfoHash> infoHashes, Memory<ScrapeEntry> results, CancellationToken cancellationToken)
    {
        if (!_limiter.TryAcquire(client))
        {
            LogRefused(FailureKinds.RateLimited, client);
            _metrics.Failure(transport, FailureKinds.RateLimited);
            _metrics.Scrape(transport, FailureKinds.ResultFailed);
            return FailureReasons.RateLimited;
        }

        if (infoHashes.Length > _options.MaxScrapeHashes)
        {
            _metrics.Failure(transport, FailureKinds.TooManyHashes);
            _metrics.Scrape(transport, FailureKinds.ResultFailed);
            return FailureReasons.TooManyScrapeHashes;
        }

        var start = Stopwatch.GetTimestamp();
        try
        {
            await _store.ScrapeAsync(infoHashes, results, cancellationToken);
            _metrics.StoreDuration("scrape", start);
            _metrics.Scrape(transport, FailureKinds.ResultOk);
            return null;
        }
        catch (SwarmStoreUnavailableException ex)
        {
            Log.StoreUnavailable(_logger, ex);
            _metrics.StoreError("scrape");
            _metrics.Failure(transport, FailureKinds.StoreUnavailable);
            _metrics.Scrape(transport, FailureKinds.ResultFailed);
            return FailureReasons.StoreUnavailable;
        }
    }

    // Client addresses appear only when the operator turned LogClientAddresses on, and only at Debug.
    private void LogRefused(string reason, PeerAddress client)
    {
        if (_options.LogClientAddresses)
        {
            Log.RefusedFrom(_logger, reason, client);
        }
        else
        {
            Log.Refused(_logger, reason);
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

        [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Refused a request: {Reason}")]
        public static partial void Refused(ILogger logger, string reason);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Refused a request from {Client}: {Reason}")]
        public static partial void RefusedFrom(ILogger logger, string reason, PeerAddress client);
    }
}
