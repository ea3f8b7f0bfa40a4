namespace FediTracker.Benchmarks.Server;

/// <summary>Who listens to the tracker's instruments during a benchmark.</summary>
public enum MetricsMode
{
    /// <summary>Nobody: instruments disabled, as in a process nobody scrapes.</summary>
    Off,

    /// <summary>A bare <c>MeterListener</c> with a measurement callback per instrument.</summary>
    Listener,

    /// <summary>The OpenTelemetry SDK aggregating every measurement, as under the Prometheus exporter.</summary>
    OpenTelemetry,
}
