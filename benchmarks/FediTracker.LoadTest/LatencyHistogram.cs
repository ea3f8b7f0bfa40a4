namespace FediTracker.LoadTest;

/// <summary>
/// Latencies in nanoseconds, in log-linear buckets: exact below 64 ns, then 64 buckets per power of two (at most
/// 1.6 % off). Recording is an index computation and an increment; one histogram per worker, merged at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBits = 6;
    private const int SubCount = 1 << SubBits;

    // Up to 2^40 ns (18 minutes): far beyond any timeout.
    private const int MaxExponent = 40;
    private readonly long[] _counts = new long[(MaxExponent - SubBits + 2) * SubCount];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0)
        {
            nanoseconds = 0;
        }

        _counts[Index(nanoseconds)]++;
        Count++;
        if (nanoseconds > Max)
        {
            Max = nanoseconds;
        }
    }

    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1), as the middle of its bucket; 0 when empty.</summary>
    public long Quantile(double q)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(q * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(Middle(i), Max);
            }
        }

        return Max;
    }

    private static int Index(long value)
    {
        if (value < SubCount)
        {
            return (int)value;
        }

        var msb = 63 - (int)long.LeadingZeroCount(value);
        if (msb > MaxExponent)
        {
            return ((MaxExponent - SubBits + 2) * SubCount) - 1;
        }

        var group = msb - SubBits + 1;
        var mantissa = (int)(value >> (msb - SubBits)) & (SubCount - 1);
        return (group * SubCount) + mantissa;
    }

    private static long Middle(int index)
    {
        if (index < SubCount)
        {
            return index;
        }

        var group = index / SubCount;
        var mantissa = index % SubCount;
        var shift = group - 1;
        var low = (long)(SubCount + mantissa) << shift;
        return low + ((1L << shift) / 2);
    }
}
