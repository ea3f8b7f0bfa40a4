using System.Security.Cryptography;
using FediTracker.Protocol.Bencode;

namespace FediTracker.Protocol.Tests.Bencode;

[TestFixture]
public sealed class BencodeReaderTests
{
    // The info dictionary has its keys out of order, as some torrents in the wild do: its hash must be taken over
    // these exact bytes, not over a sorted re-encoding.
    private const string Info = "d4:name5:a.bin6:lengthi5e12:piece lengthi16384e6:pieces20:0123456789abcdefghije";
    private const string Torrent = "d8:announce21:http://t.example/annc4:info" + Info + "8:url-listl17:http://origin/a.bee";

    [Test]
    public void Raw_info_dictionary_is_sliced_exactly_and_hashes_to_the_sha1_of_those_bytes()
    {
        var data = TestBytes.Of(Torrent);
        var reader = new BencodeReader(data);
        ReadOnlySpan<byte> info = default;
        var infoStart = -1;

        reader.TryReadDictionaryStart().Should().BeTrue();
        while (reader.TryPeekToken(out var type) && type != BencodeTokenType.End)
        {
            reader.TryReadString(out var key).Should().BeTrue();
            if (key.SequenceEqual("info"u8))
            {
                infoStart = reader.Position;
                reader.TryReadRawValue(out info).Should().BeTrue();
            }
            else
            {
                reader.TrySkipValue().Should().BeTrue();
            }
        }

        reader.TryReadEnd().Should().BeTrue();
        reader.TryReadEndOfInput().Should().BeTrue();

        TestBytes.Show(info).Should().Be(Info);
        infoStart.Should().Be(Torrent.IndexOf(Info, StringComparison.Ordinal));
#pragma warning disable CA5350 // BEP 3 defines the v1 info-hash as SHA-1; nothing here relies on SHA-1 for security.
        Convert.ToHexStringLower(SHA1.HashData(info)).Should().Be("45d965b1e9b227a4a02a121b6652db3ce4b3dcca"); // computed independently
#pragma warning restore CA5350
    }

    [Test]
    public void Typed_reads_walk_a_document()
    {
        var reader = new BencodeReader("d3:agei42e4:tagsl1:x2:yzee"u8);

        reader.TryReadDictionaryStart().Should().BeTrue();
        reader.CurrentDepth.Should().Be(1);
        reader.TryReadString(out var key).Should().BeTrue();
        TestBytes.Show(key).Should().Be("age");
        reader.TokenIsKey.Should().BeTrue();
        reader.TryReadInteger(out var age).Should().BeTrue();
        age.Should().Be(42);
        reader.TryReadString(out key).Should().BeTrue();
        TestBytes.Show(key).Should().Be("tags");
        reader.TryReadListStart().Should().BeTrue();
        reader.CurrentDepth.Should().Be(2);
        reader.TryReadString(out var first).Should().BeTrue();
        reader.TokenIsKey.Should().BeFalse();
        TestBytes.Show(first).Should().Be("x");
        reader.TryReadString(out var second).Should().BeTrue();
        TestBytes.Show(second).Should().Be("yz");
        reader.TryReadEnd().Should().BeTrue();
        reader.TryReadEnd().Should().BeTrue();
        reader.CurrentDepth.Should().Be(0);
        reader.IsComplete.Should().BeTrue();
        reader.TryReadEndOfInput().Should().BeTrue();
        reader.Error.Should().Be(BencodeError.None);
        reader.ErrorOffset.Should().Be(-1);
    }

    [Test]
    public void Integer_token_exposes_value_and_digits()
    {
        var reader = new BencodeReader("i-42e"u8);

        reader.TryReadToken(out var type).Should().BeTrue();

        type.Should().Be(BencodeTokenType.Integer);
        reader.TokenType.Should().Be(BencodeTokenType.Integer);
        reader.IntegerValue.Should().Be(-42);
        TestBytes.Show(reader.ValueSpan).Should().Be("-42");
        reader.TokenStart.Should().Be(0);
        reader.Position.Should().Be(5);
    }

