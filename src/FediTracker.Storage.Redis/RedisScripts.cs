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
    /// [6] mode "0" stopped / "1" leecher / "2" seeder, [7] completed "0"/"1", [8] peers wanted, [9] key TTL in ms,
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
          if mode == '2' then
            redis.call('ZADD', seeds, ARGV[4], member)
            redis.call('ZREM', leeches, member)
          else
            redis.call('ZADD', leeches, ARGV[4], member)
            redis.call('ZREM', seeds, member)
          end
          redis.call('HSET', KEYS[5], member, ARGV[3])
          if ARGV[7] == '1' and mode == '2' and not wasSeeder then
            redis.call('INCR', KEYS[6])
          end
          for i = 1, 5 do
            redis.call('PEXPIRE', KEYS[i], ARGV[9])
          end
          if redis.call('EXISTS', KEYS[6]) == 1 then
            redis.call('PEXPIRE', KEYS[6], ARGV[12])
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
        local function sample(key, count, liveCount)
          if count <= 0 then
            return
          end
          -- Ask for one more (the announcer may be drawn) and for up to as many again as there are expired peers
          -- not dropped yet, at most count + 1: the draw stays O(count) and is only short in a swarm full of them.
          local size = redis.call('ZCARD', key)
          local ask = math.min(size, count + 1 + math.min(size - liveCount, count + 1))
          local drawn = redis.call('ZRANDMEMBER', key, ask, 'WITHSCORES')
          local taken = 0
          for i = 1, #drawn, 2 do
            if taken >= count then
              break
            end
            if drawn[i] ~= member and tonumber(drawn[i + 1]) >= cutoff then
              picked[#picked + 1] = drawn[i]
              taken = taken + 1
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
}
