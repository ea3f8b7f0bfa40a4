namespace FediTracker.Core.Registry;

/// <summary>One page of a list; <see cref="Next"/> is the cursor for the following page, null on the last.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long? Next);

/// <summary>Filters for listing torrents; every set field must match. Paged by ascending id after <see cref="After"/>.</summary>
public sealed record TorrentQuery
{
    public string? ObjectUri { get; init; }

    public string? ActorUri { get; init; }

    public string? MediaUrl { get; init; }

    public AccessState? Status { get; init; }

    /// <summary>Return records with an id above this (the previous page's <see cref="Page{T}.Next"/>).</summary>
    public long After { get; init; }

    /// <summary>Page size, 1 to 500.</summary>
    public int Limit { get; init; } = 100;
}
