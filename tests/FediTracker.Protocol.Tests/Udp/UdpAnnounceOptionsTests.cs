using System.Text;
using FediTracker.Protocol.Udp;
using static FediTracker.Protocol.Tests.Udp.UdpTestPackets;

namespace FediTracker.Protocol.Tests.Udp;

/// <summary>BEP 41 options after the 98-byte announce request.</summary>
public sealed class UdpAnnounceOptionsTests
{
    private static readonly byte[] DirQuery = Encoding.ASCII.GetBytes("/dir?a=b&c=d");

    [Test]
    public void Bep41_example_single_URLData_option()
    {
        // BEP 41, Examples: udp://tracker.example.com:80/dir?a=b&c=d
        var options = Hex("02 0C 2F 64 69 72 3F 61 3D 62 26 63 3D 64");

        UrlDataOf(options).Should().Equal(DirQuery);
    }

    [Test]
    public void Bep41_example_URLData_then_two_NOPs_and_EndOfOptions()
    {
        var options = Hex("02 0C 2F 64 69 72 3F 61 3D 62 26 63 3D 64 01 01 00");

        UrlDataOf(options).Should().Equal(DirQuery);
    }

    [Test]
    public void Bep41_example_empty_URLData_signals_support_with_no_path()
    {
        UdpRequestParser.TryParseAnnounce(Announce(0x02, 0x00), out var request).Should().BeTrue();

        request.HasUrlData.Should().BeTrue();
        request.UrlDataLength.Should().Be(0);
        request.TryCopyUrlData([], out var written).Should().BeTrue();
        written.Should().Be(0);
    }

    [Test]
    public void URL_split_across_two_URLData_options_is_concatenated()
    {
        // BEP 41: "If this option appears more than once, the data fields are concatenated."
        byte[] options = [.. UrlData("/dir"), .. UrlData("?a=b&c=d")];

        UrlDataOf(options).Should().Equal(DirQuery);
    }

    [Test]
    public void NOPs_between_and_around_URLData_chunks_are_ignored()
    {
        byte[] options = [0x01, .. UrlData("/dir"), 0x01, 0x01, .. UrlData("?a=b&c=d"), 0x01, 0x00];

        UrlDataOf(options).Should().Equal(DirQuery);
    }

    [Test]
    public void URL_longer_than_255_bytes_arrives_in_chunks()
    {
        var path = "/announce?passkey=" + new string('k', 282);
        byte[] options = [.. UrlData(path[..255]), .. UrlData(path[255..])];

        UrlDataOf(options).Should().Equal(Encoding.ASCII.GetBytes(path));
    }

    [Test]
    public void Parsing_stops_at_EndOfOptions()
    {
        // After EndOfOptions: a URLData that would run past the end, then garbage. Neither counts.
        byte[] options = [.. UrlData("/dir"), 0x00, 0x02, 0xFF, 0x09, 0x09];

        UrlDataOf(options).Should().Equal(Encoding.ASCII.GetBytes("/dir"));
    }

    [Test]
    public void URLData_after_EndOfOptions_is_not_URL_data()
    {
        UdpRequestParser.TryParseAnnounce(Announce([0x00, .. UrlData("/dir")]), out var request).Should().BeTrue();

        request.HasUrlData.Should().BeFalse();
        request.UrlDataLength.Should().Be(0);
    }

    [Test]
    public void Only_NOPs_mean_no_URL_data()
    {
        UdpRequestParser.TryParseAnnounce(Announce(0x01, 0x01, 0x01), out var request).Should().BeTrue();

        request.HasUrlData.Should().BeFalse();
    }

    [Test]
    public void Unknown_option_with_a_length_is_skipped()
    {
        // BEP 41: types >= 0x2 always carry a length byte, "so an extension parser written today can safely skip
        // over any unknown option-types that may be defined in subsequent BEPs".
        byte[] options = [0x03, 0x02, 0xAA, 0xBB, .. UrlData("/dir"), 0xFF, 0x00, .. UrlData("?a=b&c=d")];

        UrlDataOf(options).Should().Equal(DirQuery);
    }

    [TestCase("02")]                               // URLData without its length byte
    [TestCase("02 05 2F 64 69 72")]                // length 5, 4 bytes follow
    [TestCase("02 0C 2F 64 69 72 3F 61 3D 62 26 63 3D")] // the BEP's example, one byte short
    [TestCase("02 01 2F 02 04 2F 64 69")]          // the second chunk runs past the end
    [TestCase("02 FF")]                            // length 255, nothing follows
    [TestCase("01 01 02")]                         // NOPs, then a URLData cut before its length
    [TestCase("03")]                               // unknown type without its length byte
    [TestCase("03 02 AA")]                         // unknown type whose data runs past the end
    [TestCase("FF 10 00 00")]                      // likewise, with a high type
    public void Option_running_past_the_end_makes_the_packet_malformed(string optionsHex)
    {
        UdpRequestParser.TryParseAnnounce(Announce(Hex(optionsHex)), out _).Should().BeFalse();
    }

    [Test]
    public void URL_data_up_to_the_cap_is_accepted()
    {
        var options = Chunks(UdpProtocol.MaxUrlDataLength);

        UrlDataOf(options).Should().HaveCount(UdpProtocol.MaxUrlDataLength);
    }

    [Test]
    public void URL_data_over_the_cap_makes_the_packet_malformed()
    {
        var options = Chunks(UdpProtocol.MaxUrlDataLength + 1);

        UdpRequestParser.TryParseAnnounce(Announce(options), out _).Should().BeFalse();
    }

    [Test]
    public void Copy_into_a_short_destination_fails_without_writing()
    {
        UdpRequestParser.TryParseAnnounce(Announce(Hex("02 0C 2F 64 69 72 3F 61 3D 62 26 63 3D 64")), out var request)
            .Should().BeTrue();
        var destination = new byte[11];

        request.TryCopyUrlData(destination, out var written).Should().BeFalse();

        written.Should().Be(0);
        destination.Should().OnlyContain(b => b == 0);
    }

    [Test]
    public void Copy_into_an_exact_destination_succeeds()
    {
        UdpRequestParser.TryParseAnnounce(Announce(UrlData("/dir?a=b&c=d")), out var request).Should().BeTrue();
        var destination = new byte[request.UrlDataLength];

        request.TryCopyUrlData(destination, out var written).Should().BeTrue();

        written.Should().Be(12);
        destination.Should().Equal(DirQuery);
    }

    private static byte[] UrlDataOf(byte[] options)
    {
        UdpRequestParser.TryParseAnnounce(Announce(options), out var request).Should().BeTrue();
        request.HasUrlData.Should().BeTrue();
        var destination = new byte[UdpProtocol.MaxUrlDataLength];
        request.TryCopyUrlData(destination, out var written).Should().BeTrue();
        written.Should().Be(request.UrlDataLength);
        return destination[..written];
    }

    // URLData options of up to 255 bytes each, `total` bytes of 'x' in all.
    private static byte[] Chunks(int total)
    {
        var options = new List<byte>();
        while (total > 0)
        {
            var length = Math.Min(total, 255);
            options.AddRange(UrlData(new string('x', length)));
            total -= length;
        }

        return [.. options];
    }
}
