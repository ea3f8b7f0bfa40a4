using System.Net;
using System.Text;
using FediTracker.Protocol.Udp;
using static FediTracker.Protocol.Tests.Udp.UdpTestPackets;

namespace FediTracker.Protocol.Tests.Udp;

public sealed class UdpResponseWriterTests
{
    private static readonly PeerEntry V4a = Peer("192.168.1.2", 6881);
    private static readonly PeerEntry V6 = Peer("2001:db8::1", 51413);
    private static readonly PeerEntry V4b = Peer("10.0.0.1", 443);

    [Test]
    public void Connect_response_golden_vector()
    {
        var buffer = new byte[64];

        var written = UdpResponseWriter.WriteConnect(buffer, 0x12345678, 0x0102030405060708);

        buffer[..written].Should().Equal(Hex("00000000 | 12345678 | 0102030405060708"));
    }

    [Test]
    public void Announce_response_over_IPv4_golden_vector_skips_IPv6_peers()
    {
        var buffer = new byte[256];

        var written = UdpResponseWriter.WriteAnnounce(buffer, 0x0A0B0C0D, 1800, 5, 7, [V4a, V6, V4b], ipv6: false);

        buffer[..written].Should().Equal(Hex(
            "00000001 | 0A0B0C0D | 00000708 | 00000005 | 00000007"
            + "| C0A80102 1AE1 | 0A000001 01BB"));
    }

    [Test]
    public void Announce_response_over_IPv6_golden_vector_skips_IPv4_peers()
    {
        var buffer = new byte[256];

        var written = UdpResponseWriter.WriteAnnounce(buffer, 0x0A0B0C0D, 1800, 5, 7, [V4a, V6, V4b], ipv6: true);

        buffer[..written].Should().Equal(Hex(
            "00000001 | 0A0B0C0D | 00000708 | 00000005 | 00000007"
            + "| 20010DB8000000000000000000000001 C8D5"));
    }

    [TestCase(false, 20 + (50 * 6))]
    [TestCase(true, 20 + (50 * 18))]
    public void Announce_response_size_is_20_plus_the_family_stride_per_peer(bool ipv6, int expected)
    {
        var peers = new List<PeerEntry>();
        for (var i = 0; i < 50; i++)
        {
            peers.Add(Peer($"198.51.100.{i}", (ushort)(1000 + i)));
            peers.Add(Peer($"2001:db8::{i:x}", (ushort)(2000 + i)));
        }

        var written = UdpResponseWriter.WriteAnnounce(new byte[4096], 1, 1800, 0, 0, peers.ToArray(), ipv6);

        written.Should().Be(expected);
    }

    [Test]
    public void Announce_response_with_no_peers_is_the_header()
    {
        var written = UdpResponseWriter.WriteAnnounce(new byte[64], 1, 1800, 0, 0, [], ipv6: false);

        written.Should().Be(UdpProtocol.AnnounceResponseHeaderLength);
    }

    [TestCase(20, 20)]
    [TestCase(25, 20)]
    [TestCase(26, 26)]
    [TestCase(37, 32)]
    [TestCase(38, 38)]
    [TestCase(500, 38)]
    public void Announce_response_stops_when_the_destination_is_full(int room, int expected)
    {
        PeerEntry[] peers = [V4a, V4b, Peer("203.0.113.9", 80)];
        var buffer = new byte[room];

        var written = UdpResponseWriter.WriteAnnounce(buffer, 1, 1800, 0, 3, peers, ipv6: false);

        written.Should().Be(expected);
        (written - 20).Should().Be((written - 20) / 6 * 6, "only whole peers are written");
    }

    [Test]
    public void Announce_response_over_IPv6_stops_on_a_whole_peer()
    {
        PeerEntry[] peers = [V6, Peer("2001:db8::2", 2), Peer("2001:db8::3", 3)];

        var written = UdpResponseWriter.WriteAnnounce(new byte[20 + 18 + 17], 1, 1800, 0, 0, peers, ipv6: true);

        written.Should().Be(38);
    }

    [Test]
    public void Scrape_response_golden_vector()
    {
        var buffer = new byte[64];

        var written = UdpResponseWriter.WriteScrape(buffer, 0x01020304, [new UdpScrapeEntry(1, 2, 3), new UdpScrapeEntry(100, 0x01020304, 0)]);

        buffer[..written].Should().Equal(Hex(
            "00000002 | 01020304"
            + "| 00000001 00000002 00000003"
            + "| 00000064 01020304 00000000"));
    }

