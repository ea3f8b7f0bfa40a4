using System.Buffers.Binary;
using System.Text;
using FediTracker.Protocol.Udp;
using static FediTracker.Protocol.Tests.Udp.UdpTestPackets;

namespace FediTracker.Protocol.Tests.Udp;

public sealed class UdpRequestParserTests
{
    [Test]
    public void Connect_golden_vector_parses()
    {
        UdpRequestParser.TryParseConnect(Connect(), out var request).Should().BeTrue();

        request.TransactionId.Should().Be(0x12345678);
    }

    [Test]
    public void Connect_header_carries_the_magic_and_action()
    {
        UdpRequestParser.TryReadHeader(Connect(), out var header).Should().BeTrue();

        header.Should().Be(new UdpRequestHeader(UdpProtocol.ProtocolId, UdpAction.Connect, 0x12345678));
    }

    [Test]
    public void Connect_with_trailing_bytes_is_accepted()
    {
        // BEP 15: "Do not expect packets to be exactly of a certain size."
        byte[] packet = [.. Connect(), 0xAB, 0xCD];

        UdpRequestParser.TryParseConnect(packet, out var request).Should().BeTrue();
        request.TransactionId.Should().Be(0x12345678);
    }

    [Test]
    public void Every_truncation_of_a_connect_request_is_rejected()
    {
        var packet = Connect();
        for (var length = 0; length < packet.Length; length++)
        {
            UdpRequestParser.TryReadHeader(packet.AsSpan(0, length), out _).Should().BeFalse($"{length} bytes");
            UdpRequestParser.TryParseConnect(packet.AsSpan(0, length), out _).Should().BeFalse($"{length} bytes");
        }
    }

    [TestCase(0L)]
    [TestCase(0x41727101981L)]
    [TestCase(unchecked((long)0x8019107217040000UL))] // the magic's bytes in little-endian order
    [TestCase(-1L)]
    public void Connect_with_wrong_magic_is_rejected(long magic)
    {
        var packet = Connect();
        BinaryPrimitives.WriteInt64BigEndian(packet, magic);

        UdpRequestParser.TryParseConnect(packet, out _).Should().BeFalse();
    }

    [Test]
    public void Connect_magic_with_another_action_is_not_a_connect()
    {
        var packet = Connect();
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(8), (int)UdpAction.Announce);

