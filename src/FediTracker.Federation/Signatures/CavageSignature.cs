using System.Globalization;
using System.Text;
using FediTracker.Federation.Http;

namespace FediTracker.Federation.Signatures;

/// <summary>
/// draft-cavage-http-signatures as the fediverse uses it (Mastodon follows draft 6 with hs2019 and (created)/(expires)
/// from draft 12). The rules mirror Mastodon's app/lib/signed_request.rb:
/// <list type="bullet">
/// <item>the algorithm defaults to hs2019; rsa-sha256 and hs2019 are both verified as RSASSA-PKCS1-v1_5 with SHA-256;</item>
/// <item>the covered list defaults to <c>(created)</c> for hs2019 and <c>date</c> otherwise;</item>
/// <item><c>(created)</c> and <c>(expires)</c> are allowed with hs2019 only, and need the matching parameter;</item>
/// <item>the signature time is the <c>created</c> parameter under hs2019, else the Date header;</item>
/// <item>date or (created) must be covered; (request-target) or digest must be covered; GET must cover host; POST must
///   cover digest, and here also (request-target), and host unless <see cref="SignatureVerifierOptions.RequireHostOnPost"/> is off;</item>
/// <item>(request-target) is tried with the query and then, for senders that leave it out, without.</item>
/// </list>
/// </summary>
internal static class CavageSignature
{
    public const string RequestTarget = "(request-target)";
    public const string Created = "(created)";
    public const string Expires = "(expires)";

    private const int MaxHeaderLength = 16_384;

    /// <summary>The parsed parameters of a Signature header.</summary>
    public sealed class Parameters
    {
        public string? KeyId { get; init; }

        public string? Algorithm { get; init; }

        public string? Headers { get; init; }

        public string? Signature { get; init; }

        public string? Created { get; init; }

        public string? Expires { get; init; }
    }

    /// <summary>
    /// Parses <c>name="quoted value", name=token, …</c>, tolerating whitespace around '=' and ',' and the stray
    /// <c>Signature </c> prefix old node-http-signature adds. Unknown names are ignored; a repeated name is refused.
    /// </summary>
    public static bool TryParse(string value, out Parameters parameters)
    {
        parameters = new Parameters();
        if (value.Length > MaxHeaderLength)
        {
            return false;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var span = value.AsSpan().Trim();
        if (span.StartsWith("Signature ", StringComparison.Ordinal))
        {
            span = span["Signature ".Length..];
        }

        var position = 0;
        while (true)
        {
            SkipWhitespace(span, ref position);
            var nameStart = position;
            while (position < span.Length && IsTChar(span[position]))
            {
                position++;
            }

            if (position == nameStart)
            {
                return false;
            }

            var name = span[nameStart..position].ToString();
            SkipWhitespace(span, ref position);
            if (position >= span.Length || span[position] != '=')
            {
                return false;
            }

            position++;
            SkipWhitespace(span, ref position);
            string item;
            if (position < span.Length && span[position] == '"')
            {
                position++;
                var builder = new StringBuilder();
                var closed = false;
                while (position < span.Length)
                {
                    var c = span[position++];
                    if (c == '\\')
                    {
                        if (position >= span.Length)
                        {
                            return false;
                        }

                        builder.Append(span[position++]);
                    }
                    else if (c == '"')
                    {
                        closed = true;
                        break;
                    }
                    else
                    {
                        builder.Append(c);
                    }
                }

                if (!closed)
                {
                    return false;
                }

                item = builder.ToString();
            }
            else
            {
                var tokenStart = position;
                while (position < span.Length && IsTChar(span[position]))
                {
                    position++;
                }

                if (position == tokenStart)
                {
                    return false;
                }

                item = span[tokenStart..position].ToString();
            }

            if (!values.TryAdd(name, item))
            {
                return false;
            }

            SkipWhitespace(span, ref position);
            if (position >= span.Length)
            {
                break;
            }

            if (span[position] != ',')
            {
                return false;
            }

            position++;
        }

        parameters = new Parameters
        {
            KeyId = values.GetValueOrDefault("keyId"),
            Algorithm = values.GetValueOrDefault("algorithm"),
            Headers = values.GetValueOrDefault("headers"),
            Signature = values.GetValueOrDefault("signature"),
            Created = values.GetValueOrDefault("created"),
            Expires = values.GetValueOrDefault("expires"),
        };
        return true;
    }

    /// <summary>Runs every check that needs no key and builds the signing strings to verify.</summary>
    public static PreparedSignature Prepare(IncomingRequest request, DateTimeOffset now, SignatureVerifierOptions options)
    {
        const SignatureScheme scheme = SignatureScheme.DraftCavage;
        var header = request.Headers.GetCombined("signature");
        if (header is null)
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.MissingSignature, "Request not signed");
        }

