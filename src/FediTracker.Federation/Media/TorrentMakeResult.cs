using FediTracker.Core.Registry;
using FediTracker.Federation.Fetching;

namespace FediTracker.Federation.Media;

/// <summary>How making a torrent ended.</summary>
public enum TorrentMakeOutcome
{
    /// <summary>Made and registered; <see cref="TorrentMakeResult.Torrent"/> is the new record.</summary>
    Created = 0,

    /// <summary>A torrent with the same media URL and links was registered already (found before fetching, or the same
    /// hashes after); nothing changed.</summary>
    AlreadyRegistered = 1,

    /// <summary>Its hashes, object or actor are revoked or suspended.</summary>
    Blocked = 2,

    /// <summary>Its hashes belong to another torrent record (the same file registered for another object).</summary>
    Conflict = 3,

    /// <summary>The media URL is not one the tracker fetches: not http(s), user info, or an address it may not reach.</summary>
    UrlRefused = 4,

    /// <summary>The media is larger than <see cref="TorrentOptions.MaxMediaBytes"/>.</summary>
    TooLarge = 5,

    /// <summary>The origin failed: no connection, a bad status, too many redirects, an empty or broken body.</summary>
    OriginFailed = 6,

    /// <summary>The origin took longer than <see cref="TorrentOptions.MediaTimeoutSeconds"/>.</summary>
    OriginTimeout = 7,

    /// <summary><see cref="TorrentOptions.AnnounceUrls"/> is empty: the tracker does not know its own URL.</summary>
    NotConfigured = 8,

    /// <summary>The media is smaller than <see cref="TorrentMakeRequest.MinBytes"/>; nothing was registered.</summary>
    TooSmall = 9,
}

/// <summary>The outcome, the torrent record concerned (new, existing, or in the way), and a sentence for people.</summary>
public sealed record TorrentMakeResult(TorrentMakeOutcome Outcome, TorrentRecord? Torrent, string Detail)
{
    /// <summary>Why the fetch failed, for <see cref="TorrentMakeOutcome.UrlRefused"/>, <see cref="TorrentMakeOutcome.TooLarge"/>,
    /// <see cref="TorrentMakeOutcome.OriginFailed"/> and <see cref="TorrentMakeOutcome.OriginTimeout"/> when the fetcher said.</summary>
    public FetchFailure? FetchFailure { get; init; }
}
