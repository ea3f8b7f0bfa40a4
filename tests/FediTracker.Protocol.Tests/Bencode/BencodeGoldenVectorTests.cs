using FediTracker.Protocol.Bencode;

namespace FediTracker.Protocol.Tests.Bencode;

/// <summary>The examples of BEP 3, decoded, re-encoded, and tokenized.</summary>
[TestFixture]
public sealed class BencodeGoldenVectorTests
{
    [TestCase("4:spam", "spam")]
    [TestCase("0:", "")]
    public void String_vectors_decode(string input, string expected)
    {
        BencodeSerializer.TryParse(TestBytes.Of(input), out var value, out var error, out var offset).Should().BeTrue();

        error.Should().Be(BencodeError.None);
        offset.Should().Be(-1);
        value.Should().BeOfType<BencodeString>().Which.Text.Should().Be(expected);
    }

    [TestCase("i3e", 3L)]
    [TestCase("i-3e", -3L)]
    [TestCase("i0e", 0L)]
    public void Integer_vectors_decode(string input, long expected)
    {
        BencodeSerializer.TryParse(TestBytes.Of(input), out var value, out _, out _).Should().BeTrue();

        value.Should().BeOfType<BencodeInteger>().Which.Value.Should().Be(expected);
    }

    [Test]
    public void List_vector_decodes()
    {
        BencodeSerializer.TryParse("l4:spam4:eggse"u8, out var value, out _, out _).Should().BeTrue();

        var list = value.Should().BeOfType<BencodeList>().Subject;
        list.Select(item => ((BencodeString)item).Text).Should().Equal("spam", "eggs");
    }

    [Test]
    public void Dictionary_vector_decodes()
    {
        BencodeSerializer.TryParse("d3:cow3:moo4:spam4:eggse"u8, out var value, out _, out _).Should().BeTrue();

        var dictionary = value.Should().BeOfType<BencodeDictionary>().Subject;
        dictionary.Count.Should().Be(2);
        dictionary["cow"].Should().BeOfType<BencodeString>().Which.Text.Should().Be("moo");
        dictionary["spam"].Should().BeOfType<BencodeString>().Which.Text.Should().Be("eggs");
    }

    [Test]
    public void Dictionary_with_list_value_vector_decodes()
    {
        BencodeSerializer.TryParse("d4:spaml1:a1:bee"u8, out var value, out _, out _).Should().BeTrue();

        var dictionary = value.Should().BeOfType<BencodeDictionary>().Subject;
        dictionary.Count.Should().Be(1);
        dictionary.TryGet<BencodeList>("spam", out var list).Should().BeTrue();
        list!.Select(item => ((BencodeString)item).Text).Should().Equal("a", "b");
    }

    [TestCase("4:spam")]
    [TestCase("i3e")]
    [TestCase("i-3e")]
    [TestCase("i0e")]
    [TestCase("l4:spam4:eggse")]
    [TestCase("d3:cow3:moo4:spam4:eggse")]
    [TestCase("d4:spaml1:a1:bee")]
    [TestCase("0:")]
    public void Vectors_re_encode_to_the_same_bytes(string input)
    {
        var bytes = TestBytes.Of(input);
        BencodeSerializer.TryParse(bytes, out var value, out _, out _, strictKeyOrder: true).Should().BeTrue();

        BencodeSerializer.Encode(value!).Should().Equal(bytes);
    }

    [Test]
    public void Objects_built_by_hand_encode_to_the_vectors()
    {
        var dictionary = new BencodeDictionary
        {
            ["spam"] = new BencodeString("eggs"),
            ["cow"] = new BencodeString("moo"),
        };
        var withList = new BencodeDictionary { ["spam"] = new BencodeList(new BencodeString("a"), new BencodeString("b")) };

        TestBytes.Show(BencodeSerializer.Encode(new BencodeString("spam"))).Should().Be("4:spam");
        TestBytes.Show(BencodeSerializer.Encode(new BencodeInteger(-3))).Should().Be("i-3e");
        TestBytes.Show(BencodeSerializer.Encode(new BencodeList(new BencodeString("spam"), new BencodeString("eggs")))).Should().Be("l4:spam4:eggse");
        TestBytes.Show(BencodeSerializer.Encode(dictionary)).Should().Be("d3:cow3:moo4:spam4:eggse");
        TestBytes.Show(BencodeSerializer.Encode(withList)).Should().Be("d4:spaml1:a1:bee");
        TestBytes.Show(BencodeSerializer.Encode(new BencodeString(""))).Should().Be("0:");
    }

    [Test]
    public void Dictionary_vector_tokenizes_with_offsets()
    {
        var data = "d3:cow3:moo4:spam4:eggse"u8;
        var reader = new BencodeReader(data);
        var tokens = new List<string>();

        while (reader.TryReadToken(out var type))
        {
            tokens.Add($"{type}@{reader.TokenStart}-{reader.Position}:{TestBytes.Show(reader.ValueSpan)}{(reader.TokenIsKey ? " key" : "")}");
        }

        reader.Error.Should().Be(BencodeError.None);
        reader.IsComplete.Should().BeTrue();
        tokens.Should().Equal(
            "DictionaryStart@0-1:",
            "String@1-6:cow key",
            "String@6-11:moo",
            "String@11-17:spam key",
            "String@17-23:eggs",
            "End@23-24:");
    }

    [Test]
    public void List_vector_with_integers_tokenizes()
    {
        var reader = new BencodeReader("li3ei-3ei0e0:e"u8);
        var tokens = new List<string>();

        while (reader.TryReadToken(out var type))
        {
            tokens.Add(type switch
            {
                BencodeTokenType.Integer => $"int {reader.IntegerValue} '{TestBytes.Show(reader.ValueSpan)}'",
                BencodeTokenType.String => $"str '{TestBytes.Show(reader.ValueSpan)}'",
                _ => type.ToString(),
            });
        }

        reader.Error.Should().Be(BencodeError.None);
        tokens.Should().Equal("ListStart", "int 3 '3'", "int -3 '-3'", "int 0 '0'", "str ''", "End");
    }
}
