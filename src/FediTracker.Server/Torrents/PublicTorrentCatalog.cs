using FediTracker.Core;
using FediTracker.Core.Registry;
using FediTracker.Federation.Media;
using FediTracker.Protocol;
using FediTracker.Protocol.Torrents;
using FediTracker.Server.Configuration;

namespace FediTracker.Server.Torrents;

/// <summary>What the public endpoints read: registered torrents by hash or media URL, described with their links.</summary>
internal sealed class PublicTorrentCatalog
{
    private const string BadHash = "must be 40 hex digits (the v1 info-hash, or the v2 one truncated to 20 bytes) or 64 (the whole v2 info-hash)";

    private readonly ITorrentRegistry _registry;
    private readonly TorrentOptions _options;
    private readonly string _torrentsRoot;

    public PublicTorrentCatalog(ITorrentRegistry registry, TorrentOptions options, Microsoft.Extensions.Options.IOptions<TrackerOptions> tracker, ResolvedListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _torrentsRoot = options.ResolvePublicBase() + PublicEndpoints.TorrentsPath;
        Discovery = PublicEndpoints.BuildDiscovery(options, tracker.Value, listen);
    }

    /// <summary>The discovery document, serialized once.</summary>
    public byte[] Discovery { get; }

    public int CacheSeconds => _options.CacheSeconds;

    /// <summary>The torrent carrying a hash given as text, or why there is none to show.</summary>
    public async Task<(FoundTorrent? Found, Failure? Failure)> FindAsync(string text, CancellationToken cancellationToken)
    {
        InfoHash hash;
        Bytes32? full = null;
        if (text.Length == 64 && Bytes32.TryParseHex(text, out var whole))
        {
            full = whole;
            hash = new InfoHash(whole.Truncate());
        }
        else if (text.Length != 40 || !InfoHash.TryParseHex(text, out hash))
        {
            return (null, new Failure(StatusCodes.Status400BadRequest, BadHash));
        }

        var record = await _registry.FindAsync(hash, cancellationToken);
        if (record is null || (full is not null && record.V2 != hash))
        {
            // A hash blocked with no torrent behind it (revoked by hash in open mode) is gone too.
            var state = await _registry.GetStateAsync(hash, cancellationToken);
            return (null, Gone(state) ?? new Failure(StatusCodes.Status404NotFound, $"No torrent {text.ToLowerInvariant()} is registered with this tracker."));
        }

        if (Gone(record.Status) is { } gone)
        {
            return (null, gone);
        }

        var found = await LoadAsync(record, hash, cancellationToken);
        if (full is not null && found.Parsed?.InfoHashV2Full is { } kept && kept != full)
        {
            return (null, new Failure(StatusCodes.Status404NotFound, $"No torrent {text.ToLowerInvariant()} is registered with this tracker."));
        }

        return (found, null);
    }

    /// <summary>The first active torrent registered with exactly this media URL; 410 when only blocked ones are.</summary>
    public async Task<(FoundTorrent? Found, Failure? Failure)> LookupAsync(string mediaUrl, CancellationToken cancellationToken)
    {
        var active = await _registry.ListAsync(new TorrentQuery { MediaUrl = mediaUrl, Status = AccessState.Active, Limit = 1 }, cancellationToken);
        if (active.Items.Count > 0)
        {
            var record = active.Items[0];
            return (await LoadAsync(record, record.Hashes[0], cancellationToken), null);
        }

        var any = await _registry.ListAsync(new TorrentQuery { MediaUrl = mediaUrl, Limit = 1 }, cancellationToken);
        return any.Items.Count > 0
            ? (null, Gone(any.Items[0].Status) ?? new Failure(StatusCodes.Status410Gone, FailureReasons.Revoked))
            : (null, new Failure(StatusCodes.Status404NotFound, "No torrent is registered for this media URL."));
    }

    /// <summary>The public description: hashes, links, the .torrent URL and the magnet link.</summary>
    public PublicTorrentDto Describe(FoundTorrent found)
    {
        var record = found.Record;

        // The whole v2 hash is known only from the kept file (the registry stores the truncated one).
        var v2Full = found.Parsed?.InfoHashV2 is { } parsedV2 && parsedV2 == record.V2 ? found.Parsed.InfoHashV2Full : null;
        var webSeeds = record.MediaUrl is { } media ? [media] : found.Parsed?.UrlList ?? [];
        string? magnet = null;
        if (record.V1 is not null || v2Full is not null)
        {
            magnet = MagnetLink.Create(record.V1, v2Full, record.Name ?? found.Parsed?.Name, _options.AnnounceUrls, webSeeds);
        }

        var canonical = record.Hashes[0].ToString();
        return new PublicTorrentDto(
            record.V1?.ToString(),
            record.V2?.ToString(),
            v2Full?.ToHex(),
            record.Name ?? found.Parsed?.Name,
            record.Length ?? found.Parsed?.TotalLength,
            record.MediaUrl,
            record.ObjectUri,
            record.ActorUri,
            "active",
            found.Metainfo is null ? null : $"{_torrentsRoot}/{canonical}.torrent",
            magnet);
    }

    private static Failure? Gone(AccessState state) => state switch
    {
        AccessState.Revoked => new Failure(StatusCodes.Status410Gone, FailureReasons.Revoked),
        AccessState.Suspended => new Failure(StatusCodes.Status410Gone, FailureReasons.Suspended),
        _ => null,
    };

    private async Task<FoundTorrent> LoadAsync(TorrentRecord record, InfoHash hash, CancellationToken cancellationToken)
    {
        var metainfo = record.HasMetainfo ? await _registry.GetMetainfoAsync(hash, cancellationToken) : null;
        TorrentMetainfo? parsed = null;
        if (metainfo is not null && !TorrentMetainfo.TryParse(metainfo, out parsed, out _))
        {
            parsed = null;
        }

        return new FoundTorrent(record, metainfo, parsed);
    }
}
