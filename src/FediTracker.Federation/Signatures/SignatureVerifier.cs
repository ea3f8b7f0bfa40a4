using FediTracker.Federation.Diagnostics;
using FediTracker.Federation.Http;
using FediTracker.Federation.Keys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FediTracker.Federation.Signatures;

/// <summary>
/// Verifies the HTTP signature of an incoming request. The scheme is picked as Mastodon picks it: RFC 9421 when a
/// <c>Signature-Input</c> field is present, draft-cavage when only <c>Signature</c> is. Everything that needs no key is
/// checked first (syntax, algorithm, coverage, time window, body digest); then the key is resolved, and when the
/// signature does not verify with it, the key is fetched again once (it may have rotated) and tried again.
/// </summary>
public sealed class SignatureVerifier
{
    private readonly IActorKeyResolver _keys;
    private readonly SignatureVerifierOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FederationMetrics? _metrics;

    public SignatureVerifier(
        IActorKeyResolver keys,
        IOptions<SignatureVerifierOptions> options,
        TimeProvider timeProvider,
        ILogger<SignatureVerifier>? logger = null,
        FederationMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _keys = keys;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _metrics = metrics;
    }

    /// <summary>Which scheme a request's fields announce.</summary>
    public static SignatureScheme DetectScheme(IncomingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers.Contains("signature-input"))
        {
            return SignatureScheme.Rfc9421;
        }

        return request.Headers.Contains("signature") ? SignatureScheme.DraftCavage : SignatureScheme.None;
    }

    public async ValueTask<SignatureVerification> VerifyAsync(IncomingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = await VerifyCoreAsync(request, cancellationToken).ConfigureAwait(false);
        _metrics?.Signature(result.Scheme, result.Reason);
        if (!result.IsValid)
        {
            FederationLog.SignatureRefused(_logger, result.Scheme == SignatureScheme.Rfc9421 ? "rfc9421" : "draft-cavage", result.Reason, result.KeyId, result.Message);
        }

        return result;
    }

    private async ValueTask<SignatureVerification> VerifyCoreAsync(IncomingRequest request, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var prepared = DetectScheme(request) switch
        {
            SignatureScheme.Rfc9421 => MessageSignature.Prepare(request, now, _options),
            SignatureScheme.DraftCavage => CavageSignature.Prepare(request, now, _options),
            _ => PreparedSignature.Fail(SignatureScheme.None, SignatureFailure.MissingSignature, "Request not signed"),
        };
        if (!prepared.IsReady)
        {
            return prepared.ToFailure();
        }

        var keyId = prepared.KeyId!;
        var lookup = await _keys.ResolveAsync(keyId, refresh: false, cancellationToken).ConfigureAwait(false);
        if (lookup.Key is not { } key)
        {
            return KeyFailure(prepared, lookup);
        }

        if (Matches(key, prepared))
        {
            return SignatureVerification.Success(prepared.Scheme, keyId, key.ActorId);
        }

        var refreshed = await _keys.ResolveAsync(keyId, refresh: true, cancellationToken).ConfigureAwait(false);
        if (refreshed.Key is { } newKey && newKey.PublicKeyPem != key.PublicKeyPem && Matches(newKey, prepared))
        {
            return SignatureVerification.Success(prepared.Scheme, keyId, newKey.ActorId);
        }

        var detail = refreshed.Key is null ? $" (refetching the key failed: {refreshed.Message})" : string.Empty;
        return SignatureVerification.Fail(prepared.Scheme, SignatureFailure.BadSignature, $"The signature does not verify with key {keyId}{detail}", keyId);
    }

    private static bool Matches(ActorPublicKey key, PreparedSignature prepared)
    {
        foreach (var candidate in prepared.Candidates)
        {
            if (key.VerifyPkcs1Sha256(candidate, prepared.Signature))
            {
                return true;
            }
        }

        return false;
    }

    private static SignatureVerification KeyFailure(PreparedSignature prepared, KeyLookup lookup) =>
        SignatureVerification.Fail(
            prepared.Scheme,
            lookup.Status == KeyLookupStatus.NotFound ? SignatureFailure.KeyNotFound : SignatureFailure.KeyFetchFailed,
            lookup.Message,
            prepared.KeyId);
}
