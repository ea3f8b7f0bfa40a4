namespace FediTracker.Core.Diagnostics;

/// <summary>The whole store's size at one moment.</summary>
public readonly record struct SwarmTotals(long Torrents, long Seeders, long Leechers);

/// <summary>A swarm store that can tell its totals cheaply (O(1)), for gauges.</summary>
public interface ISwarmTotals
{
    SwarmTotals GetTotals();
}
