using FediTracker.Core;
using FediTracker.Core.Registry;
using FediTracker.Federation.Fetching;
using FediTracker.Federation.Media;
using Microsoft.Extensions.Options;

namespace FediTracker.Server.Hosting;

/// <summary>Composition of the torrents-for-media part: options, the torrent maker and its workers.</summary>
internal static class TorrentServices
{
    /// <summary>The service key of the fetcher media is downloaded with.</summary>
    public const string MediaFetcherKey = "media";

    public static void AddTorrents(this IServiceCollection services, TorrentOptions options, TrackerOptions tracker)
    {
        services.AddSingleton(options);

        // Its own fetcher (keyed, so it neither is nor replaces the federation's): media may be plain http (the content
        // is checked by its hashes, and web seeds often are http), and loopback and private addresses are reachable only
        // when Torrents:AllowPrivateAddresses says so (tests).
        services.AddKeyedSingleton(MediaFetcherKey, (sp, _) => new SafeFetcher(
            Options.Create(new SafeFetcherOptions
            {
                AllowHttp = true,
                AllowLoopback = options.AllowPrivateAddresses,
                AllowPrivateNetworks = options.AllowPrivateAddresses,
                ConnectTimeoutSeconds = 10,
                MaxRedirects = 5,
                UserAgent = "FediTracker (making a torrent of this file; web seed)",
            }),
            sp.GetRequiredService<ILogger<SafeFetcher>>()));
        services.AddSingleton(sp => new TorrentMaker(
            options,
            tracker.AccessMode == AccessMode.Private,
            sp.GetRequiredService<ModerationService>(),
            sp.GetRequiredKeyedService<SafeFetcher>(MediaFetcherKey),
            sp.GetRequiredService<ILogger<TorrentMaker>>()));
        services.AddHostedService<TorrentMakerService>();
        services.AddSingleton<Torrents.PublicTorrentCatalog>();
        services.AddSingleton<Admin.UploadGate>();
    }

    /// <summary>Starts the maker's workers with the host and stops them (cancelling what is left) with it.</summary>
    private sealed class TorrentMakerService(TorrentMaker maker) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            maker.Start();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => maker.StopAsync(cancellationToken);
    }
}
