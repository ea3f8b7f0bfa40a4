using System.Buffers.Binary;
using System.Net;
using System.Text;
using FediTracker.Protocol.Bencode;

namespace FediTracker.Server.Tests;

public sealed class ForwardedAddressTests
{
    [Test]
    public async Task Behind_a_trusted_proxy_the_rightmost_untrusted_forwarded_address_is_the_client()
    {
        await using var tracker = await TestTracker.StartAsync("--Network:TrustedProxies", "127.0.0.1,10.0.0.0/8");
        var hash = TestData.NewHash();

        // The client forged 198.51.100.66 on the left; the proxies appended the real 203.0.113.5, then 10.1.2.3.
        await AnnounceAsync(tracker.HttpV4, hash, 1, 6881, left: 0, forwardedFor: "198.51.100.66, 203.0.113.5, 10.1.2.3");
        var reply = await AnnounceAsync(tracker.HttpV4, hash, 2, 6882, left: 9, forwardedFor: "192.0.2.44");

        var peers = (BencodeString)reply["peers"];
        peers.Length.Should().Be(6);
        new IPAddress(peers.Span[..4]).Should().Be(IPAddress.Parse("203.0.113.5"));
        BinaryPrimitives.ReadUInt16BigEndian(peers.Span[4..]).Should().Be(6881);
    }

    [Test]
    public async Task From_an_untrusted_peer_the_headers_are_ignored()
    {
        await using var tracker = await TestTracker.StartAsync("--Network:TrustedProxies", "10.0.0.0/8");
        var hash = TestData.NewHash();

        await AnnounceAsync(tracker.HttpV4, hash, 1, 6881, left: 0, forwardedFor: "203.0.113.5", realIp: "203.0.113.6");
        var reply = await AnnounceAsync(tracker.HttpV4, hash, 2, 6882, left: 9, forwardedFor: null);

        new IPAddress(((BencodeString)reply["peers"]).Span[..4]).Should().Be(IPAddress.Loopback);
    }

    [Test]
    public async Task X_Real_IP_is_used_when_there_is_no_forwarded_header()
    {
        await using var tracker = await TestTracker.StartAsync("--Network:TrustedProxies", "127.0.0.0/8");
        var hash = TestData.NewHash();

        await AnnounceAsync(tracker.HttpV4, hash, 1, 6881, left: 0, forwardedFor: null, realIp: "2001:db8::7");
        var reply = await AnnounceAsync(tracker.HttpV4, hash, 2, 6882, left: 9, forwardedFor: null, realIp: "2001:db8::8");

        var peers6 = (BencodeString)reply["peers6"];
        new IPAddress(peers6.Span[..16]).Should().Be(IPAddress.Parse("2001:db8::7"));
    }

    [Test]
    public void A_bad_trusted_proxy_entry_is_a_configuration_error()
    {
        var act = () => FediTracker.Server.Hosting.TrackerHost.Build(["--Network:TrustedProxies", "10.0.0.0/8,proxy.example"]);
        act.Should().Throw<FediTracker.Server.Hosting.ConfigurationException>()
            .Which.Errors.Should().Contain(e => e.Contains("proxy.example", StringComparison.Ordinal));
    }

    private static async Task<BencodeDictionary> AnnounceAsync(IPEndPoint endpoint, byte[] hash, int peer, int port, long left, string? forwardedFor, string? realIp = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"http://{endpoint}/announce?info_hash={TestData.Escape(hash)}&peer_id={Encoding.ASCII.GetString(TestData.PeerId(peer))}&port={port}&left={left}");
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        if (realIp is not null)
        {
            request.Headers.Add("X-Real-IP", realIp);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        BencodeSerializer.TryParse(body, out var value, out _, out _).Should().BeTrue();
        var dictionary = (BencodeDictionary)value!;
        dictionary.ContainsKey("failure reason").Should().BeFalse(Encoding.ASCII.GetString(body));
        return dictionary;
    }
}
