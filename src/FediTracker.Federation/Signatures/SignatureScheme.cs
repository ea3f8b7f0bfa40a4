namespace FediTracker.Federation.Signatures;

/// <summary>Which HTTP signature scheme a request used or a signer produces.</summary>
public enum SignatureScheme
{
    /// <summary>No signature was found.</summary>
    None,

    /// <summary>draft-cavage-http-signatures (<c>Signature: keyId=…,headers=…,signature=…</c>), what most of the fediverse sends.</summary>
    DraftCavage,

    /// <summary>RFC 9421 HTTP Message Signatures (<c>Signature-Input</c> and <c>Signature</c> dictionaries).</summary>
    Rfc9421,
}
