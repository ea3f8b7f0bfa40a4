using FediTracker.Core.Registry;
using FediTracker.Federation.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FediTracker.Federation.Media;

/// <summary>
/// Automatic registration: takes the attachments of a post the inbox has accepted (signed, from a subscribed trusted
/// instance, public), keeps those worth a torrent, and queues them on the <see cref="TorrentMaker"/> without waiting.
/// </summary>
/// <remarks>
/// An attachment is taken when its media type is audio, video or an image; its URL is an http(s) file URL on the
/// actor's origin or on a host <see cref="TorrentOptions.MediaHosts"/> lists for the actor's domain (the media
/// fetcher then refuses private addresses whatever the URL says); and a size it states is within
/// <see cref="TorrentOptions.MinAttachmentBytes"/> and <see cref="TorrentOptions.MaxMediaBytes"/>. An unstated size
/// is learnt by the maker from the response's Content-Length (<see cref="TorrentMakeRequest.MinBytes"/>). At most
/// <see cref="TorrentOptions.MaxAttachmentsPerActivity"/> are taken from one post. A full queue is back-pressure:
/// the attachment is dropped, counted and logged, and the activity is still accepted. Every step is counted in
/// <c>feditracker.federation.auto_registrations</c>.
/// </remarks>
public sealed class AutoRegistrar
{
    private const int MaxUrlLength = 2048;

    private readonly TorrentOptions _options;
    private readonly TorrentMaker _maker;
    private readonly ILogger _logger;
    private readonly FederationMetrics? _metrics;

    public AutoRegistrar(TorrentOptions options, TorrentMaker maker, ILogger<AutoRegistrar> logger, FederationMetrics? metrics = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _maker = maker ?? throw new ArgumentNullException(nameof(maker));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _metrics = metrics;
    }

    /// <summary>
    /// Queues torrents for the attachments of <paramref name="objectUri"/> posted by <paramref name="actorUri"/>, and
    /// returns how many were queued. Never waits for a download; the results are counted and logged as they come.
    /// </summary>
    public int Offer(string objectUri, Uri actorUri, IReadOnlyList<MediaAttachment> attachments)
    {
        ArgumentNullException.ThrowIfNull(objectUri);
        ArgumentNullException.ThrowIfNull(actorUri);
        ArgumentNullException.ThrowIfNull(attachments);
        var mediaHosts = _options.MediaHosts.Where(m => DomainMatcher.Matches([m.Domain], actorUri)).SelectMany(m => m.Hosts).ToList();
        var taken = 0;
        var queued = 0;
        foreach (var attachment in attachments)
        {
            var outcome = Judge(attachment, actorUri, mediaHosts, out var mediaUrl);
            if (outcome is null && taken >= _options.MaxAttachmentsPerActivity)
            {
                outcome = "capped";
            }

            if (outcome is not null)
            {
                Count(outcome);
                FederationLog.AutoRegistrationSkipped(_logger, attachment.Url, objectUri, outcome);
                continue;
            }

            taken++;
            var request = new TorrentMakeRequest
            {
                MediaUrl = mediaUrl!,
                ObjectUri = objectUri,
                ActorUri = actorUri.OriginalString,
                MinBytes = _options.MinAttachmentBytes,
                By = actorUri.OriginalString,
                Source = ModerationSource.ActivityPub,
            };
            if (!_maker.TryEnqueue(request, out var completion))
            {
                Count("queue_full");
                FederationLog.AutoRegistrationQueueFull(_logger, attachment.Url, objectUri, _maker.Capacity);
                continue;
            }

            queued++;
            Count("queued");
            _ = ObserveAsync(completion, attachment.Url, objectUri);
        }

        return queued;
    }

    private string? Judge(MediaAttachment attachment, Uri actorUri, List<string> mediaHosts, out Uri? mediaUrl)
    {
        mediaUrl = null;
        if (!attachment.IsMedia)
        {
            return "not_media";
        }

        var uri = DomainMatcher.HttpUri(attachment.Url);
        if (uri is null || attachment.Url.Length > MaxUrlLength || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0 || uri.AbsolutePath.EndsWith('/'))
        {
            return "bad_url";
        }

        if (!DomainMatcher.SameOrigin(uri, actorUri) && !DomainMatcher.Matches(mediaHosts, uri))
        {
            return "foreign_host";
        }

        if (attachment.Size < _options.MinAttachmentBytes)
        {
            return "too_small";
        }

        if (attachment.Size > _options.MaxMediaBytes)
        {
            return "too_large";
        }

        mediaUrl = uri;
        return null;
    }

    private async Task ObserveAsync(Task<TorrentMakeResult> completion, string mediaUrl, string objectUri)
    {
        string outcome;
        string detail;
        try
        {
            var result = await completion.ConfigureAwait(false);
            (outcome, detail) = (Label(result.Outcome), result.Detail);
        }
        catch (OperationCanceledException)
        {
            (outcome, detail) = ("cancelled", "the tracker stopped");
        }
        catch (Exception e)
        {
            // The maker has logged it; the registry or swarm store was out of reach.
            (outcome, detail) = ("failed", e.GetType().Name);
        }

        Count(outcome);
        FederationLog.AutoRegistrationEnded(_logger, mediaUrl, objectUri, outcome, detail);
    }

    private static string Label(TorrentMakeOutcome outcome) => outcome switch
    {
        TorrentMakeOutcome.Created => "made",
        TorrentMakeOutcome.AlreadyRegistered => "exists",
        TorrentMakeOutcome.Blocked => "blocked",
        TorrentMakeOutcome.TooSmall => "too_small",
        TorrentMakeOutcome.TooLarge => "too_large",
        _ => "failed",
    };

    private void Count(string outcome) => _metrics?.AutoRegistration(outcome);
}
