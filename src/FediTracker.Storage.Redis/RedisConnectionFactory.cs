using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace FediTracker.Storage.Redis;

/// <summary>
/// Builds the process's one <see cref="ConnectionMultiplexer"/> for the swarm store: never aborts when Redis is
/// down at start, bounds connecting and every call by <see cref="RedisStoreOptions.OperationTimeout"/>, and
/// reconnects by itself (backing off from 250 ms to 5 s).
/// </summary>
public static class RedisConnectionFactory
{
    /// <summary>The StackExchange.Redis options the store runs with: the configuration string, then our bounds.</summary>
    public static ConfigurationOptions CreateConfiguration(RedisStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configuration = ConfigurationOptions.Parse(options.Configuration);
        var milliseconds = (int)Math.Ceiling(options.OperationTimeout.TotalMilliseconds);
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = milliseconds;
        configuration.SyncTimeout = milliseconds;
        configuration.AsyncTimeout = milliseconds;
        configuration.ConnectRetry = 1;
        configuration.ReconnectRetryPolicy = new ExponentialRetry(250, 5_000);

        // Commands issued while a connection is being re-established wait for it, but never longer than the
        // operation timeout; past that they fail and the tracker answers "try again later".
        configuration.BacklogPolicy = BacklogPolicy.Default;
        return configuration;
    }

    /// <summary>
    /// Connects (returning even when Redis cannot be reached yet: calls then fail fast and the multiplexer keeps
    /// trying) and logs connection losses and recoveries. The caller owns and disposes the multiplexer.
    /// </summary>
    public static async Task<IConnectionMultiplexer> ConnectAsync(RedisStoreOptions options, ILogger? logger = null)
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(CreateConfiguration(options));
        var log = logger ?? NullLogger.Instance;
        multiplexer.ConnectionFailed += (_, e) => RedisLog.ConnectionFailed(log, e.EndPoint, e.FailureType, e.Exception);
        multiplexer.ConnectionRestored += (_, e) => RedisLog.ConnectionRestored(log, e.EndPoint);
        return multiplexer;
    }
}
