using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using FediTracker.Core;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace FediTracker.Storage.Redis;

/// <summary>
/// The cluster-shape swarm store: every swarm in Redis (standalone, Sentinel or Cluster), shared by any number of
/// stateless tracker nodes. One Lua script per announce does the whole job atomically (revocation check, write,
/// bounded expiry, counts, random selection; see <see cref="RedisScripts.Announce"/>), so nodes never race and
/// counts never drift. Nothing scans: expired peers are dropped a bounded batch per announce, counts and replies
/// ignore expired peers that are still stored, and an abandoned swarm's keys expire by TTL.
/// <para>
/// Faults: every Redis failure (unreachable, timed out, loading, busy, cluster down, …) surfaces as
/// <see cref="SwarmStoreUnavailableException"/> within about <see cref="RedisStoreOptions.OperationTimeout"/>; a lost
/// script cache (NOSCRIPT, after a restart or failover) is answered by sending the call again with the script's text. The multiplexer
/// reconnects by itself, so the same store instance works again as soon as Redis is back.
/// </para>
/// <para>
/// Allocation: talking to Redis allocates. Per announce: the key array (6 keys sharing one stem buffer), the argument
/// array, one 38-byte buffer for the endpoint and peer id, the client's message and reply objects. The reply is five
/// values whatever the number of peers: the peers come packed in one string and are decoded from its bytes. No LINQ
/// and no per-peer objects.
/// </para>
/// <para>
/// Cancellation: a token already cancelled stops a call before it is sent; once sent, a call runs to its answer or
/// to the operation timeout (the client cannot withdraw a command it has written).
/// </para>
/// </summary>
public sealed class RedisSwarmStore : ISwarmStore, ISwarmStoreHealth
{
    /// <summary>Most expired peers one announce drops from its family's set.</summary>
    internal const int SweepLimit = 64;

    /// <summary>Longest margin added to the peer timeout for key TTLs (covers clock skew between nodes).</summary>
    internal static readonly TimeSpan MaxTtlMargin = TimeSpan.FromMinutes(2);

    /// <summary>How long a torrent's completed-download count is kept after its last announce: 30 days.</summary>
    internal static readonly TimeSpan DownloadCountTtl = TimeSpan.FromDays(30);

    private static readonly RedisValue DownloadCountTtlMilliseconds = (long)DownloadCountTtl.TotalMilliseconds;

    private const int MemberOffset = 0;
    private const int PeerIdOffset = 18;

    private static readonly RedisScript AnnounceScript = new(RedisScripts.Announce);
    private static readonly RedisScript ScrapeScript = new(RedisScripts.Scrape);
    private static readonly RedisScript PurgeScript = new(RedisScripts.Purge);
    private static readonly RedisScript BlockScript = new(RedisScripts.Block);

    private static readonly RedisValue Family4 = "4";
    private static readonly RedisValue Family6 = "6";
    private static readonly RedisValue ModeStopped = "0";
    private static readonly RedisValue ModeLeecher = "1";
    private static readonly RedisValue ModeSeeder = "2";
    private static readonly RedisValue No = "0";
    private static readonly RedisValue Yes = "1";

    private readonly IConnectionMultiplexer _multiplexer;
    private readonly IDatabase _database;
    private readonly RedisKeys _keys;
    private readonly TimeProvider _time;
    private readonly long _peerTimeoutSeconds;
    private readonly RedisValue _ttlMilliseconds;
    private readonly TimeSpan _operationTimeout;
    private readonly ILogger _logger;

    /// <param name="multiplexer">The process's connection (see <see cref="RedisConnectionFactory"/>); not owned by the store.</param>
    /// <param name="options">Key prefix and operation timeout.</param>
    /// <param name="time">The clock peers are stamped with (Unix seconds).</param>
    /// <param name="peerTimeout">How long after its last announce a peer is forgotten; at least one second.</param>
    /// <param name="logger">Where script faults are logged.</param>
    public RedisSwarmStore(
        IConnectionMultiplexer multiplexer,
        RedisStoreOptions options,
        TimeProvider time,
        TimeSpan peerTimeout,
        ILogger<RedisSwarmStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(peerTimeout, TimeSpan.FromSeconds(1));
        _multiplexer = multiplexer;
        _database = multiplexer.GetDatabase();
        _keys = new RedisKeys(options.KeyPrefix);
        _time = time;
        _peerTimeoutSeconds = (long)peerTimeout.TotalSeconds;
        _operationTimeout = options.OperationTimeout;
        _logger = logger ?? (ILogger)NullLogger.Instance;

        // Keys live twice the peer timeout plus min(peer timeout, 2 minutes), and are refreshed at half of that.
        var margin = peerTimeout < MaxTtlMargin ? peerTimeout : MaxTtlMargin;
        _ttlMilliseconds = (long)((2 * peerTimeout) + margin).TotalMilliseconds;
    }

