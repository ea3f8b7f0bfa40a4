using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
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
    private readonly MediaFiles _media = new("video/webm");

    private MediaOrigin(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Completes when a request reaches <c>/gated/…</c>.</summary>
    public Task GateReached => _media.GateReached;

    public static async Task<MediaOrigin> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var origin = new MediaOrigin(app);
        origin._media.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        origin.BaseUri = new Uri(address + "/");
        return origin;
    }

    /// <summary>Adds a file of random bytes and returns them.</summary>
    public byte[] Add(string name, int length) => _media.Add(name, length);

    public string Url(string path) => new Uri(BaseUri, path).AbsoluteUri;

    public int Hits(string path) => _media.Hits(path);

    public void OpenGate() => _media.OpenGate();

    public async ValueTask DisposeAsync()
    {
        _media.OpenGate();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
