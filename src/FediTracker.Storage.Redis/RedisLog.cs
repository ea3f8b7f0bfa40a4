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
}
