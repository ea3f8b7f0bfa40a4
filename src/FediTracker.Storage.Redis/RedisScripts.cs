namespace FediTracker.Storage.Redis;

/// <summary>
/// The Lua scripts, each run atomically on the shard that holds the torrent's slot. They take the seven keys of
/// <see cref="RedisKeys.ForSwarm"/> in that order. Time is never read inside Redis: the caller passes "now" and the
/// expiry cutoff (Unix seconds from its <see cref="TimeProvider"/>), and a peer whose score is below the cutoff is
/// treated as gone by every script whether or not it has been removed yet.
/// </summary>
internal static class RedisScripts
{
    /// <summary>Reply of <see cref="Announce"/> when the revocation marker exists (nothing was written).</summary>
    public const long RevokedStatus = 1;

    /// <summary>
    /// One announce. ARGV: [1] family "4"/"6", [2] compact endpoint, [3] peer id, [4] now, [5] cutoff,
    /// [6] mode "0" stopped / "1" leecher / "2" seeder, [7] completed "0"/"1", [8] peers wanted, [9] key TTL in ms (twice the peer timeout plus a margin),
    /// [10] most expired peers to drop per set, [11] a random number below 1 000 000, [12] the download counter's TTL in
    /// ms (long: the count outlives the swarm, so a torrent's completed downloads are kept while it is quiet).
    /// Reply: {status, complete, incomplete, downloaded, member1, id1, member2, id2, …}; status 1 = revoked.
    /// Steps:
    /// (1) refuse if revoked; (2) drop at most ARGV[10] expired peers from each of the four sets (bounded work,
    /// never a scan of the swarm); if no live peer is left, the swarm is over: delete all its keys (UNLINK, O(1)),
    /// download count included, as the memory store drops an empty swarm; (3) stopped: remove the peer; else file
    /// it in its class set with score now, take it out of the other class set, store its peer id, and count a
    /// download on "completed" unless it was already a live seeder; refresh the TTL of every key so an abandoned
    /// swarm vanishes without anyone scanning; (4) counts: ZCOUNT of live peers (score ≥ cutoff) per set, O(log N),
    /// exact, never negative (no separate counters to drift); a swarm left with no live peer is deleted;
    /// (5) pick peers of the announcer's family: all of them (but itself) when they fit, else a random sample with
    /// ZRANDMEMBER (O(count)), split between seeders and leechers in proportion to their numbers — a seeder gets
    /// leechers only; (6) their peer ids with HMGET.
    /// </summary>
    public const string Announce = """
        if redis.call('EXISTS', KEYS[7]) == 1 then
          return {1}
        end

        local cutoff = tonumber(ARGV[5])
        local limit = tonumber(ARGV[10])
        local function live(key)
          return redis.call('ZCOUNT', key, ARGV[5], '+inf')
        end

        local alive = 0
        for i = 1, 4 do
          local stale = redis.call('ZRANGEBYSCORE', KEYS[i], '-inf', '(' .. ARGV[5], 'LIMIT', 0, limit)
          if #stale > 0 then
            redis.call('ZREM', KEYS[i], unpack(stale))
            redis.call('HDEL', KEYS[5], unpack(stale))
          end
          alive = alive + live(KEYS[i])
        end
        if alive == 0 then
          redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
        end

        local si, li = 1, 2
        if ARGV[1] == '6' then
          si, li = 3, 4
        end
        local seeds, leeches, member, mode = KEYS[si], KEYS[li], ARGV[2], ARGV[6]

        if mode == '0' then
          redis.call('ZREM', seeds, member)
          redis.call('ZREM', leeches, member)
          redis.call('HDEL', KEYS[5], member)
        else
          local score = redis.call('ZSCORE', seeds, member)
          local wasSeeder = score and tonumber(score) >= cutoff
          local ttl = tonumber(ARGV[9])
          if mode == '2' then
            redis.call('ZADD', seeds, ARGV[4], member)
            redis.call('ZREM', leeches, member)
            redis.call('PEXPIRE', seeds, ttl)
          else
            redis.call('ZADD', leeches, ARGV[4], member)
            redis.call('ZREM', seeds, member)
            redis.call('PEXPIRE', leeches, ttl)
          end
          redis.call('HSET', KEYS[5], member, ARGV[3])
          if ARGV[7] == '1' and mode == '2' and not wasSeeder then
            redis.call('INCR', KEYS[6])
            redis.call('PEXPIRE', KEYS[6], ARGV[12])
          end
          -- The set just written always gets the TTL; the others are refreshed once the ids hash is down to half of
          -- it (TTL = twice the peer timeout plus a margin): one PTTL per announce instead of six PEXPIREs, and a
          -- swarm still outlives its last peer by more than a peer timeout.
          if redis.call('PTTL', KEYS[5]) < ttl / 2 then
            for i = 1, 5 do
              redis.call('PEXPIRE', KEYS[i], ttl)
            end
            if redis.call('EXISTS', KEYS[6]) == 1 then
              redis.call('PEXPIRE', KEYS[6], ARGV[12])
            end
          end
        end

        local n = {live(KEYS[1]), live(KEYS[2]), live(KEYS[3]), live(KEYS[4])}
        local complete, incomplete = n[1] + n[3], n[2] + n[4]
        local downloaded = tonumber(redis.call('GET', KEYS[6]) or '0')
        if complete + incomplete == 0 then
          redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
          return {0, 0, 0, downloaded}
        end
        local reply = {0, complete, incomplete, downloaded}

        local want = tonumber(ARGV[8])
        if mode == '0' or want <= 0 then
          return reply
        end

        local picked = {}
        local function all(key)
          local members = redis.call('ZRANGEBYSCORE', key, ARGV[5], '+inf')
          for i = 1, #members do
            if members[i] ~= member then
              picked[#picked + 1] = members[i]
            end
          end
        end
        -- A pseudo-random sequence from the caller's seed (ARGV[11]), so the script itself stays deterministic.
        local seed = tonumber(ARGV[11])
        local function nextRandom(bound)
          -- LCG modulo 2^32 (multiplier and increment from Numerical Recipes): every product stays below 2^53, so
          -- Lua's doubles hold it exactly; the low 8 bits, the weakest, are dropped.
          seed = (seed * 1664525 + 1013904223) % 4294967296
          return math.floor(seed / 256) % bound
        end
        -- Up to 'count' live peers other than the announcer, from windows of consecutive ranks at random offsets:
        -- ZRANGE by rank is O(log N + width), so the draw costs O(count) whatever the swarm's size. Expired peers
        -- not dropped yet have the lowest scores, so the live ones are the ranks past them. With room for it, the
        -- live ranks are cut into 'windows' segments and one window is taken at random inside each (they cannot
        -- overlap); otherwise one window of count + 1 ranks at a random rotation (count + 1 <= live here).
        local function take(members, count, taken)
          for i = 1, #members do
            if taken < count and members[i] ~= member then
              picked[#picked + 1] = members[i]
              taken = taken + 1
            end
          end
          return taken
        end
        local function sample(key, count, liveCount)
          if count <= 0 or liveCount <= 0 then
            return
          end
          local expired = redis.call('ZCARD', key) - liveCount
          local windows = math.min(5, count)
          -- Enough ranks for count + 1 (the announcer may be among them); the windows are visited from a random
          -- segment on, so the one cut short when count is reached is a different segment each time.
          local width = math.floor((count + windows) / windows)
          local segment = math.floor(liveCount / windows)
          local taken = 0
          if segment >= width then
            local first = nextRandom(windows)
            for k = 0, windows - 1 do
              local w = (first + k) % windows
              -- The last segment also takes the ranks left over by the division.
              local length = segment
              if w == windows - 1 then
                length = liveCount - (w * segment)
              end
              local start = expired + (w * segment) + nextRandom(length - width + 1)
              taken = take(redis.call('ZRANGE', key, start, start + width - 1), count, taken)
            end
          else
            local want = math.min(count + 1, liveCount)
            local start = nextRandom(liveCount)
            local first = math.min(want, liveCount - start)
            taken = take(redis.call('ZRANGE', key, expired + start, expired + start + first - 1), count, taken)
            if want > first then
              take(redis.call('ZRANGE', key, expired, expired + want - first - 1), count, taken)
            end
          end
        end

        local seedCount, leechCount = n[si], n[li]
        if mode == '2' then
          if leechCount <= want then
            all(leeches)
          else
            sample(leeches, want, leechCount)
          end
        else
          local others = seedCount + leechCount - 1
          if others <= want then
            all(seeds)
            all(leeches)
          elseif others > 0 then
            local fromSeeds = math.floor(want * seedCount / others + tonumber(ARGV[11]) / 1000000)
            fromSeeds = math.min(fromSeeds, seedCount)
            local fromLeeches = want - fromSeeds
            if fromLeeches > leechCount - 1 then
              fromLeeches = leechCount - 1
              fromSeeds = want - fromLeeches
            end
            sample(seeds, fromSeeds, seedCount)
            sample(leeches, fromLeeches, leechCount)
          end
        end

        local first = 1
        while first <= #picked do
          local last = math.min(first + 127, #picked)
          local ids = redis.call('HMGET', KEYS[5], unpack(picked, first, last))
          for i = 1, #ids do
            reply[#reply + 1] = picked[first + i - 1]
            reply[#reply + 1] = ids[i] or ''
          end
          first = last + 1
        end
        return reply
        """;

