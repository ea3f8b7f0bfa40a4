using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace FediTracker.Benchmarks.Server;

/// <summary>An exporter that drops what it is given: the benchmarks measure recording, not exporting.</summary>
internal sealed class NullMetricExporter : BaseExporter<Metric>
{
    public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
}
