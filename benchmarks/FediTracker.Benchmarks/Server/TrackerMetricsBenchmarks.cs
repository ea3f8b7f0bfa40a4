using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using FediTracker.Core.Diagnostics;
using FediTracker.Protocol;
using OpenTelemetry.Metrics;

namespace FediTracker.Benchmarks.Server;

/// <summary>
/// What recording costs per UDP announce, alone: the calls <c>UdpTracker</c> and <c>Tracker</c> make on a successful
/// announce over the in-process store (request timer, store timer, store duration, the announce count, request
/// duration), with nobody listening, a bare meter listener, or the OpenTelemetry SDK aggregating; with every request
/// timed (<c>RequestSampleInterval</c> 1) or one in 16 per thread, as shipped. The cost per announce is the mean over
/// the sampled and unsampled calls.
/// </summary>
[MemoryDiagnoser]
public class TrackerMetricsBenchmarks
{
    private static long _sink;
    private TrackerMetrics? _metrics;
    private MeterListener? _listener;
    private MeterProvider? _provider;

    [Params(MetricsMode.Off, MetricsMode.Listener, MetricsMode.OpenTelemetry)]
    public MetricsMode Metrics { get; set; }

    [Params(1, TrackerMetrics.DefaultRequestSampleInterval)]
    public int RequestSampleInterval { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _metrics = new TrackerMetrics(new StandaloneMeterFactory(), requestSampleInterval: RequestSampleInterval);
        if (Metrics == MetricsMode.OpenTelemetry)
        {
            _provider = OpenTelemetry.Sdk.CreateMeterProviderBuilder()
                .AddMeter(TrackerMetrics.MeterName)
                .AddReader(new PeriodicExportingMetricReader(new NullMetricExporter(), exportIntervalMilliseconds: 3_600_000))
                .Build();
        }
        else if (Metrics == MetricsMode.Listener)
        {
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == TrackerMetrics.MeterName)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Interlocked.Add(ref _sink, value + tags.Length));
            _listener.SetMeasurementEventCallback<double>((_, value, tags, _) => Interlocked.Add(ref _sink, (long)value + tags.Length));
            _listener.Start();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener?.Dispose();
        _provider?.Dispose();
    }

    [Benchmark]
    public void UdpAnnounceRecording()
    {
        var metrics = _metrics!;
        var request = metrics.StartRequestTimer();
        var store = metrics.StartStoreTimer(sampled: true);
        metrics.StoreDuration("announce", store);
        metrics.Announce(Transport.Udp, false, AnnounceEvent.None, FailureKinds.ResultOk);
        metrics.RequestDuration(Transport.Udp, "announce", request);
    }
}
