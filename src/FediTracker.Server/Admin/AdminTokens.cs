using System.Security.Cryptography;
using System.Text;
using FediTracker.Server.Configuration;

namespace FediTracker.Server.Admin;

/// <summary>An admin API caller, once its token is recognised.</summary>
internal sealed record AdminPrincipal(string Name, AdminRole Role);

internal enum AdminRole
{
    Moderator = 0,
    Admin = 1,
}

/// <summary>
/// The configured bearer tokens, kept only as SHA-256 digests. A presented token is hashed and compared with every
/// digest in constant time, so neither a token's bytes nor which entry matched leak through timing.
/// </summary>
internal sealed class AdminTokens
{
    private readonly (byte[] Digest, AdminPrincipal Principal)[] _tokens;

    private AdminTokens((byte[], AdminPrincipal)[] tokens) => _tokens = tokens;

    public int Count => _tokens.Length;

    /// <summary>Reads the options, adding a message to <paramref name="errors"/> for each bad entry.</summary>
    public static AdminTokens From(AdminOptions options, List<string> errors)
    {
        var tokens = new List<(byte[], AdminPrincipal)>();
        for (var i = 0; i < options.Tokens.Count; i++)
        {
            var entry = options.Tokens[i];
            var where = $"Admin:Tokens:{i}";
            if (string.IsNullOrWhiteSpace(entry.Name))
            {
                errors.Add($"{where}:Name is required (it is written to the audit log).");
            }

            AdminRole role;
            if (string.Equals(entry.Role, "admin", StringComparison.OrdinalIgnoreCase))
            {
                role = AdminRole.Admin;
            }
            else if (string.Equals(entry.Role, "moderator", StringComparison.OrdinalIgnoreCase))
            {
                role = AdminRole.Moderator;
            }
            else
            {
                errors.Add($"{where}:Role: '{entry.Role}' is not a role; use 'admin' or 'moderator'.");
                continue;
            }

            byte[] digest;
            var hasHash = !string.IsNullOrEmpty(entry.Sha256);
            var hasToken = !string.IsNullOrEmpty(entry.Token);
            if (hasHash == hasToken)
            {
                errors.Add($"{where}: give exactly one of Sha256 and Token.");
                continue;
            }

            if (hasHash)
            {
                if (entry.Sha256.Length != 64 || !TryHex(entry.Sha256, out digest))
                {
                    errors.Add($"{where}:Sha256 must be 64 hex digits (printf %s \"$TOKEN\" | sha256sum).");
                    continue;
                }
            }
            else
            {
                if (entry.Token.Length < 32)
                {
                    errors.Add($"{where}:Token must be at least 32 characters (e.g. from 'openssl rand -hex 32').");
                    continue;
                }

                digest = SHA256.HashData(Encoding.UTF8.GetBytes(entry.Token));
            }

            tokens.Add((digest, new AdminPrincipal(entry.Name, role)));
        }

        return new AdminTokens([.. tokens]);
    }

    /// <summary>The principal of a bearer token, or null. Costs the same whichever entry (if any) matches.</summary>
    public AdminPrincipal? Authenticate(ReadOnlySpan<char> token)
    {
        if (token.IsEmpty || token.Length > 512)
        {
            return null;
        }

        Span<byte> utf8 = stackalloc byte[512 * 3];
        var n = Encoding.UTF8.GetBytes(token, utf8);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(utf8[..n], digest);
        AdminPrincipal? found = null;
        foreach (var (expected, principal) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(expected, digest))
            {
                found = principal;
            }
        }

        return found;
    }

    private static bool TryHex(string hex, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
