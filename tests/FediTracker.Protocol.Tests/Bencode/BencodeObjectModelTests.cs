using System.Buffers;
using FediTracker.Protocol.Bencode;

namespace FediTracker.Protocol.Tests.Bencode;

[TestFixture]
public sealed class BencodeObjectModelTests
{
    [Test]
    public void Dictionary_keeps_keys_sorted_by_raw_bytes_whatever_the_insertion_order()
    {
        var dictionary = new BencodeDictionary();
        foreach (var key in new[] { "b", "\xFF", "A", "", "aa", "a", "\x7F" })
        {
            dictionary.Set(TestBytes.Of(key), new BencodeString(key.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        dictionary.Keys.Select(key => TestBytes.Show(key.Span)).Should().Equal("", "A", "a", "aa", "b", "\x7F", "\xFF");
        dictionary.Count.Should().Be(7);
        TestBytes.Show(BencodeSerializer.Encode(dictionary)).Should().StartWith("d0:1:01:A1:11:a1:12:aa1:2");
    }

    [Test]
    public void Set_replaces_the_value_of_an_existing_key()
    {
        var dictionary = new BencodeDictionary { ["a"] = new BencodeInteger(1), ["b"] = new BencodeInteger(2) };

        dictionary["a"] = new BencodeInteger(3);

        dictionary.Count.Should().Be(2);
        dictionary["a"].Should().BeOfType<BencodeInteger>().Which.Value.Should().Be(3);
        TestBytes.Show(BencodeSerializer.Encode(dictionary)).Should().Be("d1:ai3e1:bi2ee");
    }

    [Test]
    public void Lookups_by_text_bytes_and_key_object_agree()
    {
        var dictionary = new BencodeDictionary { ["piece length"] = new BencodeInteger(16384) };
        var key = new BencodeString("piece length");

        dictionary.ContainsKey("piece length").Should().BeTrue();
        dictionary.ContainsKey("piece length"u8).Should().BeTrue();
        dictionary.ContainsKey(key).Should().BeTrue();
        dictionary.TryGetValue("piece length"u8, out var byBytes).Should().BeTrue();
        dictionary.TryGetValue(key, out var byKey).Should().BeTrue();
        dictionary[key].Should().BeSameAs(byBytes).And.BeSameAs(byKey);
        dictionary.ContainsKey("piece").Should().BeFalse();
        dictionary.TryGetValue("Piece length", out _).Should().BeFalse();
    }

    [Test]
    public void Typed_get_checks_the_type()
    {
        var dictionary = new BencodeDictionary { ["n"] = new BencodeInteger(1), ["s"] = new BencodeString("x") };

        dictionary.TryGet<BencodeInteger>("n", out var number).Should().BeTrue();
        number!.Value.Should().Be(1);
        dictionary.TryGet<BencodeString>("n", out var wrong).Should().BeFalse();
        wrong.Should().BeNull();
        dictionary.TryGet<BencodeInteger>("missing", out _).Should().BeFalse();
        dictionary.TryGet<BencodeString>("s"u8, out var text).Should().BeTrue();
        text!.Text.Should().Be("x");
    }

    [Test]
    public void Missing_key_indexers_throw_key_not_found()
    {
        var dictionary = new BencodeDictionary();

        FluentActions.Invoking(() => dictionary["x"]).Should().Throw<KeyNotFoundException>();
        FluentActions.Invoking(() => dictionary[new BencodeString("x")]).Should().Throw<KeyNotFoundException>();
    }

    [Test]
    public void Remove_deletes_only_the_key()
    {
        var dictionary = new BencodeDictionary { ["a"] = new BencodeInteger(1), ["b"] = new BencodeInteger(2), ["c"] = new BencodeInteger(3) };

        dictionary.Remove("b").Should().BeTrue();
        dictionary.Remove("b"u8).Should().BeFalse();

        TestBytes.Show(BencodeSerializer.Encode(dictionary)).Should().Be("d1:ai1e1:ci3ee");
        dictionary.Values.Cast<BencodeInteger>().Select(value => value.Value).Should().Equal(1, 3);
    }

    [Test]
    public void Dictionary_enumerates_in_key_order()
    {
        var dictionary = new BencodeDictionary { ["z"] = new BencodeInteger(26), ["a"] = new BencodeInteger(1) };
        var seen = new List<string>();

        foreach (var (key, value) in dictionary)
        {
            seen.Add($"{key.Text}={value}");
        }

        seen.Should().Equal("a=1", "z=26");
        ((IEnumerable<KeyValuePair<BencodeString, BencodeValue>>)dictionary).Should().HaveCount(2);
    }

    [Test]
    public void List_keeps_its_order()
    {
        var list = new BencodeList(new BencodeInteger(2), new BencodeString("x"));
        list.Add(new BencodeInteger(1));

        list.Count.Should().Be(3);
        list[1].Should().BeOfType<BencodeString>();
        list.Select(item => item.ToString()).Should().Equal("2", "x", "1");
        TestBytes.Show(BencodeSerializer.Encode(list)).Should().Be("li2e1:xi1ee");
    }

    [Test]
    public void String_copies_its_bytes()
    {
        var source = TestBytes.Of("abc");
        var value = new BencodeString(source);

        source[0] = (byte)'z';

        value.Text.Should().Be("abc");
        value.Length.Should().Be(3);
        value.Bytes.ToArray().Should().Equal(TestBytes.Of("abc"));
    }

    [Test]
    public void String_text_helpers_handle_utf8_and_invalid_bytes()
    {
        var text = new BencodeString("Grüße");
        text.Length.Should().Be(7);
        text.TryGetText(out var decoded).Should().BeTrue();
        decoded.Should().Be("Grüße");

        var binary = new BencodeString([0x61, 0xFF, 0x62]);
        binary.TryGetText(out var none).Should().BeFalse();
        none.Should().BeNull();
        binary.Text.Should().Be("a\uFFFDb");
    }

    [Test]
    public void Null_arguments_are_rejected()
    {
        var dictionary = new BencodeDictionary();
        var list = new BencodeList();

        FluentActions.Invoking(() => list.Add(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new BencodeList(new BencodeInteger(1), null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => dictionary.Set("a", null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => dictionary.Set((string)null!, new BencodeInteger(1))).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new BencodeString((string)null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => BencodeSerializer.Encode(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => BencodeSerializer.Encode(list, null!)).Should().Throw<ArgumentNullException>();
    }

    [Test]
    public void Encoding_a_container_that_contains_itself_throws()
    {
        var list = new BencodeList();
        var dictionary = new BencodeDictionary { ["self"] = list };
        list.Add(dictionary);

        FluentActions.Invoking(() => BencodeSerializer.Encode(list)).Should().Throw<InvalidOperationException>();
    }

    [Test]
    public void A_shared_value_is_encoded_each_time_it_appears()
    {
        var shared = new BencodeList(new BencodeInteger(1));
        var root = new BencodeList(shared, shared, new BencodeDictionary { ["a"] = shared, ["b"] = shared });

        TestBytes.Show(BencodeSerializer.Encode(root)).Should().Be("lli1eeli1eed1:ali1ee1:bli1eeee");
    }

    [Test]
    public void Encoding_very_deep_trees_does_not_exhaust_the_stack()
    {
        const int Depth = 100_000;
        BencodeValue value = new BencodeInteger(7);
        for (var i = 0; i < Depth; i++)
        {
            value = i % 2 == 0 ? new BencodeList(value) : new BencodeDictionary { ["k"] = value };
        }

        var output = new ArrayBufferWriter<byte>();
        BencodeSerializer.Encode(value, output);

        output.WrittenCount.Should().Be((Depth / 2) + (Depth / 2 * 4) + 3 + Depth);
        BencodeSerializer.TryParse(output.WrittenSpan, out _, out var error, out var offset, maxDepth: BencodeReader.MaxSupportedDepth).Should().BeFalse();
        error.Should().Be(BencodeError.DepthExceeded);
        offset.Should().BeGreaterThan(0);
    }

    [Test]
    public void Integer_to_string_is_invariant()
    {
        new BencodeInteger(-1234567).ToString().Should().Be("-1234567");
        new BencodeInteger(long.MinValue).Value.Should().Be(long.MinValue);
    }
}
