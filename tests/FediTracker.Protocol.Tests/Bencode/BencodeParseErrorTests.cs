using FediTracker.Protocol.Bencode;

namespace FediTracker.Protocol.Tests.Bencode;

/// <summary>Hostile and malformed input: every error kind, with the offset it is reported at.</summary>
[TestFixture]
public sealed class BencodeParseErrorTests
{
    // A torrent-shaped document touching every token kind.
    private const string ValidDocument =
        "d8:announce31:http://tracker.example/announce7:comment0:10:created byi-17e4:info"
        + "d6:lengthi9223372036854775807e4:name4:file12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaae"
        + "8:url-listl0:26:https://origin.example/a.bee";

    [TestCase("", 0)]
    [TestCase("i", 1)]
    [TestCase("i-", 2)]
    [TestCase("i12", 3)]
    [TestCase("i0", 2)]
    [TestCase("i-5", 3)]
    [TestCase("4", 1)]
    [TestCase("12", 2)]
    [TestCase("l", 1)]
    [TestCase("d", 1)]
    [TestCase("l4:spam", 7)]
    [TestCase("d3:cow", 6)]
    [TestCase("d3:cow3:moo", 11)]
    [TestCase("lli1ee", 6)]
    public void Unexpected_end(string input, int offset) => AssertRejected(input, BencodeError.UnexpectedEnd, offset);

    [TestCase("x", 0)]
    [TestCase("e", 0)]
    [TestCase("-1:a", 0)]
    [TestCase(" i1e", 0)]
    [TestCase("li1ex", 4)]
    [TestCase("li1e:e", 4)]
    [TestCase("di1e1:ae", 1)]      // key is an integer
    [TestCase("dle1:ae", 1)]       // key is a list
    [TestCase("dde1:ae", 1)]       // key is a dictionary
    [TestCase("d1:ae", 4)]         // key without value
    [TestCase("d1:ai1e1:be", 10)]  // second key without value
    [TestCase("d1:ai1ei2ee", 7)]   // value where a key is due
    public void Unexpected_token(string input, int offset) => AssertRejected(input, BencodeError.UnexpectedToken, offset);

    [TestCase("ie", 1)]
    [TestCase("i-e", 2)]
    [TestCase("i+1e", 1)]
    [TestCase("i--1e", 2)]
    [TestCase("i-+1e", 2)]
    [TestCase("i1.5e", 2)]
    [TestCase("i 1e", 1)]
    [TestCase("i1 e", 2)]
    [TestCase("i0x1e", 2)]
    [TestCase("i12:e", 3)]
    public void Invalid_integer(string input, int offset) => AssertRejected(input, BencodeError.InvalidInteger, offset);

    [TestCase("i03e", 1)]
    [TestCase("i00e", 1)]
    [TestCase("i-03e", 2)]
    [TestCase("i-00e", 2)]
    [TestCase("03:abc", 0)]
    [TestCase("00:", 0)]
    [TestCase("l01:ae", 1)]
    public void Leading_zero(string input, int offset) => AssertRejected(input, BencodeError.LeadingZero, offset);

    [TestCase("i-0e", 1)]
    [TestCase("li1ei-0ee", 5)]
    public void Negative_zero(string input, int offset) => AssertRejected(input, BencodeError.NegativeZero, offset);

    [TestCase("i9223372036854775808e", 19)]   // long.MaxValue + 1: the last digit overflows
    [TestCase("i-9223372036854775809e", 20)]  // long.MinValue - 1
    [TestCase("i18446744073709551616e", 20)]  // 2^64
    [TestCase("i99999999999999999999e", 19)]
    [TestCase("i99999999999999999999", 19)]   // overflow is found before the missing end
    [TestCase("i100000000000000000000000000000000000000e", 20)]
    public void Integer_overflow(string input, int offset) => AssertRejected(input, BencodeError.IntegerOverflow, offset);

    [Test]
    public void Integers_at_the_limits_of_long_are_accepted()
    {
        Parse("i9223372036854775807e").Should().BeOfType<BencodeInteger>().Which.Value.Should().Be(long.MaxValue);
        Parse("i-9223372036854775808e").Should().BeOfType<BencodeInteger>().Which.Value.Should().Be(long.MinValue);
        Parse("i-1e").Should().BeOfType<BencodeInteger>().Which.Value.Should().Be(-1);
        Parse("i10e").Should().BeOfType<BencodeInteger>().Which.Value.Should().Be(10);
    }

