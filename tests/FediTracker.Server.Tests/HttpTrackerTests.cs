using System.Buffers.Binary;
using System.Net;
using System.Text;
using FediTracker.Protocol.Bencode;

namespace FediTracker.Server.Tests;

[TestFixture]
public sealed class HttpTrackerTests
{
    private TestTracker _tracker = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _tracker = await TestTracker.StartAsync();
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _tracker.DisposeAsync();
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Announce_introduces_a_leecher_to_the_seeder_in_compact_form(bool ipv6)
    {
        var endpoint = ipv6 ? _tracker.HttpV6 : _tracker.HttpV4;
        var hash = TestData.NewHash();

        var first = await AnnounceAsync(endpoint, hash, 1, 6881, left: 0, "&event=started");
        first.TryGet<BencodeString>("failure reason", out _).Should().BeFalse();
        first.TryGet<BencodeString>("peers", out var none).Should().BeTrue();
        none!.Length.Should().Be(0);

        var second = await AnnounceAsync(endpoint, hash, 2, 6882, left: 100, "&event=started");
        Int(second, "complete").Should().Be(1);
        Int(second, "incomplete").Should().Be(1);
        Int(second, "interval").Should().BeInRange(900, 990);
        Int(second, "min interval").Should().Be(60);

        var key = ipv6 ? "peers6" : "peers";
        second.TryGet<BencodeString>(key, out var peers).Should().BeTrue();
        var size = ipv6 ? 18 : 6;
        peers!.Length.Should().Be(size);
        new IPAddress(peers.Span[..(size - 2)]).Should().Be(ipv6 ? IPAddress.IPv6Loopback : IPAddress.Loopback);
        BinaryPrimitives.ReadUInt16BigEndian(peers.Span[(size - 2)..]).Should().Be(6881);
        second.ContainsKey(ipv6 ? "peers" : "peers6").Should().Be(ipv6, "an IPv6 reply still has the required, empty, peers key");
    }

    [Test]
    public async Task Compact_zero_returns_the_dictionary_model_with_peer_ids()
    {
        var hash = TestData.NewHash();
        await AnnounceAsync(_tracker.HttpV4, hash, 11, 7001, left: 0, string.Empty);

        var reply = await AnnounceAsync(_tracker.HttpV4, hash, 12, 7002, left: 5, "&compact=0");

        var peers = (BencodeList)reply["peers"];
        peers.Should().HaveCount(1);
        var peer = (BencodeDictionary)peers[0];
        ((BencodeString)peer["ip"]).Text.Should().Be("127.0.0.1");
        ((BencodeInteger)peer["port"]).Value.Should().Be(7001);
        ((BencodeString)peer["peer id"]).Span.ToArray().Should().Equal(TestData.PeerId(11));

        var noIds = await AnnounceAsync(_tracker.HttpV4, hash, 12, 7002, left: 5, "&compact=0&no_peer_id=1");
        ((BencodeDictionary)((BencodeList)noIds["peers"])[0]).ContainsKey("peer id").Should().BeFalse();
    }

    [Test]
    public async Task A_seeder_is_given_leechers_only()
    {
        var hash = TestData.NewHash();
        await AnnounceAsync(_tracker.HttpV4, hash, 21, 7101, left: 0, string.Empty);
        await AnnounceAsync(_tracker.HttpV4, hash, 22, 7102, left: 0, string.Empty);
        var seeder = await AnnounceAsync(_tracker.HttpV4, hash, 23, 7103, left: 0, string.Empty);
        ((BencodeString)seeder["peers"]).Length.Should().Be(0, "seeders have nothing to give each other");

        await AnnounceAsync(_tracker.HttpV4, hash, 24, 7104, left: 9, string.Empty);
        seeder = await AnnounceAsync(_tracker.HttpV4, hash, 23, 7103, left: 0, string.Empty);
        var peers = (BencodeString)seeder["peers"];
        peers.Length.Should().Be(6);
        BinaryPrimitives.ReadUInt16BigEndian(peers.Span[4..]).Should().Be(7104);
    }

    [Test]
    public async Task Stopped_and_completed_change_the_counts()
    {
        var hash = TestData.NewHash();
        await AnnounceAsync(_tracker.HttpV4, hash, 31, 7201, left: 10, "&event=started");
        var done = await AnnounceAsync(_tracker.HttpV4, hash, 31, 7201, left: 0, "&event=completed");
        Int(done, "complete").Should().Be(1);
        Int(done, "incomplete").Should().Be(0);
        Int(done, "downloaded").Should().Be(1);

        var stopped = await AnnounceAsync(_tracker.HttpV4, hash, 31, 7201, left: 0, "&event=stopped");
        Int(stopped, "complete").Should().Be(0);
    }

