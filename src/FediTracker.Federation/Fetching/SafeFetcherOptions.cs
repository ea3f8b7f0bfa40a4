using System.ComponentModel.DataAnnotations;

namespace FediTracker.Federation.Fetching;

/// <summary>
/// Limits on fetching remote documents and delivering to remote inboxes. Section <c>Federation:Fetch</c>. The defaults
/// follow Mastodon's outgoing requests (app/lib/request.rb): 5 s to connect, 30 s for the whole read, at most 3
/// redirects, at most 1 MiB of body.
/// </summary>
public sealed class SafeFetcherOptions
{
    public const string SectionName = "Federation:Fetch";

    /// <summary>Whether loopback addresses (127/8, ::1) may be fetched. Off by default; tests turn it on.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Whether private and CGNAT addresses (RFC 1918, fc00::/7, 100.64/10) may be fetched. Off by default.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Whether plain http may be used. Off by default: federation is https.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Seconds for a whole fetch: every redirect hop and the body. 30 by default.</summary>
    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Seconds to resolve and connect one hop. 5 by default.</summary>
    [Range(1, 60)]
    public int ConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>The largest body read, in bytes (after decompression). 1 MiB by default.</summary>
    [Range(1_024, 64 * 1_048_576)]
    public int MaxResponseBytes { get; set; } = 1_048_576;

    /// <summary>Redirects followed on a GET. 3 by default; deliveries (POST) never follow redirects.</summary>
    [Range(0, 10)]
    public int MaxRedirects { get; set; } = 3;

    /// <summary>The User-Agent sent.</summary>
    [Required]
    public string UserAgent { get; set; } = "FediTracker";
}
