using FediTracker.Core.Registry;
using FediTracker.Federation.Media;

namespace FediTracker.Server.Admin;

/// <summary>Body of <c>POST /api/v1/torrents/make</c>: the media URL to fetch and seed from, and its links.</summary>
public sealed record MakeTorrentDto(string? MediaUrl, string? ObjectUri, string? ActorUri, string? Name);

/// <summary>
/// <c>POST /api/v1/torrents/make</c> (admins): the tracker fetches the media, makes a hybrid torrent whose web seed is
/// the media URL, and registers it with its .torrent file, answering when it is done.
/// </summary>
internal static class MakeTorrentApi
{
    private const int RetryAfterSeconds = 30;

    public static void Map(RouteGroupBuilder torrents)
    {
        torrents.MapPost("/make", MakeAsync)
            .WithMetadata(new RequiredRole(AdminRole.Admin))
            .WithSummary("Make a hybrid torrent of a media URL (fetched SSRF-safely, web seed = the URL) and register it with its .torrent file")
            .Produces<TorrentDto>(StatusCodes.Status201Created).Produces<TorrentDto>()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status502BadGateway).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout).ProducesValidationProblem();
    }

    private static async Task<IResult> MakeAsync(MakeTorrentDto body, HttpContext context, TorrentMaker maker, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Uri? mediaUrl = null;
        if (body.MediaUrl is null)
        {
            errors["mediaUrl"] = ["the media file's URL is required"];
        }
        else if (!AdminApi.IsHttpUri(body.MediaUrl, out mediaUrl))
        {
            errors["mediaUrl"] = [$"must be an absolute http(s) URI of at most {AdminApi.MaxUriLength} characters"];
        }
        else if (mediaUrl.AbsolutePath.EndsWith('/') || mediaUrl.Fragment.Length > 0 || mediaUrl.UserInfo.Length > 0)
        {
            errors["mediaUrl"] = ["must name a file: no trailing '/' (BEP 19 clients would append the name), no fragment, no user info"];
        }

        AdminApi.CheckUri(body.ObjectUri, "objectUri", errors);
        AdminApi.CheckUri(body.ActorUri, "actorUri", errors);
        if (body.Name is not null && (body.Name.Length is 0 or > 255 || body.Name is "." or ".." || body.Name.AsSpan().IndexOfAny('/', '\\', '\0') >= 0))
        {
            errors["name"] = ["must be one file name of 1 to 255 characters: no '/', '\\' or NUL, not '.' or '..'"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var request = new TorrentMakeRequest
        {
            MediaUrl = mediaUrl!,
            ObjectUri = body.ObjectUri,
            ActorUri = body.ActorUri,
            Name = body.Name,
            By = AdminAuthFilter.Principal(context).Name,
            Source = ModerationSource.Admin,
        };

        TorrentMakeResult result;
        try
        {
            result = await maker.MakeAsync(request, ct);
        }
        catch (TorrentMakerBusyException ex)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(title: "Too busy", detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The tracker is stopping: the job was cancelled under the waiting request.
            return TypedResults.Problem(title: "Stopping", detail: "The tracker is shutting down; nothing was registered. Try again.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return result.Outcome switch
        {
            TorrentMakeOutcome.Created => TypedResults.Created($"{AdminApi.Prefix}/torrents/{result.Torrent!.Hashes[0]}", TorrentDto.From(result.Torrent)),
            TorrentMakeOutcome.AlreadyRegistered => TypedResults.Ok(TorrentDto.From(result.Torrent!)),
            TorrentMakeOutcome.Blocked => Problem("Blocked", result.Detail, StatusCodes.Status409Conflict),
            TorrentMakeOutcome.Conflict => Problem("Conflict", result.Detail, StatusCodes.Status409Conflict),
            TorrentMakeOutcome.UrlRefused => Problem("Media URL refused", result.Detail, StatusCodes.Status400BadRequest),
            TorrentMakeOutcome.TooLarge => Problem("Media too large", result.Detail, StatusCodes.Status413PayloadTooLarge),
            TorrentMakeOutcome.OriginTimeout => Problem("Origin too slow", result.Detail, StatusCodes.Status504GatewayTimeout),
            TorrentMakeOutcome.NotConfigured => Problem("Not configured", result.Detail, StatusCodes.Status503ServiceUnavailable),
            _ => Problem("Origin failed", result.Detail, StatusCodes.Status502BadGateway),
        };

        static IResult Problem(string title, string detail, int status) => TypedResults.Problem(title: title, detail: detail, statusCode: status);
    }
}
