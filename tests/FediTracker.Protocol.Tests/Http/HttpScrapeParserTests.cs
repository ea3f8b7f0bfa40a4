using System.Text;
using FediTracker.Protocol.Http;

namespace FediTracker.Protocol.Tests.Http;

public sealed class HttpScrapeParserTests
{
    [Test]
    public void Reads_every_info_hash_in_order()
    {
        var a = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray();
        var b = Enumerable.Range(101, 20).Select(i => (byte)i).ToArray();
        var query = $"info_hash={Escape(a)}&foo=bar&info_hash={Escape(b)}";
        var hashes = new InfoHash[4];

        HttpScrapeParser.TryParse(Encoding.ASCII.GetBytes(query), hashes, out var count).Should().Be(HttpAnnounceError.None);

        count.Should().Be(2);
        hashes[0].Should().Be(InfoHash.Read(a));
        hashes[1].Should().Be(InfoHash.Read(b));
    }

    [Test]
    public void Refuses_more_hashes_than_the_cap()
    {
        var one = $"info_hash={Escape(new byte[20])}";
        var query = string.Join('&', Enumerable.Repeat(one, 3));

        HttpScrapeParser.TryParse(Encoding.ASCII.GetBytes(query), new InfoHash[2], out _).Should().Be(HttpAnnounceError.TooManyInfoHashes);
    }

    [Test]
    public void Refuses_a_full_scrape_and_bad_hashes()
    {
        HttpScrapeParser.TryParse(""u8, new InfoHash[2], out _).Should().Be(HttpAnnounceError.MissingInfoHash);
        HttpScrapeParser.TryParse("info_hash=abc"u8, new InfoHash[2], out _).Should().Be(HttpAnnounceError.InvalidInfoHash);
        HttpScrapeParser.TryParse("info_hash=%zz"u8, new InfoHash[2], out _).Should().Be(HttpAnnounceError.InvalidEscape);
    }

    private static string Escape(byte[] bytes) => string.Concat(bytes.Select(b => $"%{b:X2}"));
}