        if (!TryParse(header, out var parameters))
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.MalformedSignature, "The Signature header could not be parsed");
        }

        var keyId = parameters.KeyId;
        if (string.IsNullOrWhiteSpace(keyId) || string.IsNullOrWhiteSpace(parameters.Signature))
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.MalformedSignature, "keyId and signature are required", keyId);
        }

        var algorithm = parameters.Algorithm ?? "hs2019";
        var hs2019 = algorithm.Equals("hs2019", StringComparison.OrdinalIgnoreCase);
        if (!hs2019 && !algorithm.Equals("rsa-sha256", StringComparison.OrdinalIgnoreCase))
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.UnknownAlgorithm, $"Unsupported algorithm {algorithm} (only rsa-sha256 and hs2019)", keyId);
        }

        var covered = (parameters.Headers ?? (hs2019 ? Created : "date"))
            .ToLowerInvariant()
            .Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (covered.Length == 0)
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.MissingCoveredComponent, "The signature covers nothing", keyId);
        }

        if (MissingCoverage(request, covered, options) is { } missing)
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.MissingCoveredComponent, missing, keyId);
        }

        // The time of signing: (created) under hs2019 when given, else the Date header.
        DateTimeOffset? created = null;
        DateTimeOffset? expires = null;
        if (hs2019 && parameters.Created is not null)
        {
            if (!TryParseUnixTime(parameters.Created, out var c))
            {
                return PreparedSignature.Fail(scheme, SignatureFailure.MalformedSignature, "Invalid created parameter", keyId);
            }

            created = c;
        }
        else if (request.Headers.GetCombined("date") is { } date)
        {
            if (!TryParseHttpDate(date, out var d))
            {
                return PreparedSignature.Fail(scheme, SignatureFailure.MalformedSignature, "Invalid Date header", keyId);
            }

            created = d;
        }

        if (parameters.Expires is not null)
        {
            if (!TryParseUnixTime(parameters.Expires, out var e))
            {
                return PreparedSignature.Fail(scheme, SignatureFailure.MalformedSignature, "Invalid expires parameter", keyId);
            }

            expires = e;
        }

        var window = SignatureTimeWindow.Check(created, expires, now, options, out var windowMessage);
        if (window != SignatureFailure.None)
        {
            return PreparedSignature.Fail(scheme, window, windowMessage, keyId);
        }

        if (Array.IndexOf(covered, "digest") >= 0)
        {
            switch (BodyDigest.CheckDigestHeader(request.Headers.GetCombined("digest"), request.Body.Span))
            {
                case DigestCheck.Missing:
                    return PreparedSignature.Fail(scheme, SignatureFailure.MissingCoveredComponent, "Digest is covered but the header is missing", keyId);
                case DigestCheck.Unsupported:
                    return PreparedSignature.Fail(scheme, SignatureFailure.BadDigest, "The Digest header offers no SHA-256 value", keyId);
                case DigestCheck.Mismatch:
                    return PreparedSignature.Fail(scheme, SignatureFailure.BadDigest, "The Digest header does not match the body", keyId);
            }
        }

        var signature = new byte[(parameters.Signature.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(parameters.Signature.Trim(), signature, out var signatureLength))
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.MalformedSignature, "The signature is not base64", keyId);
        }

        var candidates = new List<byte[]>(2);
        var full = TryBuildSigningString(request, covered, parameters, hs2019, request.RequestTarget, out var signingString, out var failure, out var failureMessage);
        if (!full)
        {
            return PreparedSignature.Fail(scheme, failure, failureMessage, keyId);
        }

        candidates.Add(Encoding.UTF8.GetBytes(signingString));
        if (request.Query.Length > 0 && Array.IndexOf(covered, RequestTarget) >= 0
            && TryBuildSigningString(request, covered, parameters, hs2019, request.Path, out var withoutQuery, out _, out _))
        {
            // Mastodon before 4.2 left the query out of (request-target); Mastodon still accepts that, so do we.
            candidates.Add(Encoding.UTF8.GetBytes(withoutQuery));
        }

        return PreparedSignature.Ready(scheme, keyId, signature[..signatureLength], candidates);
    }

    /// <summary>
    /// The signing string: one <c>name: value</c> line per covered entry, joined by LF. Header values are the received
    /// lines combined (trimmed, joined with ", "); <c>host</c> falls back to the request authority.
    /// </summary>
    public static bool TryBuildSigningString(
        IncomingRequest request,
        IReadOnlyList<string> covered,
        Parameters parameters,
        bool hs2019,
        string target,
        out string signingString,
        out SignatureFailure failure,
        out string message)
    {
        var builder = new StringBuilder();
        foreach (var name in covered)
        {
            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            switch (name)
            {
                case RequestTarget:
                    builder.Append(RequestTarget).Append(": ").Append(request.Method.ToLowerInvariant()).Append(' ').Append(target);
                    break;
                case Created:
                case Expires:
                    var value = name == Created ? parameters.Created : parameters.Expires;
                    if (!hs2019)
                    {
                        return Fail(SignatureFailure.MalformedSignature, $"{name} is only valid with hs2019", out signingString, out failure, out message);
                    }

                    if (string.IsNullOrEmpty(value))
                    {
                        return Fail(SignatureFailure.MissingCoveredComponent, $"{name} is covered but its parameter is missing", out signingString, out failure, out message);
                    }

                    builder.Append(name).Append(": ").Append(value);
                    break;
                case "host":
                    builder.Append("host: ").Append(request.HostHeader);
                    break;
                default:
                    if (name.StartsWith('('))
                    {
                        return Fail(SignatureFailure.MalformedSignature, $"Unknown pseudo-header {name}", out signingString, out failure, out message);
                    }

                    var header = request.Headers.GetCombined(name);
                    if (header is null)
                    {
                        return Fail(SignatureFailure.MissingCoveredComponent, $"{name} is covered but absent from the request", out signingString, out failure, out message);
                    }

                    builder.Append(name).Append(": ").Append(header);
                    break;
            }
        }

        signingString = builder.ToString();
        failure = SignatureFailure.None;
        message = string.Empty;
        return true;
    }

    /// <summary>The Signature header value for an rsa-sha256 signature.</summary>
    public static string FormatHeader(string keyId, IReadOnlyList<string> covered, byte[] signature) =>
        $"keyId=\"{Escape(keyId)}\",algorithm=\"rsa-sha256\",headers=\"{string.Join(' ', covered)}\",signature=\"{Convert.ToBase64String(signature)}\"";

    /// <summary>An RFC 7231 IMF-fixdate, falling back to the obsolete RFC 850 and asctime forms HTTP still allows.</summary>
    public static bool TryParseHttpDate(string value, out DateTimeOffset date)
    {
        string[] formats = ["r", "dddd, dd-MMM-yy HH:mm:ss 'GMT'", "ddd MMM d HH:mm:ss yyyy", "ddd MMM  d HH:mm:ss yyyy"];
        return DateTimeOffset.TryParseExact(value.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out date);
    }

    private static string? MissingCoverage(IncomingRequest request, string[] covered, SignatureVerifierOptions options)
    {
        var hasTarget = Array.IndexOf(covered, RequestTarget) >= 0;
        var hasDigest = Array.IndexOf(covered, "digest") >= 0;
        var hasHost = Array.IndexOf(covered, "host") >= 0;
        if (Array.IndexOf(covered, "date") < 0 && Array.IndexOf(covered, Created) < 0)
        {
            return "The signature must cover date or (created)";
        }

        if (!hasTarget && !hasDigest)
        {
            return "The signature must cover (request-target) or digest";
        }

        if (request.IsGet && !hasHost)
        {
            return "A GET signature must cover host";
        }

        if (request.IsPost)
        {
            if (!hasDigest)
            {
                return "A POST signature must cover digest";
            }

            if (!hasTarget)
            {
                return "A POST signature must cover (request-target)";
            }

            if (options.RequireHostOnPost && !hasHost)
            {
                return "A POST signature must cover host";
            }
        }

        return null;
    }

    private static bool TryParseUnixTime(string value, out DateTimeOffset time)
    {
        // draft-cavage-12 allows a fraction on expires; the whole seconds are what counts.
        var text = value.Trim();
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            if (!text.AsSpan(dot + 1).ContainsAnyExceptInRange('0', '9') && dot + 1 < text.Length)
            {
                text = text[..dot];
            }
            else
            {
                time = default;
                return false;
            }
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            time = default;
            return false;
        }

        return SignatureTimeWindow.TryFromUnixSeconds(seconds, out time);
    }

    private static bool Fail(SignatureFailure kind, string text, out string signingString, out SignatureFailure failure, out string message)
    {
        signingString = string.Empty;
        failure = kind;
        message = text;
        return false;
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private static void SkipWhitespace(ReadOnlySpan<char> span, ref int position)
    {
        while (position < span.Length && span[position] is ' ' or '\t')
        {
            position++;
        }
    }

    private static bool IsTChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
