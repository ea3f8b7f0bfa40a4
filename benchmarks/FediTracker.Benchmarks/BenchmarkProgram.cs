using BenchmarkDotNet.Running;

namespace FediTracker.Benchmarks;

/// <summary>
/// Runs the benchmarks chosen by BenchmarkDotNet's usual arguments (<c>--filter '*'</c> for all) with the
/// <see cref="BenchmarkConfigs.Standard"/> job, or with <c>--quick</c> the <see cref="BenchmarkConfigs.Quick"/> smoke
/// job. Then checks every benchmark's allocations against its budget; the exit code is 1 when one is over budget or
/// failed to run. The quick run tolerates less than one object per operation over budget, which only a one-off
/// allocation spread over a short run can produce; the standard run tolerates nothing.
/// </summary>
internal static class BenchmarkProgram
{
    private const string QuickFlag = "--quick";

    public static int Main(string[] args)
    {
        var quick = Array.Exists(args, a => string.Equals(a, QuickFlag, StringComparison.Ordinal));
        var rest = Array.FindAll(args, a => !string.Equals(a, QuickFlag, StringComparison.Ordinal));
        var config = quick ? BenchmarkConfigs.Quick() : BenchmarkConfigs.Standard();
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(rest, config);
        var tolerance = quick ? AllocationBudgets.SmallestObjectBytes - 1 : 0;
        return AllocationBudgets.Check(summaries, Console.Out, tolerance) ? 0 : 1;
    }
}