    /// <summary>The key names this store uses.</summary>
    internal RedisKeys Keys => _keys;

    /// <inheritdoc/>
    /// <remarks>
    /// When the torrent's revocation marker exists nothing is written and the result's status is
    /// <see cref="StoreAnnounceStatus.Revoked"/>.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<StoreAnnounceResult> AnnounceAsync(AnnounceRequest request, Memory<PeerEntry> peers, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var stopped = request.Event == AnnounceEvent.Stopped;
        var limit = stopped ? 0 : Math.Min(Math.Max(request.NumWant, 0), peers.Length);

        // One buffer for both byte arguments: the compact endpoint (6 or 18 bytes) and the peer id (20).
        var bytes = new byte[PeerIdOffset + Bytes20.Length];
        var memberLength = request.Endpoint.WriteCompact(bytes);
        request.PeerId.CopyTo(bytes.AsSpan(PeerIdOffset));
        var now = Now();
        var mode = stopped ? ModeStopped : request.IsSeeder ? ModeSeeder : ModeLeecher;
        RedisValue[] arguments =
        [
            request.Endpoint.IsIPv4 ? Family4 : Family6,
            bytes.AsMemory(MemberOffset, memberLength),
            bytes.AsMemory(PeerIdOffset, Bytes20.Length),
            now,
            now - _peerTimeoutSeconds,
            mode,
            request.Event == AnnounceEvent.Completed ? Yes : No,
            limit,
            _ttlMilliseconds,
            SweepLimit,
            Random.Shared.Next(1_000_000),
            DownloadCountTtlMilliseconds,
        ];

        var reply = (RedisResult[])(await EvaluateAsync(AnnounceScript, _keys.ForSwarm(request.InfoHash), arguments))!;
        if ((long)reply[0] == RedisScripts.RevokedStatus)
        {
            return new StoreAnnounceResult(0, 0, 0, 0, StoreAnnounceStatus.Revoked);
        }

        // The peers come as one string of records: endpoint of the announcer's family, then the 20-byte peer id.
        var written = 0;
        if (reply.Length > 4)
        {
            var packed = ((RedisValue)reply[4]).Span();
            var recordLength = memberLength + Bytes20.Length;
            var destination = peers.Span;
            for (var offset = 0; offset + recordLength <= packed.Length && written < limit; offset += recordLength)
            {
                if (TryReadPeer(packed.Slice(offset, memberLength), packed.Slice(offset + memberLength, Bytes20.Length), out var peer))
                {
                    destination[written++] = peer;
                }
            }
        }

