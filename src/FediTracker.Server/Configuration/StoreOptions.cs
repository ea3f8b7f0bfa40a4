namespace FediTracker.Server.Configuration;

/// <summary>Which swarm store to use. Section <c>Store</c>; flags <c>--store</c> and <c>--redis</c>.</summary>
public sealed class StoreOptions
{
    public const string SectionName = "Store";

    /// <summary><c>memory</c> (default, single node).</summary>
    public string Kind { get; set; } = "memory";

    /// <summary>StackExchange.Redis configuration string, for the cluster shape.</summary>
    public string Redis { get; set; } = string.Empty;
}
