using System.Buffers;
using System.Globalization;
using System.Text.Json;
using FediTracker.Core.Registry;
using FediTracker.Federation.Keys;

namespace FediTracker.Federation.Activities;

/// <summary>
/// The tracker as an ActivityPub actor (type <c>Service</c>): its URLs under <see cref="FederationOptions.PublicUrl"/>,
/// its key, and the JSON it publishes (actor document, WebFinger, Accept, Follow, revocations, outbox pages).
/// </summary>
public sealed class TrackerActor
{
    public TrackerActor(FederationOptions options, ActorKeyPair key)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
        BaseUrl = options.PublicUrl.TrimEnd('/');
        Username = options.Username;
        ActorId = BaseUrl + "/actor";
        KeyId = ActorId + "#main-key";
        Inbox = BaseUrl + "/inbox";
        Outbox = BaseUrl + "/outbox";
        Followers = BaseUrl + "/followers";
        Host = new Uri(BaseUrl).Authority;
    }

    public ActorKeyPair Key { get; }

    public string BaseUrl { get; }

    public string Username { get; }

    public string ActorId { get; }

    public string KeyId { get; }

    public string Inbox { get; }

    public string Outbox { get; }

    public string Followers { get; }

    /// <summary>The host (and port when not the default) the WebFinger account names.</summary>
    public string Host { get; }

    public string Account => "acct:" + Username + "@" + Host;

    /// <summary>The actor document.</summary>
    public byte[] ActorDocument() => Write(w =>
    {
        w.WriteStartArray("@context");
        w.WriteStringValue(ActivityStreams.Context);
        w.WriteStringValue(ActivityStreams.SecurityContext);
        w.WriteEndArray();
        w.WriteString("id", ActorId);
        w.WriteString("type", "Service");
        w.WriteString("preferredUsername", Username);
        w.WriteString("name", "FediTracker");
        w.WriteString("summary", "A BitTorrent tracker for fediverse media. Add its inbox as a relay so that deletions reach it.");
        w.WriteString("url", BaseUrl);
        w.WriteString("inbox", Inbox);
        w.WriteString("outbox", Outbox);
        w.WriteString("followers", Followers);
        w.WriteBoolean("manuallyApprovesFollowers", false);
        w.WriteBoolean("discoverable", false);
        w.WriteStartObject("endpoints");
        w.WriteString("sharedInbox", Inbox);
        w.WriteEndObject();
        w.WriteStartObject("publicKey");
        w.WriteString("id", KeyId);
        w.WriteString("owner", ActorId);
        w.WriteString("publicKeyPem", Key.PublicKeyPem);
        w.WriteEndObject();
    });

    /// <summary>The WebFinger answer (JRD) for this actor.</summary>
    public byte[] WebFinger() => Write(w =>
    {
        w.WriteString("subject", Account);
        w.WriteStartArray("aliases");
        w.WriteStringValue(ActorId);
        w.WriteEndArray();
        w.WriteStartArray("links");
        w.WriteStartObject();
        w.WriteString("rel", "self");
        w.WriteString("type", ActivityStreams.ActivityJson);
        w.WriteString("href", ActorId);
        w.WriteEndObject();
        w.WriteEndArray();
    });

    /// <summary>Whether a WebFinger <c>resource</c> names this actor (<c>acct:user@host</c>, optionally without
    /// <c>acct:</c>, or the actor's URL).</summary>
    public bool IsWebFingerResource(string resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (resource == ActorId)
        {
            return true;
        }

        var account = resource.StartsWith("acct:", StringComparison.OrdinalIgnoreCase) ? resource[5..] : resource;
        return string.Equals(account, Username + "@" + Host, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>An Accept of a Follow, embedding the Follow as received (id, type, actor, object).</summary>
    public byte[] Accept(string followId, string follower, string followedObject) => Write(w =>
    {
        w.WriteString("@context", ActivityStreams.Context);
        w.WriteString("id", BaseUrl + "/activities/accept/" + Guid.NewGuid().ToString("N"));
        w.WriteString("type", "Accept");
        w.WriteString("actor", ActorId);
        w.WriteStartArray("to");
        w.WriteStringValue(follower);
        w.WriteEndArray();
        w.WriteStartObject("object");
        w.WriteString("id", followId);
        w.WriteString("type", "Follow");
        w.WriteString("actor", follower);
        w.WriteString("object", followedObject);
        w.WriteEndObject();
    });

    /// <summary>A Follow of another tracker's actor.</summary>
    public byte[] Follow(string peerActor) => Write(w =>
    {
        w.WriteString("@context", ActivityStreams.Context);
        w.WriteString("id", BaseUrl + "/activities/follow/" + Guid.NewGuid().ToString("N"));
        w.WriteString("type", "Follow");
        w.WriteString("actor", ActorId);
        w.WriteString("object", peerActor);
    });

    /// <summary>The id of the activity published for a moderation record.</summary>
    public string RevocationId(long moderationId) => BaseUrl + "/activities/revocations/" + moderationId.ToString(CultureInfo.InvariantCulture);

    /// <summary>A revocation as a standalone activity (for delivery).</summary>
    public byte[] Revocation(ModerationRecord record) => Write(w =>
    {
        WriteContext(w);
        WriteRevocationBody(w, record);
    });

    /// <summary>
    /// One page of the outbox feed: an OrderedCollectionPage of revocations, oldest first, with <c>next</c> pointing at
    /// <c>/outbox?after=&lt;cursor&gt;</c> while there may be more.
    /// </summary>
    public byte[] OutboxPage(long after, IReadOnlyList<ModerationRecord> records, long? next) => Write(w =>
    {
        WriteContext(w);
        w.WriteString("id", Outbox + "?after=" + after.ToString(CultureInfo.InvariantCulture));
        w.WriteString("type", "OrderedCollectionPage");
        w.WriteString("partOf", Outbox);
        if (next is { } cursor)
        {
            w.WriteString("next", Outbox + "?after=" + cursor.ToString(CultureInfo.InvariantCulture));
        }

        w.WriteStartArray("orderedItems");
        foreach (var record in records)
        {
            w.WriteStartObject();
            WriteRevocationBody(w, record);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    /// <summary>The outbox collection itself, pointing at its first page.</summary>
    public byte[] OutboxCollection() => Write(w =>
    {
        w.WriteString("@context", ActivityStreams.Context);
        w.WriteString("id", Outbox);
        w.WriteString("type", "OrderedCollection");
        w.WriteString("first", Outbox + "?after=0");
    });

    /// <summary>The followers collection: only its size is published.</summary>
    public byte[] FollowersCollection(int count) => Write(w =>
    {
        w.WriteString("@context", ActivityStreams.Context);
        w.WriteString("id", Followers);
        w.WriteString("type", "OrderedCollection");
        w.WriteNumber("totalItems", count);
    });

    /// <summary>The object id a revocation names: the object or actor URI, or <c>urn:btih:&lt;hex&gt;</c>.</summary>
    public static string TargetId(ModerationTarget target) => target.Kind == TargetKind.Hash ? "urn:btih:" + target.Value : target.Value;

    public static string TargetKindName(TargetKind kind) => kind switch
    {
        TargetKind.ObjectUri => "object",
        TargetKind.ActorUri => "actor",
        _ => "hash",
    };

    private static void WriteContext(Utf8JsonWriter w)
    {
        w.WriteStartArray("@context");
        w.WriteStringValue(ActivityStreams.Context);
        w.WriteStartObject();
        w.WriteString("ft", ActivityStreams.TrackerNamespace);
        w.WriteString("infoHashes", "ft:infoHashes");
        w.WriteString("targetKind", "ft:targetKind");
        w.WriteEndObject();
        w.WriteEndArray();
    }

    private void WriteRevocationBody(Utf8JsonWriter w, ModerationRecord record)
    {
        w.WriteString("id", RevocationId(record.Id));
        w.WriteString("type", "Delete");
        w.WriteString("actor", ActorId);
        w.WriteString("published", record.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        w.WriteStartArray("to");
        w.WriteStringValue(Followers);
        w.WriteEndArray();
        w.WriteStartObject("object");
        w.WriteString("id", TargetId(record.Target));
        w.WriteString("type", "Tombstone");
        w.WriteString("targetKind", TargetKindName(record.Target.Kind));
        w.WriteStartArray("infoHashes");
        foreach (var hash in record.Hashes)
        {
            w.WriteStringValue(hash.ToString());
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
