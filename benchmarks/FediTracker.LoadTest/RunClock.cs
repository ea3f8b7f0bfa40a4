using System.Diagnostics;

namespace FediTracker.LoadTest;

/// <summary>The measured window (Stopwatch timestamps) and the stop signal, shared by the workers of one run.</summary>
internal sealed class RunClock
{
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    private volatile bool _stopping;

    public long MeasureStart { get; set; } = long.MaxValue;

    public long MeasureEnd { get; set; } = long.MaxValue;

    /// <summary>Set at the end of the window: workers send nothing new after it.</summary>
    public bool Stopping
    {
        get => _stopping;
        set => _stopping = value;
    }

    /// <summary>A clock whose window covers everything (for the fill, where every reply counts).</summary>
    public static RunClock Always() => new() { MeasureStart = 0, MeasureEnd = long.MaxValue };

    public static long Now => Stopwatch.GetTimestamp();

    public static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    public static long ToNanoseconds(long ticks) => (long)(ticks * NanosecondsPerTick);

    public bool InWindow(long timestamp) => timestamp >= MeasureStart && timestamp < MeasureEnd;
}
