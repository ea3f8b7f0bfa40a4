using BenchmarkDotNet.Attributes;
using FediTracker.Protocol;
using FediTracker.Protocol.Http;
using FediTracker.Server.Http;

namespace FediTracker.Benchmarks.Protocol;

/// <summary>
/// <see cref="HttpResponseWriter"/> writing bencoded replies into the server's per-thread
/// <see cref="ResponseBuffer"/>, as the HTTP endpoint does. A store answers with peers of the announcer's family
/// only, so a reply carries 50 IPv4 peers in <c>peers</c> or 50 IPv6 peers in <c>peers6</c>.
/// </summary>
[MemoryDiagnoser]
public class HttpResponseWriteBenchmarks
{
    private static readonly AnnounceReply Reply = new(Interval: 937, MinInterval: 60, Complete: 2_500, Incomplete: 7_500, Downloaded: 12_345);

    private PeerEntry[] _v4 = [];
    private PeerEntry[] _v6 = [];
    private InfoHash[] _scrapeHashes = [];
    private ScrapeEntry[] _scrapeEntries = [];

    [GlobalSetup]
    public void Setup()
    {
        _v4 = BenchmarkData.Peers(50, ipv6: false);
        _v6 = BenchmarkData.Peers(50, ipv6: true);
        _scrapeHashes = new InfoHash[74];
        _scrapeEntries = new ScrapeEntry[74];
        for (var i = 0; i < _scrapeHashes.Length; i++)
        {
            _scrapeHashes[i] = BenchmarkData.Hash(i);
            _scrapeEntries[i] = new ScrapeEntry(i, i * 10L, i * 3);
        }

        // The per-thread buffer is created once, on first use; that is not what is measured.
        _ = ResponseBuffer.Rent();
    }

    /// <summary>BEP 23 compact: 50 IPv4 peers, 6 bytes each, in <c>peers</c>.</summary>
    [Benchmark]
    public int AnnounceCompact50V4()
    {
        var buffer = ResponseBuffer.Rent();
        HttpResponseWriter.WriteAnnounce(buffer, Reply, _v4, compact: true, noPeerId: false);
        return buffer.WrittenSpan.Length;
    }

    /// <summary>BEP 7 compact: 50 IPv6 peers, 18 bytes each, in <c>peers6</c> (and an empty <c>peers</c>).</summary>
    [Benchmark]
    public int AnnounceCompact50V6()
    {
        var buffer = ResponseBuffer.Rent();
        HttpResponseWriter.WriteAnnounce(buffer, Reply, _v6, compact: true, noPeerId: false);
        return buffer.WrittenSpan.Length;
    }

    /// <summary>The dictionary model (<c>compact=0</c>): 50 IPv4 peers with ip, peer id and port.</summary>
    [Benchmark]
    public int AnnounceNonCompact50V4()
    {
        var buffer = ResponseBuffer.Rent();
        HttpResponseWriter.WriteAnnounce(buffer, Reply, _v4, compact: false, noPeerId: false);
        return buffer.WrittenSpan.Length;
    }

    /// <summary>The dictionary model with 50 IPv6 peers (RFC 5952 text written straight into the buffer).</summary>
    [Benchmark]
    public int AnnounceNonCompact50V6()
    {
        var buffer = ResponseBuffer.Rent();
        HttpResponseWriter.WriteAnnounce(buffer, Reply, _v6, compact: false, noPeerId: false);
        return buffer.WrittenSpan.Length;
    }

    /// <summary>A failure reply, as sent for a malformed announce.</summary>
    [Benchmark]
    public int Failure()
    {
        var buffer = ResponseBuffer.Rent();
        HttpResponseWriter.WriteFailure(buffer, HttpErrorMessages.For(HttpAnnounceError.InvalidInfoHash), retryNever: false);
        return buffer.WrittenSpan.Length;
    }

    /// <summary>A scrape reply for 74 hashes: sorted by raw bytes, then written.</summary>
    [Benchmark]
    public int Scrape74()
    {
        var buffer = ResponseBuffer.Rent();
        HttpResponseWriter.WriteScrape(buffer, _scrapeHashes, _scrapeEntries);
        return buffer.WrittenSpan.Length;
    }
}
