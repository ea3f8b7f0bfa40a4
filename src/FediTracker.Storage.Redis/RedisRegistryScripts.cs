namespace FediTracker.Storage.Redis;

/// <summary>
/// The registry's Lua scripts. Each takes one key, <c>KEYS[1]</c> = <see cref="RedisKeys.RegistryStem"/>
/// (<c>P:{reg}:</c>), which routes it to the registry's slot, and builds the names of the keys it touches from it;
/// they all carry the same hash tag, so they are in that slot too (Redis Cluster allows a script any key of the slot it
/// runs on). Time is never read inside Redis: the caller passes UTC ticks, stored as given.
/// <para>
/// Redis does not roll a script back when it fails halfway, so every write script checks everything it needs before
/// its first write; from there on it only runs commands that cannot fail on well-formed keys.
/// </para>
/// <para>Layout, under <c>P:{reg}:</c>:</para>
/// <list type="table">
/// <item><term><c>seq</c></term><description>hash of counters, the last id given: <c>torrent</c>, <c>moderation</c>,
/// <c>audit</c>, <c>passkey</c>, and <c>version</c> (the access feed)</description></item>
/// <item><term><c>t:&lt;id&gt;</c></term><description>hash, one torrent: <c>id v1 v2 name obj media actor len at by
/// st sm sr sa meta</c> (hashes as lowercase hex; times as UTC ticks; <c>st</c> the status as the
/// <c>AccessState</c> number; <c>sm sr sa</c> the moderation id, reason and time that set it; absent = null)</description></item>
/// <item><term><c>meta:&lt;id&gt;</c></term><description>string: the torrent's .torrent file</description></item>
/// <item><term><c>torrents</c>, <c>by-object:&lt;uri&gt;</c>, <c>by-actor:&lt;uri&gt;</c>, <c>by-media:&lt;url&gt;</c>,
/// <c>by-status:&lt;n&gt;</c></term><description>sorted sets of torrent ids (score = id): all, and per link and status</description></item>
/// <item><term><c>hash:&lt;hex&gt;</c></term><description>hash, one access row: <c>s</c> state, <c>t</c> torrent id
/// (absent for a bare blocked hash), <c>v</c> feed version of its last change, <c>m</c> the moderation that set
/// its state</description></item>
/// <item><term><c>feed</c></term><description>sorted set, the access feed: member <c>h:&lt;hex&gt;</c> or
/// <c>p:&lt;passkey id&gt;</c>, score = the version of the row's last change (a change moves the member up)</description></item>
/// <item><term><c>blocks</c></term><description>hash, the target blocks: <c>&lt;kind&gt;:&lt;value&gt;</c> →
/// <c>&lt;state&gt;:&lt;moderation id&gt;</c> (kind as the <c>TargetKind</c> number)</description></item>
/// <item><term><c>mod:&lt;id&gt;</c>, <c>mods</c></term><description>hash per moderation record (<c>id k tk tv r src
/// by at hs</c>, <c>hs</c> the changed hashes, comma-separated) and the sorted set of their ids</description></item>
/// <item><term><c>audit:&lt;id&gt;</c>, <c>audits</c></term><description>hash per audit entry (<c>id at a by src sub
/// d</c>) and the sorted set of their ids</description></item>
/// <item><term><c>pk:&lt;id&gt;</c>, <c>pk-live</c>, <c>pk-digest</c></term><description>hash per passkey (<c>id d l
/// at by ok v</c>; kept after deletion with <c>ok</c> = 0, as the feed's tombstone), the sorted set of live ids,
/// and digest → id of every passkey ever added (a removed passkey never comes back)</description></item>
/// </list>
/// </summary>
internal static class RedisRegistryScripts
{
    /// <summary>Outcome of <see cref="AddPasskey"/> when the digest was stored before (live or removed).</summary>
    public const long DuplicateDigest = -1;

