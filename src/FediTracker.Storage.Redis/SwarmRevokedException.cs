using FediTracker.Protocol;

namespace FediTracker.Storage.Redis;

/// <summary>
/// The torrent's revocation marker was set when the announce arrived: the store refused it and wrote nothing.
/// Thrown by <see cref="RedisSwarmStore.AnnounceAsync"/> only until the store contract can say "revoked" in its
/// result (see the Redis store notes); the caller should answer with a permanent failure (BEP 31 <c>retry in: never</c>).
/// </summary>
public sealed class SwarmRevokedException : Exception
{
    public SwarmRevokedException()
        : base("The torrent has been revoked.")
    {
    }

    public SwarmRevokedException(string message)
        : base(message)
    {
    }

    public SwarmRevokedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SwarmRevokedException(InfoHash infoHash)
        : base("The torrent has been revoked.")
    {
        InfoHash = infoHash;
    }

    /// <summary>The revoked torrent.</summary>
    public InfoHash InfoHash { get; }
}
