using System.Net;
using System.Text;
using FediTracker.Federation.Fetching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FediTracker.Federation.Tests;

/// <summary>The SSRF-safe fetcher against a real Kestrel server on loopback. No traffic leaves the machine.</summary>
[NonParallelizable]
public class SafeFetcherTests
{
    private const string ActorJson = "{\"id\":\"https://origin.example/users/alice\",\"type\":\"Person\"}";

    private LoopbackOrigin _origin = null!;
    private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [OneTimeSetUp]
    public async Task StartOrigin()
    {
        _origin = await LoopbackOrigin.StartAsync(app =>
        {
            app.MapGet("/actor", () => Results.Text(ActorJson, "application/activity+json"));
            app.MapGet("/ld", () => Results.Text(ActorJson, "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""));
            app.MapGet("/html", () => Results.Text("<html></html>", "text/html"));
            app.MapGet("/gone", () => Results.StatusCode(410));
            app.MapGet("/big", () => Results.Bytes(new byte[2 * 1024 * 1024], "application/activity+json"));
            app.MapGet("/big-chunked", async (HttpContext context) =>
            {
                context.Response.ContentType = "application/activity+json";
                var chunk = new byte[64 * 1024];
                for (var i = 0; i < 32; i++)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                }
            });
            app.MapGet("/to-private", () => Results.Redirect("http://10.0.0.1/actor"));
            app.MapGet("/to-mapped-metadata", () => Results.Redirect("http://[::ffff:169.254.169.254]/latest/meta-data"));
            app.MapGet("/to-https-downgrade", () => Results.Redirect("/actor"));
            app.MapGet("/redirect/{n:int}", (int n) => n == 0 ? Results.Redirect("/actor") : Results.Redirect($"/redirect/{n - 1}"));
            app.MapGet("/slow", async (HttpContext context) =>
            {
                await _never.Task.WaitAsync(context.RequestAborted);
                return Results.Ok();
            });
            app.MapPost("/inbox", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync();
                return Results.Text("got " + body, "text/plain", statusCode: 202);
            });
            app.MapPost("/moved-inbox", () => Results.Redirect("/inbox", permanent: true, preserveMethod: true));
        });
    }

    [OneTimeTearDown]
    public async Task StopOrigin()
    {
        _never.TrySetResult();
        await _origin.DisposeAsync();
    }

    private static SafeFetcher Fetcher(bool allowLoopback = true, int maxRedirects = 3, int timeoutSeconds = 10, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null) =>
        new(
            new SafeFetcherOptions { AllowLoopback = allowLoopback, AllowHttp = true, MaxRedirects = maxRedirects, TimeoutSeconds = timeoutSeconds, MaxResponseBytes = 1_048_576 },
            resolve ?? ((_, _) => throw new InvalidOperationException("no DNS in this test")),
            LoopbackOnly.ConnectAsync);

    private static async Task<FetchException> Refused(Func<Task> fetch)
    {
        var thrown = await FluentActions.Awaiting(fetch).Should().ThrowAsync<FetchException>();
        return thrown.Which;
    }

    [Test]
    public async Task Fetches_activity_json_from_loopback_when_allowed()
    {
        using var fetcher = Fetcher();

        var response = await fetcher.GetActivityDocumentAsync(_origin.Url("/actor"), CancellationToken.None);

        response.MediaType.Should().Be("application/activity+json");
        Encoding.UTF8.GetString(response.Body).Should().Be(ActorJson);
    }

    [Test]
    public async Task Accepts_ld_json_with_the_activitystreams_profile()
    {
        using var fetcher = Fetcher();

        var response = await fetcher.GetActivityDocumentAsync(_origin.Url("/ld"), CancellationToken.None);

        response.MediaType.Should().Be("application/ld+json");
    }

