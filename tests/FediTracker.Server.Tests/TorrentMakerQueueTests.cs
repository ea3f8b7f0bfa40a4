using System.Net;
using FediTracker.Core.Registry;
using FediTracker.Federation.Media;
using Microsoft.Extensions.DependencyInjection;

namespace FediTracker.Server.Tests;

/// <summary>The torrent maker's bounded queue and its configuration (the same in both shapes, so run on one).</summary>
[TestFixture]
public sealed class TorrentMakerQueueTests
{
    private const string Announce = "http://tracker.test/announce";

    [Test]
    public async Task A_full_queue_refuses_with_503_and_retry_after_and_the_queued_work_still_completes()
    {
        await using var origin = await MediaOrigin.StartAsync();
        await using var tracker = await TestTracker.StartAsync(
        [
            .. AdminApiClient.TokenArgs,
            "--Torrents:AnnounceUrls:0", Announce,
            "--Torrents:AllowPrivateAddresses", "true",
            "--Torrents:MakeWorkers", "1",
            "--Torrents:MakeQueueCapacity", "1",
        ]);
        using var admin = new AdminApiClient(tracker);
        var maker = tracker.Services.GetRequiredService<TorrentMaker>();
        origin.Add("held.webm", 30_000);
        origin.Add("queued.webm", 30_000);
        origin.Add("refused.webm", 30_000);

        // The only worker is busy with a download the origin holds open; one more request fills the queue.
        var held = admin.PostAsync("torrents/make", new { mediaUrl = origin.Url("/gated/held.webm") });
        await origin.GateReached.WaitAsync(TimeSpan.FromSeconds(30));
        maker.TryEnqueue(new TorrentMakeRequest { MediaUrl = new Uri(origin.Url("/media/queued.webm")), By = "test", Source = ModerationSource.Admin }, out var queued).Should().BeTrue();
        maker.Queued.Should().Be(1);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("torrents/make", UriKind.Relative)) { Content = System.Net.Http.Json.JsonContent.Create(new { mediaUrl = origin.Url("/media/refused.webm") }) };
        using var refused = await admin.Http.SendAsync(request);
        refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        refused.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(30));
        var problem = System.Text.Json.Nodes.JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        problem["title"]!.GetValue<string>().Should().Be("Too busy");
        problem["detail"]!.GetValue<string>().Should().Contain("queue is full");
        origin.Hits("/media/refused.webm").Should().Be(0, "a refused request fetches nothing");

        origin.OpenGate();
        (await held).Status.Should().Be(HttpStatusCode.Created);
        (await queued!.WaitAsync(TimeSpan.FromSeconds(30))).Outcome.Should().Be(TorrentMakeOutcome.Created);
        (await admin.PostAsync("torrents/make", new { mediaUrl = origin.Url("/media/refused.webm") })).Status.Should().Be(HttpStatusCode.Created, "once the queue drains, the same request is taken");
    }

    [Test]
    public async Task Without_announce_urls_nothing_is_made_and_the_discovery_document_says_so()
    {
        await using var origin = await MediaOrigin.StartAsync();
        await using var tracker = await TestTracker.StartAsync([.. AdminApiClient.TokenArgs, "--Torrents:AllowPrivateAddresses", "true"]);
        using var admin = new AdminApiClient(tracker);
        origin.Add("x.webm", 1000);

        var (status, problem) = await admin.PostAsync("torrents/make", new { mediaUrl = origin.Url("/media/x.webm") });

        status.Should().Be(HttpStatusCode.ServiceUnavailable);
        problem!["detail"]!.GetValue<string>().Should().Contain("Torrents:AnnounceUrls");
        origin.Hits("/media/x.webm").Should().Be(0);
        using var http = new HttpClient();
        var document = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync(new Uri($"http://{tracker.HttpV4}/.well-known/feditracker")))!;
        document["makesTorrents"]!.GetValue<bool>().Should().BeFalse();
        document["endpoints"]!["lookup"]!.GetValue<string>().Should().Be("/torrents/lookup?mediaUrl={mediaUrl}", "with no public URL known, links are relative");
    }
}
