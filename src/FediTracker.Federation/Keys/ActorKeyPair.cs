using System.Security.Cryptography;

namespace FediTracker.Federation.Keys;

/// <summary>
/// The tracker actor's own RSA key pair. It signs outgoing requests and its public half is published in the actor
/// document. <see cref="LoadOrCreate"/> keeps it as a PKCS#8 PEM file readable by the owner only (mode 0600), made on
/// first start.
/// </summary>
public sealed class ActorKeyPair : IDisposable
{
    /// <summary>The size of keys this class generates: 2 048 bits, what Mastodon generates for its actors.</summary>
    public const int GeneratedKeySizeInBits = 2048;

    private readonly RSA _rsa;
    private readonly Lock _signLock = new();

    private ActorKeyPair(RSA rsa)
    {
        _rsa = rsa;
        PublicKeyPem = rsa.ExportSubjectPublicKeyInfoPem();
    }

    /// <summary>The public key as <c>-----BEGIN PUBLIC KEY-----</c> PEM, for <c>publicKey.publicKeyPem</c>.</summary>
    public string PublicKeyPem { get; }

    public int KeySizeInBits => _rsa.KeySize;

    /// <summary>A new random key pair held in memory only.</summary>
    public static ActorKeyPair Generate() => new(RSA.Create(GeneratedKeySizeInBits));

    /// <summary>A key pair from a private key in PEM (PKCS#8 or PKCS#1).</summary>
    public static ActorKeyPair FromPrivateKeyPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        // A public key would import too, but cannot sign: refuse it here rather than at the first delivery.
        var fields = PemEncoding.Find(pem);
        var label = pem.AsSpan()[fields.Label];
        if (!label.SequenceEqual("PRIVATE KEY") && !label.SequenceEqual("RSA PRIVATE KEY"))
        {
            throw new ArgumentException("Not an RSA private key in PEM (PRIVATE KEY or RSA PRIVATE KEY).", nameof(pem));
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return new ActorKeyPair(rsa);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads the private key at <paramref name="path"/>, or, when there is none, generates one and writes it there
    /// (creating the directory) with mode 0600 on Unix. Two processes starting at once end up with the same key: the
    /// file is written aside and moved into place without overwriting, and the loser loads the winner's key.
    /// </summary>
    public static ActorKeyPair LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        if (File.Exists(fullPath))
        {
            return FromPrivateKeyPem(File.ReadAllText(fullPath));
        }

        var directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        var pair = Generate();
        var temporary = Path.Combine(directory, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(pair.ExportPrivateKeyPem());
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temporary, fullPath, overwrite: false);
            }
            catch (IOException) when (File.Exists(fullPath))
            {
                pair.Dispose();
                return FromPrivateKeyPem(File.ReadAllText(fullPath));
            }

            return pair;
        }
        catch
        {
            pair.Dispose();
            throw;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The private key as PKCS#8 PEM. Only for persisting it; never log it.</summary>
    public string ExportPrivateKeyPem() => _rsa.ExportPkcs8PrivateKeyPem();

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256 over <paramref name="data"/>.</summary>
    public byte[] SignPkcs1Sha256(ReadOnlySpan<byte> data)
    {
        lock (_signLock)
        {
            return _rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
    }

    /// <summary>The public half as a key that verifies, under the given key id and owner.</summary>
    public ActorPublicKey ToPublicKey(string keyId, string actorId) => ActorPublicKey.Create(keyId, actorId, PublicKeyPem);

    public void Dispose() => _rsa.Dispose();
}
