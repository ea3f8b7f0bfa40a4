namespace FediTracker.Federation.Media;

/// <summary>
/// Torrents this tracker makes and serves for media. Section <c>Torrents</c>. Every key has a default, so the section
/// may be left out; without <see cref="AnnounceUrls"/> the tracker serves torrents but does not make them.
/// </summary>
public sealed class TorrentOptions
{
    public const string SectionName = "Torrents";

    /// <summary>
    /// This tracker's public announce URLs (http, https or udp), as clients should reach it: the first becomes a made
    /// torrent's <c>announce</c>, every one a tier of its <c>announce-list</c> (BEP 12), and each a <c>tr=</c> of
    /// magnet links. Empty (the default): no torrents are made.
    /// </summary>
    public List<string> AnnounceUrls { get; set; } = [];

    /// <summary>Other trackers added to made torrents, each its own tier after this tracker's (not to magnet links).</summary>
    public List<string> ExtraTrackers { get; set; } = [];

    /// <summary>
    /// The public base URL of this tracker's HTTP port (e.g. <c>https://tracker.example</c>), for the absolute links in
    /// lookups and the discovery document. Empty (the default): the scheme and authority of the first http(s)
    /// announce URL; with none, links are paths relative to the document.
    /// </summary>
    public string PublicUrl { get; set; } = string.Empty;

    /// <summary>The largest media file made into a torrent from a URL, in bytes. 4 GiB by default.</summary>
    public long MaxMediaBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Seconds a whole media download (redirects and body) may take. 1 800 (30 minutes) by default.</summary>
    public int MediaTimeoutSeconds { get; set; } = 1_800;

    /// <summary>
    /// Whether media may be fetched from loopback and private addresses (RFC 1918, fc00::/7, CGNAT). Off by default:
    /// the tracker never lets a media URL reach into its own network. For tests only.
    /// </summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>
    /// Whether the inbox makes and registers torrents of the media attached to public posts that subscribed instances
    /// (relay followers from <c>Federation:TrustedDomains</c>) send in <c>Create</c> and <c>Update</c> activities.
    /// Off by default; needs <see cref="AnnounceUrls"/> and federation.
    /// </summary>
    public bool AutoRegister { get; set; }

    /// <summary>
    /// Attachments smaller than this are not made into torrents when they are registered automatically from
    /// ActivityPub <c>Create</c> activities (the origin serves small files well enough): a size the activity states
    /// decides before anything is fetched, else the response's Content-Length before any byte is hashed. 10 MiB by default.
    /// </summary>
    public long MinAttachmentBytes { get; set; } = 10L * 1024 * 1024;

    /// <summary>Attachments taken from one activity at most (the rest are counted as <c>capped</c>). 4 by default.</summary>
    public int MaxAttachmentsPerActivity { get; set; } = 4;

    /// <summary>
    /// Hosts other than the actor's own origin that an instance serves its media from (Mastodon's
    /// <c>files.social.example</c>, a CDN). Automatic registration fetches an attachment only from the actor's origin
    /// or from the hosts listed here for the actor's domain.
    /// </summary>
    public List<MediaHostOptions> MediaHosts { get; set; } = [];

    /// <summary>Make requests that may wait for a worker; past this the tracker refuses new ones at once. 32 by default.</summary>
    public int MakeQueueCapacity { get; set; } = 32;

    /// <summary>Torrents made at the same time (each downloads and hashes one file, hybrid hashing on two threads). 2 by default.</summary>
    public int MakeWorkers { get; set; } = 2;

    /// <summary>Seconds public answers (.torrent files, lookups, the discovery document) may be cached. 300 by default.</summary>
    public int CacheSeconds { get; set; } = 300;