    // Shared helpers, prepended to every script.
    private const string Prelude = """
        local P = KEYS[1]
        local function nextId(name)
          return redis.call('HINCRBY', P .. 'seq', name, 1)
        end
        local function torrent(id)
          if not id then
            return {}
          end
          return redis.call('HGETALL', P .. 't:' .. id)
        end
        local function moderation(id)
          if not id then
            return {}
          end
          return redis.call('HGETALL', P .. 'mod:' .. id)
        end
        local function stateOf(hex)
          return tonumber(redis.call('HGET', P .. 'hash:' .. hex, 's') or '0')
        end
        -- Gives an access row a new state and the next feed version; 'torrent' and 'mod' are written when given.
        local function setHash(hex, state, torrentId, mod)
          local version = nextId('version')
          local key = P .. 'hash:' .. hex
          redis.call('HSET', key, 's', state, 'v', version)
          if torrentId then
            redis.call('HSET', key, 't', torrentId)
          end
          if mod then
            redis.call('HSET', key, 'm', mod)
          else
            redis.call('HDEL', key, 'm')
          end
          redis.call('ZADD', P .. 'feed', version, 'h:' .. hex)
        end
        local function setStatus(id, state, mod, reason, at)
          local key = P .. 't:' .. id
          local old = redis.call('HGET', key, 'st')
          redis.call('ZREM', P .. 'by-status:' .. old, id)
          redis.call('ZADD', P .. 'by-status:' .. state, id, id)
          redis.call('HSET', key, 'st', state, 'sm', mod, 'sr', reason, 'sa', at)
        end
        local function audit(action, by, source, subject, detail, at)
          local id = nextId('audit')
          local key = P .. 'audit:' .. id
          redis.call('HSET', key, 'id', id, 'at', at, 'a', action, 'by', by, 'src', source, 'sub', subject)
          if detail then
            redis.call('HSET', key, 'd', detail)
          end
          redis.call('ZADD', P .. 'audits', id, id)
        end
        local stateNames = {[2] = 'suspended', [3] = 'revoked'}

        """;

    /// <summary>
    /// Registers a torrent. ARGV: [1] v1 hex or '', [2] v2 hex or '', [3] name, [4] object URI, [5] media URL,
    /// [6] actor URI, [7] length, [8] metainfo, [9] which of [3]..[8] are given ('0'/'1' each, six characters),
    /// [10] now (ticks), [11] by, [12] source, [13] the audit entry's detail.
    /// Reply: {outcome (the <c>RegisterOutcome</c> number), detail ('' for none), torrent fields ({} for none)}.
    /// </summary>
    public const string Register = Prelude + """
        local v1, v2, mask = ARGV[1], ARGV[2], ARGV[9]
        local function given(i)
          if string.sub(mask, i - 2, i - 2) == '1' then
            return ARGV[i]
          end
          return false
        end
        local name, object, media, actor, length, meta = given(3), given(4), given(5), given(6), given(7), given(8)
        local at, by, source = ARGV[10], ARGV[11], ARGV[12]
        local hashes = {}
        if v1 ~= '' then
          hashes[#hashes + 1] = v1
        end
        if v2 ~= '' then
          hashes[#hashes + 1] = v2
        end

        local carriers, carrier, blocked = {}, false, false
        for i, hex in ipairs(hashes) do
          local row = redis.call('HMGET', P .. 'hash:' .. hex, 's', 't')
          carriers[i] = row[2]
          if row[2] and not carrier then
            carrier = row[2]
          end
          local state = tonumber(row[1] or '0')
          if state >= 2 and not blocked then
            blocked = 'hash ' .. hex .. ' is ' .. stateNames[state]
          end
        end
        local function blockOf(kind, value, label)
          if blocked or not value then
            return
          end
          local block = redis.call('HGET', P .. 'blocks', kind .. ':' .. value)
          if block then
            blocked = label .. ' ' .. value .. ' is ' .. stateNames[tonumber(string.sub(block, 1, 1))]
          end
        end
        blockOf('1', object, 'object')
        blockOf('2', actor, 'actor')
        if blocked then
          return {2, blocked, torrent(carrier)}
        end

        if carrier then
          local same = true
          for i = 1, #hashes do
            if carriers[i] ~= carrier then
              same = false
            end
          end
          if same then
            local t = redis.call('HMGET', P .. 't:' .. carrier, 'v1', 'v2', 'obj', 'media', 'actor')
            same = (t[1] or '') == v1 and (t[2] or '') == v2 and t[3] == object and t[4] == media and t[5] == actor
          end
          if same then
            return {1, '', torrent(carrier)}
          end
          return {3, 'a hash belongs to torrent ' .. carrier, torrent(carrier)}
        end

        local id = nextId('torrent')
        local key = P .. 't:' .. id
        redis.call('HSET', key, 'id', id, 'at', at, 'by', by, 'st', 1)
        local fields = {{'v1', v1 ~= '' and v1}, {'v2', v2 ~= '' and v2}, {'name', name}, {'obj', object},
          {'media', media}, {'actor', actor}, {'len', length}}
        for _, field in ipairs(fields) do
          if field[2] then
            redis.call('HSET', key, field[1], field[2])
          end
        end
        if meta then
          redis.call('SET', P .. 'meta:' .. id, meta)
          redis.call('HSET', key, 'meta', 1)
        end
        redis.call('ZADD', P .. 'torrents', id, id)
        redis.call('ZADD', P .. 'by-status:1', id, id)
        if object then
          redis.call('ZADD', P .. 'by-object:' .. object, id, id)
        end
        if actor then
          redis.call('ZADD', P .. 'by-actor:' .. actor, id, id)
        end
        if media then
          redis.call('ZADD', P .. 'by-media:' .. media, id, id)
        end
        for _, hex in ipairs(hashes) do
          setHash(hex, 1, id, false)
        end
        audit(0, by, source, hashes[1], ARGV[13], at)
        return {0, '', torrent(id)}
        """;

