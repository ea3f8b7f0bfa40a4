using System.Text;
using FediTracker.Protocol.Http;

namespace FediTracker.Protocol.Tests.Http;

public sealed class HttpAnnounceParserTests
{
    // The 20 bytes 0x12 0x34 … as a client escapes them: unreserved characters stay literal, the rest is %XX.
    private const string InfoHashEscaped = "%124Vx%9A%BC%DE%F1%23Eg%89%AB%CD%EF%01%23Eg%89";
    private static readonly byte[] InfoHashBytes = Convert.FromHexString("123456789ABCDEF123456789ABCDEF0123456789");

    private const string PeerIdRaw = "-lt2080-a1b2c3d4e5f6";

    private static HttpAnnounceError Parse(string query, out HttpAnnounceQuery result) =>
        HttpAnnounceParser.TryParse(Encoding.ASCII.GetBytes(query), out result);

    private static string Valid(string extra = "") =>
        $"info_hash={InfoHashEscaped}&peer_id={PeerIdRaw}&port=6881&uploaded=10&downloaded=20&left=30{extra}";

    [Test]
    public void Parses_a_libtorrent_style_announce()
    {
        var query = $"?info_hash={InfoHashEscaped}&peer_id={PeerIdRaw}&port=51413&uploaded=0&downloaded=0&left=1048576"
            + "&corrupt=0&key=6B2C1F20&event=started&numwant=200&compact=1&no_peer_id=1&supportcrypto=1&redundant=0";

        Parse(query, out var r).Should().Be(HttpAnnounceError.None);

        r.InfoHash.Should().Be(InfoHash.Read(InfoHashBytes));
        r.PeerId.Should().Be(PeerId.Read(Encoding.ASCII.GetBytes(PeerIdRaw)));
        r.Port.Should().Be(51413);
        r.Left.Should().Be(1048576);
        r.Event.Should().Be(AnnounceEvent.Started);
        r.NumWant.Should().Be(200);
        r.Compact.Should().BeTrue();
        r.NoPeerId.Should().BeTrue();
        r.Key.Should().NotBe(0u);
    }

    [Test]
    public void Defaults_when_optional_fields_are_absent()
    {
        Parse($"info_hash={InfoHashEscaped}&peer_id={PeerIdRaw}&port=1&left=0", out var r).Should().Be(HttpAnnounceError.None);

        r.NumWant.Should().Be(-1, "absent numwant means the tracker's default");
        r.Compact.Should().BeTrue("compact is the default (BEP 23)");
        r.NoPeerId.Should().BeFalse();
        r.Event.Should().Be(AnnounceEvent.None);
        r.Uploaded.Should().Be(0);
        r.Downloaded.Should().Be(0);
    }

    [TestCase("&event=started", AnnounceEvent.Started)]
    [TestCase("&event=stopped", AnnounceEvent.Stopped)]
    [TestCase("&event=completed", AnnounceEvent.Completed)]
    [TestCase("&event=paused", AnnounceEvent.Paused)]
    [TestCase("&event=", AnnounceEvent.None)]
    [TestCase("&event=empty", AnnounceEvent.None)]
    public void Parses_every_event(string extra, AnnounceEvent expected)
    {
        Parse(Valid(extra), out var r).Should().Be(HttpAnnounceError.None);
        r.Event.Should().Be(expected);
    }

    [Test]
    public void Compact_zero_asks_for_the_dictionary_model()
    {
        Parse(Valid("&compact=0"), out var r).Should().Be(HttpAnnounceError.None);
        r.Compact.Should().BeFalse();
    }

    [Test]
    public void Negative_numwant_means_the_default()
    {
        Parse(Valid("&numwant=-1"), out var r).Should().Be(HttpAnnounceError.None);
        r.NumWant.Should().Be(-1);
    }

