using FediTracker.Storage.Redis.Tests.Infrastructure;

namespace FediTracker.Storage.Redis.Tests;

/// <summary>The swarm store contract and the Redis store's own behaviour against a standalone <c>redis-server</c>.</summary>
[TestFixture]
public sealed class RedisSwarmStoreTests : RedisSwarmStoreTestsBase
{
    private RedisServer? _server;

    protected override async Task<string> StartRedisAsync()
    {
        _server = await RedisServer.StartNewAsync();
        return _server.EndPoint;
    }

    protected override async ValueTask StopRedisAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
