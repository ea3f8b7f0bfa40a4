using System.Globalization;
using System.Text;
using FediTracker.Federation.Http;
using FediTracker.Federation.Keys;

namespace FediTracker.Federation.Signatures;

/// <summary>
/// Signs outgoing requests as the tracker actor. draft-cavage (the default, what every fediverse server reads): sets
/// Host, Date and, with a body, Digest, and a <c>Signature</c> (rsa-sha256) over <c>(request-target) host date</c>
/// plus <c>digest</c>. RFC 9421: sets Date and, with a body, Content-Digest, and <c>Signature-Input</c>/<c>Signature</c>
/// labelled <c>sig1</c> over <c>@method</c>, <c>@target-uri</c> and <c>content-digest</c>, with <c>created</c>,
/// <c>keyid</c> and <c>alg="rsa-v1_5-sha256"</c>. The signing strings are built by the same code that verifies.
/// </summary>
public sealed class RequestSigner
{
    /// <summary>The label of the RFC 9421 signature this signer adds.</summary>
    public const string Label = "sig1";

    private readonly TimeProvider _time;

    public RequestSigner(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
    }

    /// <summary>
    /// Signs <paramref name="request"/>, whose body (already set as its content, if any) is <paramref name="body"/>.
    /// A POST always gets a digest, even of an empty body.
    /// </summary>
    public void Sign(HttpRequestMessage request, ReadOnlySpan<byte> body, string keyId, ActorKeyPair key, SignatureScheme scheme = SignatureScheme.DraftCavage)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentNullException.ThrowIfNull(key);
        var uri = request.RequestUri;
        if (uri is null || !uri.IsAbsoluteUri)
        {
            throw new ArgumentException("The request needs an absolute URI.", nameof(request));
        }

        var withDigest = body.Length > 0 || request.Method == HttpMethod.Post;
        var now = _time.GetUtcNow();
        var date = now.ToString("r", CultureInfo.InvariantCulture);
        var authority = uri.Authority;
        request.Headers.Host = authority;
        SetHeader(request, "Date", date);

        switch (scheme)
        {
            case SignatureScheme.DraftCavage:
                SignCavage(request, body, keyId, key, withDigest);
                break;
            case SignatureScheme.Rfc9421:
                SignMessage(request, body, keyId, key, withDigest, now);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Choose DraftCavage or Rfc9421.");
        }
    }

    private static void SignCavage(HttpRequestMessage request, ReadOnlySpan<byte> body, string keyId, ActorKeyPair key, bool withDigest)
    {
        List<string> covered = [CavageSignature.RequestTarget, "host", "date"];
        if (withDigest)
        {
            SetHeader(request, "Digest", BodyDigest.CreateDigestHeader(body));
            covered.Add("digest");
        }

        var view = View(request, body);
        if (!CavageSignature.TryBuildSigningString(view, covered, new CavageSignature.Parameters(), hs2019: false, view.RequestTarget, out var signingString, out _, out var message))
        {
            throw new InvalidOperationException("Could not build the signing string: " + message);
        }

        var signature = key.SignPkcs1Sha256(Encoding.UTF8.GetBytes(signingString));
        SetHeader(request, "Signature", CavageSignature.FormatHeader(keyId, covered, signature));
    }

    private static void SignMessage(HttpRequestMessage request, ReadOnlySpan<byte> body, string keyId, ActorKeyPair key, bool withDigest, DateTimeOffset now)
    {
        var components = new List<SfItem>
        {
            new(SfBareItem.FromString("@method"), new SfParameters()),
            new(SfBareItem.FromString("@target-uri"), new SfParameters()),
        };
        if (withDigest)
        {
            SetHeader(request, "Content-Digest", BodyDigest.CreateContentDigestHeader(body));
            components.Add(new(SfBareItem.FromString("content-digest"), new SfParameters()));
        }

        var parameters = new SfParameters();
        parameters.Set("created", SfBareItem.FromInteger(now.ToUnixTimeSeconds()));
        parameters.Set("keyid", SfBareItem.FromString(keyId));
        parameters.Set("alg", SfBareItem.FromString(MessageSignature.Algorithm));
        var input = SfMember.FromInnerList(components, parameters);

        var view = View(request, body);
        if (!MessageSignature.TryBuildSignatureBase(view, input, out var signatureBase, out _, out var message))
        {
            throw new InvalidOperationException("Could not build the signature base: " + message);
        }

        var signature = key.SignPkcs1Sha256(Encoding.UTF8.GetBytes(signatureBase));
        SetHeader(request, "Signature-Input", Label + "=" + StructuredFields.Serialize(input));
        SetHeader(request, "Signature", Label + "=:" + Convert.ToBase64String(signature) + ":");
    }

    /// <summary>The request as the receiver will see it, so signing and verifying share one code path.</summary>
    private static IncomingRequest View(HttpRequestMessage request, ReadOnlySpan<byte> body)
    {
        var uri = request.RequestUri!;
        var headers = new HeaderCollection();
        foreach (var (name, values) in request.Headers.NonValidated)
        {
            foreach (var value in values)
            {
                headers.Add(name, value);
            }
        }

        if (request.Content is not null)
        {
            foreach (var (name, values) in request.Content.Headers.NonValidated)
            {
                foreach (var value in values)
                {
                    headers.Add(name, value);
                }
            }
        }

        return new IncomingRequest(request.Method.Method, uri.Scheme, uri.Authority, uri.PathAndQuery, headers, body.ToArray());
    }

    private static void SetHeader(HttpRequestMessage request, string name, string value)
    {
        // Content-* fields belong with the content when there is one; the rest with the request.
        System.Net.Http.Headers.HttpHeaders headers = request.Content is not null && name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)
            ? request.Content.Headers
            : request.Headers;
        headers.Remove(name);
        if (!headers.TryAddWithoutValidation(name, value))
        {
            throw new InvalidOperationException($"Could not set the {name} header.");
        }
    }
}
