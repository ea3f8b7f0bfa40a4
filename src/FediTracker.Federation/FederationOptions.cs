using FediTracker.Federation.Fetching;
using FediTracker.Federation.Keys;
using FediTracker.Federation.Signatures;

namespace FediTracker.Federation;

/// <summary>
/// Everything about ActivityPub. Section <c>Federation</c>; its subsections <c>Signatures</c>, <c>KeyCache</c>,
/// <c>Key</c> and <c>Fetch</c> are the options of the signature verifier, key cache, actor key and fetcher.
/// Federation is on when <see cref="Enabled"/> says so, or, when it is not set, when <see cref="PublicUrl"/> is.
/// </summary>
public sealed class FederationOptions
{
    public const string SectionName = "Federation";

    /// <summary>True or false; unset means "on when PublicUrl is set".</summary>
    public bool? Enabled { get; set; }

    /// <summary>The https base URL of this tracker as others reach it, e.g. <c>https://tracker.social.example</c>,
    /// without a path. The actor is <c>&lt;PublicUrl&gt;/actor</c>.</summary>
    public string PublicUrl { get; set; } = string.Empty;

    /// <summary>The actor's <c>preferredUsername</c> and WebFinger name (<c>acct:tracker@host</c>).</summary>
    public string Username { get; set; } = "tracker";

    /// <summary>
    /// Instances whose relay subscription (Follow of Public) is accepted and whose deletes are honoured: host names
    /// (<c>social.example</c>), or <c>host:port</c> to name one port.
    /// </summary>
    public List<string> TrustedDomains { get; set; } = [];

    /// <summary>Trackers we follow and that may follow us; their revocations are applied to their domains only.</summary>
    public List<PeerTrackerOptions> Peers { get; set; } = [];

    /// <summary>The SQLite file of federation state (followers, seen activities, pending deletes, delivery queue) in
    /// the single-node shape; with Redis the state lives there. <c>feditracker-federation.db</c> by default.</summary>
    public string StatePath { get; set; } = "feditracker-federation.db";

    /// <summary>The largest inbox body accepted, in bytes; larger gets 413. 262 144 (256 KiB).</summary>
    public int MaxInboxBodyBytes { get; set; } = 262_144;

    /// <summary>Inbox requests a minute per sending origin (the host of the signature's keyId); 0 turns it off. 600.</summary>
    public int InboxRequestsPerMinute { get; set; } = 600;

    /// <summary>Requests an idle origin may send at once. 120.</summary>
    public int InboxBurst { get; set; } = 120;

    /// <summary>Hours an activity id is remembered so a replay changes nothing. 48: longer than any signature lives.</summary>
    public int SeenActivityHours { get; set; } = 48;

    /// <summary>Hours a delete for an object not registered yet waits for its registration. 72.</summary>
    public int PendingTombstoneHours { get; set; } = 72;

    /// <summary>Pending deletes kept per domain at most; more are dropped (and counted). 10 000.</summary>
    public int PendingTombstonesPerDomain { get; set; } = 10_000;

    /// <summary>Delivery attempts before a delivery is given up. 12.</summary>
    public int DeliveryMaxAttempts { get; set; } = 12;

    /// <summary>Seconds before the first retry; doubled each time. 30.</summary>
    public int DeliveryBaseDelaySeconds { get; set; } = 30;

    /// <summary>The longest wait between two attempts, in seconds. 21 600 (6 hours).</summary>
    public int DeliveryMaxDelaySeconds { get; set; } = 21_600;

    /// <summary>Activities per page of the public outbox feed. 50.</summary>
    public int OutboxPageSize { get; set; } = 50;

    public SignatureVerifierOptions Signatures { get; set; } = new();

    public ActorKeyCacheOptions KeyCache { get; set; } = new();

    public ActorKeyOptions Key { get; set; } = new();

    public SafeFetcherOptions Fetch { get; set; } = new();

    /// <summary>Whether federation runs.</summary>
    public bool IsEnabled => Enabled ?? !string.IsNullOrWhiteSpace(PublicUrl);

    /// <summary>Adds every problem with these options to <paramref name="errors"/>; checked only when enabled.</summary>
    public void Validate(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!IsEnabled)
        {
            return;
        }