    [Test]
    public void String_value_span_is_a_slice_of_the_input()
    {
        var data = TestBytes.Of("5:a:b:c");
        var reader = new BencodeReader(data);

        reader.TryReadString(out var value).Should().BeTrue();

        TestBytes.Show(value).Should().Be("a:b:c");
        value.Overlaps(data).Should().BeTrue();
        reader.ValueSpan.Length.Should().Be(5);
    }

    [Test]
    public void Peek_does_not_consume()
    {
        var reader = new BencodeReader("li7ee"u8);
        reader.TryReadListStart().Should().BeTrue();

        reader.TryPeekToken(out var peeked).Should().BeTrue();
        reader.TryPeekToken(out var again).Should().BeTrue();

        peeked.Should().Be(BencodeTokenType.Integer);
        again.Should().Be(BencodeTokenType.Integer);
        reader.Position.Should().Be(1);
        reader.TryReadInteger(out var value).Should().BeTrue();
        value.Should().Be(7);
    }

    [Test]
    public void Reading_the_wrong_type_fails_with_unexpected_token_and_the_reader_stays_faulted()
    {
        var reader = new BencodeReader("l4:spami1ee"u8);
        reader.TryReadListStart().Should().BeTrue();

        reader.TryReadInteger(out _).Should().BeFalse();

        reader.Error.Should().Be(BencodeError.UnexpectedToken);
        reader.ErrorOffset.Should().Be(1);
        reader.TokenType.Should().Be(BencodeTokenType.None);
        reader.TryReadString(out _).Should().BeFalse("errors are sticky");
        reader.TryReadToken(out var type).Should().BeFalse();
        type.Should().Be(BencodeTokenType.None);
        reader.TrySkipValue().Should().BeFalse();
        reader.TryReadEndOfInput().Should().BeFalse();
        reader.Error.Should().Be(BencodeError.UnexpectedToken);
        reader.ErrorOffset.Should().Be(1);
    }

    [Test]
    public void Skip_value_skips_whole_containers()
    {
        var reader = new BencodeReader("ld1:al1:b1:ce1:xi0eei9ee"u8);
        reader.TryReadListStart().Should().BeTrue();

        reader.TrySkipValue().Should().BeTrue();

        reader.Position.Should().Be(20);
        reader.CurrentDepth.Should().Be(1);
        reader.TryReadInteger(out var value).Should().BeTrue();
        value.Should().Be(9);
    }

    [Test]
    public void Skip_value_at_an_end_is_unexpected()
    {
        var reader = new BencodeReader("le"u8);
        reader.TryReadListStart().Should().BeTrue();

        reader.TrySkipValue().Should().BeFalse();

        reader.Error.Should().Be(BencodeError.UnexpectedToken);
        reader.ErrorOffset.Should().Be(1);
    }

    [Test]
    public void Skip_value_reports_errors_inside_the_container()
    {
        var reader = new BencodeReader("ll1:ai03eee"u8);

        reader.TrySkipValue().Should().BeFalse();

        reader.Error.Should().Be(BencodeError.LeadingZero);
        reader.ErrorOffset.Should().Be(6);
    }

    [Test]
    public void Raw_value_of_a_scalar_is_its_token()
    {
        var reader = new BencodeReader("l4:spami-7ee"u8);
        reader.TryReadListStart().Should().BeTrue();

        reader.TryReadRawValue(out var first).Should().BeTrue();
        reader.TryReadRawValue(out var second).Should().BeTrue();

        TestBytes.Show(first).Should().Be("4:spam");
        TestBytes.Show(second).Should().Be("i-7e");
    }

    [Test]
    public void After_the_value_read_token_returns_false_without_error()
    {
        var reader = new BencodeReader("i1e"u8);
        reader.TryReadToken(out _).Should().BeTrue();

        reader.TryReadToken(out var type).Should().BeFalse();

        type.Should().Be(BencodeTokenType.None);
        reader.Error.Should().Be(BencodeError.None);
        reader.IsComplete.Should().BeTrue();
    }

    [Test]
    public void After_the_value_trailing_bytes_are_an_error()
    {
        var reader = new BencodeReader("i1exx"u8);
        reader.TryReadToken(out _).Should().BeTrue();

        reader.TryPeekToken(out _).Should().BeFalse();

        reader.Error.Should().Be(BencodeError.TrailingBytes);
        reader.ErrorOffset.Should().Be(3);
    }

