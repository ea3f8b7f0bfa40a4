namespace FediTracker.Storage.Redis;

/// <summary>
/// The Lua scripts, each run atomically on the shard that holds the torrent's slot. They take the six keys of
/// <see cref="RedisKeys.ForSwarm"/> in that order: KEYS[1] the IPv4 peers, [2] their ids, [3] the IPv6 peers, [4] their
/// ids, [5] the download count, [6] the revocation marker. A peer's score is its last announce in Unix seconds,
/// positive for a seeder and negative for a leecher: with cutoff c, live seeders score ≥ c (<c>ZCOUNT key c +inf</c>),
/// live leechers ≤ −c (<c>ZCOUNT key -inf -c</c>), and expired peers of both kinds lie between, in one run of ranks. Time is never read inside Redis: the caller passes "now" and the
/// expiry cutoff (Unix seconds from its <see cref="TimeProvider"/>), and a peer whose score is below the cutoff is
/// treated as gone by every script whether or not it has been removed yet.
/// </summary>
internal static class RedisScripts
{
    /// <summary>Reply of <see cref="Announce"/> when the revocation marker exists (nothing was written).</summary>
    public const long RevokedStatus = 1;

    /// <summary>
    /// One announce. ARGV: [1] family "4"/"6", [2] compact endpoint, [3] peer id, [4] now, [5] cutoff,
    /// [6] mode "0" stopped / "1" leecher / "2" seeder, [7] completed "0"/"1", [8] peers wanted, [9] key TTL in ms (twice
    /// the peer timeout plus a margin), [10] most expired peers to drop, [11] a random number below 1 000 000, [12] the
    /// download counter's TTL in ms (long: the count outlives the swarm, so a quiet torrent keeps its completed downloads).
    /// Reply: {status, complete, incomplete, downloaded, peers}; status 1 = revoked (and nothing else). peers is one
    /// string of fixed-size records, endpoint (6 or 18 bytes, the announcer's family) then peer id (20 bytes): the set
    /// members themselves, concatenated, so the client reads every peer from one buffer.
    /// Steps, all on the announcer's family set ("own") unless said:
    /// A set member is the endpoint followed by the peer id, so a reply needs no second lookup; the family's ids hash
    /// (endpoint → peer id) finds the member of an endpoint, so a peer stays keyed by (IP, port) when its id changes.
    /// (1) refuse if revoked; (2) count own live seeders and leechers (two ZCOUNTs, O(log N)) and, from ZCARD, the
    /// expired peers between them; drop at most ARGV[10] of those by rank (bounded, never a scan) and their ids entries;
    /// count the other family's live peers; if no live peer is left anywhere, the swarm is over: delete its sets and
    /// ids (UNLINK, O(1)); (3) ZSCORE the announcer: whether it was a live seeder, a live leecher or expired, so the
    /// counts are adjusted rather than counted again; stopped: remove it; else ZADD it with score ±now (which moves it
    /// between seeders and leechers by itself), store its peer id, count a download on "completed" unless it was
    /// already a live seeder; refresh the TTL of the set just written, and of its ids hash and the download count once
    /// the ids hash is down to half of it (so an abandoned family, or swarm, vanishes without anyone scanning);
    /// (4) a swarm left with no live peer is deleted; (5) pick peers of the announcer's family: all of them (but
    /// itself) when they fit, else a few windows of consecutive live ranks at random offsets (O(count)); a leecher
    /// draws from seeders and leechers together (they share the set, so a window may hold both, and each kind comes
    /// in proportion to its number), a seeder from the leechers only; (6) the reply packed with table.concat.
    /// </summary>
    public const string Announce = """
        if redis.call('EXISTS', KEYS[6]) == 1 then
          return {1}
        end

        local own, ids, other, otherIds = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
        if ARGV[1] == '6' then
          own, ids, other, otherIds = KEYS[3], KEYS[4], KEYS[1], KEYS[2]
        end
        local cutoff = tonumber(ARGV[5])
        local minusCutoff = '-' .. ARGV[5]

        local card = redis.call('ZCARD', own)
        local seeds, leeches, expired = 0, 0, 0
        if card > 0 then
          seeds = redis.call('ZCOUNT', own, ARGV[5], '+inf')
          leeches = redis.call('ZCOUNT', own, '-inf', minusCutoff)
          expired = card - seeds - leeches
          if expired > 0 then
            local last = leeches + math.min(expired, tonumber(ARGV[10])) - 1
            local stale = redis.call('ZRANGE', own, leeches, last)
            redis.call('ZREMRANGEBYRANK', own, leeches, last)
            for i = 1, #stale do
              stale[i] = string.sub(stale[i], 1, -21)
            end
            redis.call('HDEL', ids, unpack(stale))
            expired = expired - #stale
          end
        end
        local otherSeeds = redis.call('ZCOUNT', other, ARGV[5], '+inf')
        local otherLeeches = redis.call('ZCOUNT', other, '-inf', minusCutoff)
        if card > 0 and seeds + leeches + otherSeeds + otherLeeches == 0 then
          redis.call('UNLINK', own, ids, other, otherIds)
          expired = 0
        end

        -- The member is the endpoint followed by the peer id; the ids hash finds the member of an endpoint.
        local endpoint, peerId, mode = ARGV[2], ARGV[3], ARGV[6]
        local member = endpoint .. peerId
        local oldId = redis.call('HGET', ids, endpoint)
        local oldMember = member
        if oldId then
          oldMember = endpoint .. oldId
        end
        local old = redis.call('ZSCORE', own, oldMember)
        local was = 0
        if old then
          old = tonumber(old)
          if old >= cutoff then
            was = 2
            seeds = seeds - 1
          elseif old <= -cutoff then
            was = 1
            leeches = leeches - 1
          else
            expired = expired - 1
          end
        end

        if mode == '0' then
          if old then
            redis.call('ZREM', own, oldMember)
          end
          if oldId then
            redis.call('HDEL', ids, endpoint)
          end
        else
          local ttl = tonumber(ARGV[9])
          if old and oldMember ~= member then
            redis.call('ZREM', own, oldMember)
          end
          if mode == '2' then
            redis.call('ZADD', own, ARGV[4], member)
            seeds = seeds + 1
            if ARGV[7] == '1' and was ~= 2 then
              redis.call('INCR', KEYS[5])
              redis.call('PEXPIRE', KEYS[5], ARGV[12])
            end
          else
            redis.call('ZADD', own, '-' .. ARGV[4], member)
            leeches = leeches + 1
          end
          redis.call('PEXPIRE', own, ttl)
          if oldId ~= peerId then
            redis.call('HSET', ids, endpoint, peerId)
          end
          -- The ids hash (a new one has no TTL: -1) and the download count are refreshed once the hash is down to
          -- half of the TTL (twice the peer timeout plus a margin): one PTTL per announce instead of two PEXPIREs.
          if redis.call('PTTL', ids) < ttl / 2 then
            redis.call('PEXPIRE', ids, ttl)
            redis.call('PEXPIRE', KEYS[5], ARGV[12])
          end
        end

        local complete, incomplete = seeds + otherSeeds, leeches + otherLeeches
        local downloaded = tonumber(redis.call('GET', KEYS[5]) or '0')
        if complete + incomplete == 0 then
          redis.call('UNLINK', own, ids, other, otherIds)
          return {0, 0, 0, downloaded}
        end

        local want = tonumber(ARGV[8])
        if mode == '0' or want <= 0 then
          return {0, complete, incomplete, downloaded}
        end

        -- Ranks in own: leechers [0, leeches - 1], expired [leeches, leeches + expired - 1], seeders after them. The
        -- draw works on live indices instead, leechers first then seeders, with the expired ranks skipped: a leecher
        -- draws from [0, leeches + seeds - 1] (seeders and leechers alike, so each in proportion to its number), a
        -- seeder from the leechers only, [0, leeches - 1].
        local picked = {}
        local function take(members, count, taken)
          for i = 1, #members do
            if taken < count and members[i] ~= member then
              picked[#picked + 1] = members[i]
              taken = taken + 1
            end
          end
          return taken
        end
        -- The members at live indices [first, last]: one ZRANGE, or two when the run spans the expired ranks.
        local function fetch(first, last, count, taken)
          if first >= leeches or last < leeches or expired == 0 then
            if first >= leeches then
              return take(redis.call('ZRANGE', own, first + expired, last + expired), count, taken)
            end
            return take(redis.call('ZRANGE', own, first, last), count, taken)
          end
          taken = take(redis.call('ZRANGE', own, first, leeches - 1), count, taken)
          return take(redis.call('ZRANGE', own, leeches + expired, last + expired), count, taken)
        end
        -- A pseudo-random sequence from the caller's seed (ARGV[11]), so the script itself stays deterministic.
        local seed = tonumber(ARGV[11])
        local function nextRandom(bound)
          -- LCG modulo 2^32 (multiplier and increment from Numerical Recipes): every product stays below 2^53, so
          -- Lua's doubles hold it exactly; the low 8 bits, the weakest, are dropped.
          seed = (seed * 1664525 + 1013904223) % 4294967296
          return math.floor(seed / 256) % bound
        end
        -- Up to 'count' peers other than the announcer from the live indices [0, liveCount - 1], from windows of
        -- consecutive indices at random offsets: ZRANGE by rank is O(log N + width), so the draw costs O(count)
        -- whatever the swarm's size. With room for it, the indices are cut into 'windows' segments and one window is
        -- taken at random inside each (they cannot overlap); otherwise one window of count + 1 indices at a random
        -- rotation (count + 1 <= liveCount here).
        local function sample(liveCount, count)
          local windows = math.min(5, count)
          -- Enough indices for count + 1 (the announcer may be among them); the windows are visited from a random
          -- segment on, so the one cut short when count is reached is a different segment each time.
          local width = math.floor((count + windows) / windows)
          local segment = math.floor(liveCount / windows)
          local taken = 0
          if segment >= width then
            local first = nextRandom(windows)
            for k = 0, windows - 1 do
              local w = (first + k) % windows
              -- The last segment also takes the indices left over by the division.
              local length = segment
              if w == windows - 1 then
                length = liveCount - (w * segment)
              end
              local start = (w * segment) + nextRandom(length - width + 1)
              taken = fetch(start, start + width - 1, count, taken)
            end
          else
            local n = math.min(count + 1, liveCount)
            local start = nextRandom(liveCount)
            local first = math.min(n, liveCount - start)
            taken = fetch(start, start + first - 1, count, taken)
            if n > first then
              fetch(0, n - first - 1, count, taken)
            end
          end
        end

        local live = leeches + seeds
        if mode == '2' then
          live = leeches
        end
        if live > 0 then
          if live <= want then
            -- Everyone fits (a leecher announcer among them is skipped).
            fetch(0, live - 1, live, 0)
          else
            sample(live, want)
          end
        end

        return {0, complete, incomplete, downloaded, table.concat(picked)}
        """;

