using System.Text;
using FediTracker.Federation.Signatures;

namespace FediTracker.Federation.Tests;

public class BodyDigestTests
{
    // The body every example in draft-cavage-12 Appendix C and RFC 9421 Appendix B signs.
    private static readonly byte[] SpecBody = Encoding.UTF8.GetBytes("{\"hello\": \"world\"}");

    [Test]
    public void Digest_header_matches_draft_cavage_example()
    {
        BodyDigest.CreateDigestHeader(SpecBody).Should().Be("SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=");
        BodyDigest.CheckDigestHeader("SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", SpecBody).Should().Be(DigestCheck.Match);
    }

    [Test]
    public void Content_digest_matches_rfc9530_form_and_rfc9421_sha512_example()
    {
        BodyDigest.CreateContentDigestHeader(SpecBody).Should().Be("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
        const string Sha512 = "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";
        BodyDigest.CheckContentDigestHeader(Sha512, SpecBody).Should().Be(DigestCheck.Match);
    }

    [Test]
    public void Digest_algorithm_name_is_case_insensitive_and_other_algorithms_are_skipped()
    {
        BodyDigest.CheckDigestHeader("MD5=abc, sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", SpecBody).Should().Be(DigestCheck.Match);
    }

    [TestCase(null, DigestCheck.Missing)]
    [TestCase("SHA-512=abc", DigestCheck.Unsupported)]
    [TestCase("garbage", DigestCheck.Unsupported)]
    [TestCase("SHA-256=Y48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", DigestCheck.Mismatch)]
    [TestCase("SHA-256=not base64!", DigestCheck.Mismatch)]
    [TestCase("SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=, SHA-256=AAAA", DigestCheck.Mismatch)]
    public void Digest_header_failures(string? value, DigestCheck expected) =>
        BodyDigest.CheckDigestHeader(value, SpecBody).Should().Be(expected);

    [TestCase(null, DigestCheck.Missing)]
    [TestCase("md5=:AAAA:", DigestCheck.Unsupported)]
    [TestCase("sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", DigestCheck.Unsupported)] // not a byte sequence: not a dictionary value we can read
    [TestCase("sha-256=:AAAA:", DigestCheck.Mismatch)]
    [TestCase("sha-256=\"X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\"", DigestCheck.Mismatch)]
    public void Content_digest_failures(string? value, DigestCheck expected) =>
        BodyDigest.CheckContentDigestHeader(value, SpecBody).Should().Be(expected);

    [Test]
    public void Changed_body_does_not_match()
    {
        var header = BodyDigest.CreateContentDigestHeader(SpecBody);
        BodyDigest.CheckContentDigestHeader(header, Encoding.UTF8.GetBytes("{\"hello\": \"World\"}")).Should().Be(DigestCheck.Mismatch);
        BodyDigest.CheckDigestHeader(BodyDigest.CreateDigestHeader(SpecBody), []).Should().Be(DigestCheck.Mismatch);
    }
}
