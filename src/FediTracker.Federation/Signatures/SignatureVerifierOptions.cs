using System.ComponentModel.DataAnnotations;

namespace FediTracker.Federation.Signatures;

/// <summary>
/// The time window and coverage rules of incoming signatures. Section <c>Federation:Signatures</c>. The defaults are
/// Mastodon's (app/lib/signed_request.rb): a signature is made at its <c>created</c> time (or the Date header), lives
/// until its <c>expires</c> or 5 minutes after creation, never longer than 12 hours, and both ends are stretched by one
/// hour of clock skew. So a request dated now is accepted from 1 hour before its date to 1 hour 5 minutes after.
/// </summary>
public sealed class SignatureVerifierOptions
{
    public const string SectionName = "Federation:Signatures";

    /// <summary>Seconds of clock difference tolerated at both ends of the window. 3 600 (Mastodon's CLOCK_SKEW_MARGIN).</summary>
    [Range(0, 86_400)]
    public int ClockSkewSeconds { get; set; } = 3_600;

    /// <summary>Seconds a signature without <c>expires</c> lives after its creation. 300 (Mastodon's default of 5 minutes).</summary>
    [Range(1, 86_400)]
    public int DefaultLifetimeSeconds { get; set; } = 300;

    /// <summary>The longest a signature lives, whatever its <c>expires</c> says. 43 200 (Mastodon's EXPIRATION_WINDOW_LIMIT of 12 hours).</summary>
    [Range(1, 604_800)]
    public int MaxLifetimeSeconds { get; set; } = 43_200;

    /// <summary>
    /// Whether a draft-cavage POST must cover <c>host</c>. On by default: Mastodon, Pleroma, Misskey and GoToSocial all
    /// sign it, and it binds the signature to this server. (Mastodon itself requires host only on GET.)
    /// </summary>
    public bool RequireHostOnPost { get; set; } = true;
}