    [Test]
    public void Scrape_response_written_over_its_own_request_is_correct()
    {
        // The listener writes the reply into the receive buffer; counts are gathered from the hashes first.
        var buffer = Scrape(Hash(1), Hash(2), Hash(3));
        UdpRequestParser.TryParseScrape(buffer, out var request).Should().BeTrue();
        Span<UdpScrapeEntry> entries = stackalloc UdpScrapeEntry[request.Count];
        for (var i = 0; i < request.Count; i++)
        {
            var first = request.InfoHashBytes[i * 20];
            entries[i] = new UdpScrapeEntry(first, first * 10, first * 100);
        }

        var written = UdpResponseWriter.WriteScrape(buffer, request.TransactionId, entries);

        buffer[..written].Should().Equal(Hex(
            "00000002 | 01020304"
            + "| 00000001 0000000A 00000064"
            + "| 00000002 00000014 000000C8"
            + "| 00000003 0000001E 0000012C"));
    }

    [Test]
    public void Error_response_golden_vector()
    {
        var buffer = new byte[64];

        var written = UdpResponseWriter.WriteError(buffer, 0x01020304, "unregistered torrent");

        buffer[..written].Should().Equal([.. Hex("00000003 | 01020304"), .. Encoding.ASCII.GetBytes("unregistered torrent")]);
    }

    [Test]
    public void Error_response_from_UTF8_bytes_golden_vector()
    {
        var buffer = new byte[64];

        var written = UdpResponseWriter.WriteError(buffer, 7, "torrent revoked"u8);

        buffer[..written].Should().Equal([.. Hex("00000003 | 00000007"), .. "torrent revoked"u8.ToArray()]);
    }

    [Test]
    public void Error_message_is_cut_to_fit()
    {
        var fromChars = new byte[8 + 5];
        var fromBytes = new byte[8 + 5];

        UdpResponseWriter.WriteError(fromChars, 1, "hello world").Should().Be(13);
        UdpResponseWriter.WriteError(fromBytes, 1, "hello world"u8).Should().Be(13);

        fromChars[8..].Should().Equal("hello"u8.ToArray());
        fromBytes[8..].Should().Equal("hello"u8.ToArray());
    }

    [TestCase("ab€", 4, "ab")]       // € is 3 bytes; 2 bytes of room after "ab"
    [TestCase("ab€", 5, "ab€")]
    [TestCase("é", 1, "")]           // é is 2 bytes
    [TestCase("x😀", 4, "x")]        // 😀 is 4 bytes (a surrogate pair in UTF-16)
    [TestCase("x😀", 5, "x😀")]
    public void Error_message_is_never_cut_inside_a_character(string message, int room, string expected)
    {
        var fromChars = new byte[8 + room];
        var fromBytes = new byte[8 + room];
        var expectedBytes = Encoding.UTF8.GetBytes(expected);

        var charsWritten = UdpResponseWriter.WriteError(fromChars, 1, message);
        var bytesWritten = UdpResponseWriter.WriteError(fromBytes, 1, Encoding.UTF8.GetBytes(message));

        fromChars[8..charsWritten].Should().Equal(expectedBytes);
        fromBytes[8..bytesWritten].Should().Equal(expectedBytes);
    }

    [Test]
    public void Error_with_room_for_the_header_only_has_an_empty_message()
    {
        UdpResponseWriter.WriteError(new byte[8], 1, "anything").Should().Be(8);
        UdpResponseWriter.WriteError(new byte[8], 1, "anything"u8).Should().Be(8);
    }

    [Test]
    public void A_destination_too_small_for_the_fixed_part_throws()
    {
        var connect = () => UdpResponseWriter.WriteConnect(new byte[15], 1, 1);
        var announce = () => UdpResponseWriter.WriteAnnounce(new byte[19], 1, 1, 1, 1, [], ipv6: false);
        var scrape = () => UdpResponseWriter.WriteScrape(new byte[8 + 23], 1, [new UdpScrapeEntry(1, 1, 1), new UdpScrapeEntry(2, 2, 2)]);
        var error = () => UdpResponseWriter.WriteError(new byte[7], 1, "x");

        connect.Should().Throw<ArgumentException>();
        announce.Should().Throw<ArgumentException>();
        scrape.Should().Throw<ArgumentException>();
        error.Should().Throw<ArgumentException>();
    }

    [Test]
    public void Writing_allocates_nothing()
    {
        PeerEntry[] peers = [V4a, V6, V4b];
        UdpScrapeEntry[] entries = [new(1, 2, 3), new(4, 5, 6)];
        var buffer = new byte[512];
        long total = 0;

        for (var round = 0; round < 2; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                total += UdpResponseWriter.WriteConnect(buffer, i, i);
                total += UdpResponseWriter.WriteAnnounce(buffer, i, 1800, 1, 2, peers, ipv6: (i & 1) == 0);
                total += UdpResponseWriter.WriteScrape(buffer, i, entries);
                total += UdpResponseWriter.WriteError(buffer, i, "unregistered torrent");
                total += UdpResponseWriter.WriteError(buffer, i, "unregistered torrent"u8);
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round == 1)
            {
                allocated.Should().Be(0);
            }
        }

        total.Should().BePositive();
    }

    private static PeerEntry Peer(string address, ushort port) =>
        new(new PeerEndpoint(PeerAddress.FromIPAddress(IPAddress.Parse(address)), port), default);
}