    [TestCase("3x:abc", 1)]
    [TestCase("3-", 1)]
    [TestCase("1a", 1)]
    [TestCase("3 :abc", 1)]
    [TestCase("0x", 1)]
    [TestCase("l12ae", 3)]
    public void Invalid_string_length(string input, int offset) => AssertRejected(input, BencodeError.InvalidStringLength, offset);

    [TestCase("4:spa", 0)]
    [TestCase("1:", 0)]
    [TestCase("10:abc", 0)]
    [TestCase("99999999999999999999:x", 0)]
    [TestCase("99999999999999999999", 0)]   // more digits than any length can have: too long before the ':'
    [TestCase("2147483647:x", 0)]
    [TestCase("2147483648:x", 0)]
    [TestCase("4294967296:x", 0)]
    [TestCase("18446744073709551617:x", 0)]
    [TestCase("l99999999999:e", 1)]
    [TestCase("d3:key5:abce", 6)]
    public void String_too_long(string input, int offset) => AssertRejected(input, BencodeError.StringTooLong, offset);

    [TestCase("i1ei2e", 3)]
    [TestCase("4:spamx", 6)]
    [TestCase("dei0e", 2)]
    [TestCase("le ", 2)]
    [TestCase("0:0:", 2)]
    [TestCase("lee", 2)]
    public void Trailing_bytes(string input, int offset) => AssertRejected(input, BencodeError.TrailingBytes, offset);

    [TestCase("d1:ai1e1:ai2ee", 7)]
    [TestCase("d0:i1e0:i2ee", 6)]
    [TestCase("d1:ai1e1:bi2e1:bi3ee", 13)]
    [TestCase("d1:ad1:xi1ee1:ai2ee", 12)] // a repeat after a nested dictionary
    [TestCase("ld1:ai1e1:ai2eee", 8)]
    public void Duplicate_key_among_sorted_keys_is_rejected_in_either_mode(string input, int offset)
    {
        AssertRejected(input, BencodeError.DuplicateKey, offset, strictKeyOrder: false);
        AssertRejected(input, BencodeError.DuplicateKey, offset, strictKeyOrder: true);
    }

    [TestCase("d1:bi1e1:ai2e1:bi3ee", 13)]
    [TestCase("d1:ci1e1:bi2e1:ai3e1:bi4e1:ci5ee", 19)] // two repeats: the earlier one is reported
    [TestCase("d1:ci1e1:bi2e1:ai3e1:ci4e1:bi5ee", 19)]
    [TestCase("d1:bi1e1:ai2e1:bi3e1:bi4ee", 13)]      // three of a kind: the first repeat
    public void Duplicate_key_among_unsorted_keys_is_rejected_by_default(string input, int offset)
    {
        AssertRejected(input, BencodeError.DuplicateKey, offset, strictKeyOrder: false);
        AssertRejected(input, BencodeError.UnsortedKey, 7, strictKeyOrder: true);
    }

    [TestCase("d1:bi1e1:ai2ee", 7)]
    [TestCase("d2:aai1e1:ai2ee", 8)]   // "a" sorts before "aa"
    [TestCase("d1:\xFFi1e1:zi2ee", 7)] // raw bytes, unsigned: 0xFF sorts after 'z' (a printable byte keeps the test name filterable)
    [TestCase("d1:bd1:ai1e1:ci2ee1:ai3ee", 18)] // an outer key after a nested dictionary is checked against the outer "b"
    public void Unsorted_key_is_rejected_only_in_strict_mode(string input, int offset)
    {
        AssertRejected(input, BencodeError.UnsortedKey, offset, strictKeyOrder: true);

        BencodeSerializer.TryParse(TestBytes.Of(input), out var value, out var error, out _).Should().BeTrue();
        error.Should().Be(BencodeError.None);
        value.Should().BeOfType<BencodeDictionary>();
    }

    [Test]
    public void Unsorted_keys_are_sorted_by_raw_bytes_in_the_tree()
    {
        var value = Parse("d1:zi1e1:\xFFi2e1:Ai3e0:i4e1:ai5ee");

        var keys = ((BencodeDictionary)value).Keys.Select(key => TestBytes.Show(key.Span));
        keys.Should().Equal("", "A", "a", "z", "\xFF");
        TestBytes.Show(BencodeSerializer.Encode(value)).Should().Be("d0:i4e1:Ai3e1:ai5e1:zi1e1:\xFFi2ee");
    }

    [Test]
    public void Depth_up_to_the_limit_is_accepted_and_one_more_is_rejected()
    {
        Parse(new string('l', 64) + new string('e', 64)).Should().BeOfType<BencodeList>();

        AssertRejected(new string('l', 65) + new string('e', 65), BencodeError.DepthExceeded, 64);
        AssertRejected(string.Concat(Enumerable.Repeat("d1:a", 65)) + "i1e" + new string('e', 65), BencodeError.DepthExceeded, 256);
    }

