namespace FediTracker.Server.Configuration;

/// <summary>How client addresses are found. Section <c>Network</c>.</summary>
public sealed class NetworkOptions
{
    public const string SectionName = "Network";

    /// <summary>
    /// Reverse proxies whose <c>X-Forwarded-For</c> / <c>X-Real-IP</c> headers are believed: comma-separated addresses
    /// or CIDR ranges (e.g. <c>127.0.0.1,10.0.0.0/8</c>). Empty (the default): headers are ignored and the socket
    /// address is the client's.
    /// </summary>
    public string TrustedProxies { get; set; } = string.Empty;
}
