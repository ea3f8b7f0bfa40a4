using System.Globalization;
using System.Text;
using FediTracker.Core.Registry;
using FediTracker.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace FediTracker.Storage.Redis;

/// <summary>
/// The cluster-shape registry: torrents, moderations, the audit log, passkeys and the access feed in Redis, following
/// <c>src/FediTracker.Core/Registry/SEMANTICS.md</c>. Every key carries the hash tag <c>{reg}</c> (layout in
/// <see cref="RedisRegistryScripts"/>), so the whole registry lives in one slot — one shard of a Redis Cluster, which
/// is plenty for a store written a few times a minute and read mostly through each node's in-memory
/// <see cref="AccessList"/> — and every write is one Lua script: the change, its audit entry, its moderation record
/// and the feed versions together, all or nothing. Reads are scripts too (read-only), so each sees one instant.
/// <para>
/// Durability: a write is durable when its task completes only if Redis runs with <c>appendonly yes</c> and
/// <c>appendfsync always</c> (Redis then fsyncs the AOF before it answers). With <c>appendfsync everysec</c> a crash
/// loses up to a second of registry writes; without AOF, everything since the last RDB snapshot.
/// </para>
/// <para>
/// Faults: any Redis failure becomes <see cref="RegistryUnavailableException"/>. A call that fails before reaching
/// Redis changed nothing; one that timed out after it was sent may still have been applied (Redis gives no way to
/// tell), which is why every write is safe to repeat: a repeated registration answers <c>AlreadyRegistered</c>, a
/// repeated moderation changes nothing.
/// </para>
/// </summary>
public sealed class RedisTorrentRegistry : ITorrentRegistry
{
    /// <summary>Largest metainfo stored: 16 MiB.</summary>
    public const int MaxMetainfoLength = 16 * 1024 * 1024;

    private const int MaxLimit = 500;

