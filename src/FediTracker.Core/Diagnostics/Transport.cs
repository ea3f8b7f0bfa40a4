namespace FediTracker.Core.Diagnostics;

/// <summary>Which wire protocol a request came in on.</summary>
public enum Transport
{
    Http,
    Udp,
}
