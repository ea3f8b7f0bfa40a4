using System.Text;
using BenchmarkDotNet.Attributes;
using FediTracker.Protocol;
using FediTracker.Protocol.Http;

namespace FediTracker.Benchmarks.Protocol;

/// <summary><see cref="HttpScrapeParser.TryParse"/> of a scrape query with one or 74 percent-encoded info_hash values.</summary>
[MemoryDiagnoser]
public class HttpScrapeParseBenchmarks
{
    private readonly InfoHash[] _hashes = new InfoHash[74];
    private byte[] _query = [];

    [Params(1, 74)]
    public int Hashes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var query = new StringBuilder();
        Span<byte> bytes = stackalloc byte[Bytes20.Length];
        for (var i = 0; i < Hashes; i++)
        {
            BenchmarkData.Hash(i).CopyTo(bytes);
            query.Append(i == 0 ? "?info_hash=" : "&info_hash=").Append(BenchmarkData.Escape(bytes));
        }

        _query = Encoding.ASCII.GetBytes(query.ToString());
        if (HttpScrapeParser.TryParse(_query, _hashes, out var count) != HttpAnnounceError.None || count != Hashes)
        {
            throw new InvalidOperationException("The benchmark scrape query does not parse.");
        }
    }

    [Benchmark]
    public int ParseScrape()
    {
        var error = HttpScrapeParser.TryParse(_query, _hashes, out var count);
        return (int)error + count;
    }
}
