using FediTracker.Server.Federation;
using FediTracker.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace FediTracker.Server.Tests.Federation;

public sealed class FederationConfigurationTests
{
    [Test]
    public void Every_federation_error_is_reported_with_the_others()
    {
        var act = () => TrackerHost.Build(
        [
            "--store", "cassandra",
            "--Federation:Enabled", "true",
            "--Federation:TrustedDomains:0", "https://social.example/",
            "--Federation:Peers:0:Actor", "ftp://tracker.example/actor",
            "--Federation:MaxInboxBodyBytes", "10",
            "--Federation:SeenActivityHours", "1",
            "--Federation:Fetch:TimeoutSeconds", "0",
        ]);

        var errors = act.Should().Throw<ConfigurationException>().Which.Errors;
        errors.Should().Contain(e => e.Contains("Store:Kind", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("Federation:PublicUrl", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("Federation:TrustedDomains:0", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("Federation:Peers:0:Actor", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("Federation:MaxInboxBodyBytes", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("Federation:SeenActivityHours", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("Federation:Fetch:TimeoutSeconds", StringComparison.Ordinal));
    }

    [Test]
    public void Automatic_registration_needs_announce_urls_and_federation_and_its_errors_come_together()
    {
        var act = () => TrackerHost.Build(
        [
            "--Torrents:AutoRegister", "true",
            "--Torrents:MaxAttachmentsPerActivity", "0",
            "--Torrents:MediaHosts:0:Domain", "https://social.example/",
            "--Torrents:MediaHosts:1:Domain", "social.example",
        ]);

        var errors = act.Should().Throw<ConfigurationException>().Which.Errors;
        errors.Should().Contain(e => e.StartsWith("Torrents:AutoRegister needs Torrents:AnnounceUrls", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("Torrents:AutoRegister needs federation", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("Torrents:MaxAttachmentsPerActivity", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("Torrents:MediaHosts:0:Domain", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("Torrents:MediaHosts:1:Hosts", StringComparison.Ordinal));
    }

    [Test]
    public void A_plain_http_public_url_is_refused_unless_http_is_allowed()
    {
        var act = () => TrackerHost.Build(["--Federation:PublicUrl", "http://tracker.example"]);
        act.Should().Throw<ConfigurationException>().Which.Errors.Should().ContainSingle(e => e.Contains("Federation:PublicUrl", StringComparison.Ordinal));

        var withPath = () => TrackerHost.Build(["--Federation:PublicUrl", "https://tracker.example/sub"]);
        withPath.Should().Throw<ConfigurationException>().Which.Errors.Should().ContainSingle(e => e.Contains("no path", StringComparison.Ordinal));
    }

    [Test]
    public void An_unknown_federation_key_is_reported()
    {
        var act = () => TrackerHost.Build(["--Federation:TrustedDomain:0", "social.example"]);
        act.Should().Throw<ConfigurationException>().Which.Errors.Should().Contain(e => e.StartsWith("Federation", StringComparison.Ordinal));
    }

    [Test]
    public async Task Federation_is_off_without_a_public_url_and_its_paths_are_then_404()
    {
        await using var tracker = await TestTracker.StartAsync();
        tracker.Services.GetService<FederationEndpoint>().Should().BeNull();
        using var http = new HttpClient();
        (await http.GetAsync(new Uri($"http://{tracker.HttpV4}/actor"))).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
    }
}
