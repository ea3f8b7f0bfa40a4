using System.Security.Cryptography;
using FediTracker.Federation.Fetching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FediTracker.Federation.Tests;

/// <summary><see cref="SafeFetcher.GetStreamAsync"/> (media downloads) against a real Kestrel server on loopback.</summary>
[NonParallelizable]
public class SafeFetcherStreamTests
{
    private const int MediaLength = (3 * 1024 * 1024) + 17;

    private readonly byte[] _media = RandomNumberGenerator.GetBytes(MediaLength);
    private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LoopbackOrigin _origin = null!;
    private TaskCompletionSource _breakNow = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [OneTimeSetUp]
    public async Task StartOrigin()
    {
        _origin = await LoopbackOrigin.StartAsync(app =>
        {
            app.MapGet("/media.webm", () => Results.Bytes(_media, "video/webm"));
            app.MapGet("/to-media", () => Results.Redirect("/media.webm"));
            app.MapGet("/to-private", () => Results.Redirect("http://192.168.1.1/media.webm"));
            app.MapGet("/missing", () => Results.NotFound());
            app.MapGet("/chunked", async (HttpContext context) =>
            {
                context.Response.ContentType = "video/webm";
                var chunk = new byte[64 * 1024];
                for (var i = 0; i < 32; i++)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                }
            });
            app.MapGet("/stalls", async (HttpContext context) =>
            {
                context.Response.ContentLength = 1_000_000;
                await context.Response.Body.WriteAsync(new byte[1000], context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await _never.Task.WaitAsync(context.RequestAborted);
            });
            app.MapGet("/breaks", async (HttpContext context) =>
            {
                context.Response.ContentLength = 1_000_000;
                await context.Response.Body.WriteAsync(new byte[1000], context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await _breakNow.Task.WaitAsync(context.RequestAborted);
                context.Abort();
            });
        });
    }

    [OneTimeTearDown]
    public async Task StopOrigin()
    {
        _never.TrySetResult();
        _breakNow.TrySetResult();
        await _origin.DisposeAsync();
    }

    private static SafeFetcher Fetcher(bool allowLoopback = true) =>
        new(
            new SafeFetcherOptions { AllowLoopback = allowLoopback, AllowHttp = true, MaxRedirects = 3, MaxResponseBytes = 1_048_576 },
            (_, _) => throw new InvalidOperationException("no DNS in this test"),
            LoopbackOnly.ConnectAsync);

    private static async Task<FetchException> Refused(Func<Task> fetch) =>
        (await FluentActions.Awaiting(fetch).Should().ThrowAsync<FetchException>()).Which;

    private static async Task<byte[]> ReadAllAsync(StreamedFetch fetch)
    {
        using var copy = new MemoryStream();
        await fetch.Content.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Test]
    public async Task Streams_a_body_larger_than_the_document_limit_byte_for_byte()
    {
        using var fetcher = Fetcher();

        await using var fetch = await fetcher.GetStreamAsync(_origin.Url("/media.webm"), MediaLength, TimeSpan.FromSeconds(30), CancellationToken.None);

        fetch.ContentLength.Should().Be(MediaLength);
        fetch.MediaType.Should().Be("video/webm");
        (await ReadAllAsync(fetch)).Should().Equal(_media, "MaxResponseBytes (1 MiB) bounds buffered documents, not streams");
        fetch.BytesRead.Should().Be(MediaLength);
    }

    [Test]
    public async Task Follows_redirects_and_reports_the_url_that_answered()
    {
        using var fetcher = Fetcher();

        await using var fetch = await fetcher.GetStreamAsync(_origin.Url("/to-media"), MediaLength, TimeSpan.FromSeconds(30), CancellationToken.None);

        fetch.Uri.AbsolutePath.Should().Be("/media.webm");
        (await ReadAllAsync(fetch)).Length.Should().Be(MediaLength);
    }

    [Test]
    public async Task A_declared_length_over_the_bound_is_refused_before_the_body_is_read()
    {
        using var fetcher = Fetcher();

        var refused = await Refused(() => fetcher.GetStreamAsync(_origin.Url("/media.webm"), MediaLength - 1, TimeSpan.FromSeconds(30), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.TooLarge);
        refused.Message.Should().Contain("declares");
    }

    [Test]
    public async Task A_chunked_body_is_refused_as_soon_as_it_passes_the_bound()
    {
        using var fetcher = Fetcher();
        await using var fetch = await fetcher.GetStreamAsync(_origin.Url("/chunked"), 100_000, TimeSpan.FromSeconds(30), CancellationToken.None);

        var refused = await Refused(() => ReadAllAsync(fetch));

        refused.Failure.Should().Be(FetchFailure.TooLarge);
        fetch.BytesRead.Should().BeLessThan(2 * 1024 * 1024, "reading stops at the bound, not at the end");
    }

    [Test]
    public async Task Loopback_is_refused_when_not_allowed_and_nothing_is_sent()
    {
        using var fetcher = Fetcher(allowLoopback: false);
        var before = _origin.Hits;

        var refused = await Refused(() => fetcher.GetStreamAsync(_origin.Url("/media.webm"), MediaLength, TimeSpan.FromSeconds(30), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.AddressRefused);
        _origin.Hits.Should().Be(before);
    }

    [Test]
    public async Task A_redirect_to_a_private_address_is_refused()
    {
        using var fetcher = Fetcher();

        var refused = await Refused(() => fetcher.GetStreamAsync(_origin.Url("/to-private"), MediaLength, TimeSpan.FromSeconds(30), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.AddressRefused);
    }

    [Test]
    public async Task An_error_status_is_refused_with_its_code()
    {
        using var fetcher = Fetcher();

        var refused = await Refused(() => fetcher.GetStreamAsync(_origin.Url("/missing"), MediaLength, TimeSpan.FromSeconds(30), CancellationToken.None));

        refused.Failure.Should().Be(FetchFailure.BadStatus);
        refused.StatusCode.Should().Be(404);
    }

    [Test]
    public async Task A_body_that_stalls_past_the_deadline_is_a_timeout()
    {
        using var fetcher = Fetcher();
        await using var fetch = await fetcher.GetStreamAsync(_origin.Url("/stalls"), 1_000_000, TimeSpan.FromSeconds(1), CancellationToken.None);

        var refused = await Refused(() => ReadAllAsync(fetch));

        refused.Failure.Should().Be(FetchFailure.Timeout);
        fetch.BytesRead.Should().Be(1000);
    }

    [Test]
    public async Task A_connection_that_breaks_mid_body_is_a_connect_failure()
    {
        using var fetcher = Fetcher();
        _breakNow = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var fetch = await fetcher.GetStreamAsync(_origin.Url("/breaks"), 1_000_000, TimeSpan.FromSeconds(30), CancellationToken.None);
        var buffer = new byte[4096];
        while (fetch.BytesRead < 1000)
        {
            _ = await fetch.Content.ReadAsync(buffer);
        }

        _breakNow.SetResult();
        var refused = await Refused(() => ReadAllAsync(fetch));

        refused.Failure.Should().Be(FetchFailure.ConnectFailed);
    }

    [Test]
    public async Task The_callers_cancellation_is_not_reported_as_a_timeout()
    {
        using var fetcher = Fetcher();
        await using var fetch = await fetcher.GetStreamAsync(_origin.Url("/stalls"), 1_000_000, TimeSpan.FromSeconds(30), CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var buffer = new byte[4096];
        while (fetch.BytesRead < 1000)
        {
            _ = await fetch.Content.ReadAsync(buffer, cancel.Token);
        }

        var read = fetch.Content.ReadAsync(buffer, cancel.Token).AsTask();
        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => read).Should().ThrowAsync<OperationCanceledException>();
    }
}
