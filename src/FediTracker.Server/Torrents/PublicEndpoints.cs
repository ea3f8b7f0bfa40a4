using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using FediTracker.Core;
using FediTracker.Core.Registry;
using FediTracker.Federation.Media;
using FediTracker.Protocol.Torrents;
using FediTracker.Server.Configuration;
using FediTracker.Server.Hosting;
using Microsoft.AspNetCore.Connections.Features;

namespace FediTracker.Server.Torrents;

/// <summary>
/// Torrents for media on the public port, for instances and clients: the .torrent file, a description with its
/// magnet link, a lookup by media URL, and the discovery document. Every answer is cacheable (ETag, Cache-Control,
/// 304 on a matching If-None-Match) and readable cross-origin; a revoked or suspended torrent is 410 Gone everywhere
/// and its file is never served; errors are ProblemDetails, and bad input is a 400, never a 500.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term><c>GET /torrents/&lt;infohash&gt;.torrent</c></term><description>the stored metainfo (<c>application/x-bittorrent</c>); 404 when unknown or no file is kept</description></item>
/// <item><term><c>GET /torrents/&lt;infohash&gt;</c></term><description>JSON <see cref="PublicTorrentDto"/>: hashes, name, length, links, .torrent URL, magnet</description></item>
/// <item><term><c>GET /torrents/&lt;infohash&gt;/magnet</c></term><description>the magnet link alone, as text/plain</description></item>
/// <item><term><c>GET /torrents/lookup?mediaUrl=&lt;url&gt;</c></term><description>the same JSON for the first active torrent registered with that exact media URL</description></item>
/// <item><term><c>GET /.well-known/feditracker</c></term><description>JSON <see cref="DiscoveryDocument"/></description></item>
/// </list>
/// An info-hash is 40 hex digits (v1, or v2 truncated) or 64 (the full v2 hash), in either case.
/// </remarks>
internal static class PublicEndpoints
{
    public const string TorrentsPath = "/torrents";
    public const string DiscoveryPath = "/.well-known/feditracker";
    public const string MetainfoContentType = "application/x-bittorrent";
    private const string JsonContentType = "application/json; charset=utf-8";
    private const int MissCacheSeconds = 60;
    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>True for the public paths answered here (the pipeline routes them; all other public paths go to the tracker).</summary>
    public static bool Handles(PathString path) =>
        path.StartsWithSegments(TorrentsPath, StringComparison.OrdinalIgnoreCase)
        || path.Equals(DiscoveryPath, StringComparison.OrdinalIgnoreCase);

    public static void Map(WebApplication app)
    {
        app.MapMethods(DiscoveryPath, GetAndHead, Discovery).AddEndpointFilter<PublicOnlyFilter>().ExcludeFromDescription();
        var torrents = app.MapGroup(TorrentsPath).AddEndpointFilter<PublicOnlyFilter>().ExcludeFromDescription();
        torrents.MapMethods("/lookup", GetAndHead, LookupAsync);
        torrents.MapMethods("/{key}", GetAndHead, TorrentAsync);
        torrents.MapMethods("/{infoHash}/magnet", GetAndHead, MagnetAsync);
    }

    /// <summary>The discovery document for these options (built once).</summary>
    internal static byte[] BuildDiscovery(TorrentOptions options, TrackerOptions tracker, ResolvedListenOptions listen)
    {
        var version = typeof(PublicEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        var root = options.ResolvePublicBase() + TorrentsPath;
        var document = new DiscoveryDocument(
            "FediTracker",
            plus < 0 ? version : version[..plus],
            [.. listen.Http.Count > 0 ? ["http"] : Array.Empty<string>(), .. listen.Udp.Count > 0 ? ["udp"] : Array.Empty<string>()],
            options.AnnounceUrls,
            tracker.AccessMode.ToString().ToLowerInvariant(),
            options.AnnounceUrls.Count > 0,
            new DiscoveryEndpoints(
                root + "/{infoHash}",
                root + "/{infoHash}.torrent",
                root + "/{infoHash}/magnet",
                root + "/lookup?mediaUrl={mediaUrl}"));
        return JsonSerializer.SerializeToUtf8Bytes(document, Json);
    }

    private static IResult Discovery(HttpContext context, PublicTorrentCatalog catalog) =>
        Cached(context, catalog.Discovery, JsonContentType, catalog.CacheSeconds);

    private static async Task<IResult> TorrentAsync(string key, HttpContext context, PublicTorrentCatalog catalog, CancellationToken ct)
    {
        var wantsFile = key.EndsWith(".torrent", StringComparison.OrdinalIgnoreCase);
        var (found, failure) = await catalog.FindAsync(wantsFile ? key[..^".torrent".Length] : key, ct);
        if (failure is not null)
        {
            return Miss(context, failure.Value, catalog);
        }

        if (!wantsFile)
        {
            return Cached(context, JsonSerializer.SerializeToUtf8Bytes(catalog.Describe(found!), Json), JsonContentType, catalog.CacheSeconds);
        }

        if (found!.Metainfo is not { } metainfo)
        {
            return Miss(context, new Failure(StatusCodes.Status404NotFound, $"The tracker keeps no .torrent file for {key[..^".torrent".Length]}; the magnet link at {TorrentsPath}/{found.Record.Hashes[0]}/magnet may serve."), catalog);
        }

        return Cached(context, metainfo, MetainfoContentType, catalog.CacheSeconds, FileName(found.Record));
    }

    private static async Task<IResult> MagnetAsync(string infoHash, HttpContext context, PublicTorrentCatalog catalog, CancellationToken ct)
    {
        var (found, failure) = await catalog.FindAsync(infoHash, ct);
        if (failure is not null)
        {
            return Miss(context, failure.Value, catalog);
        }

        var magnet = catalog.Describe(found!).Magnet;
        return magnet is null
            ? Miss(context, new Failure(StatusCodes.Status404NotFound, "This torrent has no magnet link: it has only a v2 hash and the tracker keeps no .torrent file to give the whole of it."), catalog)
            : Cached(context, System.Text.Encoding.UTF8.GetBytes(magnet), "text/plain; charset=utf-8", catalog.CacheSeconds);
    }

    private static async Task<IResult> LookupAsync(string? mediaUrl, HttpContext context, PublicTorrentCatalog catalog, CancellationToken ct)
    {
        if (mediaUrl is null || mediaUrl.Length > 2048 || !Uri.TryCreate(mediaUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["mediaUrl"] = ["an absolute http(s) URL of at most 2048 characters is required: ?mediaUrl=<percent-encoded URL>"] });
        }

        var (found, failure) = await catalog.LookupAsync(mediaUrl, ct);
        return failure is not null
            ? Miss(context, failure.Value, catalog)
            : Cached(context, JsonSerializer.SerializeToUtf8Bytes(catalog.Describe(found!), Json), JsonContentType, catalog.CacheSeconds);
    }

