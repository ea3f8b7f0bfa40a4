namespace FediTracker.Federation.Signatures;

/// <summary>
/// A signature that passed every check that needs no key: parsed, algorithm known, coverage sufficient, inside its
/// time window, digest matching. What is left is the cryptographic check of <see cref="Signature"/> over one of the
/// <see cref="Candidates"/> (more than one only for draft-cavage's request target with and without the query).
/// </summary>
internal sealed class PreparedSignature
{
    private PreparedSignature(SignatureScheme scheme, string? keyId, byte[] signature, IReadOnlyList<byte[]> candidates, SignatureFailure failure, string message)
    {
        Scheme = scheme;
        KeyId = keyId;
        Signature = signature;
        Candidates = candidates;
        Failure = failure;
        Message = message;
    }

    public SignatureScheme Scheme { get; }

    public string? KeyId { get; }

    public byte[] Signature { get; }

    public IReadOnlyList<byte[]> Candidates { get; }

    public SignatureFailure Failure { get; }

    public string Message { get; }

    public bool IsReady => Failure == SignatureFailure.None;

    public static PreparedSignature Ready(SignatureScheme scheme, string keyId, byte[] signature, IReadOnlyList<byte[]> candidates) =>
        new(scheme, keyId, signature, candidates, SignatureFailure.None, string.Empty);

    public static PreparedSignature Fail(SignatureScheme scheme, SignatureFailure failure, string message, string? keyId = null) =>
        new(scheme, keyId, [], [], failure, message);

    public SignatureVerification ToFailure() => SignatureVerification.Fail(Scheme, Failure, Message, KeyId);
}
