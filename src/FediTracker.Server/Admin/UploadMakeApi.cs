using FediTracker.Core;
using FediTracker.Core.Registry;
using FediTracker.Federation.Media;
using FediTracker.Protocol.Torrents;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace FediTracker.Server.Admin;

/// <summary>
/// <c>POST /api/v1/torrents/make/upload</c> (admins): an operator who has the media file at hand uploads it; the
/// tracker hashes the request body as it arrives (never holding the file) into a hybrid torrent whose web seed is the
/// given media URL, and registers it with its .torrent file. At most <see cref="TorrentOptions.MakeWorkers"/> uploads
/// are hashed at once; more are refused with 503 and <c>Retry-After</c>.
/// </summary>
internal static class UploadMakeApi
{
    private const int RetryAfterSeconds = 30;

    public static void Map(RouteGroupBuilder torrents)
    {
        torrents.MapPost("/make/upload", MakeAsync)
            .WithMetadata(new RequiredRole(AdminRole.Admin))
            .Accepts<byte[]>("application/octet-stream")
            .WithSummary("Make a hybrid torrent of an uploaded media file (the body; mediaUrl = where it is served, the web seed) and register it")
            .Produces<TorrentDto>(StatusCodes.Status201Created).Produces<TorrentDto>()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable).ProducesValidationProblem();
    }

    private static async Task<IResult> MakeAsync(
        HttpContext context,
        string? mediaUrl,
        string? objectUri,
        string? actorUri,
        string? name,
        TorrentOptions options,
        IOptions<TrackerOptions> tracker,
        UploadGate gate,
        ModerationService service,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Uri? webSeed = null;
        if (mediaUrl is null)
        {
            errors["mediaUrl"] = ["the URL the file is served at (the torrent's web seed) is required"];
        }
        else if (!AdminApi.IsHttpUri(mediaUrl, out webSeed) || webSeed.AbsolutePath.EndsWith('/'))
        {
            errors["mediaUrl"] = [$"must be an absolute http(s) URI naming a file, of at most {AdminApi.MaxUriLength} characters"];
        }

        AdminApi.CheckUri(objectUri, "objectUri", errors);
        AdminApi.CheckUri(actorUri, "actorUri", errors);
        if (name is not null && (name.Length is 0 or > 255 || name is "." or ".." || name.AsSpan().IndexOfAny('/', '\\', '\0') >= 0))
        {
            errors["name"] = ["must be one file name of 1 to 255 characters: no '/', '\\' or NUL, not '.' or '..'"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (options.AnnounceUrls.Count == 0)
        {
            return TypedResults.Problem(title: "Not configured", detail: "Torrents:AnnounceUrls is not configured: this tracker does not know the URL clients announce to, so it makes no torrents.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var declared = context.Request.ContentLength;
        if (declared > options.MaxMediaBytes)
        {
            return TooLarge(options.MaxMediaBytes);
        }

        if (declared is 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["the media file is empty; a torrent needs at least one byte"] });
        }

        if (!gate.TryEnter())
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(title: "Too busy", detail: $"{options.MakeWorkers} torrents are being made already; try again later.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        TorrentBuildResult built;
        try
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = options.MaxMediaBytes;
            }

            var trackers = options.AnnounceUrls.Concat(options.ExtraTrackers).Distinct(StringComparer.Ordinal).Select(u => new Uri(u, UriKind.Absolute)).ToArray();
            var build = new TorrentBuildOptions
            {
                Name = TorrentMaker.NameFor(webSeed!, name),
                Announce = trackers[0],
                Trackers = trackers[1..],
                WebSeeds = [webSeed!],
                IsPrivate = tracker.Value.AccessMode == AccessMode.Private,
                CreatedBy = "FediTracker",
                ContentLength = declared ?? options.MaxMediaBytes,
            };
            try
            {
                built = await TorrentBuilder.BuildAsync(context.Request.Body, build, ct);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return TooLarge(options.MaxMediaBytes);
            }
            catch (ArgumentException)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["the media file is empty; a torrent needs at least one byte"] });
            }
        }
        finally
        {
            gate.Exit();
        }

        var registration = new TorrentRegistration
        {
            V1 = built.InfoHashV1,
            V2 = built.InfoHashV2,
            Name = TorrentMaker.NameFor(webSeed!, name),
            ObjectUri = objectUri,
            MediaUrl = webSeed!.OriginalString,
            ActorUri = actorUri,
            Length = built.Length,
            Metainfo = built.Metainfo,
        };
        return await AdminApi.CompleteRegistrationAsync(registration, context, service, ct);

        static IResult TooLarge(long limit) => TypedResults.Problem(
            title: "Media too large",
            detail: $"The media is larger than Torrents:MaxMediaBytes ({limit} bytes).",
            statusCode: StatusCodes.Status413PayloadTooLarge);
    }
}

/// <summary>How many uploads are hashed at once (Torrents:MakeWorkers); a full gate refuses at once.</summary>
internal sealed class UploadGate(TorrentOptions options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.MakeWorkers, options.MakeWorkers);

    public bool TryEnter() => _slots.Wait(0);

    public void Exit() => _slots.Release();

    public void Dispose() => _slots.Dispose();
}