    [TestCase("", "missing info_hash")]
    [TestCase("info_hash=abc&peer_id=-FT0001-000000000001&port=1&left=0", "invalid info_hash")]
    [TestCase("info_hash=%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41&peer_id=-FT0001-000000000001&port=0&left=0", "invalid port")]
    [TestCase("info_hash=%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41&info_hash=%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41&peer_id=-FT0001-000000000001&port=1&left=0", "more than once")]
    public async Task Bad_announces_get_a_bencoded_failure_reason_with_status_200(string query, string reason)
    {
        using var response = await _http.GetAsync(new Uri($"http://{_tracker.HttpV4}/announce?{query}"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        var body = Decode(await response.Content.ReadAsByteArrayAsync());
        ((BencodeString)body["failure reason"]).Text.Should().Contain(reason);
    }

    [TestCase("info_hash=%zz&peer_id=-FT0001-000000000001&port=1&left=0")]
    [TestCase("info_hash=%4&peer_id=-FT0001-000000000001&port=1&left=0")]
    public async Task A_bad_percent_escape_is_named_in_the_failure_reason(string query)
    {
        // System.Uri would re-escape a bad escape, so this request goes over a raw socket, as a careless client sends it.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(_tracker.HttpV4);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /announce?{query} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.Latin1);
        var text = await reader.ReadToEndAsync();

        text.Should().StartWith("HTTP/1.1 200");
        text.Should().EndWith("d14:failure reason37:invalid percent-encoding in the querye");
    }

    [Test]
    public async Task Scrape_reports_every_requested_hash()
    {
        var busy = TestData.NewHash();
        var idle = TestData.NewHash();
        await AnnounceAsync(_tracker.HttpV4, busy, 41, 7301, left: 0, string.Empty);
        await AnnounceAsync(_tracker.HttpV4, busy, 42, 7302, left: 3, string.Empty);

        var body = await GetAsync($"http://{_tracker.HttpV4}/scrape?info_hash={TestData.Escape(busy)}&info_hash={TestData.Escape(idle)}");

        var files = (BencodeDictionary)body["files"];
        files.Should().HaveCount(2);
        var entry = (BencodeDictionary)files[new BencodeString(busy)];
        ((BencodeInteger)entry["complete"]).Value.Should().Be(1);
        ((BencodeInteger)entry["incomplete"]).Value.Should().Be(1);
        ((BencodeInteger)((BencodeDictionary)files[new BencodeString(idle)])["complete"]).Value.Should().Be(0);
    }

    [Test]
    public async Task Scrape_over_the_cap_is_refused()
    {
        var query = string.Join('&', Enumerable.Range(0, 75).Select(_ => "info_hash=" + TestData.Escape(TestData.NewHash())));
        var body = await GetAsync($"http://{_tracker.HttpV4}/scrape?{query}");
        ((BencodeString)body["failure reason"]).Text.Should().Contain("too many");
    }

    [Test]
    public async Task Http_and_udp_share_one_swarm()
    {
        var hash = TestData.NewHash();
        using var udp = new UdpTrackerClient(_tracker.UdpV4);
        var id = await udp.ConnectAsync();
        await udp.RoundTripAsync(UdpTrackerClient.Announce(id, 1, hash, TestData.PeerId(51), 0, 2, 10, 7401));

        var reply = await AnnounceAsync(_tracker.HttpV4, hash, 52, 7402, left: 1, string.Empty);

        var peers = (BencodeString)reply["peers"];
        peers.Length.Should().Be(6);
        BinaryPrimitives.ReadUInt16BigEndian(peers.Span[4..]).Should().Be(7401);
    }

    [Test]
    public async Task Unknown_paths_are_404_and_admin_endpoints_are_not_public()
    {
        (await StatusAsync($"http://{_tracker.HttpV4}/nothing-here")).Should().Be(HttpStatusCode.NotFound);
        (await StatusAsync($"http://{_tracker.HttpV4}/health")).Should().Be(HttpStatusCode.NotFound);
        (await StatusAsync($"http://{_tracker.Admin[0]}/health")).Should().Be(HttpStatusCode.OK);
        (await StatusAsync($"http://{_tracker.Admin[0]}/alive")).Should().Be(HttpStatusCode.OK);
        (await StatusAsync($"http://{_tracker.Admin[0]}/announce")).Should().Be(HttpStatusCode.NotFound, "the admin port does not track");
    }

    [Test]
    public async Task Post_to_announce_is_refused()
    {
        using var response = await _http.PostAsync(new Uri($"http://{_tracker.HttpV4}/announce"), new StringContent("x"));
        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
    }

    private async Task<BencodeDictionary> AnnounceAsync(IPEndPoint endpoint, byte[] hash, int peer, int port, long left, string extra)
    {
        var url = $"http://{endpoint}/announce?info_hash={TestData.Escape(hash)}&peer_id={Encoding.ASCII.GetString(TestData.PeerId(peer))}"
            + $"&port={port}&uploaded=0&downloaded=0&left={left}{extra}";
        var body = await GetAsync(url);
        body.ContainsKey("failure reason").Should().BeFalse(body.TryGet<BencodeString>("failure reason", out var f) ? f!.Text : string.Empty);
        return body;
    }

    private async Task<BencodeDictionary> GetAsync(string url)
    {
        using var response = await _http.GetAsync(new Uri(url));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return Decode(await response.Content.ReadAsByteArrayAsync());
    }

    private async Task<HttpStatusCode> StatusAsync(string url)
    {
        using var response = await _http.GetAsync(new Uri(url));
        return response.StatusCode;
    }

    private static BencodeDictionary Decode(byte[] body)
    {
        BencodeSerializer.TryParse(body, out var value, out var error, out _, strictKeyOrder: true)
            .Should().BeTrue($"the reply must be strict bencode ({error}): {Encoding.Latin1.GetString(body)}");
        return (BencodeDictionary)value!;
    }

    private static long Int(BencodeDictionary d, string key) => ((BencodeInteger)d[key]).Value;
}
