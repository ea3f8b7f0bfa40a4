using FediTracker.Core.Diagnostics;
using FediTracker.Core.Limits;
using FediTracker.Core.Registry;
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
    private readonly AccessPolicy _access;
    private readonly bool _sampleStoreTimes;

    /// <param name="access">The access policy; when null, one of the configured mode over an empty list (tests).</param>
    public Tracker(ISwarmStore store, IOptions<TrackerOptions> options, TrackerMetrics metrics, ILogger<Tracker> logger, AccessPolicy? access = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options.Value;
        _access = access ?? new AccessPolicy(_options.AccessMode, new AccessList());
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _limiter = new AddressRateLimiter(_options.RateLimitPerSecond, _options.RateLimitBurst);
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));

        // The in-process store answers in a microsecond or two: timing every call would cost a measurable share of
        // it, so only a sample is timed (see TrackerMetrics). A remote store's calls are all timed.
        _sampleStoreTimes = store is MemorySwarmStore;
    }

    public TrackerMetrics Metrics => _metrics;

    /// <summary>The per-address limiter; its idle entries are dropped by a background timer.</summary>
    public AddressRateLimiter RateLimiter => _limiter;

    public TrackerOptions Options => _options;

    public AccessPolicy Access => _access;

    /// <summary>
    /// Checks the passkey of an announce before <see cref="AnnounceAsync"/> (true outside private mode). On false the
    /// caller answers <see cref="FailureReasons.PasskeyRequired"/>; the failure is counted here.
    /// </summary>
    public bool AcceptPasskey(Transport transport, ReadOnlySpan<byte> passkey)
    {
        if (_access.AcceptsPasskey(passkey))
        {
            return true;
        }

        Log.Refused(_logger, FailureKinds.Passkey);
        _metrics.Failure(transport, FailureKinds.Passkey);
        return false;
    }

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

        var decision = _access.Check(request.InfoHash);
        if (decision != AccessDecision.Allowed)
        {
            return Refuse(transport, ipv6, request.Event, decision);
        }

        StoreAnnounceResult result;
        var start = _metrics.StartStoreTimer(_sampleStoreTimes);
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
            // The store's own marker: a moderation landed between the check above and the store (or on another
            // node whose notice has not reached this one yet).
            return Refuse(transport, ipv6, request.Event, AccessDecision.Revoked);
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

        // Hashes the policy refuses are answered as unknown (zeros); a scrape of nothing but refused hashes fails.
        var hashes = infoHashes.Span;
        var refused = 0;
        var firstRefusal = AccessDecision.Allowed;
        for (var i = 0; i < hashes.Length; i++)
        {
            var decision = _access.Check(hashes[i]);
            if (decision != AccessDecision.Allowed)
            {
                refused++;
                if (firstRefusal == AccessDecision.Allowed)
                {
                    firstRefusal = decision;
                }
            }
        }

        if (refused > 0 && refused == hashes.Length)
        {
            var (kind, reason, _) = Describe(firstRefusal);
            _metrics.Failure(transport, kind);
            _metrics.Scrape(transport, FailureKinds.ResultFailed);
            return reason;
        }

        var start = _metrics.StartStoreTimer(_sampleStoreTimes);
        try
        {
            await _store.ScrapeAsync(infoHashes, results, cancellationToken);
            _metrics.StoreDuration("scrape", start);
            if (refused > 0)
            {
                ClearRefused(infoHashes.Span, results.Span);
            }

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

    private AnnounceOutcome Refuse(Transport transport, bool ipv6, AnnounceEvent announceEvent, AccessDecision decision)
    {
        // Refusals by policy never log the client's address, whatever LogClientAddresses says: which torrent a
        // client asked for is not the operator's business once the torrent is gone.
        var (kind, reason, retryNever) = Describe(decision);
        Log.Refused(_logger, kind);
        _metrics.Failure(transport, kind);
        _metrics.Announce(transport, ipv6, announceEvent, FailureKinds.ResultFailed);
        return AnnounceOutcome.Fail(reason, retryNever);
    }

    private static (string Kind, string Reason, bool RetryNever) Describe(AccessDecision decision) => decision switch
    {
        AccessDecision.Revoked => (FailureKinds.Revoked, FailureReasons.Revoked, true),
        AccessDecision.Suspended => (FailureKinds.Suspended, FailureReasons.Suspended, false),
        _ => (FailureKinds.NotRegistered, FailureReasons.NotRegistered, false),
    };

    private void ClearRefused(ReadOnlySpan<InfoHash> hashes, Span<ScrapeEntry> results)
    {
        for (var i = 0; i < hashes.Length; i++)
        {
            if (_access.Check(hashes[i]) != AccessDecision.Allowed)
            {
                results[i] = default;
            }
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