    [Test]
    public async Task The_same_url_is_refused_when_loopback_is_not_allowed_and_nothing_is_sent()
    {
        using var fetcher = Fetcher(allowLoopback: false);
        var before = _origin.Hits;

        var refused = await Refused(() => fetcher.GetActivityDocumentAsync(_origin.Url("/actor"), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.AddressRefused);
        refused.Reason.Should().Be("address_refused");
        _origin.Hits.Should().Be(before);
    }

    [Test]
    public async Task A_name_is_resolved_by_the_fetcher_and_the_vetted_address_is_the_one_connected_to()
    {
        var resolved = new List<string>();
        using var fetcher = Fetcher(resolve: (host, _) =>
        {
            resolved.Add(host);
            return Task.FromResult(new[] { IPAddress.Loopback });
        });

        var response = await fetcher.GetActivityDocumentAsync(new Uri($"http://origin.test:{_origin.Port}/actor"), CancellationToken.None);

        resolved.Should().Equal("origin.test");
        Encoding.UTF8.GetString(response.Body).Should().Be(ActorJson);
    }

    [Test]
    public async Task A_name_resolving_to_loopback_is_refused_when_loopback_is_not_allowed()
    {
        using var fetcher = Fetcher(allowLoopback: false, resolve: (_, _) => Task.FromResult(new[] { IPAddress.Loopback }));
        var before = _origin.Hits;

        var refused = await Refused(() => fetcher.GetActivityDocumentAsync(new Uri($"http://rebound.test:{_origin.Port}/actor"), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.AddressRefused);
        _origin.Hits.Should().Be(before);
    }

    [TestCase("10.1.2.3")]
    [TestCase("192.168.0.10")]
    [TestCase("100.64.1.1")]
    [TestCase("169.254.169.254")]
    [TestCase("fd00::5")]
    [TestCase("::ffff:10.0.0.1")]
    [TestCase("0.0.0.0")]
    [TestCase("224.0.0.251")]
    public async Task A_name_resolving_to_a_private_or_special_address_is_refused_before_connecting(string address)
    {
        using var fetcher = Fetcher(resolve: (_, _) => Task.FromResult(new[] { IPAddress.Parse(address) }));

        var refused = await Refused(() => fetcher.GetActivityDocumentAsync(new Uri("https://internal.test/actor"), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.AddressRefused);
    }

    [Test]
    public async Task A_name_with_one_public_and_one_private_address_is_refused_whole()
    {
        using var fetcher = Fetcher(allowLoopback: false, resolve: (_, _) => Task.FromResult(new[] { IPAddress.Parse("93.184.216.34"), IPAddress.Loopback }));

        var refused = await Refused(() => fetcher.GetActivityDocumentAsync(new Uri("https://mixed.test/actor"), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.AddressRefused);
    }

    [Test]
    public async Task A_redirect_to_a_private_address_is_refused()
    {
        using var fetcher = Fetcher();

        var refused = await Refused(() => fetcher.GetActivityDocumentAsync(_origin.Url("/to-private"), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.AddressRefused);
        refused.Message.Should().Contain("10.0.0.1");
    }

    [Test]
    public async Task A_redirect_to_an_IPv4_mapped_link_local_address_is_refused()
    {
        using var fetcher = Fetcher();

        var refused = await Refused(() => fetcher.GetActivityDocumentAsync(_origin.Url("/to-mapped-metadata"), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.AddressRefused);
    }

    [Test]
    public async Task Redirects_are_followed_up_to_the_limit()
    {
        using var fetcher = Fetcher(maxRedirects: 3);

        var response = await fetcher.GetActivityDocumentAsync(_origin.Url("/redirect/2"), CancellationToken.None);

        response.Uri.AbsolutePath.Should().Be("/actor");
    }

    [Test]
    public async Task Too_many_redirects_are_refused()
    {
        using var fetcher = Fetcher(maxRedirects: 3);

        var refused = await Refused(() => fetcher.GetActivityDocumentAsync(_origin.Url("/redirect/3"), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.TooManyRedirects);
    }

    [TestCase("/big", TestName = "Too large, declared in Content-Length")]
    [TestCase("/big-chunked", TestName = "Too large, chunked without a length")]
    public async Task A_response_too_large_is_refused(string path)
    {
        using var fetcher = Fetcher();

        var refused = await Refused(() => fetcher.GetActivityDocumentAsync(_origin.Url(path), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.TooLarge);
    }

    [Test]
    public async Task A_response_that_is_not_activitypub_json_is_refused()
    {
        using var fetcher = Fetcher();

        var refused = await Refused(() => fetcher.GetActivityDocumentAsync(_origin.Url("/html"), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.BadContentType);
    }

    [Test]
    public async Task An_error_status_is_reported_with_its_code()
    {
        using var fetcher = Fetcher();

        var refused = await Refused(() => fetcher.GetActivityDocumentAsync(_origin.Url("/gone"), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.BadStatus);
        refused.StatusCode.Should().Be(410);
    }

    [Test]
    public async Task Plain_http_is_refused_unless_allowed_and_nothing_is_sent()
    {
        using var fetcher = new SafeFetcher(new SafeFetcherOptions { AllowLoopback = true }, (_, _) => throw new InvalidOperationException(), LoopbackOnly.ConnectAsync);
        var before = _origin.Hits;

        var refused = await Refused(() => fetcher.GetActivityDocumentAsync(_origin.Url("/actor"), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.SchemeRefused);
        _origin.Hits.Should().Be(before);
    }

    [TestCase("ftp://origin.example/actor")]
    [TestCase("https://user:secret@origin.example/actor")]
    public async Task Urls_that_are_not_plain_http_s_are_refused(string url)
    {
        using var fetcher = Fetcher();

        var refused = await Refused(() => fetcher.GetActivityDocumentAsync(new Uri(url), CancellationToken.None));

        refused.Failure.Should().BeOneOf(FetchFailure.SchemeRefused, FetchFailure.InvalidUrl);
    }

    [Test]
    public async Task The_whole_fetch_has_a_deadline()
    {
        using var fetcher = Fetcher(timeoutSeconds: 1);

        var refused = await Refused(() => fetcher.GetActivityDocumentAsync(_origin.Url("/slow"), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.Timeout);
    }

    [Test]
    public async Task The_callers_cancellation_is_not_reported_as_a_timeout()
    {
        using var fetcher = Fetcher(timeoutSeconds: 30);
        using var cancel = new CancellationTokenSource();
        var fetch = fetcher.GetActivityDocumentAsync(_origin.Url("/slow"), cancel.Token);
        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => fetch).Should().ThrowAsync<OperationCanceledException>();
    }

    [Test]
    public async Task Deliveries_are_sent_under_the_same_rules_and_do_not_follow_redirects()
    {
        using var fetcher = Fetcher();
        using var delivery = new HttpRequestMessage(HttpMethod.Post, _origin.Url("/inbox")) { Content = new StringContent("hello") };
        using var moved = new HttpRequestMessage(HttpMethod.Post, _origin.Url("/moved-inbox")) { Content = new StringContent("hello") };
        using var refusedFetcher = Fetcher(allowLoopback: false);
        using var refusedDelivery = new HttpRequestMessage(HttpMethod.Post, _origin.Url("/inbox")) { Content = new StringContent("hello") };

        var accepted = await fetcher.SendAsync(delivery, CancellationToken.None);
        var redirected = await fetcher.SendAsync(moved, CancellationToken.None);
        var refused = await Refused(() => refusedFetcher.SendAsync(refusedDelivery, CancellationToken.None));

        accepted.StatusCode.Should().Be(202);
        Encoding.UTF8.GetString(accepted.Body).Should().Be("got hello");
        redirected.StatusCode.Should().Be(308);
        refused.Failure.Should().Be(FetchFailure.AddressRefused);
    }
}
