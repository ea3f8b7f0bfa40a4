namespace FediTracker.Federation.Signatures;

/// <summary>Why a signed request was refused. <see cref="SignatureVerification.Reason"/> gives each a fixed metrics label.</summary>
public enum SignatureFailure
{
    /// <summary>Verified; no failure.</summary>
    None,

    /// <summary>Neither <c>Signature</c> nor <c>Signature-Input</c> was present.</summary>
    MissingSignature,

    /// <summary>The signature fields could not be parsed, or lack keyId, the signature, or a required parameter.</summary>
    MalformedSignature,

    /// <summary>An algorithm other than rsa-sha256 / hs2019 (draft-cavage) or rsa-v1_5-sha256 (RFC 9421).</summary>
    UnknownAlgorithm,

    /// <summary>A component the policy requires is not covered, or a covered component is absent from the request.</summary>
    MissingCoveredComponent,

    /// <summary>The Digest / Content-Digest does not match the body, or offers no algorithm we check.</summary>
    BadDigest,

    /// <summary>The signature's time window ended (past the allowed clock skew).</summary>
    StaleDate,

    /// <summary>The signature claims to be made in the future (past the allowed clock skew).</summary>
    FutureDate,

    /// <summary>The cryptographic check failed, also after refreshing the key once.</summary>
    BadSignature,

    /// <summary>The key's origin answered that it has no such key or actor (or the document does not name that key).</summary>
    KeyNotFound,

    /// <summary>The key could not be fetched: refused address, timeout, oversize, bad content type, server error.</summary>
    KeyFetchFailed,
}
