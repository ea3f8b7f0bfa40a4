namespace FediTracker.Core.Diagnostics;

/// <summary>
/// A fixed set of monotonic counts, one per tag combination, that the hot path bumps with one uncontended
/// interlocked add: each processor has its own stripe (its own cache lines), and a read sums the stripes. Read by
/// an observable counter's callback at scrape time, so a request pays neither tag handling nor a listener call.
/// </summary>
internal sealed class StripedCounters
{
    private const int LongsPerCacheLine = 8;

    private readonly long[] _counts;
    private readonly int _stride;
    private readonly int _stripeMask;

    public StripedCounters(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        Length = length;

        // A stripe per processor (a power of two, at most 64), each a whole number of cache lines, with one line of
        // padding before the first so that no stripe shares a line with the array header or another object.
        var stripes = (int)Math.Min(64, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));
        _stripeMask = stripes - 1;
        _stride = (length + LongsPerCacheLine - 1) / LongsPerCacheLine * LongsPerCacheLine;
        _counts = new long[LongsPerCacheLine + (stripes * _stride)];
    }

    public int Length { get; }

    public void Increment(int index)
    {
        var stripe = Thread.GetCurrentProcessorId() & _stripeMask;
        Interlocked.Increment(ref _counts[LongsPerCacheLine + (stripe * _stride) + index]);
    }

    public long Sum(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Length);
        long sum = 0;
        for (var offset = LongsPerCacheLine + index; offset < _counts.Length; offset += _stride)
        {
            sum += Volatile.Read(ref _counts[offset]);
        }

        return sum;
    }
}
