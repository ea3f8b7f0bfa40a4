using System.ComponentModel.DataAnnotations;

namespace FediTracker.Storage.Redis;

/// <summary>How the cluster shape reaches Redis. Section <c>Redis</c>.</summary>
public sealed class RedisStoreOptions
{
    public const string SectionName = "Redis";

    /// <summary>
    /// A StackExchange.Redis configuration string: one endpoint (standalone), several (Redis Cluster), or
    /// <c>serviceName=…</c> with the sentinels (Sentinel), plus any options such as <c>password=…</c>. Its own
    /// timeouts and <c>abortConnect</c> are replaced by <see cref="OperationTimeout"/> and <c>false</c>.
    /// </summary>
    [Required]
    public string Configuration { get; set; } = string.Empty;

    /// <summary>
    /// The first part of every key the store writes (<c>ft:{&lt;infohash&gt;}:p4</c>), so one Redis can serve several
    /// trackers. Letters, digits, and <c>_ - . :</c>; no braces, which would break the hash tag. <c>ft</c> by default.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_.:-]{1,32}$")]
    public string KeyPrefix { get; set; } = "ft";

    /// <summary>
    /// The longest one Redis call may take, connecting included, before the store reports itself unavailable.
    /// 1 second by default: an announce that waits longer is better answered "try again later".
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
