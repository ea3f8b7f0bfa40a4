namespace FediTracker.Server.Torrents;

/// <summary>
/// A torrent as the public port describes it (<c>GET /torrents/&lt;infohash&gt;</c> and the media URL lookup). Hashes
/// in lowercase hex; <see cref="InfoHashV2"/> is the v2 hash truncated to 20 bytes (as v2 clients announce it),
/// <see cref="InfoHashV2Full"/> the whole SHA-256 when the tracker keeps the .torrent file. <see cref="TorrentUrl"/>
/// is null when no .torrent file is kept; <see cref="Magnet"/> when the torrent has neither a v1 hash nor a kept file.
/// </summary>
public sealed record PublicTorrentDto(
    string? InfoHashV1,
    string? InfoHashV2,
    string? InfoHashV2Full,
    string? Name,
    long? Length,
    string? MediaUrl,
    string? ObjectUri,
    string? ActorUri,
    string Status,
    string? TorrentUrl,
    string? Magnet);

/// <summary>The discovery document at <c>/.well-known/feditracker</c>: what this tracker offers and where.</summary>
public sealed record DiscoveryDocument(
    string Name,
    string Version,
    IReadOnlyList<string> Protocols,
    IReadOnlyList<string> AnnounceUrls,
    string AccessMode,
    bool MakesTorrents,
    DiscoveryEndpoints Endpoints);

/// <summary>URI templates (RFC 6570 level 1: substitute the percent-encoded value) of the public endpoints.</summary>
public sealed record DiscoveryEndpoints(string Torrent, string TorrentFile, string Magnet, string Lookup);
