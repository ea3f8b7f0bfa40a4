using System.Text.Json;

namespace FediTracker.Federation.Keys;

/// <summary>Reads an actor's key out of ActivityPub JSON (an actor with <c>publicKey</c>, or a key document with <c>owner</c>).</summary>
internal static class ActorKeyDocument
{
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 32 };

    public enum Shape
    {
        Invalid,
        Actor,
        Key,
    }

    /// <summary>Parses a document and tells whether it is an actor (has <c>publicKey</c>) or a key (has <c>publicKeyPem</c> and <c>owner</c>).</summary>
    public static Shape Inspect(byte[] body, out JsonDocument? document)
    {
        document = null;
        try
        {
            document = JsonDocument.Parse(body, ParseOptions);
        }
        catch (JsonException)
        {
            return Shape.Invalid;
        }

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Shape.Invalid;
        }

        if (root.TryGetProperty("publicKey", out _))
        {
            return Shape.Actor;
        }

        if (root.TryGetProperty("publicKeyPem", out _) && root.TryGetProperty("owner", out _))
        {
            return Shape.Key;
        }

        return Shape.Invalid;
    }

    /// <summary>The actor's id and the PEM of its key <paramref name="keyId"/>, which must name the actor as owner.</summary>
    public static bool TryFindKey(JsonElement actor, string keyId, out string actorId, out string pem, out string problem)
    {
        actorId = pem = string.Empty;
        if (String(actor, "id") is not { } id)
        {
            problem = "the actor document has no id";
            return false;
        }

        actorId = id;
        if (!actor.TryGetProperty("publicKey", out var keys))
        {
            problem = "the actor document has no publicKey";
            return false;
        }

        foreach (var key in keys.ValueKind == JsonValueKind.Array ? keys.EnumerateArray() : Single(keys))
        {
            if (key.ValueKind != JsonValueKind.Object || String(key, "id") != keyId)
            {
                continue;
            }

            if (String(key, "owner") != id)
            {
                problem = $"key {keyId} is not owned by {id}";
                return false;
            }

            if (String(key, "publicKeyPem") is not { } found)
            {
                problem = $"key {keyId} has no publicKeyPem";
                return false;
            }

            pem = found;
            problem = string.Empty;
            return true;
        }

        problem = $"actor {id} does not list key {keyId}";
        return false;
    }

    public static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    private static IEnumerable<JsonElement> Single(JsonElement element)
    {
        yield return element;
    }
}
