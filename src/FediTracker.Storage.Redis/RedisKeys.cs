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

    /// <summary>
    /// A SCAN <c>MATCH</c> pattern for the peer sets of every torrent: <c>P:{&lt;40 characters&gt;}:[sl][46]</c>. The
    /// 40-character hash tag leaves out the registry's <c>{reg}</c> keys; the suffix leaves out the revocation markers,
    /// the peer ids and the download counts. (The prefix's characters are never glob specials: see
    /// <see cref="RedisStoreOptions.KeyPrefix"/>.)
    /// </summary>
    public string PeerSetPattern => string.Concat(Prefix, ":{", new string('?', Bytes20.Length * 2), "}:[sl][46]");

    /// <summary>
    /// The torrent and the position (one of the four peer-set constants above) of a key matched by
    /// <see cref="PeerSetPattern"/>; false for any other key.
    /// </summary>
    public bool TryParsePeerSet(ReadOnlySpan<char> key, out InfoHash infoHash, out int which)
    {
        infoHash = default;
        which = -1;
        var stemLength = Prefix.Length + 2 + (Bytes20.Length * 2) + 2;
        if (key.Length != stemLength + 2 || !key.StartsWith(Prefix, StringComparison.Ordinal)
            || !key[Prefix.Length..].StartsWith(":{", StringComparison.Ordinal)
            || !key[(stemLength - 2)..].StartsWith("}:", StringComparison.Ordinal)
            || !InfoHash.TryParseHex(key.Slice(Prefix.Length + 2, Bytes20.Length * 2), out infoHash))
        {
            return false;
        }

        for (var i = SeedersV4; i <= LeechersV6; i++)
        {
            if (key[stemLength..].SequenceEqual(Suffixes[i]))
            {
                which = i;
                return true;
            }
        }

        return false;
    }

    /// <summary>The hash tag of a torrent, braces included: every key of the torrent contains it.</summary>
    public static string HashTag(InfoHash infoHash) => string.Concat("{", infoHash.ToHex(), "}");

    private string Stem(InfoHash infoHash)
    {
        Span<char> hex = stackalloc char[Bytes20.Length * 2];
        infoHash.Value.WriteHex(hex);
        return string.Concat(Prefix.AsSpan(), ":{", hex, "}:");
    }
}
