using System.Net.Sockets;
using System.Text;

namespace FediTracker.EndToEnd.Tests;

/// <summary>
/// Pins why <see cref="Ipv6HostHeaderRelay"/> exists: the Host header libtorrent 2.0.8 sends for an IPv6-literal
/// tracker URL ("::1:port", no brackets) is refused by Kestrel with 400, the bracketed form is served. Should the
/// server ever accept the unbracketed form, this test fails and the relay can go.
/// </summary>
[TestFixture]
public sealed class Ipv6HostHeaderTests
{
    private const string Query = "info_hash=%01%02%03%04%05%06%07%08%09%0a%0b%0c%0d%0e%0f%10%11%12%13%14"
        + "&peer_id=-LT2080-abcdefghijkl&port=6881&uploaded=0&downloaded=0&left=0&event=started&compact=1";

    private TrackerUnderTest _tracker = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _tracker = await TrackerUnderTest.StartAsync(CancellationToken.None);

    [OneTimeTearDown]
    public async Task StopAsync() => await _tracker.DisposeAsync();

    [Test]
    [CancelAfter(30_000)]
    public async Task An_unbracketed_ipv6_host_header_is_refused_by_kestrel_and_the_bracketed_one_is_served()
    {
        var port = _tracker.HttpV6.Port;

        var unbracketed = await GetAsync($"::1:{port}");
        var bracketed = await GetAsync($"[::1]:{port}");

        unbracketed.Should().StartWith("HTTP/1.1 400 ", "Kestrel validates the Host header before any application code\n{0}", _tracker.Log);
        bracketed.Should().StartWith("HTTP/1.1 200 ").And.Contain("\r\n\r\nd8:complete");
        Ipv6HostHeaderRelay.BracketIPv6($"::1:{port}").Should().Be($"[::1]:{port}");
        Ipv6HostHeaderRelay.BracketIPv6($"[::1]:{port}").Should().Be($"[::1]:{port}");
        Ipv6HostHeaderRelay.BracketIPv6($"127.0.0.1:{port}").Should().Be($"127.0.0.1:{port}");
    }

    private async Task<string> GetAsync(string host)
    {
        var cancellationToken = TestContext.CurrentContext.CancellationToken;
        using var client = new TcpClient(AddressFamily.InterNetworkV6);
        await client.ConnectAsync(_tracker.HttpV6, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /announce?{Query} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"), cancellationToken);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return await reader.ReadToEndAsync(cancellationToken);
    }
}
