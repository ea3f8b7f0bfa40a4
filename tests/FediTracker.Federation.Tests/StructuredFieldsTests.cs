using FediTracker.Federation.Signatures;

namespace FediTracker.Federation.Tests;

public class StructuredFieldsTests
{
    [Test]
    public void Parses_rfc9421_signature_input_with_two_labels_and_serialises_each_member_canonically()
    {
        const string Input = "sig1=(\"@method\" \"@authority\" \"@path\" \"content-digest\" \"content-length\" \"content-type\");created=1618884475;keyid=\"test-key-rsa-pss\",  proxy_sig=(\"signature\";key=\"sig1\" \"forwarded\");created=1618884480;expires=1618884540;keyid=\"test-key-rsa\";alg=\"rsa-v1_5-sha256\"";

        StructuredFields.TryParseDictionary(Input, out var dictionary).Should().BeTrue();

        dictionary.Entries.Select(e => e.Key).Should().Equal("sig1", "proxy_sig");
        dictionary.TryGet("proxy_sig", out var proxy).Should().BeTrue();
        proxy.InnerList.Should().HaveCount(2);
        proxy.InnerList![0].Parameters.Get("key")!.Text.Should().Be("sig1");
        proxy.Parameters.Get("expires")!.Integer.Should().Be(1618884540);
        StructuredFields.Serialize(proxy).Should().Be("(\"signature\";key=\"sig1\" \"forwarded\");created=1618884480;expires=1618884540;keyid=\"test-key-rsa\";alg=\"rsa-v1_5-sha256\"");
    }

    [Test]
    public void Reads_every_bare_item_kind_and_writes_it_back()
    {
        const string Input = "a=1, b=-2.5, c=\"q\\\"uote\", d=tok/en:x, e=:AQID:, f=?0, g, h;p=1;q";

        StructuredFields.TryParseDictionary(Input, out var dictionary).Should().BeTrue();

        dictionary.TryGet("e", out var bytes).Should().BeTrue();
        bytes.Item!.Value.Bytes.Should().Equal(1, 2, 3);
        dictionary.TryGet("c", out var text).Should().BeTrue();
        text.Item!.Value.Text.Should().Be("q\"uote");
        StructuredFields.Serialize(dictionary).Should().Be("a=1, b=-2.5, c=\"q\\\"uote\", d=tok/en:x, e=:AQID:, f=?0, g, h;p=1;q");
    }

    [Test]
    public void A_repeated_key_keeps_its_place_and_takes_the_last_value()
    {
        StructuredFields.TryParseDictionary("a=1, b=2, a=3", out var dictionary).Should().BeTrue();
        StructuredFields.Serialize(dictionary).Should().Be("a=3, b=2");
    }

    [TestCase("A=1")]
    [TestCase("a=1,")]
    [TestCase("a=(1 2")]
    [TestCase("a=\"unterminated")]
    [TestCase("a=\"bad\\escape\"")]
    [TestCase("a=:not base64!:")]
    [TestCase("a=1;")]
    [TestCase("a=?2")]
    [TestCase("a=1234567890123456")]
    [TestCase("a=1.2345")]
    [TestCase("a=1 b=2")]
    [TestCase("a=(1)(2)")]
    public void Refuses_malformed_input(string input) =>
        StructuredFields.TryParseDictionary(input, out _).Should().BeFalse();

    [Test]
    public void Refuses_oversize_input() =>
        StructuredFields.TryParseDictionary("a=\"" + new string('x', StructuredFields.MaxLength) + "\"", out _).Should().BeFalse();
}
