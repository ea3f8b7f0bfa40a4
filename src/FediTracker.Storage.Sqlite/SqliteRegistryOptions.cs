using System.ComponentModel.DataAnnotations;

namespace FediTracker.Storage.Sqlite;

/// <summary>Where the single-node shape keeps its registry. Section <c>Sqlite</c>.</summary>
public sealed record SqliteRegistryOptions
{
    public const string SectionName = "Sqlite";

    /// <summary>
    /// The database file (created with its directory when missing). SQLite keeps two companions beside it while open,
    /// <c>-wal</c> and <c>-shm</c>; back up all three, or use <c>sqlite3 .backup</c>. <c>feditracker.db</c> in the
    /// working directory by default.
    /// </summary>
    [Required]
    public string Path { get; set; } = "feditracker.db";

    /// <summary>
    /// How long a write waits for another process that holds the file's write lock (a backup tool, say) before the
    /// registry reports itself unavailable. 5 seconds by default.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