        UdpRequestParser.TryParseConnect(packet, out _).Should().BeFalse();
    }

    [TestCase(3)]
    [TestCase(4)]
    [TestCase(-1)]
    [TestCase(int.MaxValue)]
    [TestCase(int.MinValue)]
    public void Unknown_action_is_rejected_by_every_method(int action)
    {
        var announce = Announce();
        BinaryPrimitives.WriteInt32BigEndian(announce.AsSpan(8), action);
        var scrape = Scrape(Hash(0xAA));
        BinaryPrimitives.WriteInt32BigEndian(scrape.AsSpan(8), action);

        UdpRequestParser.TryReadHeader(announce, out _).Should().BeFalse();
        UdpRequestParser.TryParseConnect(announce, out _).Should().BeFalse();
        UdpRequestParser.TryParseAnnounce(announce, out _).Should().BeFalse();
        UdpRequestParser.TryParseScrape(scrape, out _).Should().BeFalse();
    }

    [Test]
    public void Announce_golden_vector_parses_every_field()
    {
        UdpRequestParser.TryParseAnnounce(Announce(), out var request).Should().BeTrue();

        InfoHash.TryParseHex("0102030405060708090a0b0c0d0e0f1011121314", out var infoHash).Should().BeTrue();
        request.ConnectionId.Should().Be(0x1122334455667788);
        request.TransactionId.Should().Be(unchecked((int)0xDEADBEEF));
        request.InfoHash.Should().Be(infoHash);
        request.PeerId.Should().Be(PeerId.Read(Encoding.ASCII.GetBytes("-FT0001-abcdefghijkl")));
        request.Downloaded.Should().Be(4096);
        request.Left.Should().Be(1L << 32);
        request.Uploaded.Should().Be(long.MaxValue);
        request.Event.Should().Be(AnnounceEvent.Started);
        request.Key.Should().Be(0x12345678);
        request.NumWant.Should().Be(-1);
        request.Port.Should().Be(6881);
        request.HasUrlData.Should().BeFalse();
        request.UrlDataLength.Should().Be(0);
    }

    [Test]
    public void Announce_header_reads_the_connection_id()
    {
        UdpRequestParser.TryReadHeader(Announce(), out var header).Should().BeTrue();

        header.Should().Be(new UdpRequestHeader(0x1122334455667788, UdpAction.Announce, unchecked((int)0xDEADBEEF)));
    }

    [Test]
    public void Announce_fields_are_copied_out_of_the_datagram()
    {
        var packet = Announce();
        UdpRequestParser.TryParseAnnounce(packet, out var request).Should().BeTrue();
        var infoHash = request.InfoHash;

        Array.Clear(packet); // as when the response is written into the same buffer

        request.InfoHash.Should().Be(infoHash);
        request.Port.Should().Be(6881);
    }

    [TestCase(0u, AnnounceEvent.None)]
    [TestCase(1u, AnnounceEvent.Completed)]
    [TestCase(2u, AnnounceEvent.Started)]
    [TestCase(3u, AnnounceEvent.Stopped)]
    public void Announce_event_maps_to_AnnounceEvent(uint wire, AnnounceEvent expected)
    {
        UdpRequestParser.TryParseAnnounce(AnnounceWithEvent(wire), out var request).Should().BeTrue();

        request.Event.Should().Be(expected);
    }

    [TestCase(4u)]
    [TestCase(5u)]
    [TestCase(0x80000000u)]
    [TestCase(0xFFFFFFFFu)]
    public void Announce_event_above_3_is_malformed(uint wire)
    {
        UdpRequestParser.TryParseAnnounce(AnnounceWithEvent(wire), out _).Should().BeFalse();
    }

    [Test]
    public void Every_truncation_of_an_announce_request_is_rejected()
    {
        var packet = Announce();
        packet.Length.Should().Be(UdpProtocol.AnnounceRequestLength);
        for (var length = 0; length < packet.Length; length++)
        {
            UdpRequestParser.TryParseAnnounce(packet.AsSpan(0, length), out _).Should().BeFalse($"{length} bytes");
        }

        UdpRequestParser.TryParseAnnounce(packet, out _).Should().BeTrue();
    }

    [Test]
    public void Announce_packet_is_not_a_scrape_or_connect()
    {
        var packet = Announce();

        UdpRequestParser.TryParseScrape(packet, out _).Should().BeFalse();
        UdpRequestParser.TryParseConnect(packet, out _).Should().BeFalse();
    }

    [Test]
    public void Scrape_golden_vector_parses_every_hash()
    {
        var second = Hex("0102030405060708090A0B0C0D0E0F1011121314");
        UdpRequestParser.TryParseScrape(Scrape(Hash(0xAA), second), out var request).Should().BeTrue();

        request.ConnectionId.Should().Be(0x1122334455667788);
        request.TransactionId.Should().Be(0x01020304);
        request.Count.Should().Be(2);
        request.GetInfoHash(0).Should().Be(InfoHash.Read(Hash(0xAA)));
        request.GetInfoHash(1).Should().Be(InfoHash.Read(second));
        request.InfoHashBytes.ToArray().Should().Equal([.. Hash(0xAA), .. second]);
    }

    [Test]
    public void Scrape_header_reads_the_action()
    {
        UdpRequestParser.TryReadHeader(Scrape(Hash(1)), out var header).Should().BeTrue();

        header.Should().Be(new UdpRequestHeader(0x1122334455667788, UdpAction.Scrape, 0x01020304));
    }

    [Test]
    public void Scrape_with_no_hash_is_rejected()
    {
        var packet = Scrape();
        packet.Length.Should().Be(16);

        UdpRequestParser.TryParseScrape(packet, out _).Should().BeFalse();
    }

    [TestCase(1)]
    [TestCase(19)]
    [TestCase(21)]
    [TestCase(39)]
    [TestCase(41)]
    public void Scrape_with_a_partial_hash_is_rejected(int hashBytes)
    {
        var packet = Scrape(Enumerable.Repeat((byte)0x5A, hashBytes).ToArray());

        UdpRequestParser.TryParseScrape(packet, out _).Should().BeFalse();
    }

    [Test]
    public void Every_truncation_of_a_scrape_request_is_rejected_except_at_a_hash_boundary()
    {
        var packet = Scrape(Hash(1), Hash(2));
        for (var length = 0; length < packet.Length; length++)
        {
            var ok = UdpRequestParser.TryParseScrape(packet.AsSpan(0, length), out var request);

            ok.Should().Be(length == 36, $"{length} bytes");
            if (ok)
            {
                request.Count.Should().Be(1);
            }
        }
    }

    [TestCase(-1)]
    [TestCase(3)]
    public void Scrape_hash_index_out_of_range_throws(int index)
    {
        var packet = Scrape(Hash(1), Hash(2), Hash(3));
        var read = () =>
        {
            return UdpRequestParser.TryParseScrape(packet, out var request) ? request.GetInfoHash(index) : default;
        };

        read.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void Scrape_packet_is_not_an_announce()
    {
        // 16 + 4 × 20 = 96 bytes, then 2 more to reach the announce length.
        byte[] packet = [.. Scrape(Hash(1), Hash(2), Hash(3), Hash(4)), 0, 0];

        UdpRequestParser.TryParseAnnounce(packet, out _).Should().BeFalse();
    }

    [Test]
    public void Parsing_allocates_nothing()
    {
        byte[] announce = [.. Announce(), .. UrlData("/announce?passkey=0123456789abcdef")];
        var scrape = Scrape(Hash(1), Hash(2), Hash(3));
        var connect = Connect();
        Span<byte> url = stackalloc byte[UdpProtocol.MaxUrlDataLength];
        var parsed = 0;
        long checksum = 0;

        for (var round = 0; round < 2; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                if (UdpRequestParser.TryReadHeader(announce, out var header)
                    && UdpRequestParser.TryParseConnect(connect, out var c)
                    && UdpRequestParser.TryParseAnnounce(announce, out var a)
                    && a.TryCopyUrlData(url, out var written)
                    && UdpRequestParser.TryParseScrape(scrape, out var s))
                {
                    parsed++;
                    checksum += header.TransactionId + c.TransactionId + a.Port + written + s.GetInfoHash(2).GetHashCode();
                }
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round == 1)
            {
                allocated.Should().Be(0);
            }
        }

        parsed.Should().Be(2000);
        checksum.Should().NotBe(0);
    }
}