    /// <summary>
    /// Revokes, suspends or restores. ARGV: [1] kind (the <c>ModerationKind</c> number), [2] target kind (the
    /// <c>TargetKind</c> number), [3] target value (lowercase hex for a hash), [4] reason, [5] source, [6] by,
    /// [7] now (ticks). Reply: {changed 0/1, moderation record fields ({} for none), hashes}: for a revoke or suspend
    /// the hashes blocked, for a restore those now active or unknown (the record lists every hash whose state changed).
    /// </summary>
    public const string Moderate = Prelude + """
        local kind, tkind, tvalue = tonumber(ARGV[1]), ARGV[2], ARGV[3]
        local reason, source, by, at = ARGV[4], ARGV[5], ARGV[6], ARGV[7]

        -- The concerned torrents (ascending id) and hashes (each torrent's v1 then v2, then a bare target hash).
        local torrents = {}
        if tkind == '0' then
          local t = redis.call('HGET', P .. 'hash:' .. tvalue, 't')
          if t then
            torrents[1] = t
          end
        elseif tkind == '1' then
          torrents = redis.call('ZRANGE', P .. 'by-object:' .. tvalue, 0, -1)
        else
          torrents = redis.call('ZRANGE', P .. 'by-actor:' .. tvalue, 0, -1)
        end
        local hashes, owner, hashesOf = {}, {}, {}
        for _, t in ipairs(torrents) do
          local pair = redis.call('HMGET', P .. 't:' .. t, 'v1', 'v2')
          hashesOf[t] = {}
          for j = 1, 2 do
            if pair[j] then
              hashes[#hashes + 1] = pair[j]
              owner[pair[j]] = t
              hashesOf[t][#hashesOf[t] + 1] = pair[j]
            end
          end
        end
        if tkind == '0' and not owner[tvalue] then
          hashes[#hashes + 1] = tvalue
        end

        local function record(mod, changed)
          redis.call('HSET', P .. 'mod:' .. mod, 'id', mod, 'k', kind, 'tk', tkind, 'tv', tvalue, 'r', reason,
            'src', source, 'by', by, 'at', at, 'hs', table.concat(changed, ','))
          redis.call('ZADD', P .. 'mods', mod, mod)
          audit(kind + 1, by, source, tvalue, reason, at)
        end

        local blockField = tkind .. ':' .. tvalue
        if kind ~= 2 then
          local target = 3
          if kind == 1 then
            target = 2
          end
          local changed = {}
          for _, hex in ipairs(hashes) do
            if stateOf(hex) < target then
              changed[#changed + 1] = hex
            end
          end
          local block = redis.call('HGET', P .. 'blocks', blockField)
          local blockState = 0
          if block then
            blockState = tonumber(string.sub(block, 1, 1))
          end
          if #changed == 0 and blockState >= target then
            -- A repeat: the answer is the moderation that set the block (a missing block is always written, so
            -- there is one).
            return {0, moderation(string.sub(block, 3)), {}}
          end

          local mod = nextId('moderation')
          if blockState < target then
            redis.call('HSET', P .. 'blocks', blockField, target .. ':' .. mod)
          end
          local done = {}
          for _, hex in ipairs(changed) do
            setHash(hex, target, false, mod)
            local t = owner[hex]
            if t and not done[t] then
              done[t] = true
              setStatus(t, target, mod, reason, at)
            end
          end
          record(mod, changed)
          return {1, moderation(mod), changed}
        end

        -- Restore. Each concerned torrent gets a new status: {torrent, state, setting moderation or false for this
        -- restore}; each hash whose state changes is listed in 'changed' with its new state.
        local changed, newState, statuses, unblockedBlock = {}, {}, {}, false
        local function change(hex, state)
          if stateOf(hex) ~= state then
            changed[#changed + 1] = hex
            newState[hex] = state
          end
        end
        if tkind == '0' then
          -- By hash: whatever set them, the hashes are served again (or forgotten, when no torrent carries them).
          for _, hex in ipairs(hashes) do
            if redis.call('HDEL', P .. 'blocks', '0:' .. hex) == 1 then
              unblockedBlock = true
            end
            if stateOf(hex) >= 2 then
              if owner[hex] then
                change(hex, 1)
              else
                change(hex, 0)
              end
            end
          end
          for _, t in ipairs(torrents) do
            if redis.call('HGET', P .. 't:' .. t, 'st') ~= '1' then
              statuses[#statuses + 1] = {t, 1, false}
            end
          end
        else
          -- By object or actor: the torrents whose status this target set fall back to the strongest block still in
          -- force on them (on one of their hashes, their object or their actor; the latest moderation among equals),
          -- or become active when none is left.
          if redis.call('HDEL', P .. 'blocks', blockField) == 1 then
            unblockedBlock = true
          end
          for _, t in ipairs(torrents) do
            local row = redis.call('HMGET', P .. 't:' .. t, 'st', 'sm', 'obj', 'actor')
            if row[1] ~= '1' and row[2] then
              local setter = redis.call('HMGET', P .. 'mod:' .. row[2], 'tk', 'tv')
              if setter[1] == tkind and setter[2] == tvalue then
                local fields = {}
                for _, hex in ipairs(hashesOf[t]) do
                  fields[#fields + 1] = '0:' .. hex
                end
                if row[3] then
                  fields[#fields + 1] = '1:' .. row[3]
                end
                if row[4] then
                  fields[#fields + 1] = '2:' .. row[4]
                end
                local best, bestMod = 1, 0
                for _, field in ipairs(fields) do
                  local block = redis.call('HGET', P .. 'blocks', field)
                  if block then
                    local state, mod = tonumber(string.sub(block, 1, 1)), tonumber(string.sub(block, 3))
                    if state > best or (state == best and mod > bestMod) then
                      best, bestMod = state, mod
                    end
                  end
                end
                statuses[#statuses + 1] = {t, best, bestMod > 0 and bestMod}
                for _, hex in ipairs(hashesOf[t]) do
                  change(hex, best)
                end
              end
            end
          end
        end
        if #changed == 0 and #statuses == 0 and not unblockedBlock then
          return {0, {}, {}}
        end

        local mod = nextId('moderation')
        local unblocked = {}
        for _, hex in ipairs(changed) do
          setHash(hex, newState[hex], false, mod)
          if newState[hex] < 2 then
            unblocked[#unblocked + 1] = hex
          end
        end
        for _, status in ipairs(statuses) do
          if status[3] then
            local setter = redis.call('HMGET', P .. 'mod:' .. status[3], 'r', 'at')
            setStatus(status[1], status[2], status[3], setter[1], setter[2])
          else
            setStatus(status[1], status[2], mod, reason, at)
          end
        end
        record(mod, changed)
        return {1, moderation(mod), unblocked}
        """;

