using FediTracker.Protocol;
using StackExchange.Redis;

namespace FediTracker.Storage.Redis;

/// <summary>
/// The names of every key the store uses. All keys of one torrent carry the hash tag <c>{&lt;40 hex digits&gt;}</c>, so
/// they live in one Redis Cluster slot and one script can touch them all:
/// <list type="table">
/// <item><term><c>P:{h}:s4</c>, <c>P:{h}:l4</c>, <c>P:{h}:s6</c>, <c>P:{h}:l6</c></term><description>sorted sets of the
/// IPv4/IPv6 seeders and leechers; member = the compact endpoint (6 or 18 bytes), score = last announce (Unix seconds)</description></item>
/// <item><term><c>P:{h}:ids</c></term><description>hash: compact endpoint → 20-byte peer id</description></item>
/// <item><term><c>P:{h}:dl</c></term><description>completed downloads of the swarm's current life</description></item>
/// <item><term><c>P:{h}:revoked</c></term><description>revocation marker: when it exists, announces are refused
/// and scrapes answer zeros (written by the revocation service, never by the swarm store)</description></item>
/// </list>
/// The registry (<see cref="RedisTorrentRegistry"/>) keeps every one of its keys under the single hash tag
/// <c>{reg}</c> (<c>P:{reg}:…</c>, see <see cref="RegistryStem"/>), so each of its writes is one script on one slot.
/// </summary>
internal sealed class RedisKeys
{
    // Positions in the array ForSwarm returns; the scripts use the same order (KEYS[1] … KEYS[7]).
    public const int SeedersV4 = 0;
    public const int LeechersV4 = 1;
    public const int SeedersV6 = 2;
    public const int LeechersV6 = 3;
    public const int PeerIds = 4;
    public const int Downloads = 5;
    public const int Revoked = 6;
    public const int Count = 7;

    private static readonly string[] Suffixes = ["s4", "l4", "s6", "l6", "ids", "dl", "revoked"];

    public RedisKeys(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (prefix.AsSpan().ContainsAny('{', '}'))
        {
            throw new ArgumentException("A key prefix must not contain braces: they would change the hash tag.", nameof(prefix));
        }

        Prefix = prefix;
    }

    public string Prefix { get; }

    /// <summary>The seven keys of one torrent, in the order of the constants above. Allocates the array and 7 strings.</summary>
    public RedisKey[] ForSwarm(InfoHash infoHash)
    {
        var stem = Stem(infoHash);
        var keys = new RedisKey[Count];
        for (var i = 0; i < Count; i++)
        {
            keys[i] = string.Concat(stem, Suffixes[i]);
        }

        return keys;
    }

    /// <summary>One key of one torrent (<paramref name="which"/> is one of the constants above).</summary>
    public string Key(InfoHash infoHash, int which) => string.Concat(Stem(infoHash), Suffixes[which]);

    /// <summary>The revocation marker of a torrent: <c>P:{h}:revoked</c>.</summary>
    public string RevokedMarker(InfoHash infoHash) => Key(infoHash, Revoked);

    /// <summary>
    /// The start of every registry key, <c>P:{reg}:</c>: one hash tag for the whole registry, so every registry script
    /// runs on one slot (one shard of a Redis Cluster; the registry is written rarely, so one shard is plenty).
    /// </summary>
    public string RegistryStem => string.Concat(Prefix, ":{reg}:");

    /// <summary>The pub/sub channel on which nodes announce registry writes: <c>P:registry</c>.</summary>
    public string RegistryChannel => string.Concat(Prefix, ":registry");

    /// <summary>The hash tag of a torrent, braces included: every key of the torrent contains it.</summary>
    public static string HashTag(InfoHash infoHash) => string.Concat("{", infoHash.ToHex(), "}");

    private string Stem(InfoHash infoHash)
    {
        Span<char> hex = stackalloc char[Bytes20.Length * 2];
        infoHash.Value.WriteHex(hex);
        return string.Concat(Prefix.AsSpan(), ":{", hex, "}:");
    }
}
