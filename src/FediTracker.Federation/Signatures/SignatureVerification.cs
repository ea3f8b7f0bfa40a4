namespace FediTracker.Federation.Signatures;

/// <summary>
/// The outcome of verifying a request's HTTP signature: on success the key that signed it and its owner actor; on
/// failure a <see cref="SignatureFailure"/>, a fixed <see cref="Reason"/> fit for a metrics label, and a message for logs.
/// </summary>
public sealed class SignatureVerification
{
    private SignatureVerification(SignatureScheme scheme, SignatureFailure failure, string? keyId, string? actorId, string message)
    {
        Scheme = scheme;
        Failure = failure;
        KeyId = keyId;
        ActorId = actorId;
        Message = message;
    }

    public bool IsValid => Failure == SignatureFailure.None;

    public SignatureScheme Scheme { get; }

    public SignatureFailure Failure { get; }

    /// <summary>The key id the request named (also on most failures, for logs), or null when none could be read.</summary>
    public string? KeyId { get; }

    /// <summary>The actor that owns the key (its <c>publicKey.owner</c>), on success.</summary>
    public string? ActorId { get; }

    /// <summary>A short human explanation. It may name the key id; it never contains request bodies.</summary>
    public string Message { get; }

    /// <summary>A fixed, low-cardinality label for metrics: <c>ok</c>, <c>missing_signature</c>, <c>bad_digest</c>, ….</summary>
    public string Reason => ReasonOf(Failure);

    public static SignatureVerification Success(SignatureScheme scheme, string keyId, string actorId) =>
        new(scheme, SignatureFailure.None, keyId, actorId, "verified");

    public static SignatureVerification Fail(SignatureScheme scheme, SignatureFailure failure, string message, string? keyId = null)
    {
        if (failure == SignatureFailure.None)
        {
            throw new ArgumentException("A failure needs a reason.", nameof(failure));
        }

        return new(scheme, failure, keyId, null, message);
    }

    /// <summary>The metrics label of a failure kind.</summary>
    public static string ReasonOf(SignatureFailure failure) => failure switch
    {
        SignatureFailure.None => "ok",
        SignatureFailure.MissingSignature => "missing_signature",
        SignatureFailure.MalformedSignature => "malformed_signature",
        SignatureFailure.UnknownAlgorithm => "unknown_algorithm",
        SignatureFailure.MissingCoveredComponent => "missing_component",
        SignatureFailure.BadDigest => "bad_digest",
        SignatureFailure.StaleDate => "stale_date",
        SignatureFailure.FutureDate => "future_date",
        SignatureFailure.BadSignature => "bad_signature",
        SignatureFailure.KeyNotFound => "key_not_found",
        SignatureFailure.KeyFetchFailed => "key_fetch_failed",
        _ => "unknown",
    };

    public override string ToString() => IsValid ? $"verified {Scheme} signature by {KeyId}" : $"{Reason}: {Message}";
}
