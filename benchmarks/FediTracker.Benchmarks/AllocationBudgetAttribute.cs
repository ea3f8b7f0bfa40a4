namespace FediTracker.Benchmarks;

/// <summary>
/// The bytes one operation of a benchmark may allocate. A benchmark without it must allocate nothing: the hot path
/// is allocation-free. <see cref="AllocationBudgets"/> checks every run against these numbers.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class AllocationBudgetAttribute : Attribute
{
    public AllocationBudgetAttribute(long bytesPerOperation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytesPerOperation);
        BytesPerOperation = bytesPerOperation;
    }

    public long BytesPerOperation { get; }
}
