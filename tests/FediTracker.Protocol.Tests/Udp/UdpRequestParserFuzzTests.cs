using FediTracker.Protocol.Udp;
using static FediTracker.Protocol.Tests.Udp.UdpTestPackets;

namespace FediTracker.Protocol.Tests.Udp;

/// <summary>Seeded random and mutated datagrams: the parser must never throw and must keep its own invariants.</summary>
public sealed class UdpRequestParserFuzzTests
{
    [TestCase(1)]
    [TestCase(20240615)]
    public void Random_datagrams_never_throw(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 3000; i++)
        {
            var datagram = new byte[random.Next(0, 300)];
            random.NextBytes(datagram);
            if (datagram.Length >= 12 && random.Next(2) == 0)
            {
                // Make the action a known one half the time, so the deeper paths run.
                datagram[8] = datagram[9] = datagram[10] = 0;
                datagram[11] = (byte)random.Next(0, 4);
            }

            Exercise(datagram);
        }
    }

    [TestCase(2)]
    [TestCase(77)]
    public void Mutated_valid_datagrams_never_throw(int seed)
    {
        var random = new Random(seed);
        byte[][] valid =
        [
            Connect(),
            Announce(),
            Announce([.. UrlData("/dir"), 0x01, .. UrlData("?a=b&c=d"), 0x00]),
            Announce([0x03, 0x02, 0xAA, 0xBB, .. UrlData("/announce/0123456789abcdef")]),
            Scrape(Hash(1)),
            Scrape(Hash(1), Hash(2), Hash(3)),
        ];

        for (var i = 0; i < 3000; i++)
        {
            var datagram = (byte[])valid[random.Next(valid.Length)].Clone();
            for (var flips = random.Next(1, 5); flips > 0; flips--)
            {
                datagram[random.Next(datagram.Length)] = (byte)random.Next(256);
            }

            var cut = random.Next(3);
            if (cut == 0)
            {
                datagram = datagram[..random.Next(datagram.Length + 1)];
            }
            else if (cut == 1)
            {
                var tail = new byte[random.Next(1, 40)];
                random.NextBytes(tail);
                datagram = [.. datagram, .. tail];
            }

            Exercise(datagram);
        }
    }

    [TestCase(3)]
    [TestCase(4)]
    public void Random_option_bytes_never_throw(int seed)
    {
        // Option types drawn mostly from 0..3 so that lengths, NOPs and EndOfOptions interleave.
        var random = new Random(seed);
        var accepted = 0;
        for (var i = 0; i < 4000; i++)
        {
            var options = new byte[random.Next(0, 64)];
            for (var j = 0; j < options.Length; j++)
            {
                options[j] = random.Next(3) == 0 ? (byte)random.Next(256) : (byte)random.Next(0, 4);
            }

            var datagram = Announce(options);
            Exercise(datagram);
            if (UdpRequestParser.TryParseAnnounce(datagram, out _))
            {
                accepted++;
            }
        }

        // Both outcomes must occur, or the generator is not reaching the option parser.
        accepted.Should().BeInRange(1, 3999);
    }

    // Runs every parse method and checks what an accepting one promises.
    private static void Exercise(byte[] datagram)
    {
        if (UdpRequestParser.TryReadHeader(datagram, out var header))
        {
            datagram.Length.Should().BeGreaterThanOrEqualTo(16);
            header.Action.Should().BeOneOf(UdpAction.Connect, UdpAction.Announce, UdpAction.Scrape);
        }

        if (UdpRequestParser.TryParseConnect(datagram, out _))
        {
            header.ConnectionId.Should().Be(UdpProtocol.ProtocolId);
        }

        if (UdpRequestParser.TryParseAnnounce(datagram, out var announce))
        {
            datagram.Length.Should().BeGreaterThanOrEqualTo(UdpProtocol.AnnounceRequestLength);
            announce.Event.Should().BeOneOf(AnnounceEvent.None, AnnounceEvent.Completed, AnnounceEvent.Started, AnnounceEvent.Stopped);
            announce.UrlDataLength.Should().BeInRange(0, UdpProtocol.MaxUrlDataLength);
            var url = new byte[UdpProtocol.MaxUrlDataLength];
            announce.TryCopyUrlData(url, out var written).Should().BeTrue();
            written.Should().Be(announce.UrlDataLength);
        }

        if (UdpRequestParser.TryParseScrape(datagram, out var scrape))
        {
            scrape.Count.Should().BeGreaterThan(0);
            (16 + (scrape.Count * 20)).Should().Be(datagram.Length);
            for (var i = 0; i < scrape.Count; i++)
            {
                _ = scrape.GetInfoHash(i);
            }
        }
    }
}
