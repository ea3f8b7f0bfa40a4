using StackExchange.Redis;

namespace FediTracker.Storage.Redis;

internal static class RedisValueExtensions
{
    /// <summary>The bytes of a value the client read from Redis, without copying them.</summary>
    public static ReadOnlySpan<byte> Span(this RedisValue value) => ((ReadOnlyMemory<byte>)value).Span;
}