    [Test]
    public void End_of_input_check_before_the_value_is_complete()
    {
        var atEnd = new BencodeReader("l"u8);
        atEnd.TryReadListStart().Should().BeTrue();
        atEnd.TryReadEndOfInput().Should().BeFalse();
        atEnd.Error.Should().Be(BencodeError.UnexpectedEnd);
        atEnd.ErrorOffset.Should().Be(1);

        var midway = new BencodeReader("li1ee"u8);
        midway.TryReadListStart().Should().BeTrue();
        midway.TryReadEndOfInput().Should().BeFalse();
        midway.Error.Should().Be(BencodeError.UnexpectedToken);
        midway.ErrorOffset.Should().Be(1);

        var trailing = new BencodeReader("lei"u8);
        trailing.TrySkipValue().Should().BeTrue();
        trailing.TryReadEndOfInput().Should().BeFalse();
        trailing.Error.Should().Be(BencodeError.TrailingBytes);
        trailing.ErrorOffset.Should().Be(2);
    }

    [Test]
    public void Empty_input_is_unexpected_end()
    {
        var reader = new BencodeReader([]);

        reader.TryPeekToken(out _).Should().BeFalse();

        reader.Error.Should().Be(BencodeError.UnexpectedEnd);
        reader.ErrorOffset.Should().Be(0);
        reader.IsComplete.Should().BeFalse();
    }

    [Test]
    public void Depth_limit_reports_the_container_that_is_one_too_deep()
    {
        var reader = new BencodeReader("lld1:alleeee"u8, maxDepth: 4);

        reader.TrySkipValue().Should().BeFalse();

        reader.Error.Should().Be(BencodeError.DepthExceeded);
        reader.ErrorOffset.Should().Be(7);
        reader.MaxDepth.Should().Be(4);
    }

    [Test]
    public void Containers_alternate_correctly_across_many_levels()
    {
        // Lists and dictionaries interleaved 200 deep: the reader must remember which is which at every level.
        const int Levels = 200;
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < Levels; i++)
        {
            builder.Append(i % 3 == 0 ? "d1:k" : "l");
        }

        builder.Append("i1e");
        for (var i = Levels - 1; i >= 0; i--)
        {
            builder.Append(i % 3 == 0 ? "1:zi2ee" : "i3ee");
        }

        var reader = new BencodeReader(TestBytes.Of(builder.ToString()), maxDepth: Levels);
        reader.TrySkipValue().Should().BeTrue($"{reader.Error} at {reader.ErrorOffset}");
        reader.TryReadEndOfInput().Should().BeTrue();

        // The outermost dictionary, after 199 deeper levels have closed, given an integer where a key is due.
        var broken = builder.ToString();
        var last = broken.LastIndexOf("1:zi2ee", StringComparison.Ordinal);
        broken = broken[..(last + 6)] + "i5e" + broken[(last + 6)..];
        var brokenReader = new BencodeReader(TestBytes.Of(broken), maxDepth: Levels);
        brokenReader.TrySkipValue().Should().BeFalse();
        brokenReader.Error.Should().Be(BencodeError.UnexpectedToken);
        brokenReader.ErrorOffset.Should().Be(last + 6);
    }

    [TestCase(-1)]
    [TestCase(BencodeReader.MaxSupportedDepth + 1)]
    public void Max_depth_out_of_range_throws(int maxDepth)
    {
        Action act = () => _ = new BencodeReader("i1e"u8, maxDepth);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void Reading_a_document_allocates_nothing()
    {
        var data = TestBytes.Of(Torrent);
        CountTokens(data); // warm up (JIT)

        var before = GC.GetAllocatedBytesForCurrentThread();
        var tokens = CountTokens(data);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        tokens.Should().Be(19);
        allocated.Should().Be(0);
    }

    private static int CountTokens(ReadOnlySpan<byte> data)
    {
        var reader = new BencodeReader(data);
        var count = 0;
        while (reader.TryReadToken(out _))
        {
            count++;
        }

        return reader.Error == BencodeError.None ? count : -1;
    }
}