    [Test]
    public void Depth_limit_is_configurable()
    {
        BencodeSerializer.TryParse("llleee"u8, out _, out _, out _, maxDepth: 3).Should().BeTrue();
        BencodeSerializer.TryParse("lllleeee"u8, out _, out var error, out var offset, maxDepth: 3).Should().BeFalse();
        error.Should().Be(BencodeError.DepthExceeded);
        offset.Should().Be(3);

        BencodeSerializer.TryParse("i1e"u8, out _, out _, out _, maxDepth: 0).Should().BeTrue();
        BencodeSerializer.TryParse("le"u8, out _, out error, out offset, maxDepth: 0).Should().BeFalse();
        error.Should().Be(BencodeError.DepthExceeded);
        offset.Should().Be(0);

        var deepest = new string('l', BencodeReader.MaxSupportedDepth) + new string('e', BencodeReader.MaxSupportedDepth);
        BencodeSerializer.TryParse(TestBytes.Of(deepest), out _, out _, out _, maxDepth: BencodeReader.MaxSupportedDepth).Should().BeTrue();
    }

    [Test]
    public void Very_deep_input_is_rejected_without_exhausting_the_stack()
    {
        var input = TestBytes.Of(new string('l', 1_000_000));

        BencodeSerializer.TryParse(input, out _, out var error, out var offset).Should().BeFalse();

        error.Should().Be(BencodeError.DepthExceeded);
        offset.Should().Be(BencodeReader.DefaultMaxDepth);
    }

    [TestCase(-1)]
    [TestCase(BencodeReader.MaxSupportedDepth + 1)]
    public void Out_of_range_max_depth_is_a_programming_error(int maxDepth)
    {
        var act = () => BencodeSerializer.TryParse("i1e"u8, out _, out _, out _, maxDepth);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void Every_truncation_of_a_valid_document_is_rejected()
    {
        var document = TestBytes.Of(ValidDocument);
        BencodeSerializer.TryParse(document, out _, out _, out _, strictKeyOrder: true).Should().BeTrue("the untruncated document is valid");

        for (var length = 0; length < document.Length; length++)
        {
            var ok = BencodeSerializer.TryParse(document.AsSpan(0, length), out var value, out var error, out var offset);

            ok.Should().BeFalse($"a prefix of {length} bytes is incomplete");
            value.Should().BeNull();
            error.Should().BeOneOf(BencodeError.UnexpectedEnd, BencodeError.StringTooLong);
            offset.Should().BeInRange(0, length);
        }
    }

    [Test]
    public void Every_valid_document_with_a_byte_appended_is_rejected_as_trailing()
    {
        var document = TestBytes.Of(ValidDocument + "x");

        BencodeSerializer.TryParse(document, out _, out var error, out var offset).Should().BeFalse();

        error.Should().Be(BencodeError.TrailingBytes);
        offset.Should().Be(document.Length - 1);
    }

    [Test]
    public void A_huge_declared_length_does_not_allocate_for_it()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();

        BencodeSerializer.TryParse("l2147483647:xe"u8, out _, out var error, out _).Should().BeFalse();

        error.Should().Be(BencodeError.StringTooLong);
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(100_000);
    }

    private static BencodeValue Parse(string input)
    {
        BencodeSerializer.TryParse(TestBytes.Of(input), out var value, out var error, out var offset).Should().BeTrue($"'{input}' is valid, but got {error} at {offset}");
        return value!;
    }

    private static void AssertRejected(string input, BencodeError expected, int expectedOffset, bool strictKeyOrder = false)
    {
        var ok = BencodeSerializer.TryParse(TestBytes.Of(input), out var value, out var error, out var offset, strictKeyOrder: strictKeyOrder);

        ok.Should().BeFalse($"'{input}' is invalid");
        value.Should().BeNull();
        error.Should().Be(expected, $"for '{input}'");
        offset.Should().Be(expectedOffset, $"for '{input}'");

        // The reader reports the same for errors it can see (it does not check key order).
        if (expected is not (BencodeError.DuplicateKey or BencodeError.UnsortedKey))
        {
            var reader = new BencodeReader(TestBytes.Of(input));
            while (reader.TryReadToken(out _))
            {
            }

            reader.Error.Should().Be(expected, $"the reader also rejects '{input}'");
            reader.ErrorOffset.Should().Be(expectedOffset);
        }
    }
}
