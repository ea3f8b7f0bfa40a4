using System.ComponentModel.DataAnnotations;
using FediTracker.Core;

namespace FediTracker.Server.Configuration;

/// <summary>
/// Reads and checks the whole configuration before anything starts, collecting every error so an operator can fix
/// them in one go.
/// </summary>
internal static class ConfigurationValidator
{
    public static (TrackerOptions Tracker, StoreOptions Store, ResolvedListenOptions Listen, List<string> Errors) Validate(IConfiguration configuration)
    {
        var errors = new List<string>();
        var network = Bind<NetworkOptions>(configuration, NetworkOptions.SectionName, errors);
        var trusted = new List<System.Net.IPNetwork>();
        Http.ClientAddressResolver.TryParseNetworks(network.TrustedProxies, trusted, errors);
        var tracker = Bind<TrackerOptions>(configuration, TrackerOptions.SectionName, errors);
        var store = Bind<StoreOptions>(configuration, StoreOptions.SectionName, errors);
        var listen = Bind<ListenOptions>(configuration, ListenOptions.SectionName, errors);

        ValidateAnnotations(tracker, TrackerOptions.SectionName, errors);
        if (tracker.MinAnnounceIntervalSeconds > tracker.AnnounceIntervalSeconds)
        {
            errors.Add("Tracker:MinAnnounceIntervalSeconds must not exceed Tracker:AnnounceIntervalSeconds.");
        }

        if (tracker.PeerTimeoutSeconds <= tracker.AnnounceIntervalSeconds * (1 + tracker.IntervalJitter))
        {
            errors.Add("Tracker:PeerTimeoutSeconds must be longer than the announce interval with its jitter, or live peers expire between announces.");
        }

        if (!System.Numerics.BitOperations.IsPow2(tracker.LatencySampleInterval))
        {
            errors.Add("Tracker:LatencySampleInterval must be a power of two (1, 2, 4, … 1024).");
        }

        if (tracker.DefaultNumWant > tracker.MaxNumWant)
        {
            errors.Add("Tracker:DefaultNumWant must not exceed Tracker:MaxNumWant.");
        }

        var isRedis = string.Equals(store.Kind, "redis", StringComparison.OrdinalIgnoreCase);
        if (!isRedis && !string.Equals(store.Kind, "memory", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"Store:Kind: '{store.Kind}' is not a known store; use 'memory' or 'redis'.");
        }

        if (isRedis)
        {
            if (string.IsNullOrWhiteSpace(store.Redis))
            {
                errors.Add("Store:Redis: the redis store needs a configuration string (--redis host:port).");
            }
            else
            {
                try
                {
                    StackExchange.Redis.ConfigurationOptions.Parse(store.Redis);
                }
                catch (ArgumentException ex)
                {
                    errors.Add($"Store:Redis: {ex.Message}");
                }
            }

            if (string.IsNullOrEmpty(store.RedisKeyPrefix) || store.RedisKeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
            {
                errors.Add("Store:RedisKeyPrefix must be non-empty and contain no braces (they mark Redis Cluster hash tags).");
            }

            if (store.RedisTimeoutMilliseconds is < 50 or > 60_000)
            {
                errors.Add("Store:RedisTimeoutMilliseconds must be 50 to 60 000.");
            }

            if (store.RedisCensusSeconds is < 0 or > 86_400)
            {
                errors.Add("Store:RedisCensusSeconds must be 0 (no census) to 86 400.");
            }

            if (store.RedisCensusMaxKeys is < 1_000 or > 1_000_000_000)
            {
                errors.Add("Store:RedisCensusMaxKeys must be 1 000 to 1 000 000 000.");
            }
        }

        var http = ListenOptions.ParseEndpoints(listen.Http, nameof(ListenOptions.Http), errors);
        var udp = ListenOptions.ParseEndpoints(listen.Udp, nameof(ListenOptions.Udp), errors);
        var admin = ListenOptions.ParseEndpoints(listen.Admin, nameof(ListenOptions.Admin), errors);
        if (http.Count == 0 && udp.Count == 0)
        {
            errors.Add("Listen: at least one HTTP or UDP endpoint is needed.");
        }

        if (listen.UdpReceiveLoops is < 0 or > 64)
        {
            errors.Add("Listen:UdpReceiveLoops must be 0 (one per processor) to 64.");
        }

        var secret = new byte[16];
        if (string.IsNullOrEmpty(listen.UdpConnectionSecret))
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(secret);
        }
        else if (!Convert.TryFromBase64String(listen.UdpConnectionSecret, secret, out var n) || n != 16)
        {
            errors.Add("Listen:UdpConnectionSecret must be 16 bytes in base64 (e.g. from 'openssl rand -base64 16').");
        }

        if (listen.UdpBatch is < 1 or > 256)
        {
            errors.Add("Listen:UdpBatch must be 1 to 256.");
        }

        var loops = listen.UdpReceiveLoops == 0 ? Environment.ProcessorCount : listen.UdpReceiveLoops;
        return (tracker, store, new ResolvedListenOptions(http, udp, admin, loops, secret, trusted, listen.UdpBatch), errors);
    }

    /// <summary>Binds a section, refusing unknown keys; binding errors go to <paramref name="errors"/>.</summary>
    public static T Bind<T>(IConfiguration configuration, string section, List<string> errors)
        where T : new()
    {
        var value = new T();
        try
        {
            configuration.GetSection(section).Bind(value, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{section}: {ex.Message}");
        }

        return value;
    }

    private static void ValidateAnnotations(object options, string section, List<string> errors)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        foreach (var result in results)
        {
            errors.Add($"{section}:{string.Join(',', result.MemberNames)}: {result.ErrorMessage}");
        }
    }
}
