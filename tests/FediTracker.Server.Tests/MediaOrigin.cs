using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FediTracker.Server.Tests;

/// <summary>
/// An instance's media server on 127.0.0.1 (Kestrel, port 0): <c>/media/&lt;name&gt;</c> with range requests,
/// <c>/chunked/&lt;name&gt;</c> without a Content-Length, and <c>/gated/&lt;name&gt;</c>, which tells the test it was
/// reached and then holds the response until the test opens the gate. It counts requests per path.
/// </summary>
internal sealed class MediaOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _gateReached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MediaOrigin(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Completes when a request reaches <c>/gated/…</c>.</summary>
    public Task GateReached => _gateReached.Task;

    public static async Task<MediaOrigin> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var origin = new MediaOrigin(app);
        app.Use(async (context, next) =>
        {
            origin._hits.AddOrUpdate(context.Request.Path.Value ?? "", 1, (_, n) => n + 1);
            await next(context);
        });
        app.MapGet("/media/{name}", (string name) =>
            origin._files.TryGetValue(name, out var bytes) ? Results.Bytes(bytes, "video/webm", enableRangeProcessing: true) : Results.NotFound());
        app.MapGet("/chunked/{name}", async (string name, HttpContext context) =>
        {
            if (!origin._files.TryGetValue(name, out var bytes))
            {
                context.Response.StatusCode = 404;
                return;
            }

            context.Response.ContentType = "video/webm";
            for (var offset = 0; offset < bytes.Length; offset += 4096)
            {
                await context.Response.Body.WriteAsync(bytes.AsMemory(offset, Math.Min(4096, bytes.Length - offset)), context.RequestAborted);
            }
        });
        app.MapGet("/gated/{name}", async (string name, HttpContext context) =>
        {
            origin._gateReached.TrySetResult();
            await origin._gate.Task.WaitAsync(context.RequestAborted);
            return origin._files.TryGetValue(name, out var bytes) ? Results.Bytes(bytes, "video/webm") : Results.NotFound();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        origin.BaseUri = new Uri(address + "/");
        return origin;
    }

    /// <summary>Adds a file of random bytes and returns them.</summary>
    public byte[] Add(string name, int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        _files[name] = bytes;
        return bytes;
    }

    public string Url(string path) => new Uri(BaseUri, path).AbsoluteUri;

    public int Hits(string path) => _hits.TryGetValue(path, out var n) ? n : 0;

    public void OpenGate() => _gate.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        _gate.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