    private static string FileName(TorrentRecord record)
    {
        var name = string.IsNullOrEmpty(record.Name) ? record.Hashes[0].ToString() : record.Name;
        return name + ".torrent";
    }

    // A success: the body with a strong ETag over its bytes, or 304 when the client holds it already.
    private static IResult Cached(HttpContext context, byte[] body, string contentType, int maxAge, string? fileName = null)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(body, digest);
        var etag = "\"" + Convert.ToHexStringLower(digest[..16]) + "\"";
        var headers = context.Response.Headers;
        headers.ETag = etag;
        headers.CacheControl = "public, max-age=" + maxAge.ToString(CultureInfo.InvariantCulture);
        headers.AccessControlAllowOrigin = "*";
        foreach (var value in context.Request.Headers.IfNoneMatch)
        {
            foreach (var tag in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries))
            {
                if (tag == "*" || tag == etag || tag == "W/" + etag)
                {
                    return TypedResults.StatusCode(StatusCodes.Status304NotModified);
                }
            }
        }

        return TypedResults.File(body, contentType, fileName);
    }

    // 404 or 410, cacheable for a short while (a torrent may be registered soon; a suspension may be lifted).
    private static IResult Miss(HttpContext context, Failure failure, PublicTorrentCatalog catalog)
    {
        if (failure.Status is StatusCodes.Status404NotFound or StatusCodes.Status410Gone)
        {
            context.Response.Headers.CacheControl = "public, max-age=" + Math.Min(MissCacheSeconds, catalog.CacheSeconds).ToString(CultureInfo.InvariantCulture);
            context.Response.Headers.AccessControlAllowOrigin = "*";
        }

        return failure.Status == StatusCodes.Status400BadRequest
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["infoHash"] = [failure.Detail] })
            : TypedResults.Problem(
                title: failure.Status == StatusCodes.Status410Gone ? "Gone" : "Not found",
                detail: failure.Detail,
                statusCode: failure.Status);
    }

    /// <summary>Keeps the public endpoints off the admin listener, and answers registry outages with 503.</summary>
    // Public port only; and each request takes a token from the client address's bucket of the tracker's rate limit
    // (Tracker:RateLimitPerSecond), the one announces and scrapes take from, so that these lookups cannot be used to
    // load the registry harder than announcing could.
    private sealed class PublicOnlyFilter(Tracker tracker, Http.ClientAddressResolver addresses) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            if (context.HttpContext.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(AdminConnectionMarker.ItemKey) == true)
            {
                return TypedResults.Problem(title: "Not found", detail: "This is served on the public port.", statusCode: StatusCodes.Status404NotFound);
            }

            if (addresses.Resolve(context.HttpContext) is { } client && !tracker.RateLimiter.TryAcquire(client))
            {
                tracker.Metrics.Failure(FediTracker.Core.Diagnostics.Transport.Http, FediTracker.Core.Diagnostics.FailureKinds.RateLimited);
                context.HttpContext.Response.Headers.RetryAfter = "1";
                return TypedResults.Problem(title: "Too many requests", detail: FailureReasons.RateLimited, statusCode: StatusCodes.Status429TooManyRequests);
            }

            try
            {
                return await next(context);
            }
            catch (RegistryUnavailableException)
            {
                context.HttpContext.Response.Headers.RetryAfter = "5";
                return TypedResults.Problem(title: "Registry unavailable", detail: "The registry cannot be reached; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }
    }
}

/// <summary>Why a public lookup has no torrent to show: 400 (not a hash), 404 (unknown) or 410 (revoked or suspended).</summary>
internal readonly record struct Failure(int Status, string Detail);

/// <summary>A torrent found for the public endpoints: its record, and its .torrent file and parse when kept.</summary>
internal sealed record FoundTorrent(TorrentRecord Record, byte[]? Metainfo, TorrentMetainfo? Parsed);
