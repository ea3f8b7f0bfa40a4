using System.Net;
using System.Net.Sockets;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using FediTracker.Server.Hosting;
using FediTracker.Server.Udp;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FediTracker.EndToEnd.Tests;

/// <summary>
/// The real tracker host, in process, on loopback: HTTP and UDP on 127.0.0.1 and [::1], every port chosen by the
/// system. Its warnings (and Kestrel's reasons for refusing a request) are kept for failure messages.
/// </summary>
internal sealed class TrackerUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly LogCapture _log;

    private TrackerUnderTest(WebApplication app, LogCapture log)
    {
        _app = app;
        _log = log;
        var bound = app.Services.GetRequiredService<BoundEndpoints>();
        HttpV4 = bound.Http.Single(e => e.AddressFamily == AddressFamily.InterNetwork);
        HttpV6 = bound.Http.Single(e => e.AddressFamily == AddressFamily.InterNetworkV6);
        UdpV4 = bound.Udp.Single(e => e.AddressFamily == AddressFamily.InterNetwork);
        UdpV6 = bound.Udp.Single(e => e.AddressFamily == AddressFamily.InterNetworkV6);
        Admin = bound.Admin.Single();
        SwarmStore = app.Services.GetRequiredService<ISwarmStore>();
        Udp = app.Services.GetRequiredService<UdpTrackerService>();
    }

    public IPEndPoint HttpV4 { get; }

    public IPEndPoint HttpV6 { get; }

    public IPEndPoint UdpV4 { get; }

    public IPEndPoint UdpV6 { get; }

    /// <summary>The admin API's endpoint (loopback IPv4).</summary>
    public IPEndPoint Admin { get; }

    /// <summary>The in-memory store; only for a tracker started without <c>--store redis</c>.</summary>
    public MemorySwarmStore Store => _app.Services.GetRequiredService<MemorySwarmStore>();

    /// <summary>The store the tracker files peers in, whatever its kind.</summary>
    public ISwarmStore SwarmStore { get; }

    public UdpTrackerService Udp { get; }

    /// <summary>What the tracker logged, one entry a line.</summary>
    public string Log => _log.Text;

    public static async Task<TrackerUnderTest> StartAsync(CancellationToken cancellationToken, params string[] extraArgs)
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
            "--Logging:LogLevel:Microsoft.AspNetCore.Server.Kestrel.BadRequests", "Debug",
            .. extraArgs,
        ];
        var log = new LogCapture();
        var app = TrackerHost.Build(args, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(log);
        });
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new TrackerUnderTest(app, log) { DataDirectory = directory };
    }

    /// <summary>The swarm of <paramref name="infoHashHex"/> as the tracker holds it now.</summary>
    public SwarmSnapshot Snapshot(string infoHashHex)
    {
        InfoHash.TryParseHex(infoHashHex, out var hash).Should().BeTrue($"'{infoHashHex}' should be a v1 info-hash in hex");
        var entries = new ScrapeEntry[1];
        Store.Scrape([hash], entries);
        return new SwarmSnapshot(entries[0].Complete, entries[0].Incomplete, entries[0].Downloaded, Store.PeerCount, Store.SwarmCount);
    }

    /// <summary>The scrape of <paramref name="infoHashHex"/> through <see cref="SwarmStore"/> (for any kind of store).</summary>
    public async Task<ScrapeEntry> ScrapeAsync(string infoHashHex, CancellationToken cancellationToken)
    {
        InfoHash.TryParseHex(infoHashHex, out var hash).Should().BeTrue($"'{infoHashHex}' should be a v1 info-hash in hex");
        var entries = new ScrapeEntry[1];
        await SwarmStore.ScrapeAsync(new[] { hash }, entries, cancellationToken);
        return entries[0];
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