    /// <summary>The torrent carrying a hash. ARGV: [1] hex. Reply: its fields, {} for none.</summary>
    public const string Find = Prelude + """
        return torrent(redis.call('HGET', P .. 'hash:' .. ARGV[1], 't'))
        """;

    /// <summary>The metainfo of the torrent carrying a hash. ARGV: [1] hex. Reply: the bytes, or nil.</summary>
    public const string Metainfo = Prelude + """
        local t = redis.call('HGET', P .. 'hash:' .. ARGV[1], 't')
        if not t then
          return false
        end
        return redis.call('GET', P .. 'meta:' .. t)
        """;

    /// <summary>
    /// Lists torrents. ARGV: [1] after id, [2] limit, [3] which filters are given ('0'/'1' for object, actor, media,
    /// status), [4] object URI, [5] actor URI, [6] media URL, [7] status number. Walks the smallest matching index
    /// by id and checks the others per id (O(log n) each). Reply: {fields of each torrent}.
    /// </summary>
    public const string List = Prelude + """
        local after, limit, mask = ARGV[1], tonumber(ARGV[2]), ARGV[3]
        local indexes = {}
        local names = {'by-object:', 'by-actor:', 'by-media:', 'by-status:'}
        for i = 1, 4 do
          if string.sub(mask, i, i) == '1' then
            indexes[#indexes + 1] = P .. names[i] .. ARGV[i + 3]
          end
        end
        if #indexes == 0 then
          indexes[1] = P .. 'torrents'
        end
        local best, bestSize = 1, redis.call('ZCARD', indexes[1])
        for i = 2, #indexes do
          local size = redis.call('ZCARD', indexes[i])
          if size < bestSize then
            best, bestSize = i, size
          end
        end

        local out = {}
        local cursor = after
        while #out < limit do
          local ids = redis.call('ZRANGEBYSCORE', indexes[best], '(' .. cursor, '+inf', 'LIMIT', 0, limit)
          if #ids == 0 then
            break
          end
          for _, id in ipairs(ids) do
            cursor = id
            local match = true
            for i = 1, #indexes do
              if i ~= best and not redis.call('ZSCORE', indexes[i], id) then
                match = false
                break
              end
            end
            if match then
              out[#out + 1] = torrent(id)
              if #out == limit then
                break
              end
            end
          end
        end
        return out
        """;

