namespace FediTracker.Storage.Redis.Tests.Infrastructure;

/// <summary>
/// The Redis a fixture tests against, either shape: one standalone <see cref="RedisServer"/> or a three-primary
/// <see cref="RedisCluster"/>, with the client configuration string for it. Disposing it stops it.
/// </summary>
public sealed class RedisDeployment : IAsyncDisposable
{
    private readonly IAsyncDisposable _running;

    private RedisDeployment(string configuration, IAsyncDisposable running)
    {
        Configuration = configuration;
        _running = running;
    }

    /// <summary>The client configuration string (one endpoint, or every node of the cluster).</summary>
    public string Configuration { get; }

    public static async Task<RedisDeployment> StartStandaloneAsync()
    {
        var server = await RedisServer.StartNewAsync();
        return new RedisDeployment(server.EndPoint, server);
    }

    public static async Task<RedisDeployment> StartClusterAsync()
    {
        var cluster = await RedisCluster.StartNewAsync();
        return new RedisDeployment(cluster.Configuration, cluster);
    }

    public ValueTask DisposeAsync() => _running.DisposeAsync();
}
