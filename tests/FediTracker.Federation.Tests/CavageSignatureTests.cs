using System.Text;
using FediTracker.Federation.Http;
using FediTracker.Federation.Keys;
using FediTracker.Federation.Signatures;

namespace FediTracker.Federation.Tests;

/// <summary>draft-cavage signatures: the draft's own Appendix C vectors, round trips, and every refusal.</summary>
public class CavageSignatureTests
{
    // draft-cavage-http-signatures-12, Appendix C: the test request and the time it was signed.
    private static readonly DateTimeOffset SpecDate = new(2014, 1, 5, 21, 31, 40, TimeSpan.Zero);
    private static readonly byte[] SpecBody = Encoding.UTF8.GetBytes("{\"hello\": \"world\"}");

    private const string C1Signature = "SjWJWbWN7i0wzBvtPl8rbASWz5xQW6mcJmn+ibttBqtifLN7Sazz6m79cNfwwb8DMJ5cou1s7uEGKKCs+FLEEaDV5lp7q25WqS+lavg7T8hc0GppauB6hbgEKTwblDHYGEtbGmtdHgVCk9SuS13F0hZ8FD0k/5OxEPXe5WozsbM=";
    private const string C2Signature = "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0=";
    private const string C3Signature = "vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE=";

    private static IncomingRequest SpecRequest(string? signature = null)
    {
        var headers = new HeaderCollection()
            .Add("Host", "example.com")
            .Add("Date", "Sun, 05 Jan 2014 21:31:40 GMT")
            .Add("Content-Type", "application/json")
            .Add("Digest", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=")
            .Add("Content-Length", "18");
        if (signature is not null)
        {
            headers.Add("Signature", signature);
        }

        return new IncomingRequest("POST", "https", "example.com", "/foo?param=value&pet=dog", headers, SpecBody);
    }

    private static FakeKeyResolver SpecResolver() => new FakeKeyResolver().Add(ActorPublicKey.Create("Test", "https://example.com/actor", TestKeys.CavagePublic));

    [TestCase(new[] { "date" }, C1Signature, TestName = "C.1 default test (date)")]
    [TestCase(new[] { "(request-target)", "host", "date" }, C2Signature, TestName = "C.2 basic test")]
    [TestCase(new[] { "(request-target)", "host", "date", "content-type", "digest", "content-length" }, C3Signature, TestName = "C.3 all headers test")]
    public void Reproduces_the_drafts_signatures_with_its_test_key(string[] covered, string expected)
    {
        CavageSignature.TryBuildSigningString(SpecRequest(), covered, new CavageSignature.Parameters(), hs2019: false, "/foo?param=value&pet=dog", out var signingString, out _, out _)
            .Should().BeTrue();
        using var key = ActorKeyPair.FromPrivateKeyPem(TestKeys.CavagePrivate);

        var signature = Convert.ToBase64String(key.SignPkcs1Sha256(Encoding.UTF8.GetBytes(signingString)));

        signature.Should().Be(expected);
        ActorPublicKey.Create("Test", "actor", TestKeys.CavagePublic).VerifyPkcs1Sha256(Encoding.UTF8.GetBytes(signingString), Convert.FromBase64String(expected))
            .Should().BeTrue();
    }

    [Test]
    public void C2_signing_string_is_the_drafts()
    {
        CavageSignature.TryBuildSigningString(SpecRequest(), ["(request-target)", "host", "date"], new CavageSignature.Parameters(), false, "/foo?param=value&pet=dog", out var signingString, out _, out _);

        signingString.Should().Be("(request-target): post /foo?param=value&pet=dog\nhost: example.com\ndate: Sun, 05 Jan 2014 21:31:40 GMT");
    }

    [Test]
    public async Task Accepts_the_drafts_all_headers_request_which_covers_what_an_inbox_needs()
    {
        // C.3 as published lists (created) and (expires), but its signature was computed without them (a known erratum
        // of draft 12); and rsa-sha256 may not use them anyway. The covered list the signature really spans is used here.
        var request = SpecRequest($"keyId=\"Test\",algorithm=\"rsa-sha256\",created=1402170695,expires=1402170699,headers=\"(request-target) host date content-type digest content-length\",signature=\"{C3Signature}\"");

        var result = await Signing.Verifier(SpecResolver(), SpecDate).VerifyAsync(request, CancellationToken.None);

        result.IsValid.Should().BeTrue(result.ToString());
        result.Scheme.Should().Be(SignatureScheme.DraftCavage);
        result.KeyId.Should().Be("Test");
        result.ActorId.Should().Be("https://example.com/actor");
    }

    [Test]
    public async Task Refuses_the_drafts_C3_header_as_published_since_rsa_sha256_cannot_cover_created()
    {
        var request = SpecRequest($"keyId=\"Test\",algorithm=\"rsa-sha256\",created=1402170695,expires=1402170699,headers=\"(request-target) (created) (expires) host date content-type digest content-length\",signature=\"{C3Signature}\"");

        var result = await Signing.Verifier(SpecResolver(), SpecDate).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.MalformedSignature);
    }

