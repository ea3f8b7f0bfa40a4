using System.Text;
using BenchmarkDotNet.Attributes;
using FediTracker.Protocol.Http;

namespace FediTracker.Benchmarks.Protocol;

/// <summary>
/// <see cref="HttpAnnounceParser.TryParse"/> of the query a libtorrent client sends on its first announce: binary
/// info_hash and peer_id percent-encoded, the numbers, event, numwant, compact, no_peer_id, and parameters the
/// tracker ignores (corrupt, supportcrypto, redundant). The bytes start with '?', as the server hands them over.
/// </summary>
[MemoryDiagnoser]
public class HttpAnnounceParseBenchmarks
{
    private byte[] _query = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        var infoHash = new byte[20];
        random.NextBytes(infoHash);
        var peerId = new byte[20];
        "-LT2090-"u8.CopyTo(peerId);
        random.NextBytes(peerId.AsSpan(8));

        var query = "?info_hash=" + BenchmarkData.Escape(infoHash)
            + "&peer_id=" + BenchmarkData.Escape(peerId)
            + "&port=6881&uploaded=0&downloaded=0&left=734003200&corrupt=0&key=5E2B9A41&event=started"
            + "&numwant=200&compact=1&no_peer_id=1&supportcrypto=1&redundant=0";
        _query = Encoding.ASCII.GetBytes(query);
        if (HttpAnnounceParser.TryParse(_query, out _) != HttpAnnounceError.None)
        {
            throw new InvalidOperationException("The benchmark query does not parse: " + query);
        }
    }

    [Benchmark]
    public int ParseLibtorrentAnnounce()
    {
        var error = HttpAnnounceParser.TryParse(_query, out var query);
        return (int)error + query.Port + query.NumWant;
    }
}
