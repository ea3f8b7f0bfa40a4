using System.Buffers;
using FediTracker.Protocol.Bencode;

namespace FediTracker.Protocol.Tests.Bencode;

[TestFixture]
public sealed class BencodeWriterTests
{
    [TestCase(0L, "i0e")]
    [TestCase(3L, "i3e")]
    [TestCase(-3L, "i-3e")]
    [TestCase(long.MaxValue, "i9223372036854775807e")]
    [TestCase(long.MinValue, "i-9223372036854775808e")]
    public void Integers(long value, string expected)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new BencodeWriter(output);

        writer.WriteInteger(value);

        TestBytes.Show(output.WrittenSpan).Should().Be(expected);
        writer.BytesWritten.Should().Be(expected.Length);
    }

    [Test]
    public void Integer_extremes_round_trip_through_the_reader()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new BencodeWriter(output);
        writer.WriteListStart();
        writer.WriteInteger(long.MinValue);
        writer.WriteInteger(long.MaxValue);
        writer.WriteEnd();

        var reader = new BencodeReader(output.WrittenSpan);
        reader.TryReadListStart().Should().BeTrue();
        reader.TryReadInteger(out var min).Should().BeTrue();
        reader.TryReadInteger(out var max).Should().BeTrue();
        reader.TryReadEnd().Should().BeTrue();

        min.Should().Be(long.MinValue);
        max.Should().Be(long.MaxValue);
    }

    [Test]
    public void Strings_bytes_text_and_header()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new BencodeWriter(output);

        writer.WriteListStart();
        writer.WriteString("spam"u8);
        writer.WriteString(ReadOnlySpan<byte>.Empty);
        writer.WriteString("é€");
        var body = writer.WriteStringHeader(4);
        "eggs"u8.CopyTo(body);
        writer.CommitStringBody(4);
        writer.WriteStringHeader(0);
        writer.CommitStringBody(0);
        writer.WriteEnd();

        TestBytes.Show(output.WrittenSpan).Should().Be("l4:spam0:5:\xC3\xA9\xE2\x82\u00AC4:eggs0:e");
        writer.BytesWritten.Should().Be(output.WrittenCount);
    }

    [Test]
    public void A_large_string_gets_its_length_header()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new BencodeWriter(output);
        var big = new byte[1_000_000];

        writer.WriteString(big);

        TestBytes.Show(output.WrittenSpan[..8]).Should().Be("1000000:");
        output.WrittenCount.Should().Be(1_000_008);
    }

    [Test]
    public void Dictionaries_and_lists_nest()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new BencodeWriter(output);

        writer.WriteDictionaryStart();
        writer.WriteKey("complete"u8);
        writer.WriteInteger(1);
        writer.WriteKey("peers"u8);
        writer.WriteListStart();
        writer.WriteDictionaryStart();
        writer.WriteKey("ip"u8);
        writer.WriteString("1.2.3.4");
        writer.WriteKey("port"u8);
        writer.WriteInteger(6881);
        writer.WriteEnd();
        writer.WriteEnd();
        writer.WriteKey("peers6"u8);
        writer.WriteString(""u8);
        writer.WriteEnd();

        TestBytes.Show(output.WrittenSpan).Should().Be("d8:completei1e5:peersld2:ip7:1.2.3.44:porti6881eee6:peers60:e");
        writer.CurrentDepth.Should().Be(0);
    }

    [Test]
    public void Scrape_style_binary_keys_written_through_the_header_are_order_checked()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new BencodeWriter(output);
        writer.WriteDictionaryStart();
        writer.WriteKey("files"u8);
        writer.WriteDictionaryStart();
        WriteHashEntry(ref writer, 0x01);
        WriteHashEntry(ref writer, 0x02);
        writer.WriteEnd();
        writer.WriteEnd();

        BencodeSerializer.TryParse(output.WrittenSpan, out _, out _, out _, strictKeyOrder: true).Should().BeTrue();

        // Each entry's nested dictionary ends before the next hash key: the check must survive that.
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            WriteHashEntry(ref w, 0x02);
            WriteHashEntry(ref w, 0x01);
        });
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            WriteHashEntry(ref w, 0x02);
            WriteHashEntry(ref w, 0x02);
        });

        static void WriteHashEntry(ref BencodeWriter writer, byte first)
        {
            var key = writer.WriteStringHeader(20);
            key.Clear();
            key[0] = first;
            writer.CommitStringBody(20);
            writer.WriteDictionaryStart();
            writer.WriteKey("complete"u8);
            writer.WriteInteger(5);
            writer.WriteEnd();
        }
    }

    [Test]
    public void Keys_out_of_order_throw()
    {
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteKey("b"u8);
            w.WriteInteger(1);
            w.WriteKey("a"u8);
        });
    }

    [Test]
    public void Duplicate_keys_throw()
    {
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteKey("a"u8);
            w.WriteInteger(1);
            w.WriteKey("a"u8);
        });
    }

    [Test]
    public void Duplicate_empty_keys_throw()
    {
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteKey(""u8);
            w.WriteInteger(1);
            w.WriteKey(""u8);
        });
    }

    [Test]
    public void Key_order_is_raw_bytes_unsigned()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new BencodeWriter(output);
        writer.WriteDictionaryStart();
        writer.WriteKey("z"u8);
        writer.WriteInteger(1);
        writer.WriteKey([0x80]);
        writer.WriteInteger(2);
        writer.WriteEnd();

        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteKey([0x80]);
            w.WriteInteger(1);
            w.WriteKey("z"u8);
        });
    }

    [Test]
    public void Key_order_is_still_checked_after_a_nested_dictionary()
    {
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteKey("a"u8);
            w.WriteDictionaryStart();
            w.WriteKey("x"u8);
            w.WriteInteger(1);
            w.WriteEnd();
            w.WriteKey("a"u8);
        });
    }

    [Test]
    public void Key_order_is_still_checked_after_a_nested_list()
    {
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteKey("m"u8);
            w.WriteListStart();
            w.WriteDictionaryStart();
            w.WriteKey("z"u8);
            w.WriteInteger(1);
            w.WriteEnd();
            w.WriteEnd();
            w.WriteKey("b"u8);
        });
    }

    [Test]
    public void A_nested_dictionary_has_its_own_key_order()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new BencodeWriter(output);

        writer.WriteDictionaryStart();
        writer.WriteKey("m"u8);
        writer.WriteDictionaryStart();
        writer.WriteKey("a"u8); // before "m", but in another dictionary
        writer.WriteInteger(1);
        writer.WriteEnd();
        writer.WriteKey("n"u8);
        writer.WriteInteger(2);
        writer.WriteEnd();

        TestBytes.Show(output.WrittenSpan).Should().Be("d1:md1:ai1ee1:ni2ee");
    }

    [Test]
    public void Strings_written_where_a_key_is_due_are_checked_as_keys()
    {
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteString("b"u8);
            w.WriteInteger(1);
            w.WriteString("a"u8);
        });
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteString("b");
            w.WriteInteger(1);
            w.WriteString("b");
        });
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteKey("b"u8);
            w.WriteInteger(1);
            "a"u8.CopyTo(w.WriteStringHeader(1));
            w.CommitStringBody(1);
        });
    }

    [Test]
    public void Strings_as_keys_and_values_alternate()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new BencodeWriter(output);

        writer.WriteDictionaryStart();
        writer.WriteString("a");
        writer.WriteString("a"u8); // the value, equal to the key, is not a key
        writer.WriteString("b"u8);
        writer.WriteString("a");
        writer.WriteEnd();

        TestBytes.Show(output.WrittenSpan).Should().Be("d1:a1:a1:b1:ae");
    }

    [Test]
    public void Long_keys_are_ordered_by_their_first_64_bytes_at_least()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new BencodeWriter(output);
        var a = Enumerable.Repeat((byte)'a', 100).ToArray();
        var b = Enumerable.Repeat((byte)'b', 100).ToArray();

        writer.WriteDictionaryStart();
        writer.WriteKey(a);
        writer.WriteInteger(1);
        writer.WriteKey(b);
        writer.WriteInteger(2);
        writer.WriteEnd();
        output.WrittenCount.Should().Be(2 + (2 * (4 + 100 + 3)));

        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteKey(b);
            w.WriteInteger(1);
            w.WriteKey(a);
        });
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteKey(a);
            w.WriteInteger(1);
            w.WriteKey(a.AsSpan(0, 64)); // a prefix sorts before the longer key
        });
    }

    [TestCase("c", false)]
    [TestCase("a", true)]
    [TestCase("b", true)]
    public void Outer_key_order_is_checked_after_80_levels_of_dictionaries_with_long_keys(string nextKey, bool throws)
    {
        var key = Enumerable.Repeat((byte)'m', 64).ToArray();
        var output = new ArrayBufferWriter<byte>();
        Action act = () =>
        {
            var w = new BencodeWriter(output);
            w.WriteDictionaryStart();
            w.WriteKey("b"u8);
            for (var i = 0; i < 79; i++)
            {
                w.WriteDictionaryStart();
                w.WriteKey(key);
            }

            w.WriteInteger(0);
            for (var i = 0; i < 79; i++)
            {
                w.WriteKey("z"u8);
                w.WriteInteger(1);
                w.WriteEnd();
            }

            w.WriteKey(TestBytes.Of(nextKey)); // the outermost dictionary's previous key is "b"
            w.WriteInteger(2);
            w.WriteEnd();
        };

        if (throws)
        {
            act.Should().Throw<InvalidOperationException>();
        }
        else
        {
            act.Should().NotThrow();
            BencodeSerializer.TryParse(output.WrittenSpan, out _, out var error, out _, maxDepth: 80, strictKeyOrder: true).Should().BeTrue(error.ToString());
        }
    }

    [Test]
    public void Deep_nesting_beyond_the_tracked_depth_writes_valid_bencode()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new BencodeWriter(output);
        for (var i = 0; i < 200; i++)
        {
            if (i % 2 == 0)
            {
                writer.WriteDictionaryStart();
                writer.WriteKey("k"u8);
            }
            else
            {
                writer.WriteListStart();
            }
        }

        writer.WriteString("leaf"u8);
        for (var i = 0; i < 200; i++)
        {
            writer.WriteEnd();
        }

        writer.CurrentDepth.Should().Be(0);
        BencodeSerializer.TryParse(output.WrittenSpan, out _, out var error, out _, maxDepth: 200, strictKeyOrder: true).Should().BeTrue(error.ToString());
    }

    [Test]
    public void Key_outside_a_dictionary_throws()
    {
        AssertThrows((ref w) => w.WriteKey("a"u8));
        AssertThrows((ref w) =>
        {
            w.WriteListStart();
            w.WriteKey("a"u8);
        });
    }

    [Test]
    public void Two_keys_in_a_row_throw()
    {
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteKey("a"u8);
            w.WriteKey("b"u8);
        });
    }

    [Test]
    public void Non_string_where_a_key_is_due_throws()
    {
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteInteger(1);
        });
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteListStart();
        });
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteKey("a"u8);
            w.WriteInteger(1);
            w.WriteDictionaryStart();
        });
    }

    [Test]
    public void End_with_nothing_open_throws()
    {
        AssertThrows((ref w) => w.WriteEnd());
        AssertThrows((ref w) =>
        {
            w.WriteListStart();
            w.WriteEnd();
            w.WriteEnd();
        });
    }

    [Test]
    public void End_after_a_key_without_value_throws()
    {
        AssertThrows((ref w) =>
        {
            w.WriteDictionaryStart();
            w.WriteKey("a"u8);
            w.WriteEnd();
        });
    }

    [Test]
    public void String_body_must_be_committed_with_its_length_before_anything_else()
    {
        AssertThrows((ref w) =>
        {
            w.WriteStringHeader(3);
            w.WriteInteger(1);
        });
        AssertThrows((ref w) =>
        {
            w.WriteListStart();
            w.WriteStringHeader(3);
            w.WriteEnd();
        });
        AssertThrows((ref w) => w.CommitStringBody(0));

        Action shortBody = () =>
        {
            var w = new BencodeWriter(new ArrayBufferWriter<byte>());
            w.WriteStringHeader(3);
            w.CommitStringBody(2);
        };
        shortBody.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void Argument_checks()
    {
        Action nullOutput = () => _ = new BencodeWriter(null!);
        Action nullString = () => new BencodeWriter(new ArrayBufferWriter<byte>()).WriteString((string)null!);
        Action negativeLength = () => new BencodeWriter(new ArrayBufferWriter<byte>()).WriteStringHeader(-1);

        nullOutput.Should().Throw<ArgumentNullException>();
        nullString.Should().Throw<ArgumentNullException>();
        negativeLength.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void Writing_an_announce_response_allocates_nothing()
    {
        var output = new ArrayBufferWriter<byte>(4096);
        WriteResponse(output); // warm up (JIT)
        output.ResetWrittenCount();

        var before = GC.GetAllocatedBytesForCurrentThread();
        WriteResponse(output);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0);
        TestBytes.Show(output.WrittenSpan).Should().StartWith("d8:completei10e10:incompletei2e8:intervali1800e5:peers12:");

        static void WriteResponse(IBufferWriter<byte> output)
        {
            var writer = new BencodeWriter(output);
            writer.WriteDictionaryStart();
            writer.WriteKey("complete"u8);
            writer.WriteInteger(10);
            writer.WriteKey("incomplete"u8);
            writer.WriteInteger(2);
            writer.WriteKey("interval"u8);
            writer.WriteInteger(1800);
            writer.WriteKey("peers"u8);
            var peers = writer.WriteStringHeader(12);
            peers.Fill(7);
            writer.CommitStringBody(12);
            writer.WriteEnd();
        }
    }

    private static void AssertThrows(WriterAction steps)
    {
        Action act = () =>
        {
            var writer = new BencodeWriter(new ArrayBufferWriter<byte>());
            steps(ref writer);
        };

        act.Should().Throw<InvalidOperationException>();
    }

    private delegate void WriterAction(ref BencodeWriter writer);
}
