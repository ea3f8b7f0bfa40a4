using System.Reflection;
using BenchmarkDotNet.Reports;

namespace FediTracker.Benchmarks;

/// <summary>
/// Compares what each benchmark allocated per operation (measured by the memory diagnoser) with its budget: 0 bytes
/// unless the method carries an <see cref="AllocationBudgetAttribute"/>. A benchmark that failed or has no
/// allocation figure also fails the check.
/// </summary>
internal static class AllocationBudgets
{
    /// <summary>The smallest heap object on a 64-bit runtime: an allocation in every operation shows at least this much.</summary>
    public const long SmallestObjectBytes = 24;

    /// <summary>
    /// Writes one line per problem and a verdict; true when every benchmark ran and kept to its budget. Up to
    /// <paramref name="toleranceBytes"/> over budget is noted but passes: a short run can catch one-off allocations
    /// (tiered compilation, first use of a static) spread thinly over its operations.
    /// </summary>
    public static bool Check(IEnumerable<Summary> summaries, TextWriter output, long toleranceBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        ArgumentNullException.ThrowIfNull(output);
        var checkedCount = 0;
        var problems = 0;
        foreach (var summary in summaries)
        {
            if (summary.HasCriticalValidationErrors)
            {
                output.WriteLine($"ALLOCATION CHECK: {summary.Title}: critical validation errors, nothing was measured.");
                problems++;
            }

            foreach (var benchmark in summary.BenchmarksCases)
            {
                checkedCount++;
                var name = benchmark.DisplayInfo;
                var report = summary[benchmark];
                if (report is null || !report.Success)
                {
                    output.WriteLine($"ALLOCATION CHECK: {name}: the benchmark did not run to completion.");
                    problems++;
                    continue;
                }

                var allocated = report.GcStats.GetBytesAllocatedPerOperation(benchmark);
                var budget = benchmark.Descriptor.WorkloadMethod.GetCustomAttribute<AllocationBudgetAttribute>()?.BytesPerOperation ?? 0;
                if (allocated is null)
                {
                    output.WriteLine($"ALLOCATION CHECK: {name}: no allocation figure (is [MemoryDiagnoser] on the class?).");
                    problems++;
                }
                else if (allocated > budget && allocated - budget <= toleranceBytes)
                {
                    output.WriteLine($"ALLOCATION CHECK: {name}: {allocated} B/op, budget {budget} B/op; within the short run's tolerance of {toleranceBytes} B/op.");
                }
                else if (allocated > budget)
                {
                    output.WriteLine($"ALLOCATION CHECK: {name}: {allocated} B/op allocated, budget {budget} B/op.");
                    problems++;
                }
            }
        }

        output.WriteLine(problems == 0
            ? $"ALLOCATION CHECK: {checkedCount} benchmarks within their allocation budgets."
            : $"ALLOCATION CHECK: {problems} problem(s) in {checkedCount} benchmarks.");
        return problems == 0;
    }
}
