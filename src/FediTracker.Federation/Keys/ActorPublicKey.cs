using System.Security.Cryptography;

namespace FediTracker.Federation.Keys;

/// <summary>
/// An actor's RSA public key as its document publishes it (<c>publicKey.publicKeyPem</c>), with the key id and the owner
/// actor it was found under. Immutable and safe to share: each verification uses its own RSA instance.
/// </summary>
public sealed class ActorPublicKey
{
    /// <summary>The smallest modulus accepted. 1 024 bits: old fediverse keys and draft-cavage's own test key are that size.</summary>
    public const int MinimumKeySizeInBits = 1024;

    /// <summary>The largest modulus accepted (8 192 bits), so a hostile key cannot make each verification expensive.</summary>
    public const int MaximumKeySizeInBits = 8192;

    private readonly RSAParameters _parameters;

    private ActorPublicKey(string keyId, string actorId, string publicKeyPem, RSAParameters parameters)
    {
        KeyId = keyId;
        ActorId = actorId;
        PublicKeyPem = publicKeyPem;
        _parameters = parameters;
        KeySizeInBits = parameters.Modulus!.Length * 8;
    }

    public string KeyId { get; }

    /// <summary>The actor that owns the key.</summary>
    public string ActorId { get; }

    public string PublicKeyPem { get; }

    public int KeySizeInBits { get; }

    /// <summary>Reads an RSA public key from PEM (<c>PUBLIC KEY</c> or <c>RSA PUBLIC KEY</c>); false when it is not one or its size is out of bounds.</summary>
    public static bool TryCreate(string keyId, string actorId, string publicKeyPem, out ActorPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(actorId);
        ArgumentNullException.ThrowIfNull(publicKeyPem);
        key = null!;
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(publicKeyPem);
            if (rsa.KeySize is < MinimumKeySizeInBits or > MaximumKeySizeInBits)
            {
                return false;
            }

            key = new ActorPublicKey(keyId, actorId, publicKeyPem, rsa.ExportParameters(includePrivateParameters: false));
            return true;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Reads an RSA public key from PEM, throwing when it is not one.</summary>
    public static ActorPublicKey Create(string keyId, string actorId, string publicKeyPem) =>
        TryCreate(keyId, actorId, publicKeyPem, out var key) ? key : throw new ArgumentException("Not a usable RSA public key.", nameof(publicKeyPem));

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256, the one algorithm both signature schemes use here.</summary>
    public bool VerifyPkcs1Sha256(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != _parameters.Modulus!.Length)
        {
            return false;
        }

        using var rsa = RSA.Create(_parameters);
        try
        {
            return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