    /// <summary>Checks the values; each problem is added to <paramref name="errors"/> as one sentence naming its key.</summary>
    public void Validate(ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        for (var i = 0; i < AnnounceUrls.Count; i++)
        {
            CheckTrackerUrl(AnnounceUrls[i], $"{SectionName}:AnnounceUrls:{i}", errors);
        }

        for (var i = 0; i < ExtraTrackers.Count; i++)
        {
            CheckTrackerUrl(ExtraTrackers[i], $"{SectionName}:ExtraTrackers:{i}", errors);
        }

        if (ExtraTrackers.Count > 0 && AnnounceUrls.Count == 0)
        {
            errors.Add($"{SectionName}:ExtraTrackers needs {SectionName}:AnnounceUrls: this tracker's own URL comes first in every torrent it makes.");
        }

        if (PublicUrl.Length > 0
            && (!Uri.TryCreate(PublicUrl, UriKind.Absolute, out var publicUrl)
                || (publicUrl.Scheme != Uri.UriSchemeHttp && publicUrl.Scheme != Uri.UriSchemeHttps)
                || publicUrl.Query.Length > 0 || publicUrl.Fragment.Length > 0 || !string.IsNullOrEmpty(publicUrl.UserInfo)))
        {
            errors.Add($"{SectionName}:PublicUrl: '{PublicUrl}' is not an absolute http(s) URL without query or fragment (e.g. https://tracker.example).");
        }

        if (MaxMediaBytes is < 1 or > 1L << 40)
        {
            errors.Add($"{SectionName}:MaxMediaBytes must be 1 to 1 099 511 627 776 (1 TiB).");
        }

        if (MediaTimeoutSeconds is < 1 or > 86_400)
        {
            errors.Add($"{SectionName}:MediaTimeoutSeconds must be 1 to 86 400.");
        }

        if (MinAttachmentBytes < 0)
        {
            errors.Add($"{SectionName}:MinAttachmentBytes must not be negative.");
        }

        if (MaxAttachmentsPerActivity is < 1 or > 64)
        {
            errors.Add($"{SectionName}:MaxAttachmentsPerActivity must be 1 to 64.");
        }

        if (AutoRegister && AnnounceUrls.Count == 0)
        {
            errors.Add($"{SectionName}:AutoRegister needs {SectionName}:AnnounceUrls: without them the tracker makes no torrents.");
        }

        for (var i = 0; i < MediaHosts.Count; i++)
        {
            var entry = MediaHosts[i];
            if (!DomainMatcher.IsValidEntry(entry.Domain))
            {
                errors.Add($"{SectionName}:MediaHosts:{i}:Domain: '{entry.Domain}' is not a host name or host:port.");
            }

            if (entry.Hosts.Count == 0)
            {
                errors.Add($"{SectionName}:MediaHosts:{i}:Hosts must list at least one host.");
            }

            for (var j = 0; j < entry.Hosts.Count; j++)
            {
                if (!DomainMatcher.IsValidEntry(entry.Hosts[j]))
                {
                    errors.Add($"{SectionName}:MediaHosts:{i}:Hosts:{j}: '{entry.Hosts[j]}' is not a host name or host:port.");
                }
            }
        }

        if (MakeQueueCapacity is < 1 or > 100_000)
        {
            errors.Add($"{SectionName}:MakeQueueCapacity must be 1 to 100 000.");
        }

        if (MakeWorkers is < 1 or > 64)
        {
            errors.Add($"{SectionName}:MakeWorkers must be 1 to 64.");
        }

        if (CacheSeconds is < 0 or > 86_400)
        {
            errors.Add($"{SectionName}:CacheSeconds must be 0 to 86 400.");
        }
    }

    /// <summary>The base URL public links start with: <see cref="PublicUrl"/>, else the first http(s) announce URL's origin, else empty.</summary>
    public string ResolvePublicBase()
    {
        if (PublicUrl.Length > 0)
        {
            return PublicUrl.TrimEnd('/');
        }

        foreach (var announce in AnnounceUrls)
        {
            if (Uri.TryCreate(announce, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                return uri.GetLeftPart(UriPartial.Authority);
            }
        }

        return string.Empty;
    }

    private static void CheckTrackerUrl(string value, string key, ICollection<string> errors)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || string.IsNullOrEmpty(uri.Host)
            || !string.IsNullOrEmpty(uri.UserInfo)
            || uri.Fragment.Length > 0
            || value.Length > 2048)
        {
            errors.Add($"{key}: '{value}' is not an absolute tracker URL (e.g. https://tracker.example/announce or udp://tracker.example:6969/announce).");
        }
        else if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != "udp")
        {
            errors.Add($"{key}: '{value}' must use http, https or udp.");
        }
        else if (uri.Scheme == "udp" && uri.IsDefaultPort)
        {
            errors.Add($"{key}: '{value}' needs a port (udp has no default one).");
        }
    }
}
