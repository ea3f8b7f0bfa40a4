namespace FediTracker.Protocol;

/// <summary>The announce event. Numeric values are BEP 15's; <see cref="Paused"/> is BEP 21's and has no UDP code.</summary>
public enum AnnounceEvent
{
    None = 0,
    Completed = 1,
    Started = 2,
    Stopped = 3,
    Paused = 4,
}
