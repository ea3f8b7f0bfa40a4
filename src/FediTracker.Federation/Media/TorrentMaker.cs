using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using FediTracker.Core.Registry;
using FediTracker.Federation.Fetching;
using FediTracker.Protocol.Torrents;
using Microsoft.Extensions.Logging;

namespace FediTracker.Federation.Media;

/// <summary>
/// Makes torrents of media from their URLs and registers them: streams the file through the SSRF-safe fetcher
/// (size- and time-bounded), hashes it once into a hybrid v1 + v2 torrent whose web seed is the media URL and whose
/// trackers are this tracker's announce URLs (then the extra trackers), flags it private in private mode, and
/// registers it with its metainfo through <see cref="ModerationService"/>, linked to its object and actor.
/// </summary>
/// <remarks>
/// Requests wait in a bounded queue for a fixed number of workers. A full queue refuses at once
/// (<see cref="TryEnqueue"/> returns false, <see cref="MakeAsync"/> throws <see cref="TorrentMakerBusyException"/>),
/// so callers feel the back-pressure instead of piling up downloads. A queued job runs to its end even when its
/// caller stops waiting, so asking again later finds the torrent registered. Callers: the admin API's
/// <c>POST /api/v1/torrents/make</c>, and automatic registration from ActivityPub <c>Create</c> activities.
/// </remarks>
public sealed partial class TorrentMaker : IAsyncDisposable
{
    private const int MaxNameLength = 255;

    private readonly TorrentOptions _options;
    private readonly bool _private;
    private readonly ModerationService _moderation;
    private readonly SafeFetcher _fetcher;
    private readonly ILogger _logger;
    private readonly Channel<Job> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Uri[] _trackers;
    private Task[] _workers = [];

