using System.ComponentModel.DataAnnotations;
using FediTracker.Core.Diagnostics;

namespace FediTracker.Core;

/// <summary>How the tracker paces and answers clients. Section <c>Tracker</c>.</summary>
public sealed class TrackerOptions
{
    public const string SectionName = "Tracker";

    /// <summary>
    /// Seconds between announces asked of clients. 900 (15 minutes), shorter than opentracker's 30 minutes: fediverse
    /// media swarms are short bursts when a post federates, and fresher peer lists matter more than the extra load.
    /// </summary>
    [Range(30, 86_400)]
    public int AnnounceIntervalSeconds { get; set; } = 900;

    /// <summary>Up to this fraction of the interval is added at random to each reply, so clients spread out. 0.1 by default.</summary>
    [Range(0.0, 0.5)]
    public double IntervalJitter { get; set; } = 0.1;

    /// <summary>Seconds a client must wait before announcing again of its own accord (<c>min interval</c>). 60 by default.</summary>
    [Range(1, 86_400)]
    public int MinAnnounceIntervalSeconds { get; set; } = 60;

    /// <summary>
    /// Seconds after its last announce that a peer is forgotten. 2 100 by default: two intervals plus the largest
    /// jitter and some slack, so one lost announce does not drop a live peer.
    /// </summary>
    [Range(60, 172_800)]
    public int PeerTimeoutSeconds { get; set; } = 2_100;

    /// <summary>Peers handed out when the client does not say (<c>numwant</c> absent or negative). 50, as most trackers.</summary>
    [Range(0, 500)]
    public int DefaultNumWant { get; set; } = 50;

    /// <summary>The most peers handed out in one reply, whatever the client asks. 200 (libtorrent asks for 200).</summary>
    [Range(1, 500)]
    public int MaxNumWant { get; set; } = 200;

    /// <summary>The most info-hashes in one scrape. 74 by default: what fits in one UDP scrape under a 1 500-byte MTU (BEP 15).</summary>
    [Range(1, 1_000)]
    public int MaxScrapeHashes { get; set; } = 74;

    /// <summary>
    /// Announces and scrapes a second that one client address (an IPv6 /64) may make on average; 0 turns the limit
    /// off. 100 by default: a whole instance seeding 90 000 torrents from one address, each re-announced every
    /// 15 minutes, stays under it, while one address flooding the tracker does not.
    /// </summary>
    [Range(0, 1_000_000)]
    public double RateLimitPerSecond { get; set; } = 100;

    /// <summary>Requests an idle address may make at once before the rate applies. 500 by default.</summary>
    [Range(1, 10_000_000)]
    public int RateLimitBurst { get; set; } = 500;

    /// <summary>
    /// Whether Debug-level logs of refused requests name the client's address. Off by default: the tracker never
    /// writes client addresses to its logs unless an operator asks, and then only at Debug.
    /// </summary>
    public bool LogClientAddresses { get; set; }

    /// <summary>
    /// Which torrents are served: <c>Registered</c> (default: only hashes registered through the admin API or by
    /// federation), <c>Open</c> (any hash not revoked or suspended), or <c>Private</c> (registered, and every announce
    /// carries a passkey in its path).
    /// </summary>
    public Registry.AccessMode AccessMode { get; set; } = Registry.AccessMode.Registered;

    /// <summary>Seconds between reads of the registry's access feed (a backstop: local writes and other nodes'
    /// notifications apply at once). 5 by default.</summary>
    [Range(1, 3_600)]
    public int AccessSyncSeconds { get; set; } = 5;

    /// <summary>Seconds between expiry sweeps of the memory store. 60 by default.</summary>
    [Range(1, 3_600)]
    public int SweepIntervalSeconds { get; set; } = 60;

    /// <summary>
    /// One tracker request in this many (per thread) is timed into the <c>feditracker.request.duration</c> histogram: a
    /// power of two from 1 (time every request) to 1 024. 16 by default, which keeps the histogram's cost per request
    /// to a few nanoseconds; its buckets and quantiles stay unbiased, its <c>_count</c> counts samples (the request
    /// counters count every request).
    /// </summary>
    [Range(1, 1_024)]
    public int LatencySampleInterval { get; set; } = TrackerMetrics.DefaultRequestSampleInterval;
}
