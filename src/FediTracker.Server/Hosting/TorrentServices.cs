using FediTracker.Core;
using FediTracker.Core.Registry;
using FediTracker.Federation.Fetching;
using FediTracker.Federation.Media;
using Microsoft.Extensions.Options;

namespace FediTracker.Server.Hosting;

/// <summary>Composition of the torrents-for-media part: options, the torrent maker and its workers.</summary>
internal static class TorrentServices
{
    public static void AddTorrents(this IServiceCollection services, TorrentOptions options, TrackerOptions tracker)
    {
        services.AddSingleton(options);

        // Its own fetcher: media may be plain http (the content is checked by its hashes, and web seeds are often http),
        // and loopback and private addresses are reachable only when Torrents:AllowPrivateAddresses says so (tests).
        services.AddSingleton(sp => new TorrentMaker(
            options,
            tracker.AccessMode == AccessMode.Private,
            sp.GetRequiredService<ModerationService>(),
            new SafeFetcher(
                Options.Create(new SafeFetcherOptions
                {
                    AllowHttp = true,
                    AllowLoopback = options.AllowPrivateAddresses,
                    AllowPrivateNetworks = options.AllowPrivateAddresses,
                    ConnectTimeoutSeconds = 10,
                    MaxRedirects = 5,
                    UserAgent = "FediTracker (making a torrent of this file; web seed)",
                }),
                sp.GetRequiredService<ILogger<SafeFetcher>>()),
            sp.GetRequiredService<ILogger<TorrentMaker>>()));
        services.AddHostedService<TorrentMakerService>();
        services.AddSingleton<Torrents.PublicTorrentCatalog>();
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
