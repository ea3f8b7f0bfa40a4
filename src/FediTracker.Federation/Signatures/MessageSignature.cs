using System.Text;
using FediTracker.Federation.Http;

namespace FediTracker.Federation.Signatures;

/// <summary>
/// RFC 9421 HTTP Message Signatures, with the profile Mastodon applies (app/lib/signed_request.rb): the signature must
/// carry <c>keyid</c> and <c>created</c>, cover <c>@method</c> and <c>@target-uri</c>, and on POST cover
/// <c>content-digest</c>, which must match the body. The algorithm is rsa-v1_5-sha256; an <c>alg</c> parameter naming
/// anything else is refused. When several signatures are present, the first (in Signature-Input order) that meets
/// this profile is the one verified.
/// </summary>
internal static class MessageSignature
{
    public const string Algorithm = "rsa-v1_5-sha256";

    public static PreparedSignature Prepare(IncomingRequest request, DateTimeOffset now, SignatureVerifierOptions options)
    {
        const SignatureScheme scheme = SignatureScheme.Rfc9421;
        var inputHeader = request.Headers.GetCombined("signature-input");
        var signatureHeader = request.Headers.GetCombined("signature");
        if (inputHeader is null || signatureHeader is null)
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.MissingSignature, "Signature-Input and Signature are both needed");
        }

        if (!StructuredFields.TryParseDictionary(inputHeader, out var inputs) || !StructuredFields.TryParseDictionary(signatureHeader, out var signatures))
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.MalformedSignature, "Signature-Input or Signature is not a structured dictionary");
        }

        if (inputs.Count == 0)
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.MissingSignature, "Signature-Input is empty");
        }

        PreparedSignature? first = null;
        foreach (var (label, input) in inputs.Entries)
        {
            var prepared = PrepareOne(request, label, input, signatures, now, options);
            if (prepared.IsReady)
            {
                return prepared;
            }

            first ??= prepared;
        }

        return first!;
    }

    /// <summary>
    /// The signature base (RFC 9421 §2.5) of one signature: a line per covered component, then the
    /// <c>@signature-params</c> line, which is the Signature-Input member re-serialised.
    /// </summary>
    public static bool TryBuildSignatureBase(IncomingRequest request, SfMember input, out string signatureBase, out SignatureFailure failure, out string message)
    {
        signatureBase = string.Empty;
        if (input.InnerList is not { } components)
        {
            failure = SignatureFailure.MalformedSignature;
            message = "A Signature-Input member must be an inner list";
            return false;
        }

        var builder = new StringBuilder();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var component in components)
        {
            if (component.Value.Kind != SfKind.String)
            {
                failure = SignatureFailure.MalformedSignature;
                message = "Component identifiers must be strings";
                return false;
            }

            var name = component.Value.Text;
            var identifier = new StringBuilder();
            StructuredFields.WriteBareItem(identifier, component.Value);
            StructuredFields.WriteParameters(identifier, component.Parameters);
            var serialized = identifier.ToString();
            if (!seen.Add(serialized))
            {
                failure = SignatureFailure.MalformedSignature;
                message = $"Component {serialized} is covered twice";
                return false;
            }

            if (!TryComponentValues(request, name, component.Parameters, out var values, out failure, out message))
            {
                return false;
            }

            foreach (var value in values)
            {
                builder.Append(serialized).Append(": ").Append(value).Append('\n');
            }
        }

        builder.Append("\"@signature-params\": ");
        StructuredFields.WriteMember(builder, input);
        signatureBase = builder.ToString();
        failure = SignatureFailure.None;
        message = string.Empty;
        return true;
    }

    private static PreparedSignature PrepareOne(IncomingRequest request, string label, SfMember input, SfDictionary signatures, DateTimeOffset now, SignatureVerifierOptions options)
    {
        const SignatureScheme scheme = SignatureScheme.Rfc9421;
        if (input.InnerList is not { } components)
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.MalformedSignature, $"Signature-Input {label} is not an inner list");
        }

        var keyIdItem = input.Parameters.Get("keyid");
        var keyId = keyIdItem is { Kind: SfKind.String } ? keyIdItem.Text : null;
        var createdItem = input.Parameters.Get("created");
        if (string.IsNullOrWhiteSpace(keyId) || createdItem is not { Kind: SfKind.Integer })
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.MalformedSignature, $"Signature {label} needs keyid and created", keyId);
        }

        if (input.Parameters.Get("alg") is { } alg && !(alg.Kind == SfKind.String && alg.Text == Algorithm))
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.UnknownAlgorithm, $"Unsupported algorithm {alg.Text} (only {Algorithm})", keyId);
        }

        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var component in components)
        {
            if (component.Value.Kind == SfKind.String && component.Parameters.Count == 0)
            {
                covered.Add(component.Value.Text);
            }
        }

        if (!covered.Contains("@method") || !covered.Contains("@target-uri"))
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.MissingCoveredComponent, "The signature must cover @method and @target-uri", keyId);
        }

        if (request.IsPost && !covered.Contains("content-digest"))
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.MissingCoveredComponent, "A POST signature must cover content-digest", keyId);
        }

        if (!signatures.TryGet(label, out var signatureMember) || signatureMember.Item is not { Value.Kind: SfKind.ByteSequence } signatureItem)
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.MalformedSignature, $"No Signature value for {label}", keyId);
        }

        if (!SignatureTimeWindow.TryFromUnixSeconds(createdItem.Integer, out var created))
        {
            return PreparedSignature.Fail(scheme, SignatureFailure.MalformedSignature, "Invalid created parameter", keyId);
        }

        DateTimeOffset? expires = null;
        if (input.Parameters.Get("expires") is { } expiresItem)
        {
            if (expiresItem.Kind != SfKind.Integer || !SignatureTimeWindow.TryFromUnixSeconds(expiresItem.Integer, out var e))
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

        if (covered.Contains("content-digest"))
        {
            switch (BodyDigest.CheckContentDigestHeader(request.Headers.GetCombined("content-digest"), request.Body.Span))
            {
                case DigestCheck.Missing:
                    return PreparedSignature.Fail(scheme, SignatureFailure.MissingCoveredComponent, "content-digest is covered but the header is missing", keyId);
                case DigestCheck.Unsupported:
                    return PreparedSignature.Fail(scheme, SignatureFailure.BadDigest, "Content-Digest offers neither sha-256 nor sha-512", keyId);
                case DigestCheck.Mismatch:
                    return PreparedSignature.Fail(scheme, SignatureFailure.BadDigest, "Content-Digest does not match the body", keyId);
            }
        }

        if (!TryBuildSignatureBase(request, input, out var signatureBase, out var failure, out var message))
        {
            return PreparedSignature.Fail(scheme, failure, message, keyId);
        }

        return PreparedSignature.Ready(scheme, keyId, signatureItem.Value.Bytes, [Encoding.UTF8.GetBytes(signatureBase)]);
    }

    private static bool TryComponentValues(IncomingRequest request, string name, SfParameters parameters, out List<string> values, out SignatureFailure failure, out string message)
    {
        values = [];
        failure = SignatureFailure.None;
        message = string.Empty;
        if (name.StartsWith('@'))
        {
            if (name == "@query-param")
            {
                return TryQueryParam(request, parameters, values, out failure, out message);
            }

            if (parameters.Count > 0)
            {
                return Unsupported($"Parameters on {name} are not supported", out failure, out message);
            }

            string? value = name switch
            {
                "@method" => request.Method,
                "@target-uri" => request.TargetUri,
                "@authority" => request.NormalizedAuthority,
                "@scheme" => request.Scheme,
                "@request-target" => request.RequestTarget,
                "@path" => request.Path.Length == 0 ? "/" : request.Path,
                "@query" => request.Query.Length == 0 ? "?" : request.Query,
                _ => null,
            };
            if (value is null)
            {
                return Unsupported($"Unknown or inapplicable derived component {name}", out failure, out message);
            }

            values.Add(value);
            return true;
        }

        if (name.Length == 0 || name.Any(char.IsAsciiLetterUpper))
        {
            return Unsupported($"Field names must be lower case: \"{name}\"", out failure, out message);
        }

        var field = name == "host" ? request.HostHeader : request.Headers.GetCombined(name);
        if (field is null)
        {
            failure = SignatureFailure.MissingCoveredComponent;
            message = $"{name} is covered but absent from the request";
            return false;
        }

        if (parameters.Count == 0)
        {
            values.Add(field);
            return true;
        }

        if (parameters.Count == 1 && parameters.Get("key") is { Kind: SfKind.String } key)
        {
            if (!StructuredFields.TryParseDictionary(field, out var dictionary))
            {
                return Unsupported($"{name} is not a structured dictionary", out failure, out message);
            }

            if (!dictionary.TryGet(key.Text, out var member))
            {
                failure = SignatureFailure.MissingCoveredComponent;
                message = $"{name} has no member {key.Text}";
                return false;
            }

            values.Add(StructuredFields.Serialize(member));
            return true;
        }

        return Unsupported($"Unsupported parameters on \"{name}\"", out failure, out message);
    }

    private static bool TryQueryParam(IncomingRequest request, SfParameters parameters, List<string> values, out SignatureFailure failure, out string message)
    {
        if (parameters.Count != 1 || parameters.Get("name") is not { Kind: SfKind.String } wanted)
        {
            return Unsupported("@query-param needs exactly a name parameter", out failure, out message);
        }

        var query = request.Query.Length > 0 ? request.Query[1..] : string.Empty;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var rawName = equals < 0 ? pair : pair[..equals];
            var rawValue = equals < 0 ? string.Empty : pair[(equals + 1)..];
            if (Reencode(rawName) == wanted.Text)
            {
                values.Add(Reencode(rawValue));
            }
        }

        if (values.Count == 0)
        {
            failure = SignatureFailure.MissingCoveredComponent;
            message = $"Query parameter {wanted.Text} is covered but absent";
            return false;
        }

        failure = SignatureFailure.None;
        message = string.Empty;
        return true;
    }

    /// <summary>Decodes a form-urlencoded name or value and percent-encodes it again, as RFC 9421 §2.2.8 asks.</summary>
    private static string Reencode(string raw)
    {
        var decoded = Uri.UnescapeDataString(raw.Replace('+', ' '));
        var builder = new StringBuilder(decoded.Length);
        foreach (var b in Encoding.UTF8.GetBytes(decoded))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '*' or '-' or '.' or '_')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static bool Unsupported(string text, out SignatureFailure failure, out string message)
    {
        failure = SignatureFailure.MalformedSignature;
        message = text;
        return false;
    }
}
