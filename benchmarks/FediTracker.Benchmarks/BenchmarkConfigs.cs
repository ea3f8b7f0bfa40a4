using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using Perfolizer.Metrology;

namespace FediTracker.Benchmarks;

/// <summary>
/// The two ways the suite runs. <see cref="Standard"/>: each benchmark in its own process, 3 warmup and 8 measured
/// iterations of about 250 ms, so the whole suite fits in minutes on a small machine. <see cref="Quick"/>: a smoke
/// run in this process, 2 warmup and 3 measured iterations of about 100 ms, enough to prove every benchmark runs and
/// to check the allocation budgets, not to quote timings (code may not have reached its final JIT tier).
/// </summary>
internal static class BenchmarkConfigs
{
    public static IConfig Standard() => Create(
        Job.Default
            .WithId("Standard")
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(8)
            .WithIterationTime(TimeInterval.FromMilliseconds(250)));

    public static IConfig Quick() => Create(
        Job.Default
            .WithId("Quick")
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(3)
            .WithIterationTime(TimeInterval.FromMilliseconds(100)));

    private static ManualConfig Create(Job job) => ManualConfig.Create(DefaultConfig.Instance)
        .AddJob(job)
        .WithSummaryStyle(SummaryStyle.Default.WithTimeUnit(TimeUnit.Nanosecond).WithSizeUnit(SizeUnit.B));
}
