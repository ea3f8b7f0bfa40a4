using System.Security.Cryptography;

namespace FediTracker.Federation.Signatures;

/// <summary>The result of checking a digest field against a body.</summary>
public enum DigestCheck
{
    /// <summary>A digest we check was present and matched.</summary>
    Match,

    /// <summary>The field is absent.</summary>
    Missing,

    /// <summary>The field could not be parsed, or offers no algorithm we check (SHA-256, and SHA-512 for Content-Digest).</summary>
    Unsupported,

    /// <summary>A digest we check did not match the body.</summary>
    Mismatch,
}

/// <summary>
/// Body digests in both generations: the draft-cavage era <c>Digest: SHA-256=&lt;base64&gt;</c> (RFC 3230) and RFC 9530
/// <c>Content-Digest: sha-256=:&lt;base64&gt;:</c>. Comparisons are constant-time.
/// </summary>
public static class BodyDigest
{
    /// <summary>The value for a <c>Digest</c> header: <c>SHA-256=&lt;base64&gt;</c>.</summary>
    public static string CreateDigestHeader(ReadOnlySpan<byte> body) => "SHA-256=" + Convert.ToBase64String(SHA256.HashData(body));

    /// <summary>The value for a <c>Content-Digest</c> header: <c>sha-256=:&lt;base64&gt;:</c>.</summary>
    public static string CreateContentDigestHeader(ReadOnlySpan<byte> body) => "sha-256=:" + Convert.ToBase64String(SHA256.HashData(body)) + ":";

    /// <summary>
    /// Checks a <c>Digest</c> value: comma-separated <c>algorithm=value</c> pairs, the algorithm case-insensitive. Only
    /// SHA-256 is checked, as Mastodon does; every SHA-256 entry must match.
    /// </summary>
    public static DigestCheck CheckDigestHeader(string? value, ReadOnlySpan<byte> body)
    {
        if (value is null)
        {
            return DigestCheck.Missing;
        }

        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, expected);
        Span<byte> given = stackalloc byte[64];
        var found = false;
        foreach (var part in value.Split(','))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var algorithm = part[..equals].Trim();
            if (!algorithm.Equals("SHA-256", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!Convert.TryFromBase64String(part[(equals + 1)..].Trim(), given, out var written) || written != SHA256.HashSizeInBytes)
            {
                return DigestCheck.Mismatch;
            }

            if (!CryptographicOperations.FixedTimeEquals(expected, given[..written]))
            {
                return DigestCheck.Mismatch;
            }

            found = true;
        }

        return found ? DigestCheck.Match : DigestCheck.Unsupported;
    }

    /// <summary>
    /// Checks a <c>Content-Digest</c> value, an RFC 8941 dictionary of byte sequences. SHA-256 and SHA-512 are checked;
    /// every one present must match, and at least one must be present.
    /// </summary>
    public static DigestCheck CheckContentDigestHeader(string? value, ReadOnlySpan<byte> body)
    {
        if (value is null)
        {
            return DigestCheck.Missing;
        }

        if (!StructuredFields.TryParseDictionary(value, out var dictionary))
        {
            return DigestCheck.Unsupported;
        }

        var checkedAny = false;
        foreach (var (algorithm, member) in dictionary.Entries)
        {
            byte[] expected;
            if (algorithm == "sha-256")
            {
                expected = SHA256.HashData(body);
            }
            else if (algorithm == "sha-512")
            {
                expected = SHA512.HashData(body);
            }
            else
            {
                continue;
            }

            if (member.Item is not { Value.Kind: SfKind.ByteSequence } item || !CryptographicOperations.FixedTimeEquals(expected, item.Value.Bytes))
            {
                return DigestCheck.Mismatch;
            }

            checkedAny = true;
        }

        return checkedAny ? DigestCheck.Match : DigestCheck.Unsupported;
    }
}
