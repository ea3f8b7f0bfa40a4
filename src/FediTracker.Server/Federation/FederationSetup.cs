using System.Security.Cryptography;
using FediTracker.Core.Registry;
using FediTracker.Federation;
using FediTracker.Federation.Activities;
using FediTracker.Federation.Diagnostics;
using FediTracker.Federation.Fetching;
using FediTracker.Federation.Inbox;
using FediTracker.Federation.Keys;
using FediTracker.Federation.Media;
using FediTracker.Federation.Outbox;
using FediTracker.Federation.Signatures;
using FediTracker.Core.FederationState;
using FediTracker.Server.Configuration;
using FediTracker.Storage.Redis;
using FediTracker.Storage.Sqlite;
using Microsoft.Extensions.Options;

namespace FediTracker.Server.Federation;

/// <summary>Reads the <c>Federation</c> section and, when federation is on, adds its services.</summary>
internal static class FederationSetup
{
    /// <summary>Binds and checks the section (every error to <paramref name="errors"/>); loads or makes the actor key.</summary>
    public static (FederationOptions Options, ActorKeyPair? Key) Read(IConfiguration configuration, List<string> errors)
    {
        var options = ConfigurationValidator.Bind<FederationOptions>(configuration, FederationOptions.SectionName, errors);
        if (!options.IsEnabled)
        {
            return (options, null);
        }

        var before = errors.Count;
        options.Validate(errors);
        if (errors.Count > before)
        {
            return (options, null);
        }

        try
        {
            return (options, ActorKeyPair.LoadOrCreate(options.Key.PrivateKeyPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
        {
            errors.Add($"Federation:Key:PrivateKeyPath: the actor key '{options.Key.PrivateKeyPath}' cannot be loaded or created: {e.Message}");
            return (options, null);
        }
    }

    /// <summary>Adds federation's services; with <see cref="TorrentOptions.AutoRegister"/>, the inbox registers posts' media.</summary>
    public static void AddServices(IServiceCollection services, FederationOptions options, ActorKeyPair key, bool redis, TorrentOptions torrents)
    {
        services.AddSingleton(options);
        services.AddSingleton(key);
        services.AddSingleton(new TrackerActor(options, key));
        services.AddSingleton(sp => new FederationMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(sp => new SafeFetcher(Options.Create(options.Fetch), sp.GetRequiredService<ILogger<SafeFetcher>>(), sp.GetRequiredService<FederationMetrics>()));
        services.AddSingleton<IActivityDocumentFetcher>(sp => sp.GetRequiredService<SafeFetcher>());
        services.AddSingleton<IActorKeyResolver>(sp => new ActorKeyCache(
            sp.GetRequiredService<IActivityDocumentFetcher>(),
            Options.Create(options.KeyCache),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ActorKeyCache>>(),
            sp.GetRequiredService<FederationMetrics>()));
        services.AddSingleton(sp => new SignatureVerifier(
            sp.GetRequiredService<IActorKeyResolver>(),
            Options.Create(options.Signatures),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SignatureVerifier>>(),
            sp.GetRequiredService<FederationMetrics>()));
        if (redis)
        {
            // Beside the registry: the durable Redis (Registry:Redis when set).
            services.AddSingleton<IFederationStore>(sp => new RedisFederationStore(
                sp.GetRequiredService<Hosting.RegistryConnection>().Multiplexer,
                sp.GetRequiredService<RedisStoreOptions>(),
                sp.GetRequiredService<TimeProvider>()));
        }
        else
        {
            services.AddSingleton<IFederationStore>(sp => new SqliteFederationStore(options.StatePath, sp.GetRequiredService<TimeProvider>()));
        }

        services.AddSingleton<DeliveryScheduler>();
        services.AddSingleton(sp => new DeletionApplier(
            () => sp.GetRequiredService<ModerationService>(),
            sp.GetRequiredService<ILogger<DeletionApplier>>(),
            sp.GetRequiredService<FederationMetrics>()));
        services.AddSingleton(new OriginRateLimiter(options.InboxRequestsPerMinute, options.InboxBurst));
        var autoRegister = torrents.AutoRegister && torrents.AnnounceUrls.Count > 0;
        if (autoRegister)
        {
            services.AddSingleton(sp => new AutoRegistrar(
                torrents,
                sp.GetRequiredService<TorrentMaker>(),
                sp.GetRequiredService<ILogger<AutoRegistrar>>(),
                sp.GetRequiredService<FederationMetrics>()));
        }

        services.AddSingleton(sp => new InboxProcessor(
            options,
            sp.GetRequiredService<TrackerActor>(),
            sp.GetRequiredService<SignatureVerifier>(),
            sp.GetRequiredService<IFederationStore>(),
            sp.GetRequiredService<IActivityDocumentFetcher>(),
            sp.GetRequiredService<DeletionApplier>(),
            sp.GetRequiredService<DeliveryScheduler>(),
            sp.GetRequiredService<OriginRateLimiter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<InboxProcessor>>(),
            sp.GetRequiredService<FederationMetrics>(),
            autoRegister ? sp.GetRequiredService<AutoRegistrar>() : null));
        services.AddSingleton<IRegistryObserver>(sp => new FederationRegistryObserver(
            sp.GetRequiredService<TrackerActor>(),
            sp.GetRequiredService<IFederationStore>(),
            sp.GetRequiredService<DeliveryScheduler>(),
            sp.GetRequiredService<DeletionApplier>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<FederationRegistryObserver>>()));
        services.AddSingleton(sp => new DeliveryWorker(
            options,
            sp.GetRequiredService<TrackerActor>(),
            sp.GetRequiredService<IFederationStore>(),
            sp.GetRequiredService<SafeFetcher>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DeliveryWorker>>(),
            sp.GetRequiredService<FederationMetrics>()));
        services.AddSingleton<FederationEndpoint>();
        services.AddHostedService<FederationService>();
    }
}
