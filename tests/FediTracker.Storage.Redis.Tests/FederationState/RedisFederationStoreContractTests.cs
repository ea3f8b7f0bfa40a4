using FediTracker.Core.FederationState;
using FediTracker.Core.Tests.FederationState;
using FediTracker.Storage.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace FediTracker.Storage.Redis.Tests.FederationState;

/// <summary>
/// The shared federation store contract against <see cref="RedisFederationStore"/>. One Redis per fixture; each
/// test's store has a key prefix of its own. The second store is another node's: a new connection and a new store
/// over the same Redis and prefix.
/// </summary>
public abstract class RedisFederationStoreContractTests : FederationStoreContract
{
    private readonly List<IConnectionMultiplexer> _opened = [];
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

    protected override Task<IFederationStore> CreateStoreAsync(FakeTimeProvider time)
    {
        _time = time;
        _prefix = "f" + Guid.NewGuid().ToString("N")[..12];
        return Task.FromResult<IFederationStore>(new RedisFederationStore(_multiplexer!, Options(_configuration!, _prefix), time));
    }

    protected override async Task<IFederationStore> OpenSecondStoreAsync()
    {
        var options = Options(_configuration!, _prefix!);
        var multiplexer = await RedisConnectionFactory.ConnectAsync(options);
        _opened.Add(multiplexer);
        return new RedisFederationStore(multiplexer, options, _time!);
    }

    protected override async ValueTask DestroyStoreAsync(IFederationStore? store)
    {
        foreach (var multiplexer in _opened)
        {
            await multiplexer.DisposeAsync();
        }

        _opened.Clear();
    }

    private static RedisStoreOptions Options(string configuration, string prefix) => new()
    {
        Configuration = configuration,
        KeyPrefix = prefix,
        OperationTimeout = TimeSpan.FromSeconds(5),
    };
}

/// <summary>The federation store contract on one standalone redis-server.</summary>
[TestFixture]
public sealed class RedisStandaloneFederationStoreContractTests : RedisFederationStoreContractTests
{
    protected override Task<RedisDeployment> StartRedisAsync() => RedisDeployment.StartStandaloneAsync();
}

/// <summary>The federation store contract on a three-primary Redis Cluster (every key in the <c>{fed}</c> slot).</summary>
[TestFixture]
public sealed class RedisClusterFederationStoreContractTests : RedisFederationStoreContractTests
{
    protected override Task<RedisDeployment> StartRedisAsync() => RedisDeployment.StartClusterAsync();
}