        return new StoreAnnounceResult(written, (int)(long)reply[1], (int)(long)reply[2], (long)reply[3]);
    }

    /// <inheritdoc/>
    /// <remarks>A revoked torrent, like one with no live peer, scrapes as zeros.</remarks>
    public async ValueTask ScrapeAsync(ReadOnlyMemory<InfoHash> infoHashes, Memory<ScrapeEntry> results, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (infoHashes.IsEmpty)
        {
            return;
        }

        // Every read is issued before any is awaited: the client pipelines them, one round trip per Redis node.
        RedisValue[] arguments = [Now() - _peerTimeoutSeconds];
        var pending = new Task<RedisResult>[infoHashes.Length];
        for (var i = 0; i < pending.Length; i++)
        {
            pending[i] = EvaluateAsync(ScrapeScript, _keys.ForSwarm(infoHashes.Span[i]), arguments);
        }

        await Task.WhenAll(pending);
        var destination = results.Span;
        for (var i = 0; i < pending.Length; i++)
        {
            var counts = (RedisResult[])pending[i].Result!;
            destination[i] = new ScrapeEntry((int)(long)counts[0], (long)counts[2], (int)(long)counts[1]);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Deletes the sets, the peer ids and the download count; the revocation marker stays.</remarks>
    public async ValueTask<int> PurgeAsync(InfoHash infoHash, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisValue[] arguments = [Now() - _peerTimeoutSeconds];
        return (int)(long)await EvaluateAsync(PurgeScript, _keys.ForSwarm(infoHash), arguments);
    }

    /// <inheritdoc/>
    /// <remarks>Sets the marker the announce script checks and deletes the swarm's keys, atomically on its shard.</remarks>
    public async ValueTask<int> BlockAsync(InfoHash infoHash, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisValue[] arguments = [Now() - _peerTimeoutSeconds];
        return (int)(long)await EvaluateAsync(BlockScript, _keys.ForSwarm(infoHash), arguments);
    }

    /// <inheritdoc/>
    public async ValueTask UnblockAsync(InfoHash infoHash, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await _database.KeyDeleteAsync(_keys.RevokedMarker(infoHash));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException or RedisCommandException)
        {
            throw new SwarmStoreUnavailableException("The Redis swarm store is unavailable: " + ex.Message, ex);
        }
    }

    /// <summary>
    /// True when every primary the client knows answers PING within the operation timeout (for <c>/health</c>).
    /// Never throws.
    /// </summary>
    public async Task<bool> IsHealthyAsync()
    {
        try
        {
            var endPoints = _multiplexer.GetEndPoints();
            var pings = new List<Task<TimeSpan>>(endPoints.Length);
            foreach (var endPoint in endPoints)
            {
                var server = _multiplexer.GetServer(endPoint);
                if (!server.IsReplica)
                {
                    pings.Add(server.PingAsync());
                }
            }

            if (pings.Count == 0)
            {
                return false;
            }

            await Task.WhenAll(pings).WaitAsync(_operationTimeout);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or RedisCommandException)
        {
            return false;
        }
    }

    // Runs a script by its SHA1 (EVALSHA), which the script carries precomputed. When a server answers NOSCRIPT
    // (restarted, failed over, SCRIPT FLUSH, or never sent the script yet) nothing ran there, so the call is sent again
    // with the script's text (EVAL), which also caches it on that server for the next EVALSHA: a lost script cache
    // never reaches the caller (the script-cache test flushes it between calls). Any Redis failure becomes
    // SwarmStoreUnavailableException.
    private async Task<RedisResult> EvaluateAsync(RedisScript script, RedisKey[] keys, RedisValue[] arguments)
    {
        try
        {
            try
            {
                return await _database.ScriptEvaluateAsync(script.Hash, keys, arguments);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                return await _database.ScriptEvaluateAsync(script.Text, keys, arguments);
            }
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException or RedisCommandException)
        {
            // RedisTimeoutException and RedisCommandException do not derive from RedisException.
            if (ex is RedisServerException or RedisCommandException && !IsTransient(ex.Message))
            {
                RedisLog.ScriptFailed(_logger, ex);
            }

            throw new SwarmStoreUnavailableException("The Redis swarm store is unavailable: " + ex.Message, ex);
        }
    }

    // Server replies that mean "not now" rather than "wrong": loading a dataset, a script running too long, no
    // primary, a cluster that is down or resharding, a read-only replica after failover, out of memory.
    private static bool IsTransient(string message) =>
        message.StartsWith("LOADING", StringComparison.Ordinal)
        || message.StartsWith("BUSY", StringComparison.Ordinal)
        || message.StartsWith("NOSCRIPT", StringComparison.Ordinal)
        || message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
        || message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)
        || message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
        || message.StartsWith("READONLY", StringComparison.Ordinal)
        || message.StartsWith("OOM", StringComparison.Ordinal);

    private static bool TryReadPeer(ReadOnlySpan<byte> member, ReadOnlySpan<byte> peerId, out PeerEntry peer)
    {
        PeerAddress address;
        switch (member.Length)
        {
            case 6:
                address = PeerAddress.FromIPv4(member[..4]);
                break;
            case 18:
                address = PeerAddress.FromIPv6(member[..16]);
                break;
            default:
                peer = default;
                return false;
        }

        var port = BinaryPrimitives.ReadUInt16BigEndian(member[^2..]);
        peer = new PeerEntry(new PeerEndpoint(address, port), peerId.Length == Bytes20.Length ? PeerId.Read(peerId) : default);
        return true;
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();
}