    /// <summary>
    /// Counts of one torrent, read only. ARGV: [1] cutoff. Reply: {complete, incomplete, downloaded}; zeros when the
    /// torrent is revoked. The download count outlives the swarm (it has its own, long TTL).
    /// </summary>
    public const string Scrape = """
        if redis.call('EXISTS', KEYS[7]) == 1 then
          return {0, 0, 0}
        end
        local function live(key)
          return redis.call('ZCOUNT', key, ARGV[1], '+inf')
        end
        local complete = live(KEYS[1]) + live(KEYS[3])
        local incomplete = live(KEYS[2]) + live(KEYS[4])
        return {complete, incomplete, tonumber(redis.call('GET', KEYS[6]) or '0')}
        """;

    /// <summary>
    /// Forgets a swarm: deletes its sets, peer ids and download count (UNLINK: O(1) here, freed in the background),
    /// never the revocation marker. ARGV: [1] cutoff. Reply: how many live peers were dropped.
    /// </summary>
    public const string Purge = """
        local dropped = 0
        for i = 1, 4 do
          dropped = dropped + redis.call('ZCOUNT', KEYS[i], ARGV[1], '+inf')
        end
        redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
        return dropped
        """;

    /// <summary>
    /// Blocks a hash (revoked or suspended): sets the marker every announce checks first, then forgets the swarm as
    /// <see cref="Purge"/> does, in one step. ARGV: [1] cutoff. Reply: how many live peers were dropped.
    /// </summary>
    public const string Block = """
        redis.call('SET', KEYS[7], '1')
        local dropped = 0
        for i = 1, 4 do
          dropped = dropped + redis.call('ZCOUNT', KEYS[i], ARGV[1], '+inf')
        end
        redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
        return dropped
        """;

    /// <summary>
    /// The census of one torrent, read only, run for each peer set a SCAN finds (see <see cref="RedisSwarmCensus"/>).
    /// ARGV: [1] cutoff, [2] the position (1 to 4) of the set that was found. Reply: {seeders, leechers} of the live
    /// peers of the whole torrent; an empty reply when the torrent is revoked, or when a set before the found one
    /// exists (the torrent is counted once, from its first set, whichever of its sets the SCAN meets first).
    /// </summary>
    public const string Census = """
        if redis.call('EXISTS', KEYS[7]) == 1 then
          return {}
        end
        local found = tonumber(ARGV[2])
        for i = 1, found - 1 do
          if redis.call('EXISTS', KEYS[i]) == 1 then
            return {}
          end
        end
        local function live(key)
          return redis.call('ZCOUNT', key, ARGV[1], '+inf')
        end
        return {live(KEYS[1]) + live(KEYS[3]), live(KEYS[2]) + live(KEYS[4])}
        """;
}