    /// <param name="options">Validated options (<see cref="TorrentOptions.Validate"/>).</param>
    /// <param name="privateTorrents">Sets BEP 27's <c>private</c> flag (the tracker runs in private mode).</param>
    /// <param name="moderation">Where registrations go.</param>
    /// <param name="fetcher">The fetcher for media: its address rules decide which origins may be reached.</param>
    /// <param name="logger">Logs made torrents and failures.</param>
    public TorrentMaker(TorrentOptions options, bool privateTorrents, ModerationService moderation, SafeFetcher fetcher, ILogger<TorrentMaker> logger)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _private = privateTorrents;
        _moderation = moderation ?? throw new ArgumentNullException(nameof(moderation));
        _fetcher = fetcher ?? throw new ArgumentNullException(nameof(fetcher));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _trackers = [.. options.AnnounceUrls.Concat(options.ExtraTrackers).Distinct(StringComparer.Ordinal).Select(u => new Uri(u, UriKind.Absolute))];
        _queue = Channel.CreateBounded<Job>(new BoundedChannelOptions(options.MakeQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full; nothing is dropped silently
            SingleReader = options.MakeWorkers == 1,
            SingleWriter = false,
        });
    }

    /// <summary>Whether torrents can be made at all (this tracker's announce URLs are configured).</summary>
    public bool IsConfigured => _options.AnnounceUrls.Count > 0;

    /// <summary>Requests waiting for a worker (not those being made).</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>Requests that may wait before new ones are refused.</summary>
    public int Capacity => _options.MakeQueueCapacity;

    /// <summary>Starts the workers. Called once, when the host starts.</summary>
    public void Start()
    {
        if (_workers.Length > 0)
        {
            throw new InvalidOperationException("The torrent maker is started already.");
        }

        _workers = [.. Enumerable.Range(0, _options.MakeWorkers).Select(_ => Task.Run(WorkAsync))];
    }

    /// <summary>Stops taking requests, cancels the ones in progress and those waiting, and waits for the workers.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_workers).WaitAsync(cancellationToken).ConfigureAwait(false);
        while (_queue.Reader.TryRead(out var job))
        {
            job.Completion.TrySetCanceled(_stopping.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    /// <summary>
    /// Queues a request unless the queue is full. <paramref name="completion"/> ends with the result; it fails only
    /// when the registry or swarm store cannot be reached (<see cref="RegistryUnavailableException"/>, …) or is
    /// cancelled when the tracker stops. For callers that do not wait (automatic registration), a false return is the
    /// signal to drop or retry later.
    /// </summary>
    public bool TryEnqueue(TorrentMakeRequest request, [NotNullWhen(true)] out Task<TorrentMakeResult>? completion)
    {
        ArgumentNullException.ThrowIfNull(request);
        var job = new Job(request, new TaskCompletionSource<TorrentMakeResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_stopping.IsCancellationRequested || !_queue.Writer.TryWrite(job))
        {
            completion = null;
            return false;
        }

        completion = job.Completion.Task;
        return true;
    }

    /// <summary>
    /// Queues a request and waits for its result. <paramref name="cancellationToken"/> ends the wait only: the job
    /// itself runs on.
    /// </summary>
    /// <exception cref="TorrentMakerBusyException">The queue is full; nothing was queued.</exception>
    public Task<TorrentMakeResult> MakeAsync(TorrentMakeRequest request, CancellationToken cancellationToken)
    {
        if (!TryEnqueue(request, out var completion))
        {
            throw new TorrentMakerBusyException(
                $"The torrent-making queue is full ({_options.MakeQueueCapacity} waiting, {_options.MakeWorkers} being made); try again later.");
        }

        return completion.WaitAsync(cancellationToken);
    }

    /// <summary>The name a torrent of <paramref name="mediaUrl"/> gets: one path component, never empty.</summary>
    public static string NameFor(Uri mediaUrl, string? requested)
    {
        ArgumentNullException.ThrowIfNull(mediaUrl);
        var name = requested;
        if (string.IsNullOrWhiteSpace(name))
        {
            var path = mediaUrl.IsAbsoluteUri ? mediaUrl.AbsolutePath : mediaUrl.OriginalString;
            name = Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
        }

        name = string.Create(name.Length, name, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = source[i] is '/' or '\\' or '\0' || char.IsControl(source[i]) ? '_' : source[i];
            }
        }).Trim();
        if (name.Length > MaxNameLength)
        {
            name = name[..MaxNameLength];
        }

        return name is "" or "." or ".." ? "media" : name;
    }

    private async Task WorkAsync()
    {
        var stopping = _stopping.Token;
        try
        {
            await foreach (var job in _queue.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                try
                {
                    job.Completion.TrySetResult(await MakeNowAsync(job.Request, stopping).ConfigureAwait(false));
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    job.Completion.TrySetCanceled(stopping);
                }
                catch (Exception e)
                {
                    Log.Failed(_logger, job.Request.MediaUrl, e);
                    job.Completion.TrySetException(e);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: the jobs still queued are cancelled by StopAsync.
        }
    }

    private async Task<TorrentMakeResult> MakeNowAsync(TorrentMakeRequest request, CancellationToken cancellationToken)
    {
        var mediaUrl = request.MediaUrl.OriginalString;
        if (!IsConfigured)
        {
            return new(TorrentMakeOutcome.NotConfigured, null, "Torrents:AnnounceUrls is not configured: this tracker does not know the URL clients announce to, so it makes no torrents.");
        }

        // Made already for the same links? Then nothing is fetched.
        var existing = await _moderation.Registry.ListAsync(new TorrentQuery { MediaUrl = mediaUrl, ObjectUri = request.ObjectUri, ActorUri = request.ActorUri, Limit = 100 }, cancellationToken).ConfigureAwait(false);
        foreach (var record in existing.Items)
        {
            if (string.Equals(record.ObjectUri, request.ObjectUri, StringComparison.Ordinal) && string.Equals(record.ActorUri, request.ActorUri, StringComparison.Ordinal))
            {
                return record.Status == AccessState.Active
                    ? new(TorrentMakeOutcome.AlreadyRegistered, record, $"A torrent of {mediaUrl} is registered for these links already.")
                    : new(TorrentMakeOutcome.Blocked, record, $"The torrent of {mediaUrl} for these links is {record.Status.ToString().ToLowerInvariant()}; only an admin's restore allows it again.");
            }
        }

        var name = NameFor(request.MediaUrl, request.Name);
        var started = Stopwatch.GetTimestamp();
        TorrentBuildResult built;
        try
        {
            var media = await _fetcher.GetStreamAsync(request.MediaUrl, _options.MaxMediaBytes, TimeSpan.FromSeconds(_options.MediaTimeoutSeconds), cancellationToken).ConfigureAwait(false);
            await using (media.ConfigureAwait(false))
            {
                if (media.ContentLength < request.MinBytes)
                {
                    // Disposing the response closes the connection: the body is not read, let alone hashed.
                    return TooSmall(mediaUrl, media.ContentLength.Value, request.MinBytes);
                }

                var build = new TorrentBuildOptions
                {
                    Name = name,
                    Announce = _trackers[0],
                    Trackers = _trackers.Length > 1 ? _trackers[1..] : [],
                    WebSeeds = [request.MediaUrl],
                    IsPrivate = _private,
                    CreatedBy = "FediTracker",

                    // Only chooses the piece length; without a declared length, the largest allowed file decides.
                    ContentLength = media.ContentLength ?? _options.MaxMediaBytes,
                };
                try
                {
                    built = await TorrentBuilder.BuildAsync(media.Content, build, cancellationToken).ConfigureAwait(false);
                }
                catch (ArgumentException) when (media.BytesRead == 0)
                {
                    return new(TorrentMakeOutcome.OriginFailed, null, $"{mediaUrl} answered with an empty body; a torrent needs at least one byte.");
                }
            }
        }
        catch (FetchException e)
        {
            return FromFetch(e);
        }

        if (built.Length < request.MinBytes)
        {
            // The origin did not declare a length; what was hashed shows the file is below the minimum.
            return TooSmall(mediaUrl, built.Length, request.MinBytes);
        }

        var registration = new TorrentRegistration
        {
            V1 = built.InfoHashV1,
            V2 = built.InfoHashV2,
            Name = name,
            ObjectUri = request.ObjectUri,
            MediaUrl = mediaUrl,
            ActorUri = request.ActorUri,
            Length = built.Length,
            Metainfo = built.Metainfo,
        };
        var result = await _moderation.RegisterAsync(registration, request.By, request.Source, cancellationToken).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Log.Made(_logger, result.Outcome, built.InfoHashV1, built.InfoHashV2, built.Length, mediaUrl, seconds);

        return result.Outcome switch
        {
            RegisterOutcome.Created => new(TorrentMakeOutcome.Created, result.Torrent, $"Made and registered a torrent of {built.Length} bytes."),
            RegisterOutcome.AlreadyRegistered => new(TorrentMakeOutcome.AlreadyRegistered, result.Torrent, "The same torrent is registered already with these links."),
            RegisterOutcome.Blocked => new(TorrentMakeOutcome.Blocked, result.Torrent, result.Detail ?? "A hash, the object or the actor is revoked or suspended; only an admin's restore allows it again."),
            _ => new(TorrentMakeOutcome.Conflict, result.Torrent, result.Detail ?? $"The same file is registered already, as torrent {result.Torrent?.Id}, with other links."),
        };
    }

    private static TorrentMakeResult TooSmall(string mediaUrl, long length, long minimum) =>
        new(TorrentMakeOutcome.TooSmall, null, $"{mediaUrl} has {length} bytes, fewer than the {minimum} asked for; no torrent was made.");

    private TorrentMakeResult FromFetch(FetchException e)
    {
        var outcome = e.Failure switch
        {
            FetchFailure.InvalidUrl or FetchFailure.SchemeRefused or FetchFailure.AddressRefused => TorrentMakeOutcome.UrlRefused,
            FetchFailure.TooLarge => TorrentMakeOutcome.TooLarge,
            FetchFailure.Timeout => TorrentMakeOutcome.OriginTimeout,
            _ => TorrentMakeOutcome.OriginFailed,
        };
        var detail = outcome == TorrentMakeOutcome.TooLarge
            ? $"The media is larger than Torrents:MaxMediaBytes ({_options.MaxMediaBytes} bytes): {e.Message}"
            : e.Message;
        Log.FetchFailed(_logger, e.Reason, e.Message);
        return new(outcome, null, detail) { FetchFailure = e.Failure };
    }

    private sealed record Job(TorrentMakeRequest Request, TaskCompletionSource<TorrentMakeResult> Completion);

    private static partial class Log
    {
        [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Made a torrent ({Outcome}) v1 {V1} v2 {V2}, {Length} bytes from {MediaUrl} in {Seconds:F1} s")]
        public static partial void Made(ILogger logger, RegisterOutcome outcome, Protocol.InfoHash? v1, Protocol.InfoHash? v2, long length, string mediaUrl, double seconds);

        [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "No torrent made: fetching the media failed ({Reason}): {Detail}")]
        public static partial void FetchFailed(ILogger logger, string reason, string detail);

        [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Making a torrent of {MediaUrl} failed")]
        public static partial void Failed(ILogger logger, Uri mediaUrl, Exception exception);
    }
}
