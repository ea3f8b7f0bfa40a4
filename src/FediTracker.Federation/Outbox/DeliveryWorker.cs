using System.Net.Http.Headers;
using FediTracker.Federation.Activities;
using FediTracker.Federation.Diagnostics;
using FediTracker.Federation.Fetching;
using FediTracker.Federation.Signatures;
using FediTracker.Core.FederationState;
using Microsoft.Extensions.Logging;

namespace FediTracker.Federation.Outbox;

/// <summary>
/// Sends queued deliveries: each is signed as the tracker actor (draft-cavage, what every server reads) and POSTed
/// through the SSRF-safe fetcher. A 2xx completes it; a 4xx other than 401, 408 and 429 drops it (the receiver refuses
/// it for good; a 401 may be the receiver failing to fetch our key for now, so it is retried, as Mastodon does); anything else, or no answer, retries after base × 2^attempts (capped, with up to 25 % jitter) until the
/// attempts run out.
/// </summary>
public sealed class DeliveryWorker
{
    private const int BatchSize = 16;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private readonly FederationOptions _options;
    private readonly TrackerActor _actor;
    private readonly IFederationStore _store;
    private readonly SafeFetcher _fetcher;
    private readonly RequestSigner _signer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FederationMetrics? _metrics;

    public DeliveryWorker(FederationOptions options, TrackerActor actor, IFederationStore store, SafeFetcher fetcher, TimeProvider time, ILogger<DeliveryWorker> logger, FederationMetrics? metrics = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _actor = actor ?? throw new ArgumentNullException(nameof(actor));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _fetcher = fetcher ?? throw new ArgumentNullException(nameof(fetcher));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _metrics = metrics;
        _signer = new RequestSigner(time);
    }

    /// <summary>Sends what is due now; returns how many deliveries it handled (0 when the queue had nothing due).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var due = await _store.ClaimDueAsync(_time.GetUtcNow(), BatchSize, Lease, cancellationToken).ConfigureAwait(false);
        var tasks = new Task[due.Count];
        for (var i = 0; i < due.Count; i++)
        {
            tasks[i] = DeliverAsync(due[i], cancellationToken);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return due.Count;
    }

    /// <summary>The delay before attempt <paramref name="attempts"/> + 1, without jitter.</summary>
    public static TimeSpan Backoff(int attempts, int baseSeconds, int maxSeconds)
    {
        var seconds = Math.Min(maxSeconds, baseSeconds * Math.Pow(2, Math.Min(attempts - 1, 30)));
        return TimeSpan.FromSeconds(seconds);
    }

    private async Task DeliverAsync(OutboxDelivery delivery, CancellationToken cancellationToken)
    {
        string error;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Inbox) { Content = new ByteArrayContent(delivery.Body) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ActivityStreams.LdJson);
            _signer.Sign(request, delivery.Body, _actor.KeyId, _actor.Key);
            var response = await _fetcher.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccess)
            {
                _metrics?.Delivery("delivered");
                await _store.CompleteAsync(delivery.Id, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (response.StatusCode is >= 400 and < 500 and not 401 and not 408 and not 429)
            {
                _metrics?.Delivery("rejected");
                FederationLog.DeliveryGaveUp(_logger, delivery.Inbox, delivery.Attempts + 1, $"refused with {response.StatusCode}");
                await _store.CompleteAsync(delivery.Id, cancellationToken).ConfigureAwait(false);
                return;
            }

            error = $"answered {response.StatusCode}";
        }
        catch (FetchException e)
        {
            error = e.Reason + ": " + e.Message;
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or UriFormatException)
        {
            error = e.Message;
        }

        var attempts = delivery.Attempts + 1;
        if (attempts >= _options.DeliveryMaxAttempts)
        {
            _metrics?.Delivery("gave_up");
            FederationLog.DeliveryGaveUp(_logger, delivery.Inbox, attempts, error);
            await _store.CompleteAsync(delivery.Id, cancellationToken).ConfigureAwait(false);
            return;
        }

        _metrics?.Delivery("retry");
        FederationLog.DeliveryFailed(_logger, delivery.Inbox, attempts, error);
        var delay = Backoff(attempts, _options.DeliveryBaseDelaySeconds, _options.DeliveryMaxDelaySeconds);
        delay += TimeSpan.FromMilliseconds(delay.TotalMilliseconds * 0.25 * Random.Shared.NextDouble());
        await _store.RescheduleAsync(delivery.Id, attempts, _time.GetUtcNow() + delay, error, cancellationToken).ConfigureAwait(false);
    }
}