    /// <summary>
    /// A page of records by id. ARGV: [1] the index (a sorted set of ids), [2] the records' key stem (the id is
    /// appended), [3] after id, [4] limit. Reply: {fields of each record}.
    /// </summary>
    public const string Page = Prelude + """
        local ids = redis.call('ZRANGEBYSCORE', P .. ARGV[1], '(' .. ARGV[3], '+inf', 'LIMIT', 0, ARGV[4])
        local out = {}
        for i, id in ipairs(ids) do
          out[i] = redis.call('HGETALL', P .. ARGV[2] .. id)
        end
        return out
        """;

    /// <summary>
    /// The access feed. ARGV: [1] after version, [2] limit. Reply: flat {member, version, state or valid, digest}
    /// per row ('' digest for hashes).
    /// </summary>
    public const string Feed = Prelude + """
        local rows = redis.call('ZRANGEBYSCORE', P .. 'feed', '(' .. ARGV[1], '+inf', 'WITHSCORES', 'LIMIT', 0, ARGV[2])
        local out = {}
        for i = 1, #rows, 2 do
          local member = rows[i]
          local rest = string.sub(member, 3)
          out[#out + 1] = member
          out[#out + 1] = rows[i + 1]
          if string.sub(member, 1, 2) == 'h:' then
            out[#out + 1] = redis.call('HGET', P .. 'hash:' .. rest, 's') or '0'
            out[#out + 1] = ''
          else
            local row = redis.call('HMGET', P .. 'pk:' .. rest, 'ok', 'd')
            out[#out + 1] = row[1] or '0'
            out[#out + 1] = row[2] or ''
          end
        end
        return out
        """;

    /// <summary>
    /// Adds a passkey. ARGV: [1] digest, [2] label, [3] by, [4] now (ticks), [5] the audit entry's source.
    /// Reply: {id, fields} or {<see cref="DuplicateDigest"/>}.
    /// </summary>
    public const string AddPasskey = Prelude + """
        if redis.call('HEXISTS', P .. 'pk-digest', ARGV[1]) == 1 then
          return {-1}
        end
        local id = nextId('passkey')
        local version = nextId('version')
        local key = P .. 'pk:' .. id
        redis.call('HSET', key, 'id', id, 'd', ARGV[1], 'l', ARGV[2], 'at', ARGV[4], 'by', ARGV[3], 'ok', 1, 'v', version)
        redis.call('HSET', P .. 'pk-digest', ARGV[1], id)
        redis.call('ZADD', P .. 'pk-live', id, id)
        redis.call('ZADD', P .. 'feed', version, 'p:' .. id)
        audit(4, ARGV[3], ARGV[5], tostring(id), false, ARGV[4])
        return {id, redis.call('HGETALL', key)}
        """;

    /// <summary>
    /// Deletes a passkey (its row stays, invalid, for the feed). ARGV: [1] id, [2] by, [3] now (ticks), [4] source.
    /// Reply: 1 when deleted, 0 when unknown or deleted already.
    /// </summary>
    public const string RemovePasskey = Prelude + """
        local key = P .. 'pk:' .. ARGV[1]
        local row = redis.call('HMGET', key, 'ok', 'd')
        if row[1] ~= '1' then
          return 0
        end
        local version = nextId('version')
        redis.call('HSET', key, 'ok', 0, 'v', version)
        redis.call('ZREM', P .. 'pk-live', ARGV[1])
        redis.call('ZADD', P .. 'feed', version, 'p:' .. ARGV[1])
        audit(5, ARGV[2], ARGV[4], ARGV[1], false, ARGV[3])
        return 1
        """;
}
