using FediTracker.Core.Diagnostics;
using FediTracker.Benchmarks.Store;
using FediTracker.Core;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using FediTracker.Protocol.Udp;
using FediTracker.Server.Configuration;
using FediTracker.Server.Udp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace FediTracker.Benchmarks.Server;

/// <summary>
/// The UDP datagram path without sockets, wired as the host wires it: a <see cref="UdpTracker"/> over a
/// <see cref="Tracker"/> with default options over a <see cref="MemorySwarmStore"/>, system time, and one receive
/// loop's <see cref="UdpLoopState"/>.
/// </summary>
internal sealed class UdpTrackerFixture : IDisposable
{
    private static long _sink;

    public System.Diagnostics.Metrics.MeterListener? Listener { get; }

    /// <summary>The OpenTelemetry SDK's meter provider, when <see cref="MetricsMode.OpenTelemetry"/>.</summary>
    public OpenTelemetry.Metrics.MeterProvider? MeterProvider { get; }

    /// <param name="metrics">
    /// Who listens to the tracker's instruments: nobody; a bare meter listener with a measurement callback per
    /// instrument (the least any exporter does); or the OpenTelemetry SDK aggregating them, as under the server's
    /// Prometheus exporter (a reader that exports once an hour, so that only recording is measured).
    /// </param>
    public UdpTrackerFixture(MetricsMode metrics = MetricsMode.Off)
    {
        var secret = new byte[ConnectionIdIssuer.KeyLength];
        new Random(5).NextBytes(secret);
        // Every benchmark announce comes from one address: without this, the per-address limit would refuse them.
        var options = new TrackerOptions { RateLimitPerSecond = 0, AccessMode = Core.Registry.AccessMode.Open };
        Store = new MemorySwarmStore(TimeProvider.System, TimeSpan.FromSeconds(options.PeerTimeoutSeconds));
        var tracker = new Tracker(Store, Options.Create(options), new TrackerMetrics(new StandaloneMeterFactory(), Store), NullLogger<Tracker>.Instance);
        if (metrics == MetricsMode.OpenTelemetry)
        {
            MeterProvider = OpenTelemetry.Sdk.CreateMeterProviderBuilder()
                .AddMeter(TrackerMetrics.MeterName)
                .AddReader(new PeriodicExportingMetricReader(new NullMetricExporter(), exportIntervalMilliseconds: 3_600_000))
                .Build();
        }
        else if (metrics == MetricsMode.Listener)
        {
            Listener = new System.Diagnostics.Metrics.MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == TrackerMetrics.MeterName)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            Listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Interlocked.Add(ref _sink, value + tags.Length));
            Listener.SetMeasurementEventCallback<double>((_, value, tags, _) => Interlocked.Add(ref _sink, (long)value + tags.Length));
            Listener.Start();
        }

        Handler = new UdpTracker(tracker, new ResolvedListenOptions([], [], [], UdpReceiveLoops: 1, secret, []), TimeProvider.System);
        State = new UdpLoopState(options.MaxNumWant, options.MaxScrapeHashes);
        Ids = new ConnectionIdIssuer(secret);
    }

    public MemorySwarmStore Store { get; }

    public UdpTracker Handler { get; }

    public UdpLoopState State { get; }

    /// <summary>An issuer with the handler's secret, to give clients valid connection ids.</summary>
    public ConnectionIdIssuer Ids { get; }

    /// <summary>Files <paramref name="peerCount"/> IPv4 peers into one swarm, straight into the store.</summary>
    public PrefilledSwarm Fill(InfoHash infoHash, int peerCount) => new(Store, infoHash, peerCount);

    public void Dispose()
    {
        Listener?.Dispose();
        MeterProvider?.Dispose();
    }

    /// <summary>Waits for a reply the memory store always gives synchronously; the result is its length.</summary>
    public static int Complete(ValueTask<int> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
