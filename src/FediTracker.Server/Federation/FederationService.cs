using System.Text.Json;
using FediTracker.Federation;
using FediTracker.Federation.Activities;
using FediTracker.Federation.Fetching;
using FediTracker.Federation.Outbox;
using FediTracker.Core.FederationState;
using FediTracker.Storage.Sqlite;

namespace FediTracker.Server.Federation;

/// <summary>
/// Federation's background work on every node: opens the state store before the listeners, follows the configured
/// peer trackers (until each has been asked once), sends due deliveries as soon as they are queued (and polls for
/// those queued by other nodes), and forgets expired state.
/// </summary>
internal sealed partial class FederationService : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan PeerRetryInterval = TimeSpan.FromMinutes(1);

    private readonly FederationOptions _options;
    private readonly TrackerActor _actor;
    private readonly IFederationStore _store;
    private readonly DeliveryScheduler _scheduler;
    private readonly DeliveryWorker _worker;
    private readonly IActivityDocumentFetcher _fetcher;
    private readonly TimeProvider _time;
    private readonly ILogger<FederationService> _logger;
    private readonly IHostApplicationLifetime _lifetime;

    public FederationService(FederationOptions options, TrackerActor actor, IFederationStore store, DeliveryScheduler scheduler, DeliveryWorker worker, IActivityDocumentFetcher fetcher, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<FederationService> logger)
    {
        _lifetime = lifetime;
        _options = options;
        _actor = actor;
        _store = store;
        _scheduler = scheduler;
        _worker = worker;
        _fetcher = fetcher;
        _time = time;
        _logger = logger;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_store is SqliteFederationStore sqlite)
        {
            await sqlite.OpenAsync(cancellationToken);
        }

        Log.Started(_logger, _actor.ActorId, _options.TrustedDomains.Count, _options.Peers.Count);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Nothing leaves before our own listener is up: a receiver fetches our key from our actor document.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        var peersToFollow = _options.Peers.Select(p => p.Actor).ToList();
        var nextPeerAttempt = DateTimeOffset.MinValue;
        var nextPurge = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = _time.GetUtcNow();
                if (peersToFollow.Count > 0 && now >= nextPeerAttempt)
                {
                    await FollowPeersAsync(peersToFollow, stoppingToken);
                    nextPeerAttempt = now + PeerRetryInterval;
                }

                if (now >= nextPurge)
                {
                    await _store.PurgeExpiredAsync(now, stoppingToken);
                    nextPurge = now + PurgeInterval;
                }

                while (await _worker.RunOnceAsync(stoppingToken) > 0)
                {
                    // Keep going while there is work due.
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is FederationStoreUnavailableException or Core.Registry.RegistryUnavailableException)
            {
                Log.Unavailable(_logger, e);
            }

            try
            {
                await _scheduler.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task FollowPeersAsync(List<string> peers, CancellationToken cancellationToken)
    {
        for (var i = peers.Count - 1; i >= 0; i--)
        {
            var inbox = await ResolveInboxAsync(peers[i], cancellationToken);
            if (inbox is null)
            {
                continue;
            }

            await _scheduler.EnqueueAsync([(inbox, _actor.Follow(peers[i]))], _time.GetUtcNow(), cancellationToken);
            peers.RemoveAt(i);
        }
    }

    private async Task<string?> ResolveInboxAsync(string actor, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _fetcher.GetActivityDocumentAsync(new Uri(actor), cancellationToken);
            using var document = JsonDocument.Parse(response.Body);
            var root = document.RootElement;
            var inbox = root.TryGetProperty("inbox", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            return DomainMatcher.HttpUri(inbox) is { } uri && DomainMatcher.SameOrigin(uri, new Uri(actor)) ? uri.OriginalString : null;
        }
        catch (Exception e) when (e is FetchException or JsonException)
        {
            Log.PeerUnreachable(_logger, actor, e.Message);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Federation on as {Actor}: {Trusted} trusted domains, {Peers} peer trackers")]
        public static partial void Started(ILogger logger, string actor, int trusted, int peers);

        [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "Federation state unavailable; deliveries wait")]
        public static partial void Unavailable(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 4303, Level = LogLevel.Information, Message = "Peer tracker {Actor} could not be reached to follow it ({Reason}); retrying")]
        public static partial void PeerUnreachable(ILogger logger, string actor, string reason);
    }
}
