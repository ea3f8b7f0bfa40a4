using System.Buffers;
using FediTracker.Protocol.Bencode;

namespace FediTracker.Protocol.Http;

/// <summary>Writes HTTP tracker replies as bencode straight into a buffer writer, keys in sorted order.</summary>
public static class HttpResponseWriter
{
    private static ReadOnlySpan<byte> Complete => "complete"u8;

    private static ReadOnlySpan<byte> Downloaded => "downloaded"u8;

    private static ReadOnlySpan<byte> Incomplete => "incomplete"u8;

    /// <summary>
    /// A failure reply. <paramref name="retryNever"/> adds BEP 31's <c>retry in: never</c>, for a torrent that will
    /// never be served again.
    /// </summary>
    public static void WriteFailure(IBufferWriter<byte> output, string reason, bool retryNever)
    {
        var writer = new BencodeWriter(output);
        writer.WriteDictionaryStart();
        writer.WriteKey("failure reason"u8);
        writer.WriteString(reason);
        if (retryNever)
        {
            writer.WriteKey("retry in"u8);
            writer.WriteString("never"u8);
        }

        writer.WriteEnd();
    }

    /// <summary>
    /// A successful announce. Compact (BEP 23): IPv4 peers in <c>peers</c> (6 bytes each), IPv6 peers in
    /// <c>peers6</c> (18 bytes each, BEP 7). Otherwise the dictionary model: <c>peers</c> is a list of
    /// <c>ip</c> / <c>peer id</c> / <c>port</c> dictionaries, without <c>peer id</c> when <paramref name="noPeerId"/>.
    /// </summary>
    public static void WriteAnnounce(IBufferWriter<byte> output, in AnnounceReply reply, ReadOnlySpan<PeerEntry> peers, bool compact, bool noPeerId)
    {
        var writer = new BencodeWriter(output);
        writer.WriteDictionaryStart();
        writer.WriteKey(Complete);
        writer.WriteInteger(reply.Complete);
        writer.WriteKey(Downloaded);
        writer.WriteInteger(reply.Downloaded);
        writer.WriteKey(Incomplete);
        writer.WriteInteger(reply.Incomplete);
        writer.WriteKey("interval"u8);
        writer.WriteInteger(reply.Interval);
        writer.WriteKey("min interval"u8);
        writer.WriteInteger(reply.MinInterval);
        writer.WriteKey("peers"u8);
        if (compact)
        {
            var v4 = 0;
            foreach (ref readonly var peer in peers)
            {
                v4 += peer.Endpoint.IsIPv4 ? 1 : 0;
            }

            WriteCompactPeers(ref writer, peers, v4 * 6, ipv4: true);
            var v6 = peers.Length - v4;
            if (v6 > 0)
            {
                writer.WriteKey("peers6"u8);
                WriteCompactPeers(ref writer, peers, v6 * 18, ipv4: false);
            }
        }
        else
        {
            writer.WriteListStart();
            Span<byte> text = stackalloc byte[64];
            foreach (ref readonly var peer in peers)
            {
                writer.WriteDictionaryStart();
                writer.WriteKey("ip"u8);
                peer.Endpoint.Address.TryFormat(text, out var length);
                writer.WriteString(text[..length]);
                if (!noPeerId)
                {
                    writer.WriteKey("peer id"u8);
                    peer.PeerId.CopyTo(text);
                    writer.WriteString(text[..Bytes20.Length]);
                }

                writer.WriteKey("port"u8);
                writer.WriteInteger(peer.Endpoint.Port);
                writer.WriteEnd();
            }

            writer.WriteEnd();
        }

        writer.WriteEnd();
    }

    /// <summary>
    /// A scrape reply (BEP 48): <c>files</c> maps each raw info-hash to its counts. Hashes are written in sorted
    /// order, once each, as bencode requires. At most 1 024 hashes.
    /// </summary>
    public static void WriteScrape(IBufferWriter<byte> output, ReadOnlySpan<InfoHash> infoHashes, ReadOnlySpan<ScrapeEntry> entries)
    {
        if (infoHashes.Length != entries.Length || infoHashes.Length > 1024)
        {
            throw new ArgumentException("One entry per hash, at most 1 024.", nameof(entries));
        }

        // Insertion sort of indices: n is small (the scrape cap), and this needs no allocation.
        Span<short> order = stackalloc short[infoHashes.Length];
        for (short i = 0; i < order.Length; i++)
        {
            var j = i;
            while (j > 0 && infoHashes[order[j - 1]].Value.CompareTo(infoHashes[i].Value) > 0)
            {
                order[j] = order[j - 1];
                j--;
            }

            order[j] = i;
        }

        var writer = new BencodeWriter(output);
        writer.WriteDictionaryStart();
        writer.WriteKey("files"u8);
        writer.WriteDictionaryStart();
        Span<byte> key = stackalloc byte[Bytes20.Length];
        for (var k = 0; k < order.Length; k++)
        {
            var hash = infoHashes[order[k]];
            if (k > 0 && infoHashes[order[k - 1]] == hash)
            {
                continue;
            }

            hash.CopyTo(key);
            writer.WriteKey(key);
            ref readonly var entry = ref entries[order[k]];
            writer.WriteDictionaryStart();
            writer.WriteKey(Complete);
            writer.WriteInteger(entry.Complete);
            writer.WriteKey(Downloaded);
            writer.WriteInteger(entry.Downloaded);
            writer.WriteKey(Incomplete);
            writer.WriteInteger(entry.Incomplete);
            writer.WriteEnd();
        }

        writer.WriteEnd();
        writer.WriteEnd();
    }

    private static void WriteCompactPeers(ref BencodeWriter writer, ReadOnlySpan<PeerEntry> peers, int length, bool ipv4)
    {
        var body = writer.WriteStringHeader(length);
        var offset = 0;
        foreach (ref readonly var peer in peers)
        {
            if (peer.Endpoint.IsIPv4 == ipv4)
            {
                offset += peer.Endpoint.WriteCompact(body[offset..]);
            }
        }

        writer.CommitStringBody(offset);
    }
}
