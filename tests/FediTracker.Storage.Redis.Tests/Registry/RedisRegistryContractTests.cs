using FediTracker.Core.Registry;
using FediTracker.Core.Tests.Registry;
using FediTracker.Storage.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace FediTracker.Storage.Redis.Tests.Registry;

/// <summary>
/// The shared registry contract against <see cref="RedisTorrentRegistry"/>. One Redis per fixture; each test's
/// registry has a key prefix of its own. Reopening is what a restarted node does: a new connection and a new
/// registry over the same Redis and prefix. (Durability across a restart of Redis itself, which needs the AOF, is
/// <see cref="RedisRegistryFaultTests"/>.)
/// </summary>
public abstract class RedisRegistryContractTests : TorrentRegistryContract
{
    private readonly List<IConnectionMultiplexer> _reopened = [];
    private RedisDeployment? _redis;
    private string? _configuration;
    private IConnectionMultiplexer? _multiplexer;
    private FakeTimeProvider? _time;
    private string? _prefix;

    /// <summary>Starts this fixture's Redis (standalone or cluster).</summary>
    protected abstract Task<RedisDeployment> StartRedisAsync();

    [OneTimeSetUp]
    public async Task StartRedis()
    {
        _redis = await StartRedisAsync();
        _configuration = _redis.Configuration;
        _multiplexer = await RedisConnectionFactory.ConnectAsync(Options(_configuration, "ft"));
    }

    [OneTimeTearDown]
    public async Task StopRedis()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    protected override Task<ITorrentRegistry> CreateRegistryAsync(FakeTimeProvider time)
    {
        _time = time;
        _prefix = "c" + Guid.NewGuid().ToString("N")[..12];
        return Task.FromResult<ITorrentRegistry>(new RedisTorrentRegistry(_multiplexer!, Options(_configuration!, _prefix), time));
    }

    protected override async Task<ITorrentRegistry> ReopenRegistryAsync()
    {
        await CloseReopenedAsync();
        var options = Options(_configuration!, _prefix!);
        var multiplexer = await RedisConnectionFactory.ConnectAsync(options);
        _reopened.Add(multiplexer);
        return new RedisTorrentRegistry(multiplexer, options, _time!);
    }

    protected override async ValueTask DestroyRegistryAsync(ITorrentRegistry? registry) => await CloseReopenedAsync();

    private async Task CloseReopenedAsync()
    {
        foreach (var multiplexer in _reopened)
        {
            await multiplexer.DisposeAsync();
        }

        _reopened.Clear();
    }

    private static RedisStoreOptions Options(string configuration, string prefix) => new()
    {
        Configuration = configuration,
        KeyPrefix = prefix,
        OperationTimeout = TimeSpan.FromSeconds(5),
    };
}

/// <summary>The registry contract on one standalone redis-server.</summary>
[TestFixture]
public sealed class RedisStandaloneRegistryContractTests : RedisRegistryContractTests
{
    protected override Task<RedisDeployment> StartRedisAsync() => RedisDeployment.StartStandaloneAsync();
}

/// <summary>The registry contract on a three-primary Redis Cluster.</summary>
[TestFixture]
public sealed class RedisClusterRegistryContractTests : RedisRegistryContractTests
{
    protected override Task<RedisDeployment> StartRedisAsync() => RedisDeployment.StartClusterAsync();
}