        const string S = SectionName + ":";
        if (string.IsNullOrWhiteSpace(PublicUrl))
        {
            errors.Add(S + "PublicUrl must be set when federation is enabled (the actor's id is built from it).");
        }
        else if (!Uri.TryCreate(PublicUrl, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && Fetch.AllowHttp))
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            errors.Add(S + $"PublicUrl '{PublicUrl}' must be an https URL with no path, query or user (http only with Federation:Fetch:AllowHttp).");
        }

        if (string.IsNullOrWhiteSpace(Username) || !Username.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            errors.Add(S + "Username must be letters, digits, '_', '-' or '.'.");
        }

        for (var i = 0; i < TrustedDomains.Count; i++)
        {
            if (!DomainMatcher.IsValidEntry(TrustedDomains[i]))
            {
                errors.Add(S + $"TrustedDomains:{i}: '{TrustedDomains[i]}' is not a host name or host:port.");
            }
        }

        for (var i = 0; i < Peers.Count; i++)
        {
            var peer = Peers[i];
            if (!Uri.TryCreate(peer.Actor, UriKind.Absolute, out var actor) || (actor.Scheme != Uri.UriSchemeHttps && !(actor.Scheme == Uri.UriSchemeHttp && Fetch.AllowHttp)))
            {
                errors.Add(S + $"Peers:{i}:Actor '{peer.Actor}' must be the https URL of a peer tracker's actor.");
            }

            for (var j = 0; j < peer.Domains.Count; j++)
            {
                if (!DomainMatcher.IsValidEntry(peer.Domains[j]))
                {
                    errors.Add(S + $"Peers:{i}:Domains:{j}: '{peer.Domains[j]}' is not a host name or host:port.");
                }
            }
        }

        if (string.IsNullOrWhiteSpace(StatePath))
        {
            errors.Add(S + "StatePath must name the federation state file.");
        }

        Range(MaxInboxBodyBytes, 1_024, 16 * 1_048_576, "MaxInboxBodyBytes", errors);
        Range(InboxRequestsPerMinute, 0, 1_000_000, "InboxRequestsPerMinute", errors);
        Range(InboxBurst, 1, 1_000_000, "InboxBurst", errors);
        Range(SeenActivityHours, 1, 24 * 365, "SeenActivityHours", errors);
        Range(PendingTombstoneHours, 1, 24 * 365, "PendingTombstoneHours", errors);
        Range(PendingTombstonesPerDomain, 0, 10_000_000, "PendingTombstonesPerDomain", errors);
        Range(DeliveryMaxAttempts, 1, 100, "DeliveryMaxAttempts", errors);
        Range(DeliveryBaseDelaySeconds, 1, 86_400, "DeliveryBaseDelaySeconds", errors);
        Range(DeliveryMaxDelaySeconds, 1, 7 * 86_400, "DeliveryMaxDelaySeconds", errors);
        Range(OutboxPageSize, 1, 500, "OutboxPageSize", errors);
        if (DeliveryMaxDelaySeconds < DeliveryBaseDelaySeconds)
        {
            errors.Add(S + "DeliveryMaxDelaySeconds must not be below DeliveryBaseDelaySeconds.");
        }

        var signatureLifetimeHours = (Signatures.MaxLifetimeSeconds + (2.0 * Signatures.ClockSkewSeconds)) / 3600;
        if (SeenActivityHours < signatureLifetimeHours)
        {
            errors.Add(S + $"SeenActivityHours must be at least {Math.Ceiling(signatureLifetimeHours)}: a signature can be replayed for that long, so its activity id must be remembered as long.");
        }

        Annotations(Signatures, "Signatures", errors);
        Annotations(KeyCache, "KeyCache", errors);
        Annotations(Key, "Key", errors);
        Annotations(Fetch, "Fetch", errors);
    }

    private static void Range(int value, int min, int max, string name, List<string> errors)
    {
        if (value < min || value > max)
        {
            errors.Add($"{SectionName}:{name} must be {min} to {max}.");
        }
    }

    private static void Annotations(object options, string name, List<string> errors)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);
        foreach (var result in results)
        {
            errors.Add($"{SectionName}:{name}:{string.Join(',', result.MemberNames)}: {result.ErrorMessage}");
        }
    }
}

/// <summary>A tracker we federate with: its actor, and the domains whose torrents its revocations may touch.</summary>
public sealed class PeerTrackerOptions
{
    /// <summary>The peer tracker's actor URL, e.g. <c>https://tracker.social.example/actor</c>.</summary>
    public string Actor { get; set; } = string.Empty;

    /// <summary>Domains the peer speaks for besides its own (the instance it runs beside, e.g. <c>social.example</c>).</summary>
    public List<string> Domains { get; set; } = [];
}
