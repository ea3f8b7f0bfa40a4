using System.Text;
using FediTracker.Protocol;
using StackExchange.Redis;

namespace FediTracker.Storage.Redis;

/// <summary>
/// The names of every key the store uses. All keys of one torrent carry the hash tag <c>{&lt;40 hex digits&gt;}</c>, so
/// they live in one Redis Cluster slot and one script can touch them all:
/// <list type="table">
/// <item><term><c>P:{h}:p4</c>, <c>P:{h}:p6</c></term><description>sorted sets of the IPv4 and IPv6 peers; member =
/// the compact endpoint (6 or 18 bytes) followed by the 20-byte peer id, score = the last announce in Unix seconds, positive for a seeder and negative
/// for a leecher. So one set per family holds both kinds: the leechers are the lowest ranks, the seeders the highest,
/// and the expired peers of either kind (score between minus and plus the cutoff) sit in between</description></item>
/// <item><term><c>P:{h}:i4</c>, <c>P:{h}:i6</c></term><description>hashes: compact endpoint → 20-byte peer id, one per
/// family, which finds an endpoint's member (a peer is keyed by IP and port, and its id may change); they live and
/// expire with their family's set</description></item>
/// <item><term><c>P:{h}:dl</c></term><description>completed downloads of the swarm's current life</description></item>
/// <item><term><c>P:{h}:revoked</c></term><description>revocation marker: when it exists, announces are refused
/// and scrapes answer zeros (written by the revocation service, never by the swarm store)</description></item>
/// </list>
/// Before the second round of work on the store (issue 7) a torrent had <c>s4</c>, <c>l4</c>, <c>s6</c>, <c>l6</c>
/// (seeders and leechers apart) and one <c>ids</c> hash; the store no longer reads those, and they expire by their TTL.
/// The registry (<see cref="RedisTorrentRegistry"/>) keeps every one of its keys under the single hash tag
/// <c>{reg}</c> (<c>P:{reg}:…</c>, see <see cref="RegistryStem"/>), so each of its writes is one script on one slot.
/// </summary>
internal sealed class RedisKeys
{
    // Positions in the array ForSwarm returns; the scripts use the same order (KEYS[1] … KEYS[6]).
    public const int PeersV4 = 0;
    public const int IdsV4 = 1;
    public const int PeersV6 = 2;
    public const int IdsV6 = 3;
    public const int Downloads = 4;
    public const int Revoked = 5;
    public const int Count = 6;

    private static readonly string[] Suffixes = ["p4", "i4", "p6", "i6", "dl", "revoked"];
    private static readonly RedisKey[] SuffixKeys = [.. Suffixes.Select(s => (RedisKey)s)];

    private readonly byte[] _stemStart;

    public RedisKeys(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (prefix.AsSpan().ContainsAny('{', '}'))
        {
            throw new ArgumentException("A key prefix must not contain braces: they would change the hash tag.", nameof(prefix));
        }

        Prefix = prefix;
        _stemStart = Encoding.UTF8.GetBytes(prefix + ":{");
    }

    public string Prefix { get; }

    /// <summary>
    /// The six keys of one torrent, in the order of the constants above. Allocates the array and one byte array (the
    /// stem <c>P:{h}:</c>), which every key shares as its prefix; the suffixes are constants.
    /// </summary>
    public RedisKey[] ForSwarm(InfoHash infoHash)
    {
        const int HexLength = Bytes20.Length * 2;
        var stem = new byte[_stemStart.Length + HexLength + 2];
        _stemStart.CopyTo(stem, 0);
        Span<char> hex = stackalloc char[HexLength];
        infoHash.Value.WriteHex(hex);
        Encoding.ASCII.GetBytes(hex, stem.AsSpan(_stemStart.Length));
        stem[^2] = (byte)'}';
        stem[^1] = (byte)':';
        var keys = new RedisKey[Count];
        for (var i = 0; i < Count; i++)
        {
            keys[i] = SuffixKeys[i].Prepend(stem);
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
    /// A SCAN <c>MATCH</c> pattern for the peer sets of every torrent: <c>P:{&lt;40 characters&gt;}:p[46]</c>. The
    /// 40-character hash tag leaves out the registry's <c>{reg}</c> keys; the suffix leaves out the revocation markers,
    /// the peer ids and the download counts. (The prefix's characters are never glob specials: see
    /// <see cref="RedisStoreOptions.KeyPrefix"/>.)
    /// </summary>
    public string PeerSetPattern => string.Concat(Prefix, ":{", new string('?', Bytes20.Length * 2), "}:p[46]");

    /// <summary>
    /// The torrent and the position (<see cref="PeersV4"/> or <see cref="PeersV6"/>) of a key matched by
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

        foreach (var i in (ReadOnlySpan<int>)[PeersV4, PeersV6])
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