    [Test]
    public async Task The_drafts_basic_test_is_a_valid_signature_but_too_weak_for_a_POST()
    {
        var request = SpecRequest($"keyId=\"Test\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date\",signature=\"{C2Signature}\"");

        var result = await Signing.Verifier(SpecResolver(), SpecDate).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.MissingCoveredComponent);
        result.Reason.Should().Be("missing_component");
        result.Message.Should().Contain("digest");
    }

    [Test]
    public async Task The_drafts_default_test_covers_date_only_and_is_refused()
    {
        var request = SpecRequest($"keyId=\"Test\",algorithm=\"rsa-sha256\",signature=\"{C1Signature}\"");

        var result = await Signing.Verifier(SpecResolver(), SpecDate).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.MissingCoveredComponent);
    }

    [Test]
    public async Task Signed_POST_verifies()
    {
        var request = Signing.SignedPost(SignatureScheme.DraftCavage);

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.IsValid.Should().BeTrue(result.ToString());
        result.KeyId.Should().Be(Signing.KeyId);
        result.ActorId.Should().Be(Signing.ActorId);
        request.Headers.GetCombined("signature").Should().Contain("algorithm=\"rsa-sha256\"").And.Contain("headers=\"(request-target) host date digest\"");
    }

    [Test]
    public async Task Signed_GET_with_query_verifies()
    {
        var request = Signing.SignedGet(SignatureScheme.DraftCavage, "https://tracker.example/actor?page=2");

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.IsValid.Should().BeTrue(result.ToString());
    }

    [Test]
    public async Task A_request_target_signed_without_its_query_is_accepted_as_Mastodon_accepts_it()
    {
        var signed = Signing.SignedPost(SignatureScheme.DraftCavage, target: Signing.Inbox);
        var withQuery = Requests.WithTarget(signed, "POST", "/inbox?via=relay");

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(withQuery, CancellationToken.None);

        result.IsValid.Should().BeTrue(result.ToString());
    }

    [Test]
    public async Task Another_path_is_refused()
    {
        var signed = Signing.SignedPost(SignatureScheme.DraftCavage);

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(Requests.WithTarget(signed, "POST", "/other-inbox"), CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.BadSignature);
    }

    [Test]
    public async Task Wrong_key_is_refused_after_one_refresh()
    {
        var request = Signing.SignedPost(SignatureScheme.DraftCavage, key: Signing.Mallory);
        var resolver = Signing.AliceResolver();

        var result = await Signing.Verifier(resolver, Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.BadSignature);
        result.Reason.Should().Be("bad_signature");
        resolver.Refreshes.Should().Be(1);
    }

    [Test]
    public async Task A_rotated_key_is_refetched_once_and_then_verifies()
    {
        using var rotated = ActorKeyPair.Generate();
        var request = Signing.SignedPost(SignatureScheme.DraftCavage, key: rotated);
        var resolver = Signing.AliceResolver().RotateOnRefresh(rotated.ToPublicKey(Signing.KeyId, Signing.ActorId));

        var result = await Signing.Verifier(resolver, Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.IsValid.Should().BeTrue(result.ToString());
        resolver.Refreshes.Should().Be(1);
    }

    [Test]
    public async Task Changed_body_is_a_bad_digest()
    {
        var request = Requests.WithBody(Signing.SignedPost(SignatureScheme.DraftCavage), Encoding.UTF8.GetBytes("{\"type\":\"Delete\",\"actor\":\"https://origin.example/users/bob\"}"));

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.BadDigest);
    }

    [Test]
    public async Task Changed_digest_header_with_matching_body_is_a_bad_signature()
    {
        var otherBody = Encoding.UTF8.GetBytes("{}");
        var request = Requests.WithHeader(Requests.WithBody(Signing.SignedPost(SignatureScheme.DraftCavage), otherBody), "Digest", BodyDigest.CreateDigestHeader(otherBody));

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.BadSignature);
    }

    [Test]
    public async Task Changed_covered_header_is_a_bad_signature()
    {
        var request = Requests.WithHeader(Signing.SignedPost(SignatureScheme.DraftCavage), "Host", "other.example");

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.BadSignature);
    }

    [TestCase(-65, SignatureFailure.None, TestName = "Signed 65 minutes ago: accepted (5 min lifetime + 1 h skew)")]
    [TestCase(-66, SignatureFailure.StaleDate, TestName = "Signed 66 minutes ago: stale")]
    [TestCase(59, SignatureFailure.None, TestName = "Signed 59 minutes ahead: accepted (1 h skew)")]
    [TestCase(61, SignatureFailure.FutureDate, TestName = "Signed 61 minutes ahead: future")]
    public async Task Time_window_is_Mastodons(int minutesFromNow, SignatureFailure expected)
    {
        var request = Signing.SignedPost(SignatureScheme.DraftCavage, signedAt: Signing.Now.AddMinutes(minutesFromNow));

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(expected, result.ToString());
    }

    [Test]
    public async Task Stale_date_and_future_date_have_their_own_labels()
    {
        var stale = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(Signing.SignedPost(SignatureScheme.DraftCavage, signedAt: Signing.Now.AddDays(-1)), CancellationToken.None);
        var future = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(Signing.SignedPost(SignatureScheme.DraftCavage, signedAt: Signing.Now.AddDays(1)), CancellationToken.None);

        stale.Reason.Should().Be("stale_date");
        future.Reason.Should().Be("future_date");
    }

    [TestCase("(request-target) host date", "digest")]
    [TestCase("host date digest", "(request-target)")]
    [TestCase("(request-target) date digest", "host")]
    [TestCase("(request-target) host digest", "date or (created)")]
    public async Task POST_must_cover_request_target_host_date_and_digest(string covered, string missing)
    {
        var request = SignCustom("rsa-sha256", covered, Signing.Now);

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.MissingCoveredComponent);
        result.Message.Should().Contain(missing);
    }

    [Test]
    public async Task Host_may_be_left_out_on_POST_when_configured_as_Mastodon_does()
    {
        var request = SignCustom("rsa-sha256", "(request-target) date digest", Signing.Now);

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now, new SignatureVerifierOptions { RequireHostOnPost = false }).VerifyAsync(request, CancellationToken.None);

        result.IsValid.Should().BeTrue(result.ToString());
    }

    [Test]
    public async Task Hs2019_with_created_verifies_and_takes_its_time_from_created()
    {
        // No Date header at all: the time is (created).
        var request = SignCustom("hs2019", "(request-target) (created) host digest", Signing.Now, withDate: false, created: Signing.Now.AddMinutes(-2));

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.IsValid.Should().BeTrue(result.ToString());
    }

    [Test]
    public async Task Hs2019_created_too_old_is_stale_even_with_a_fresh_date()
    {
        var request = SignCustom("hs2019", "(request-target) (created) host date digest", Signing.Now, created: Signing.Now.AddHours(-3));

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.StaleDate);
    }

    [Test]
    public async Task Expires_in_the_past_is_stale()
    {
        var request = SignCustom("hs2019", "(request-target) (created) (expires) host digest", Signing.Now, withDate: false, created: Signing.Now.AddHours(-2), expires: Signing.Now.AddHours(-1).AddMinutes(-1));

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.StaleDate);
    }

    [Test]
    public async Task Created_with_rsa_sha256_is_refused()
    {
        var request = SignCustom("rsa-sha256", "(request-target) (created) host date digest", Signing.Now, created: Signing.Now);

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.MalformedSignature);
    }

    [TestCase("rsa-sha512")]
    [TestCase("ed25519")]
    [TestCase("hmac-sha256")]
    public async Task Unknown_algorithm_is_refused(string algorithm)
    {
        var request = SignCustom(algorithm, "(request-target) host date digest", Signing.Now);

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.UnknownAlgorithm);
        result.Reason.Should().Be("unknown_algorithm");
    }

    [TestCase("keyId=\"k\",signature=")]
    [TestCase("keyId=\"k\",headers=\"date\",signature=\"unterminated")]
    [TestCase("keyId=\"k\" signature=\"x\"")]
    [TestCase("keyId=\"k\",keyId=\"j\",signature=\"x\"")]
    [TestCase("headers=\"(request-target) host date digest\",signature=\"AAAA\"")]
    [TestCase("keyId=\"k\",headers=\"(request-target) host date digest\"")]
    [TestCase("keyId=\"k\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date digest\",signature=\"not*base64\"")]
    public async Task Malformed_signature_header_is_refused(string header)
    {
        var request = Requests.WithHeader(Signing.SignedPost(SignatureScheme.DraftCavage), "Signature", header);

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.MalformedSignature, result.ToString());
    }

    [Test]
    public void Tolerates_the_stray_Signature_prefix_and_whitespace_that_old_senders_add()
    {
        CavageSignature.TryParse("Signature keyId = \"a\\\"b\" , algorithm=hs2019,signature=\"x\"", out var parameters).Should().BeTrue();

        parameters.KeyId.Should().Be("a\"b");
        parameters.Algorithm.Should().Be("hs2019");
    }

    [Test]
    public async Task Unsigned_request_is_missing_signature()
    {
        var request = Requests.WithHeader(Signing.SignedPost(SignatureScheme.DraftCavage), "Signature", null);

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.MissingSignature);
        result.Scheme.Should().Be(SignatureScheme.None);
    }

    [Test]
    public async Task Covered_header_missing_from_the_request_is_refused()
    {
        var request = Requests.WithHeader(Signing.SignedPost(SignatureScheme.DraftCavage), "Date", null);

        var result = await Signing.Verifier(Signing.AliceResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);

        result.Failure.Should().Be(SignatureFailure.MissingCoveredComponent);
    }

    [Test]
    public async Task Unknown_key_and_failed_fetch_have_their_own_reasons()
    {
        var request = Signing.SignedPost(SignatureScheme.DraftCavage);

        var notFound = await Signing.Verifier(new FakeKeyResolver(), Signing.Now).VerifyAsync(request, CancellationToken.None);
        var fetchFailed = await Signing.Verifier(new FakeKeyResolver { ForcedResult = KeyLookup.FetchFailed("timeout") }, Signing.Now).VerifyAsync(request, CancellationToken.None);

        notFound.Failure.Should().Be(SignatureFailure.KeyNotFound);
        notFound.KeyId.Should().Be(Signing.KeyId);
        fetchFailed.Failure.Should().Be(SignatureFailure.KeyFetchFailed);
        fetchFailed.Reason.Should().Be("key_fetch_failed");
    }

    /// <summary>A POST signed by hand with any algorithm name and covered list (the signature itself is always RSA-SHA256).</summary>
    private static IncomingRequest SignCustom(string algorithm, string covered, DateTimeOffset date, bool withDate = true, DateTimeOffset? created = null, DateTimeOffset? expires = null)
    {
        var headers = new HeaderCollection()
            .Add("Host", "tracker.example")
            .Add("Digest", BodyDigest.CreateDigestHeader(Signing.Body))
            .Add("Content-Type", "application/activity+json");
        if (withDate)
        {
            headers.Add("Date", date.ToString("r", System.Globalization.CultureInfo.InvariantCulture));
        }

        var request = new IncomingRequest("POST", "https", "tracker.example", "/inbox", headers, Signing.Body);
        var parameters = new CavageSignature.Parameters
        {
            Created = created?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            Expires = expires?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var list = covered.Split(' ');
        CavageSignature.TryBuildSigningString(request, list, parameters, hs2019: true, "/inbox", out var signingString, out _, out _).Should().BeTrue();
        var signature = Convert.ToBase64String(Signing.Alice.SignPkcs1Sha256(Encoding.UTF8.GetBytes(signingString)));
        var header = $"keyId=\"{Signing.KeyId}\",algorithm=\"{algorithm}\",headers=\"{covered}\",signature=\"{signature}\"";
        if (parameters.Created is not null)
        {
            header += $",created={parameters.Created}";
        }

        if (parameters.Expires is not null)
        {
            header += $",expires={parameters.Expires}";
        }

        headers.Add("Signature", header);
        return request;
    }
}