    [Test]
    public void Percent_escapes_accept_both_cases()
    {
        var lower = System.Text.RegularExpressions.Regex.Replace(InfoHashEscaped, "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant());
        lower.Should().NotBe(InfoHashEscaped);

        Parse($"info_hash={lower}&peer_id={PeerIdRaw}&port=1&left=0", out var r).Should().Be(HttpAnnounceError.None);
        r.InfoHash.Should().Be(InfoHash.Read(InfoHashBytes));
    }

    [TestCase("peer_id=-lt2080-a1b2c3d4e5f6&port=1&left=0", HttpAnnounceError.MissingInfoHash)]
    [TestCase("info_hash=%12%34&peer_id=-lt2080-a1b2c3d4e5f6&port=1&left=0", HttpAnnounceError.InvalidInfoHash)]
    [TestCase("info_hash=" + InfoHashEscaped + "%00&peer_id=-lt2080-a1b2c3d4e5f6&port=1&left=0", HttpAnnounceError.InvalidInfoHash)]
    [TestCase("info_hash=" + InfoHashEscaped + "&info_hash=" + InfoHashEscaped + "&peer_id=-lt2080-a1b2c3d4e5f6&port=1&left=0", HttpAnnounceError.DuplicateInfoHash)]
    [TestCase("info_hash=%G1" + InfoHashEscaped + "&peer_id=-lt2080-a1b2c3d4e5f6&port=1&left=0", HttpAnnounceError.InvalidEscape)]
    [TestCase("info_hash=%12%&peer_id=-lt2080-a1b2c3d4e5f6&port=1&left=0", HttpAnnounceError.InvalidEscape)]
    [TestCase("info_hash=" + InfoHashEscaped + "&port=1&left=0", HttpAnnounceError.MissingPeerId)]
    [TestCase("info_hash=" + InfoHashEscaped + "&peer_id=short&port=1&left=0", HttpAnnounceError.InvalidPeerId)]
    [TestCase("info_hash=" + InfoHashEscaped + "&peer_id=-lt2080-a1b2c3d4e5f6&left=0", HttpAnnounceError.MissingPort)]
    [TestCase("info_hash=" + InfoHashEscaped + "&peer_id=-lt2080-a1b2c3d4e5f6&port=0&left=0", HttpAnnounceError.InvalidPort)]
    [TestCase("info_hash=" + InfoHashEscaped + "&peer_id=-lt2080-a1b2c3d4e5f6&port=65536&left=0", HttpAnnounceError.InvalidPort)]
    [TestCase("info_hash=" + InfoHashEscaped + "&peer_id=-lt2080-a1b2c3d4e5f6&port=-1&left=0", HttpAnnounceError.InvalidPort)]
    [TestCase("info_hash=" + InfoHashEscaped + "&peer_id=-lt2080-a1b2c3d4e5f6&port=6881x&left=0", HttpAnnounceError.InvalidPort)]
    [TestCase("info_hash=" + InfoHashEscaped + "&peer_id=-lt2080-a1b2c3d4e5f6&port=1", HttpAnnounceError.MissingLeft)]
    [TestCase("info_hash=" + InfoHashEscaped + "&peer_id=-lt2080-a1b2c3d4e5f6&port=1&left=-5", HttpAnnounceError.InvalidNumber)]
    [TestCase("info_hash=" + InfoHashEscaped + "&peer_id=-lt2080-a1b2c3d4e5f6&port=1&left=99999999999999999999", HttpAnnounceError.InvalidNumber)]
    [TestCase("info_hash=" + InfoHashEscaped + "&peer_id=-lt2080-a1b2c3d4e5f6&port=1&left=0&uploaded=1e3", HttpAnnounceError.InvalidNumber)]
    [TestCase("info_hash=" + InfoHashEscaped + "&peer_id=-lt2080-a1b2c3d4e5f6&port=1&left=0&numwant=lots", HttpAnnounceError.InvalidNumber)]
    [TestCase("info_hash=" + InfoHashEscaped + "&peer_id=-lt2080-a1b2c3d4e5f6&port=1&left=0&event=finished", HttpAnnounceError.InvalidEvent)]
    [TestCase("info_hash=" + InfoHashEscaped + "&peer_id=-lt2080-a1b2c3d4e5f6&port=1&port=2&left=0", HttpAnnounceError.DuplicateParameter)]
    public void Refuses_bad_queries_with_the_reason(string query, HttpAnnounceError expected)
    {
        Parse(query, out _).Should().Be(expected);
        HttpErrorMessages.For(expected).Should().NotBeNullOrWhiteSpace();
    }

    [Test]
    public void Refuses_an_overlong_query_before_parsing()
    {
        Parse(Valid("&x=" + new string('a', HttpAnnounceParser.MaxQueryLength)), out _).Should().Be(HttpAnnounceError.QueryTooLong);
    }

    [Test]
    public void Every_error_has_its_own_message()
    {
        var errors = Enum.GetValues<HttpAnnounceError>().Where(e => e != HttpAnnounceError.None).ToList();
        errors.Select(HttpErrorMessages.For).Should().OnlyHaveUniqueItems();
    }

    [Test]
    public void Never_throws_on_random_queries()
    {
        var random = new Random(1234);
        var alphabet = Encoding.ASCII.GetBytes("%&=?+0123456789abcdefABCDEFGinfo_hashpeer_idportleftevent-");
        for (var i = 0; i < 5000; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            for (var j = 0; j < bytes.Length; j++)
            {
                bytes[j] = random.Next(4) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }

            var act = () => HttpAnnounceParser.TryParse(bytes, out _);
            act.Should().NotThrow();
        }
    }
}
