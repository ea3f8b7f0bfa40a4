using FediTracker.Storage.Redis.Tests.Infrastructure;

namespace FediTracker.Storage.Redis.Tests.Registry;

/// <summary>The Redis registry against one standalone redis-server.</summary>
[TestFixture]
public sealed class RedisStandaloneRegistryTests : RedisRegistryTestsBase
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