    /// <summary>
    /// Counts of one torrent, read only. ARGV: [1] cutoff. Reply: {complete, incomplete, downloaded}; zeros when the
    /// torrent is revoked. The download count outlives the swarm (it has its own, long TTL).
    /// </summary>
    public const string Scrape = """
        if redis.call('EXISTS', KEYS[6]) == 1 then
          return {0, 0, 0}
        end
        local minusCutoff = '-' .. ARGV[1]
        local complete = redis.call('ZCOUNT', KEYS[1], ARGV[1], '+inf') + redis.call('ZCOUNT', KEYS[3], ARGV[1], '+inf')
        local incomplete = redis.call('ZCOUNT', KEYS[1], '-inf', minusCutoff) + redis.call('ZCOUNT', KEYS[3], '-inf', minusCutoff)
        return {complete, incomplete, tonumber(redis.call('GET', KEYS[5]) or '0')}
        """;

    /// <summary>
    /// Forgets a swarm: deletes its sets, peer ids and download count (UNLINK: O(1) here, freed in the background),
    /// never the revocation marker. ARGV: [1] cutoff. Reply: how many live peers were dropped.
    /// </summary>
    public const string Purge = """
        local minusCutoff = '-' .. ARGV[1]
        local dropped = 0
        for _, key in ipairs({KEYS[1], KEYS[3]}) do
          dropped = dropped + redis.call('ZCOUNT', key, ARGV[1], '+inf') + redis.call('ZCOUNT', key, '-inf', minusCutoff)
        end
        redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
        return dropped
        """;

