using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FediTracker.Server.Tests;

/// <summary>
/// Media files served by a loopback test server (<see cref="MediaOrigin"/>, the fake instance of the federation
/// tests): <c>/media/&lt;name&gt;</c> with a Content-Length and range requests, <c>/chunked/&lt;name&gt;</c> without a
/// Content-Length, and <c>/gated/&lt;name&gt;</c>, which tells the test it was reached and holds the response until the
/// test opens the gate. Requests are counted per path.
/// </summary>
internal sealed class MediaFiles(string contentType)
{
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _gateReached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string ContentType => contentType;

    /// <summary>Completes when a request reaches <c>/gated/…</c>.</summary>
    public Task GateReached => _gateReached.Task;

    /// <summary>Counts every request of <paramref name="app"/> by path, and maps the three media routes.</summary>
    public void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            _hits.AddOrUpdate(context.Request.Path.Value ?? "", 1, (_, n) => n + 1);
            await next(context);
        });
        app.MapGet("/media/{name}", (string name) =>
            _files.TryGetValue(name, out var bytes) ? Results.Bytes(bytes, contentType, enableRangeProcessing: true) : Results.NotFound());
        app.MapGet("/chunked/{name}", async (string name, HttpContext context) =>
        {
            if (!_files.TryGetValue(name, out var bytes))
            {
                context.Response.StatusCode = 404;
                return;
            }

            context.Response.ContentType = contentType;
            for (var offset = 0; offset < bytes.Length; offset += 4096)
            {
                await context.Response.Body.WriteAsync(bytes.AsMemory(offset, Math.Min(4096, bytes.Length - offset)), context.RequestAborted);
            }
        });
        app.MapGet("/gated/{name}", async (string name, HttpContext context) =>
        {
            _gateReached.TrySetResult();
            await _gate.Task.WaitAsync(context.RequestAborted);
            return _files.TryGetValue(name, out var bytes) ? Results.Bytes(bytes, contentType) : Results.NotFound();
        });
    }

    /// <summary>Adds a file of random bytes and returns them.</summary>
    public byte[] Add(string name, int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        _files[name] = bytes;
        return bytes;
    }

    public bool TryGet(string name, out byte[] bytes) => _files.TryGetValue(name, out bytes!);

    public int Hits(string path) => _hits.TryGetValue(path, out var n) ? n : 0;

    public void OpenGate() => _gate.TrySetResult();
}