    private readonly IDatabase _database;
    private readonly RedisKey[] _keys;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="multiplexer">The process's connection (see <see cref="RedisConnectionFactory"/>); not owned.</param>
    /// <param name="options">Key prefix (the registry's keys are <c>prefix:{reg}:…</c>) and operation timeout.</param>
    /// <param name="time">The clock records are stamped with.</param>
    /// <param name="logger">Where refused scripts are logged.</param>
    public RedisTorrentRegistry(IConnectionMultiplexer multiplexer, RedisStoreOptions options, TimeProvider time, ILogger<RedisTorrentRegistry>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _database = multiplexer.GetDatabase();
        _keys = [new RedisKeys(options.KeyPrefix).RegistryStem];
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The one key every script is routed by, <c>prefix:{reg}:</c>.</summary>
    internal string Stem => _keys[0].ToString();

    /// <inheritdoc/>
    public async Task<RegisterResult> RegisterAsync(TorrentRegistration registration, string by, ModerationSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(by);
        if (registration.V1 is null && registration.V2 is null)
        {
            throw new ArgumentException("A torrent needs a v1 or a v2 info-hash.", nameof(registration));
        }

        if (registration.V1 is { } a && registration.V2 is { } b && a == b)
        {
            throw new ArgumentException("The v1 and v2 info-hashes must differ.", nameof(registration));
        }

        if (registration.Metainfo is { Length: > MaxMetainfoLength })
        {
            throw new ArgumentException($"The metainfo is larger than {MaxMetainfoLength} bytes.", nameof(registration));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var mask = new StringBuilder(6);
        RedisValue Given(object? value, RedisValue redisValue)
        {
            mask.Append(value is null ? '0' : '1');
            return value is null ? RedisValue.EmptyString : redisValue;
        }

        var name = Given(registration.Name, registration.Name);
        var objectUri = Given(registration.ObjectUri, registration.ObjectUri);
        var mediaUrl = Given(registration.MediaUrl, registration.MediaUrl);
        var actorUri = Given(registration.ActorUri, registration.ActorUri);
        var length = Given(registration.Length, registration.Length ?? 0);
        var metainfo = Given(registration.Metainfo, registration.Metainfo ?? ReadOnlyMemory<byte>.Empty);
        RedisValue[] arguments =
        [
            registration.V1?.ToHex() ?? string.Empty,
            registration.V2?.ToHex() ?? string.Empty,
            name,
            objectUri,
            mediaUrl,
            actorUri,
            length,
            metainfo,
            mask.ToString(),
            Now(),
            by,
            (int)source,
            Links(registration),
        ];

        var reply = (RedisResult[])(await EvaluateAsync(RedisRegistryScripts.Register, arguments))!;
        var detail = (string?)reply[1];
        return new RegisterResult(
            (RegisterOutcome)(int)reply[0],
            ReadTorrentOrNull(reply[2]),
            string.IsNullOrEmpty(detail) ? null : detail);
    }

    /// <inheritdoc/>
    public async Task<TorrentRecord?> FindAsync(InfoHash hash, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ReadTorrentOrNull(await EvaluateAsync(RedisRegistryScripts.Find, [hash.ToHex()]));
    }

    /// <inheritdoc/>
    public async Task<AccessState> GetStateAsync(InfoHash hash, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var state = await CallAsync(() => _database.HashGetAsync(Stem + "hash:" + hash.ToHex(), "s"));
        return state.IsNull ? AccessState.Unknown : (AccessState)(int)state;
    }

    /// <inheritdoc/>
    public async Task<Page<TorrentRecord>> ListAsync(TorrentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var limit = Clamp(query.Limit);
        if (query.Status == AccessState.Unknown)
        {
            // No torrent is ever Unknown (that state is for hash rows a torrent no longer carries).
            return new Page<TorrentRecord>([], null);
        }

        var mask = string.Concat(
            query.ObjectUri is null ? "0" : "1",
            query.ActorUri is null ? "0" : "1",
            query.MediaUrl is null ? "0" : "1",
            query.Status is null ? "0" : "1");
        RedisValue[] arguments =
        [
            Math.Max(query.After, 0),
            limit,
            mask,
            query.ObjectUri ?? string.Empty,
            query.ActorUri ?? string.Empty,
            query.MediaUrl ?? string.Empty,
            (int)(query.Status ?? AccessState.Unknown),
        ];
        var rows = (RedisResult[])(await EvaluateAsync(RedisRegistryScripts.List, arguments))!;
        var items = new List<TorrentRecord>(rows.Length);
        foreach (var row in rows)
        {
            items.Add(ReadTorrent(Fields(row)));
        }

        return new Page<TorrentRecord>(items, items.Count == limit ? items[^1].Id : null);
    }

    /// <inheritdoc/>
    public async Task<byte[]?> GetMetainfoAsync(InfoHash hash, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var reply = await EvaluateAsync(RedisRegistryScripts.Metainfo, [hash.ToHex()]);
        return reply.IsNull ? null : (byte[]?)reply;
    }

    /// <inheritdoc/>
    public async Task<ModerationResult> ModerateAsync(ModerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Reason);
        ArgumentNullException.ThrowIfNull(request.By);
        var target = Normalize(request.Target);
        if (!Enum.IsDefined(request.Kind))
        {
            throw new ArgumentException("Unknown moderation kind.", nameof(request));
        }

        cancellationToken.ThrowIfCancellationRequested();
        RedisValue[] arguments =
        [
            (int)request.Kind,
            (int)target.Kind,
            target.Value,
            request.Reason,
            (int)request.Source,
            request.By,
            Now(),
        ];
        var reply = (RedisResult[])(await EvaluateAsync(RedisRegistryScripts.Moderate, arguments))!;
        var changed = (long)reply[0] == 1;
        var record = ReadModerationOrNull(reply[1]);
        var hashes = ReadHashes((RedisResult[])reply[2]!);
        if (!changed)
        {
            return new ModerationResult(false, record, [], []);
        }

        return request.Kind == ModerationKind.Restore
            ? new ModerationResult(true, record, [], hashes)
            : new ModerationResult(true, record, hashes, []);
    }

    /// <inheritdoc/>
    public async Task<Page<ModerationRecord>> ListModerationsAsync(long after, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var rows = await PageAsync("mods", "mod:", after, Clamp(limit));
        var items = new List<ModerationRecord>(rows.Length);
        foreach (var row in rows)
        {
            items.Add(ReadModeration(Fields(row)));
        }

        return new Page<ModerationRecord>(items, items.Count == Clamp(limit) ? items[^1].Id : null);
    }

    /// <inheritdoc/>
    public async Task<Page<AuditEntry>> ReadAuditAsync(long after, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var rows = await PageAsync("audits", "audit:", after, Clamp(limit));
        var items = new List<AuditEntry>(rows.Length);
        foreach (var row in rows)
        {
            var fields = Fields(row);
            items.Add(new AuditEntry
            {
                Id = (long)fields["id"],
                At = Time(fields["at"]),
                Action = (AuditAction)(int)fields["a"],
                By = (string)fields["by"]!,
                Source = (ModerationSource)(int)fields["src"],
                Subject = (string)fields["sub"]!,
                Detail = fields.TryGetValue("d", out var detail) ? (string?)detail : null,
            });
        }

        return new Page<AuditEntry>(items, items.Count == Clamp(limit) ? items[^1].Id : null);
    }

    /// <inheritdoc/>
    public async Task<AccessChangeBatch> ReadAccessChangesAsync(long afterVersion, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var after = Math.Max(afterVersion, 0);
        var rows = (RedisResult[])(await EvaluateAsync(RedisRegistryScripts.Feed, [after, limit]))!;
        var changes = new List<AccessChange>(rows.Length / 4);
        var last = after;
        for (var i = 0; i + 3 < rows.Length; i += 4)
        {
            var member = (string)rows[i]!;
            var version = long.Parse((string)rows[i + 1]!, NumberStyles.Integer, CultureInfo.InvariantCulture);
            last = Math.Max(last, version);
            if (member.StartsWith("h:", StringComparison.Ordinal))
            {
                if (InfoHash.TryParseHex(member.AsSpan(2), out var hash))
                {
                    changes.Add(new AccessChange(version, hash, (AccessState)(int)rows[i + 2]));
                }
            }
            else
            {
                changes.Add(new AccessChange(version, default, AccessState.Unknown, (byte[])rows[i + 3]!, (int)rows[i + 2] == 1));
            }
        }

        return new AccessChangeBatch(changes, last);
    }

    /// <inheritdoc/>
    public async Task<PasskeyRecord> AddPasskeyAsync(byte[] digest, string label, string by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(digest);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(by);
        if (digest.Length != 32)
        {
            throw new ArgumentException("A passkey digest is 32 bytes (SHA-256).", nameof(digest));
        }

        cancellationToken.ThrowIfCancellationRequested();
        RedisValue[] arguments = [digest, label, by, Now(), (int)ModerationSource.Admin];
        var reply = (RedisResult[])(await EvaluateAsync(RedisRegistryScripts.AddPasskey, arguments))!;
        if ((long)reply[0] == RedisRegistryScripts.DuplicateDigest)
        {
            throw new ArgumentException("A passkey with this digest was stored before; a removed passkey never comes back.", nameof(digest));
        }

        return ReadPasskey(Fields(reply[1]));
    }

    /// <inheritdoc/>
    public async Task<bool> RemovePasskeyAsync(long id, string by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(by);
        cancellationToken.ThrowIfCancellationRequested();
        if (id <= 0)
        {
            return false;
        }

        RedisValue[] arguments = [id, by, Now(), (int)ModerationSource.Admin];
        return (long)await EvaluateAsync(RedisRegistryScripts.RemovePasskey, arguments) == 1;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<PasskeyRecord>> ListPasskeysAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var rows = await PageAsync("pk-live", "pk:", 0, int.MaxValue);
        var items = new List<PasskeyRecord>(rows.Length);
        foreach (var row in rows)
        {
            items.Add(ReadPasskey(Fields(row)));
        }

        return items;
    }

    private async Task<RedisResult[]> PageAsync(string index, string stem, long after, int limit)
    {
        RedisValue[] arguments = [index, stem, Math.Max(after, 0), limit];
        return (RedisResult[])(await EvaluateAsync(RedisRegistryScripts.Page, arguments))!;
    }

    // Runs a script by its SHA1 (the client reloads it after NOSCRIPT); any Redis failure becomes
    // RegistryUnavailableException. A refusal that is not a "not now" answer is a bug, and is logged as one.
    private async Task<RedisResult> EvaluateAsync(string script, RedisValue[] arguments)
    {
        try
        {
            return await _database.ScriptEvaluateAsync(script, _keys, arguments);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException or RedisCommandException)
        {
            if (ex is RedisServerException && ex.Message.Contains("script", StringComparison.OrdinalIgnoreCase))
            {
                RedisLog.RegistryScriptFailed(_logger, ex);
            }

            throw Unavailable(ex);
        }
    }

    private static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException or RedisCommandException)
        {
            throw Unavailable(ex);
        }
    }

    private static RegistryUnavailableException Unavailable(Exception ex) =>
        new("The Redis registry is unavailable: " + ex.Message, ex);

    private static int Clamp(int limit) => Math.Clamp(limit, 1, MaxLimit);

    private long Now() => _time.GetUtcNow().UtcTicks;

    private static DateTimeOffset Time(RedisValue ticks) => new((long)ticks, TimeSpan.Zero);

    // The audit detail of a registration: the links it records.
    private static string Links(TorrentRegistration registration)
    {
        var builder = new StringBuilder();
        void Add(string label, string? value)
        {
            if (value is null)
            {
                return;
            }

            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(label).Append('=').Append(value);
        }

        Add("v1", registration.V1?.ToHex());
        Add("v2", registration.V2?.ToHex());
        Add("object", registration.ObjectUri);
        Add("media", registration.MediaUrl);
        Add("actor", registration.ActorUri);
        return builder.ToString();
    }

    private static ModerationTarget Normalize(ModerationTarget target)
    {
        ArgumentNullException.ThrowIfNull(target.Value, nameof(target));
        switch (target.Kind)
        {
            case TargetKind.Hash:
                if (!InfoHash.TryParseHex(target.Value, out var hash))
                {
                    throw new ArgumentException("A hash target is 40 hex digits.", nameof(target));
                }

                return ModerationTarget.ForHash(hash);
            case TargetKind.ObjectUri:
            case TargetKind.ActorUri:
                if (target.Value.Length == 0)
                {
                    throw new ArgumentException("An object or actor target needs a URI.", nameof(target));
                }

                return target;
            default:
                throw new ArgumentException("Unknown target kind.", nameof(target));
        }
    }

    private static Dictionary<string, RedisValue> Fields(RedisResult result)
    {
        var items = (RedisResult[])result!;
        var fields = new Dictionary<string, RedisValue>(items.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < items.Length; i += 2)
        {
            fields[(string)items[i]!] = (RedisValue)items[i + 1];
        }

        return fields;
    }

    private static TorrentRecord? ReadTorrentOrNull(RedisResult result)
    {
        var fields = Fields(result);
        return fields.Count == 0 ? null : ReadTorrent(fields);
    }

    private static TorrentRecord ReadTorrent(Dictionary<string, RedisValue> fields) => new()
    {
        Id = (long)fields["id"],
        V1 = OptionalHash(fields, "v1"),
        V2 = OptionalHash(fields, "v2"),
        Name = OptionalString(fields, "name"),
        ObjectUri = OptionalString(fields, "obj"),
        MediaUrl = OptionalString(fields, "media"),
        ActorUri = OptionalString(fields, "actor"),
        Length = fields.TryGetValue("len", out var length) ? (long)length : null,
        CreatedAt = Time(fields["at"]),
        CreatedBy = (string)fields["by"]!,
        Status = (AccessState)(int)fields["st"],
        StatusModerationId = fields.TryGetValue("sm", out var moderation) ? (long)moderation : null,
        StatusReason = OptionalString(fields, "sr"),
        StatusChangedAt = fields.TryGetValue("sa", out var at) ? Time(at) : null,
        HasMetainfo = fields.ContainsKey("meta"),
    };

    private static ModerationRecord? ReadModerationOrNull(RedisResult result)
    {
        var fields = Fields(result);
        return fields.Count == 0 ? null : ReadModeration(fields);
    }

    private static ModerationRecord ReadModeration(Dictionary<string, RedisValue> fields)
    {
        var hashes = new List<InfoHash>();
        foreach (var hex in ((string)fields["hs"]!).Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (InfoHash.TryParseHex(hex, out var hash))
            {
                hashes.Add(hash);
            }
        }

        return new ModerationRecord
        {
            Id = (long)fields["id"],
            Kind = (ModerationKind)(int)fields["k"],
            Target = new ModerationTarget((TargetKind)(int)fields["tk"], (string)fields["tv"]!),
            Reason = (string)fields["r"]!,
            Source = (ModerationSource)(int)fields["src"],
            By = (string)fields["by"]!,
            At = Time(fields["at"]),
            Hashes = hashes,
        };
    }

    private static PasskeyRecord ReadPasskey(Dictionary<string, RedisValue> fields) => new()
    {
        Id = (long)fields["id"],
        Label = (string)fields["l"]!,
        CreatedAt = Time(fields["at"]),
        CreatedBy = (string)fields["by"]!,
    };

    private static List<InfoHash> ReadHashes(RedisResult[] items)
    {
        var hashes = new List<InfoHash>(items.Length);
        foreach (var item in items)
        {
            if (InfoHash.TryParseHex((string)item!, out var hash))
            {
                hashes.Add(hash);
            }
        }

        return hashes;
    }

    private static InfoHash? OptionalHash(Dictionary<string, RedisValue> fields, string name) =>
        fields.TryGetValue(name, out var hex) && InfoHash.TryParseHex((string)hex!, out var hash) ? hash : null;

    private static string? OptionalString(Dictionary<string, RedisValue> fields, string name) =>
        fields.TryGetValue(name, out var value) ? (string?)value : null;
}
