using FediTracker.Core;
using FediTracker.Core.Diagnostics;
using FediTracker.Core.Registry;
using FediTracker.Core.Swarms;
using FediTracker.Server.Admin;
using FediTracker.Server.Configuration;
using FediTracker.Federation.Media;
using FediTracker.Server.Federation;
using FediTracker.Server.Http;
using FediTracker.Server.Torrents;
using FediTracker.Server.Udp;
using FediTracker.Storage.Redis;
using FediTracker.Storage.Sqlite;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace FediTracker.Server.Hosting;

/// <summary>Builds the tracker's host: configuration, services, the public and admin listeners.</summary>
public static partial class TrackerHost
{
    /// <summary>Short command-line flags and the configuration keys they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--store"] = "Store:Kind",
        ["--redis"] = "Store:Redis",
        ["--http"] = "Listen:Http",
        ["--udp"] = "Listen:Udp",
        ["--admin"] = "Listen:Admin",
    };

    /// <summary>
    /// Builds the application. Configuration comes from appsettings.json, environment variables and the command line,
    /// in rising precedence. Throws <see cref="ConfigurationException"/> listing every error found.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The arguments are added once, below, with the short flags mapped; handing them to the builder as well would
        // add a second, unmapped copy ("--admin 127.0.0.1:0" would also set a key "admin").
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string>(SwitchMappings));

        // Plain console logs by default; Logging:Format = json gives one JSON object a line (for log shippers).
        builder.Logging.ClearProviders();
        if (string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
        }
        else
        {
            builder.Logging.AddSimpleConsole();
        }
        configure?.Invoke(builder);

        var (trackerOptions, storeOptions, listen, errors) = ConfigurationValidator.Validate(builder.Configuration);
        var adminTokens = AdminTokens.From(ConfigurationValidator.Bind<AdminOptions>(builder.Configuration, AdminOptions.SectionName, errors), errors);
        var registryOptions = ConfigurationValidator.Bind<RegistryOptions>(builder.Configuration, RegistryOptions.SectionName, errors);
        var torrentOptions = ConfigurationValidator.Bind<TorrentOptions>(builder.Configuration, TorrentOptions.SectionName, errors);
        torrentOptions.Validate(errors);
        if (string.IsNullOrWhiteSpace(registryOptions.Path))
        {
            errors.Add("Registry:Path must name the SQLite file.");
        }

        if (!string.IsNullOrWhiteSpace(registryOptions.Redis))
        {
            if (!string.Equals(storeOptions.Kind, "redis", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add("Registry:Redis applies to the cluster shape only (Store:Kind = redis).");
            }

            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(registryOptions.Redis);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"Registry:Redis: {ex.Message}");
            }
        }

        var (federationOptions, actorKey) = FederationSetup.Read(builder.Configuration, errors);
        if (torrentOptions.AutoRegister && !federationOptions.IsEnabled)
        {
            errors.Add("Torrents:AutoRegister needs federation (Federation:PublicUrl): posts to register arrive in its inbox.");
        }

        if (errors.Count > 0)
        {
            actorKey?.Dispose();
            throw new ConfigurationException(errors);
        }

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Options.Create(trackerOptions));
        services.AddSingleton(listen);
        services.AddSingleton(new BoundEndpoints());
        AddSwarmStore(services, storeOptions, TimeSpan.FromSeconds(trackerOptions.PeerTimeoutSeconds));
        services.AddSingleton(sp => new TrackerMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetService<ISwarmTotals>(), trackerOptions.LatencySampleInterval));
        AddRegistry(services, storeOptions, registryOptions);
        services.AddSingleton(adminTokens);
        services.AddSingleton<AccessList>();
        services.AddSingleton(sp => new AccessPolicy(trackerOptions.AccessMode, sp.GetRequiredService<AccessList>()));
        services.AddSingleton<AccessSynchronizer>();
        services.AddSingleton(sp => new RegistryMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<AccessList>()));
        services.AddSingleton<ModerationService>();
        if (actorKey is not null)
        {
            FederationSetup.AddServices(services, federationOptions, actorKey, string.Equals(storeOptions.Kind, "redis", StringComparison.OrdinalIgnoreCase), torrentOptions);
        }

        services.AddSingleton<AccessSyncService>();
        services.AddTorrents(torrentOptions, trackerOptions);
        services.AddProblemDetails();
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "FediTracker admin API";
            document.Info.Description = "Registry, revocations, suspensions, audit log and passkeys. Bearer tokens with roles admin and moderator.";
            return Task.CompletedTask;
        }));
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("feditracker"))
            .WithMetrics(metrics => metrics
            .AddMeter(TrackerMetrics.MeterName)
            .AddMeter(FediTracker.Federation.Diagnostics.FederationMetrics.MeterName)
            .AddRuntimeInstrumentation()

            // Three runtime gauges end in ".count", which Prometheus reserves for histogram/summary counts (promtool
            // flags them); they are exported under names that say what they hold.
            .AddView("dotnet.assembly.count", new MetricStreamConfiguration { Name = "dotnet.assemblies.loaded" })
            .AddView("dotnet.process.cpu.count", new MetricStreamConfiguration { Name = "dotnet.process.cpus" })
            .AddView("dotnet.timer.count", new MetricStreamConfiguration { Name = "dotnet.timers.active" })
            .AddPrometheusExporter());
        services.AddHostedService<MaintenanceService>();

        // Before the UDP listener and Kestrel start: the access list is loaded first.
        services.AddHostedService(sp => sp.GetRequiredService<AccessSyncService>());
        services.AddSingleton<Tracker>();
        services.AddSingleton(new ClientAddressResolver(listen.TrustedProxies));
        services.AddSingleton<HttpTrackerEndpoint>();
        services.AddSingleton<UdpTracker>();
        services.AddSingleton<UdpTrackerService>();
        services.AddHostedService(sp => sp.GetRequiredService<UdpTrackerService>());
        services.AddHostedService<ListeningLogger>();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));

        // An IPv6 wildcard listener would take IPv4 too (dual mode) and collide with the IPv4 listener on the same
        // port; each family gets its own socket, as the UDP listener does.
        builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = CreateListenSocket);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var bound = kestrel.ApplicationServices.GetRequiredService<BoundEndpoints>();
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestHeadersTotalSize = 8 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
            foreach (var endpoint in listen.Http)
            {
                kestrel.Listen(endpoint, o =>
                {
                    o.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1;
                    bound.AddHttp(o);
                });
            }

            foreach (var endpoint in listen.Admin)
            {
                kestrel.Listen(endpoint, o =>
                {
                    o.Use(next => connection =>
                    {
                        connection.Items[AdminConnectionMarker.ItemKey] = true;
                        return next(connection);
                    });
                    bound.AddAdmin(o);
                });
            }
        });

        var app = builder.Build();
        var tracker = app.Services.GetRequiredService<HttpTrackerEndpoint>();
        var federation = app.Services.GetService<FederationEndpoint>();

        // Public connections go straight to the tracker, without routing (its paths first: they are the hot ones); the
        // public torrent endpoints go on to routing, the ActivityPub paths to federation when it is on; admin
        // connections continue to endpoints.
        app.Use((context, next) =>
        {
            if (IsAdmin(context))
            {
                return next(context);
            }

            var path = context.Request.Path.Value;
            if (HttpTrackerEndpoint.Handles(path))
            {
                return tracker.HandleAsync(context);
            }

            if (PublicEndpoints.Handles(context.Request.Path))
            {
                return next(context);
            }

            return federation is null ? tracker.HandleAsync(context) : federation.HandleAsync(context);
        });
        app.UseStatusCodePages();
        app.UseRouting();
        AdminEndpoints.Map(app);
        AdminApi.Map(app);
        PublicEndpoints.Map(app);
        app.MapOpenApi(AdminApi.Prefix + "/openapi.json");
        return app;
    }

    private static void AddSwarmStore(IServiceCollection services, StoreOptions store, TimeSpan peerTimeout)
    {
        if (!string.Equals(store.Kind, "redis", StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton(sp => new MemorySwarmStore(sp.GetRequiredService<TimeProvider>(), peerTimeout));
            services.AddSingleton<ISwarmStore>(sp => sp.GetRequiredService<MemorySwarmStore>());
            services.AddSingleton<ISwarmTotals>(sp => sp.GetRequiredService<MemorySwarmStore>());
            return;
        }

        var redis = new RedisStoreOptions
        {
            Configuration = store.Redis,
            KeyPrefix = store.RedisKeyPrefix,
            OperationTimeout = TimeSpan.FromMilliseconds(store.RedisTimeoutMilliseconds),
        };
        services.AddSingleton(redis);

        // One multiplexer per process. It returns even while Redis is unreachable and keeps reconnecting; meanwhile
        // announces fail fast with "temporarily unavailable" and /health says so.
        services.AddSingleton(sp => RedisConnectionFactory
            .ConnectAsync(redis, sp.GetRequiredService<ILoggerFactory>().CreateLogger("FediTracker.Storage.Redis"))
            .GetAwaiter().GetResult());
        services.AddSingleton(sp => new RedisSwarmStore(
            sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(),
            redis,
            sp.GetRequiredService<TimeProvider>(),
            peerTimeout,
            sp.GetRequiredService<ILogger<RedisSwarmStore>>()));
        services.AddSingleton<ISwarmStore>(sp => sp.GetRequiredService<RedisSwarmStore>());
        services.AddSingleton<ISwarmStoreHealth>(sp => sp.GetRequiredService<RedisSwarmStore>());

        // The torrents and peers gauges: a census of the whole Redis on a timer (every node counts the same swarms, so
        // every node reports the same cluster-wide figures). Off with Store:RedisCensusSeconds = 0: no gauges then.
        if (store.RedisCensusSeconds > 0)
        {
            services.AddSingleton(sp => new RedisSwarmCensus(
                sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(),
                redis,
                sp.GetRequiredService<TimeProvider>(),
                peerTimeout,
                store.RedisCensusMaxKeys,
                sp.GetRequiredService<ILogger<RedisSwarmCensus>>()));
            services.AddSingleton<ISwarmTotals>(sp => sp.GetRequiredService<RedisSwarmCensus>());
            services.AddHostedService(sp => new RedisCensusService(
                sp.GetRequiredService<RedisSwarmCensus>(),
                TimeSpan.FromSeconds(store.RedisCensusSeconds),
                sp.GetRequiredService<TimeProvider>()));
        }
    }

    private static void AddRegistry(IServiceCollection services, StoreOptions store, RegistryOptions registry)
    {
        if (!string.Equals(store.Kind, "redis", StringComparison.OrdinalIgnoreCase))
        {
            // Single node: one SQLite file. Opened (and migrated) by the first access-feed load, before the listeners
            // start; a path that cannot be used stops the start with the reason.
            services.AddSingleton(sp => new SqliteTorrentRegistry(
                new SqliteRegistryOptions { Path = registry.Path },
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<SqliteTorrentRegistry>>()));
            services.AddSingleton<ITorrentRegistry>(sp => sp.GetRequiredService<SqliteTorrentRegistry>());
            services.AddSingleton(new AccessSyncOptions(RequireInitialLoad: true));
            return;
        }

        // Cluster: the registry lives in Redis (one hash tag, so one slot in a Cluster) — the swarms' Redis, or its own
        // when Registry:Redis is set — and nodes nudge each other over pub/sub when it changes.
        services.AddSingleton(sp => new RegistryConnection(string.IsNullOrWhiteSpace(registry.Redis)
            ? sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>()
            : RedisConnectionFactory
                .ConnectAsync(WithConfiguration(sp.GetRequiredService<RedisStoreOptions>(), registry.Redis), sp.GetRequiredService<ILoggerFactory>().CreateLogger("FediTracker.Storage.Redis.Registry"))
                .GetAwaiter().GetResult()));
        services.AddSingleton(sp => new RedisTorrentRegistry(
            sp.GetRequiredService<RegistryConnection>().Multiplexer,
            sp.GetRequiredService<RedisStoreOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RedisTorrentRegistry>>()));
        services.AddSingleton<ITorrentRegistry>(sp => sp.GetRequiredService<RedisTorrentRegistry>());
        services.AddSingleton(sp => new RedisRegistryNotifications(
            sp.GetRequiredService<RegistryConnection>().Multiplexer,
            sp.GetRequiredService<RedisStoreOptions>(),
            sp.GetRequiredService<ILogger<RedisRegistryNotifications>>()));
        services.AddSingleton<RedisRegistryRelay>();
        services.AddSingleton<IRegistryObserver>(sp => sp.GetRequiredService<RedisRegistryRelay>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisRegistryRelay>());
        services.AddSingleton(new AccessSyncOptions(RequireInitialLoad: false));
    }

    private static RedisStoreOptions WithConfiguration(RedisStoreOptions options, string configuration) => new()
    {
        Configuration = configuration,
        KeyPrefix = options.KeyPrefix,
        OperationTimeout = options.OperationTimeout,
    };


    private static System.Net.Sockets.Socket CreateListenSocket(System.Net.EndPoint endpoint)
    {
        if (endpoint is not System.Net.IPEndPoint { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ip)
        {
            return Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        }

        var socket = new System.Net.Sockets.Socket(ip.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        try
        {
            socket.DualMode = false;
            socket.NoDelay = true;
            socket.Bind(ip);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool IsAdmin(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(AdminConnectionMarker.ItemKey) == true;
}

/// <summary>The Redis connection the registry (and federation state) uses: the swarms' own, or a separate one.</summary>
internal sealed record RegistryConnection(StackExchange.Redis.IConnectionMultiplexer Multiplexer);
