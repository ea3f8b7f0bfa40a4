namespace FediTracker.Federation.Activities;

/// <summary>ActivityStreams and ActivityPub constants.</summary>
public static class ActivityStreams
{
    public const string Context = "https://www.w3.org/ns/activitystreams";

    public const string SecurityContext = "https://w3id.org/security/v1";

    /// <summary>The public collection; a relay subscription is a Follow of it.</summary>
    public const string Public = "https://www.w3.org/ns/activitystreams#Public";

    public const string ActivityJson = "application/activity+json";

    public const string LdJson = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

    public const string JrdJson = "application/jrd+json";

    /// <summary>The namespace of the terms FediTracker adds (revocations between trackers).</summary>
    public const string TrackerNamespace = "urn:feditracker:ns#";

    /// <summary>The alternatives Mastodon and others use for the public collection.</summary>
    public static bool IsPublic(string? value) => value is Public or "as:Public" or "Public";

    /// <summary>The actor types an <c>Update</c> may carry.</summary>
    public static bool IsActorType(string? type) => type is "Person" or "Service" or "Application" or "Group" or "Organization";

    /// <summary>
    /// The response type for an Accept header: <c>application/ld+json; profile=…</c> when the client asks for that and
    /// not for activity+json, else <c>application/activity+json</c>.
    /// </summary>
    public static string Negotiate(string? accept) =>
        accept is not null
        && accept.Contains("application/ld+json", StringComparison.OrdinalIgnoreCase)
        && !accept.Contains(ActivityJson, StringComparison.OrdinalIgnoreCase)
            ? LdJson
            : ActivityJson;
}
