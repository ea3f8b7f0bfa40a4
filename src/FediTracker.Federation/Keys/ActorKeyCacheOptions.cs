using System.ComponentModel.DataAnnotations;

namespace FediTracker.Federation.Keys;

/// <summary>How long actor keys are kept. Section <c>Federation:KeyCache</c>.</summary>
public sealed class ActorKeyCacheOptions
{
    public const string SectionName = "Federation:KeyCache";

    /// <summary>Seconds a fetched key is used before it is fetched again. 21 600 (6 hours); a rotated key is refetched sooner, on the first failure.</summary>
    [Range(1, 604_800)]
    public int TimeToLiveSeconds { get; set; } = 21_600;

    /// <summary>Seconds a failed lookup is remembered, so a flood of requests naming a dead key does not become a flood of fetches. 120.</summary>
    [Range(0, 86_400)]
    public int NegativeTimeToLiveSeconds { get; set; } = 120;

    /// <summary>Seconds after a fetch during which a refresh request reuses it instead of fetching again. 60.</summary>
    [Range(0, 3_600)]
    public int MinRefreshIntervalSeconds { get; set; } = 60;

    /// <summary>The most keys kept; past it the oldest tenth is dropped. 10 000.</summary>
    [Range(1, 10_000_000)]
    public int Capacity { get; set; } = 10_000;
}
