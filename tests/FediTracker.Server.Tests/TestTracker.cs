using System.Net;
using FediTracker.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FediTracker.Server.Tests;

/// <summary>A real tracker host on loopback, every port chosen by the system (port 0).</summary>
internal sealed class TestTracker : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestTracker(WebApplication app)
    {
        _app = app;
        var bound = app.Services.GetRequiredService<BoundEndpoints>();
        Http = bound.Http;
        Udp = bound.Udp;
        Admin = bound.Admin;
    }

    public IReadOnlyList<IPEndPoint> Http { get; }

    public IReadOnlyList<IPEndPoint> Udp { get; }

    public IReadOnlyList<IPEndPoint> Admin { get; }

    public IServiceProvider Services => _app.Services;

    public IPEndPoint HttpV4 => Http.First(e => e.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);

    public IPEndPoint HttpV6 => Http.First(e => e.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);

    public IPEndPoint UdpV4 => Udp.First(e => e.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);

    public IPEndPoint UdpV6 => Udp.First(e => e.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);

    public static Uri AnnounceUri(IPEndPoint endpoint) => new($"http://{endpoint}/announce");

    public static async Task<TestTracker> StartAsync(params string[] extraArgs)
    {
        // Each tracker gets its own registry file; tests of registered or private mode pass --Tracker:AccessMode.
        var directory = Directory.CreateTempSubdirectory("feditracker-test-").FullName;
        string[] args =
        [
            "--http", "127.0.0.1:0,[::1]:0",
            "--udp", "127.0.0.1:0,[::1]:0",
            "--admin", "127.0.0.1:0",
            "--Listen:UdpReceiveLoops", "2",
            "--Tracker:AccessMode", "open",
            "--Registry:Path", Path.Combine(directory, "registry.db"),
            "--Logging:LogLevel:Default", "Warning",
            .. extraArgs,
        ];
        var app = TrackerHost.Build(args, builder => builder.Logging.ClearProviders());
        await app.StartAsync();
        return new TestTracker(app) { DataDirectory = directory };
    }

    /// <summary>The directory holding this tracker's registry file (deleted on dispose).</summary>
    public string DataDirectory { get; private init; } = string.Empty;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
    }
}