    /// <summary>
    /// Blocks a hash (revoked or suspended): sets the marker every announce checks first, then forgets the swarm as
    /// <see cref="Purge"/> does, in one step. ARGV: [1] cutoff. Reply: how many live peers were dropped.
    /// </summary>
    public const string Block = """
        redis.call('SET', KEYS[6], '1')
        local minusCutoff = '-' .. ARGV[1]
        local dropped = 0
        for _, key in ipairs({KEYS[1], KEYS[3]}) do
          dropped = dropped + redis.call('ZCOUNT', key, ARGV[1], '+inf') + redis.call('ZCOUNT', key, '-inf', minusCutoff)
        end
        redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
        return dropped
        """;

    /// <summary>
    /// The census of one torrent, read only, run for each peer set a SCAN finds (see <see cref="RedisSwarmCensus"/>).
    /// ARGV: [1] cutoff, [2] "6" when the set found is the IPv6 one. Reply: {seeders, leechers} of the live peers of
    /// the whole torrent; an empty reply when the torrent is revoked, or when the IPv6 set was found and an IPv4 set
    /// exists (the torrent is counted once, from its IPv4 set, whichever of its sets the SCAN meets first).
    /// </summary>
    public const string Census = """
        if redis.call('EXISTS', KEYS[6]) == 1 then
          return {}
        end
        if ARGV[2] == '6' and redis.call('EXISTS', KEYS[1]) == 1 then
          return {}
        end
        local minusCutoff = '-' .. ARGV[1]
        local seeders = redis.call('ZCOUNT', KEYS[1], ARGV[1], '+inf') + redis.call('ZCOUNT', KEYS[3], ARGV[1], '+inf')
        local leechers = redis.call('ZCOUNT', KEYS[1], '-inf', minusCutoff) + redis.call('ZCOUNT', KEYS[3], '-inf', minusCutoff)
        return {seeders, leechers}
        """;
}
