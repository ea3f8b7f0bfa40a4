using System.Buffers;
using System.Text;
using FediTracker.Protocol.Http;

namespace FediTracker.Protocol.Tests.Http;

public sealed class HttpResponseWriterTests
{
    private static readonly PeerId Id = PeerId.Read(Encoding.ASCII.GetBytes("-FT0001-000000000001"));

    private static PeerEntry V4(byte last, ushort port) => new(new PeerEndpoint(PeerAddress.FromIPv4([10, 0, 0, last]), port), Id);

    private static PeerEntry V6(ushort port)
    {
        var bytes = new byte[16];
        bytes[0] = 0x20;
        bytes[1] = 0x01;
        bytes[2] = 0x0d;
        bytes[3] = 0xb8;
        bytes[15] = 1;
        return new(new PeerEndpoint(PeerAddress.FromIPv6(bytes), port), Id);
    }

    private static string Latin1(ArrayBufferWriter<byte> w) => Encoding.Latin1.GetString(w.WrittenSpan);

    private static string Bytes(params byte[] bytes) => Encoding.Latin1.GetString(bytes);

    [Test]
    public void Failure_is_a_bencoded_failure_reason()
    {
        var w = new ArrayBufferWriter<byte>();
        HttpResponseWriter.WriteFailure(w, "missing info_hash", retryNever: false);
        Latin1(w).Should().Be("d14:failure reason17:missing info_hashe");
    }

    [Test]
    public void Failure_for_good_carries_bep31_retry_in_never()
    {
        var w = new ArrayBufferWriter<byte>();
        HttpResponseWriter.WriteFailure(w, "revoked", retryNever: true);
        Latin1(w).Should().Be("d14:failure reason7:revoked8:retry in5:nevere");
    }

    [Test]
    public void Compact_reply_puts_ipv4_in_peers_and_ipv6_in_peers6()
    {
        var w = new ArrayBufferWriter<byte>();
        HttpResponseWriter.WriteAnnounce(w, new AnnounceReply(900, 60, 3, 4, 5), [V4(1, 0x1AE1), V6(0x1AE2), V4(2, 0x1AE3)], compact: true, noPeerId: false);

        var expected = "d8:completei3e10:downloadedi5e10:incompletei4e8:intervali900e12:min intervali60e"
            + "5:peers12:" + Bytes(10, 0, 0, 1, 0x1A, 0xE1, 10, 0, 0, 2, 0x1A, 0xE3)
            + "6:peers618:" + Bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x1A, 0xE2) + "e";
        Latin1(w).Should().Be(expected);
    }

    [Test]
    public void Compact_reply_without_peers_has_an_empty_peers_string_and_no_peers6()
    {
        var w = new ArrayBufferWriter<byte>();
        HttpResponseWriter.WriteAnnounce(w, new AnnounceReply(1800, 900, 0, 1, 0), [], compact: true, noPeerId: false);
        Latin1(w).Should().Be("d8:completei0e10:downloadedi0e10:incompletei1e8:intervali1800e12:min intervali900e5:peers0:e");
    }

    [Test]
    public void Dictionary_model_lists_ip_peer_id_and_port()
    {
        var w = new ArrayBufferWriter<byte>();
        HttpResponseWriter.WriteAnnounce(w, new AnnounceReply(900, 60, 1, 0, 0), [V4(7, 6881), V6(51413)], compact: false, noPeerId: false);

        Latin1(w).Should().Be(
            "d8:completei1e10:downloadedi0e10:incompletei0e8:intervali900e12:min intervali60e5:peersl"
            + "d2:ip8:10.0.0.77:peer id20:-FT0001-0000000000014:porti6881ee"
            + "d2:ip11:2001:db8::17:peer id20:-FT0001-0000000000014:porti51413ee"
            + "ee");
    }

    [Test]
    public void No_peer_id_leaves_peer_ids_out()
    {
        var w = new ArrayBufferWriter<byte>();
        HttpResponseWriter.WriteAnnounce(w, new AnnounceReply(900, 60, 1, 0, 0), [V4(7, 6881)], compact: false, noPeerId: true);
        Latin1(w).Should().EndWith("5:peersld2:ip8:10.0.0.74:porti6881eeee");
    }

    [Test]
    public void Scrape_files_are_sorted_and_unique()
    {
        var low = InfoHash.Read(Enumerable.Repeat((byte)'a', 20).ToArray());
        var high = InfoHash.Read(Enumerable.Repeat((byte)'b', 20).ToArray());
        var w = new ArrayBufferWriter<byte>();

        HttpResponseWriter.WriteScrape(w, [high, low, high], [new ScrapeEntry(1, 2, 3), new ScrapeEntry(4, 5, 6), new ScrapeEntry(1, 2, 3)]);

        Latin1(w).Should().Be(
            "d5:filesd"
            + "20:" + new string('a', 20) + "d8:completei4e10:downloadedi5e10:incompletei6ee"
            + "20:" + new string('b', 20) + "d8:completei1e10:downloadedi2e10:incompletei3ee"
            + "ee");
    }
}
