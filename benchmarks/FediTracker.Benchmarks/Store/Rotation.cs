namespace FediTracker.Benchmarks.Store;

/// <summary>
/// Visits 0 … n-1 in a scattered order (a stride coprime to n, near n times the golden ratio), so consecutive
/// operations touch peers far apart in the store's tables, as real announces do, rather than one hot peer.
/// </summary>
internal struct Rotation
{
    private readonly int _count;
    private readonly int _stride;
    private int _position;

    public Rotation(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _count = count;
        var stride = Math.Max(1, (int)(count * 0.6180339887) % count);
        while (count > 1 && Gcd(stride, count) != 1)
        {
            stride++;
        }

        _stride = stride % count;
        _position = 0;
    }

    /// <summary>The next index; a compare and a subtract, no division.</summary>
    public int Next()
    {
        var position = _position + _stride;
        if (position >= _count)
        {
            position -= _count;
        }

        _position = position;
        return position;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
