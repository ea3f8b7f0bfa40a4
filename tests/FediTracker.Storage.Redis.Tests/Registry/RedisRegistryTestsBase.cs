using System.Security.Cryptography;
using FediTracker.Core.Registry;
using FediTracker.Protocol;
using FediTracker.Storage.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Storage.Redis.Tests.Registry;

/// <summary>
/// One Redis (standalone or cluster, per subclass) for the fixture; every test gets a registry under a key prefix of
/// its own, so tests never see each other's data.
/// </summary>
public abstract partial class RedisRegistryTestsBase
{
    private RedisDeployment? _redis;
    private string? _configuration;
    private IConnectionMultiplexer? _multiplexer;
    private ConnectionMultiplexer? _admin;
    private string? _prefix;
    private RedisTorrentRegistry? _registry;

    protected IConnectionMultiplexer Multiplexer => _multiplexer ?? throw new InvalidOperationException("Redis is not running.");

    /// <summary>A second connection, admin commands allowed, for looking at Redis directly.</summary>
    protected IConnectionMultiplexer Admin => _admin ?? throw new InvalidOperationException("Redis is not running.");

    protected string Configuration => _configuration ?? throw new InvalidOperationException("Redis is not running.");

    protected string Prefix => _prefix ?? throw new InvalidOperationException("No test is running.");

    protected RedisTorrentRegistry Registry => _registry ?? throw new InvalidOperationException("No test is running.");

    protected FakeTimeProvider Time { get; private set; } = new();

    /// <summary>Starts this fixture's Redis (standalone or cluster).</summary>
    protected abstract Task<RedisDeployment> StartRedisAsync();

    /// <summary>The slot of a key: as the client computes it (standalone), or as the server says (cluster).</summary>
    protected virtual Task<long> KeySlotAsync(string key, IServer server) => Task.FromResult((long)Admin.HashSlot(key));

    [OneTimeSetUp]
    public async Task StartRedis()
    {
        _redis = await StartRedisAsync();
        _configuration = _redis.Configuration;
        _multiplexer = await RedisConnectionFactory.ConnectAsync(Options());
        _admin = await ConnectionMultiplexer.ConnectAsync(_configuration + ",allowAdmin=true");
    }

