using System.Net;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace FediTracker.Storage.Redis;

/// <summary>The Redis storage area's log messages (EventIds 3001–3099).</summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Lost the Redis connection to {EndPoint} ({FailureType}); swarm calls fail until it is back")]
    public static partial void ConnectionFailed(ILogger logger, EndPoint? endPoint, ConnectionFailureType failureType, Exception? exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Redis connection to {EndPoint} restored")]
    public static partial void ConnectionRestored(ILogger logger, EndPoint? endPoint);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Redis refused a swarm script; this is a bug or a server that is not Redis 7")]
    public static partial void ScriptFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Redis refused a registry script; this is a bug or a server that is not Redis 7")]
    public static partial void RegistryScriptFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Could not announce registry version {Version} to the other nodes; they catch up on their timer")]
    public static partial void PublishFailed(ILogger logger, long version, Exception exception);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Catching up with a registry change announced by another node failed")]
    public static partial void NotificationHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "The Redis swarm census failed; the torrents and peers gauges keep the last figures")]
    public static partial void CensusFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "The Redis swarm census stopped at its cap of {MaxKeys} keys; the torrents and peers gauges count only part of the swarms (raise Store:RedisCensusMaxKeys)")]
    public static partial void CensusCapped(ILogger logger, int maxKeys);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Debug, Message = "Redis swarm census: {Torrents} torrents, {Seeders} seeders, {Leechers} leechers")]
    public static partial void CensusDone(ILogger logger, long torrents, long seeders, long leechers);
}