    [OneTimeTearDown]
    public async Task StopRedis()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync();
        }

        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [SetUp]
    public void NewRegistry()
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        _prefix = "r" + Guid.NewGuid().ToString("N")[..12];
        _registry = new RedisTorrentRegistry(Multiplexer, Options(_prefix), Time);
    }

    protected RedisStoreOptions Options(string keyPrefix = "ft") => new()
    {
        Configuration = Configuration,
        KeyPrefix = keyPrefix,

        // Generous, so a busy machine never turns into a false "unavailable".
        OperationTimeout = TimeSpan.FromSeconds(5),
    };

    protected static TorrentRegistration Torrent(InfoHash? v1 = null, InfoHash? v2 = null, string? objectUri = null, string? actorUri = null, string? mediaUrl = null) => new()
    {
        V1 = v1 ?? (v2 is null ? NewInfoHash() : null),
        V2 = v2,
        Name = "clip.webm",
        ObjectUri = objectUri ?? "https://example.social/notes/" + Guid.NewGuid().ToString("N"),
        MediaUrl = mediaUrl ?? "https://example.social/media/" + Guid.NewGuid().ToString("N") + ".webm",
        ActorUri = actorUri ?? "https://example.social/users/alice",
        Length = 123_456_789,
    };

    protected async Task<TorrentRecord> CreateAsync(TorrentRegistration registration, ITorrentRegistry? registry = null)
    {
        var result = await (registry ?? Registry).RegisterAsync(registration, "admin", ModerationSource.Admin, CancellationToken.None);
        result.Outcome.Should().Be(RegisterOutcome.Created, result.Detail);
        return result.Torrent!;
    }

    protected Task<ModerationResult> ModerateAsync(ModerationKind kind, ModerationTarget target, string reason = "spam", ITorrentRegistry? registry = null) =>
        (registry ?? Registry).ModerateAsync(new ModerationRequest(kind, target, reason, ModerationSource.Admin, "mod"), CancellationToken.None);

    protected async Task<List<AccessChange>> FeedAsync(long after = 0, ITorrentRegistry? registry = null) =>
        [.. (await (registry ?? Registry).ReadAccessChangesAsync(after, 10_000, CancellationToken.None)).Changes];

    protected async Task<List<AuditEntry>> AuditAsync() =>
        [.. (await Registry.ReadAuditAsync(0, 500, CancellationToken.None)).Items];

    protected static byte[] NewDigest() => SHA256.HashData(Guid.NewGuid().ToByteArray());

    /// <summary>Every key in Redis (every primary) matching a pattern, with the primary holding it.</summary>
    protected async Task<List<(string Key, IServer Server)>> KeysAsync(string pattern)
    {
        var found = new List<(string, IServer)>();
        foreach (var endPoint in Admin.GetEndPoints())
        {
            var server = Admin.GetServer(endPoint);
            if (!server.IsConnected || server.IsReplica)
            {
                continue;
            }

            await foreach (var key in server.KeysAsync(pattern: pattern, pageSize: 1000))
            {
                found.Add((key.ToString(), server));
            }
        }

        return found;
    }

    // ---------------------------------------------------------------- Redis-specific

    [Test]
    public async Task Every_registry_key_carries_the_reg_hash_tag_and_lives_in_one_slot_on_one_node()
    {
        var a = await CreateAsync(Torrent(NewInfoHash(), NewInfoHash()) with { Metainfo = new byte[] { 1, 2, 3 } });
        var b = await CreateAsync(Torrent(actorUri: "https://example.social/users/{weird}"));
        await ModerateAsync(ModerationKind.Suspend, ModerationTarget.ForActor(b.ActorUri!));
        await ModerateAsync(ModerationKind.Revoke, ModerationTarget.ForHash(a.V2!.Value));
        await ModerateAsync(ModerationKind.Revoke, ModerationTarget.ForHash(NewInfoHash()));
        await ModerateAsync(ModerationKind.Restore, ModerationTarget.ForActor(b.ActorUri!));
        var passkey = await Registry.AddPasskeyAsync(NewDigest(), "bob", "admin", CancellationToken.None);
        await Registry.RemovePasskeyAsync(passkey.Id, "admin", CancellationToken.None);

        var keys = await KeysAsync(Prefix + ":*");

        keys.Should().HaveCountGreaterThan(15, "the writes above touch torrents, indexes, hashes, moderations, audit, passkeys and the feed");
        keys.Should().OnlyContain(k => k.Key.StartsWith(Prefix + ":{reg}:", StringComparison.Ordinal));
        var slots = new HashSet<long>();
        foreach (var (key, server) in keys)
        {
            slots.Add(await KeySlotAsync(key, server));
        }

        slots.Should().ContainSingle("one script must be able to touch every registry key");
        slots.Single().Should().Be(Admin.HashSlot("{reg}"));
        keys.Select(k => k.Server.EndPoint.ToString()).Distinct().Should().ContainSingle();
    }

    [Test]
    public async Task Concurrent_writers_on_two_connections_never_lose_an_update_nor_repeat_an_id_or_version()
    {
        await using var second = await RedisConnectionFactory.ConnectAsync(Options());
        var other = new RedisTorrentRegistry(second, Options(Prefix), Time);
        ITorrentRegistry[] registries = [Registry, other];
        var contested = Torrent(NewInfoHash(), NewInfoHash());
        const int Distinct = 60;
        var tasks = new List<Task<RegisterResult>>();
        for (var i = 0; i < Distinct; i++)
        {
            tasks.Add(registries[i % 2].RegisterAsync(Torrent(actorUri: "https://example.social/users/racer"), "admin", ModerationSource.Admin, CancellationToken.None));
            tasks.Add(registries[(i + 1) % 2].RegisterAsync(contested, "admin", ModerationSource.Admin, CancellationToken.None));
        }

        var results = await Task.WhenAll(tasks);
        var moderations = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            ModerateAsync(i % 2 == 0 ? ModerationKind.Suspend : ModerationKind.Revoke, ModerationTarget.ForActor("https://example.social/users/racer"), "race", registries[i % 2])));
        var passkeys = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => registries[i % 2].AddPasskeyAsync(NewDigest(), "k" + i, "admin", CancellationToken.None)));

        results.Count(r => r.Outcome == RegisterOutcome.Created).Should().Be(Distinct + 1, "the contested torrent is created once, then already registered");
        results.Count(r => r.Outcome == RegisterOutcome.AlreadyRegistered).Should().Be(Distinct - 1);
        var ids = results.Where(r => r.Outcome == RegisterOutcome.Created).Select(r => r.Torrent!.Id).Order().ToList();
        ids.Should().Equal(Enumerable.Range(1, Distinct + 1).Select(i => (long)i), "ids are dense and never repeated");
        // Whichever ran first: a suspension then one revocation over it, or a revocation that every later call repeats.
        var changes = moderations.Where(m => m.Changed).Select(m => m.Record!).OrderBy(r => r.Id).Select(r => r.Kind).ToList();
        string.Join(",", changes).Should().BeOneOf("Revoke", "Suspend,Revoke");
        passkeys.Select(p => p.Id).Should().OnlyHaveUniqueItems();

        var audit = await AuditAsync();
        audit.Select(a => a.Id).Should().Equal(Enumerable.Range(1, audit.Count).Select(i => (long)i));
        audit.Should().HaveCount(Distinct + 1 + changes.Count + 20, "one entry per creation, per changing moderation and per passkey");
        var feed = await FeedAsync();
        feed.Select(c => c.Version).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        var racer = await Registry.ListAsync(new TorrentQuery { ActorUri = "https://example.social/users/racer", Limit = 500 }, CancellationToken.None);
        racer.Items.Should().HaveCount(Distinct).And.OnlyContain(t => t.Status == AccessState.Revoked);
        foreach (var torrent in racer.Items)
        {
            (await other.GetStateAsync(torrent.V1!.Value, CancellationToken.None)).Should().Be(AccessState.Revoked);
        }
    }

    [Test]
    public async Task A_new_connection_and_registry_over_the_same_redis_sees_everything()
    {
        var torrent = await CreateAsync(Torrent(NewInfoHash(), NewInfoHash()) with { Metainfo = new byte[] { 0xDE, 0xAD } });
        await ModerateAsync(ModerationKind.Suspend, ModerationTarget.ForHash(torrent.V1!.Value));
        await Registry.AddPasskeyAsync(NewDigest(), "bob", "admin", CancellationToken.None);
        var feed = await FeedAsync();

        await using var second = await RedisConnectionFactory.ConnectAsync(Options());
        var reopened = new RedisTorrentRegistry(second, Options(Prefix), Time);

        (await reopened.FindAsync(torrent.V2!.Value, CancellationToken.None)).Should().BeEquivalentTo(torrent with
        {
            Status = AccessState.Suspended,
            StatusModerationId = 1,
            StatusReason = "spam",
            StatusChangedAt = Time.GetUtcNow(),
        });
        (await reopened.GetMetainfoAsync(torrent.V1!.Value, CancellationToken.None)).Should().Equal(0xDE, 0xAD);
        (await FeedAsync(registry: reopened)).Should().BeEquivalentTo(feed, o => o.WithStrictOrdering());
        (await reopened.ListPasskeysAsync(CancellationToken.None)).Should().ContainSingle();
        (await reopened.ListModerationsAsync(0, 10, CancellationToken.None)).Items.Should().ContainSingle();
    }
}
