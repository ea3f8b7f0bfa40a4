using System.Diagnostics;
using System.Diagnostics.Metrics;
using FediTracker.Protocol;

namespace FediTracker.Core.Diagnostics;

/// <summary>
/// Every metric the tracker records, in one place. Instrument names follow OpenTelemetry conventions (dotted, with
/// units); the Prometheus exporter turns them into e.g. <c>feditracker_announces_total</c>. Tag values are fixed
/// strings, so recording allocates nothing.
/// </summary>
public sealed class TrackerMetrics
{
    public const string MeterName = "FediTracker";

    private static readonly string[] EventNames = ["none", "completed", "started", "stopped", "paused"];

    private readonly Counter<long> _announces;
    private readonly Counter<long> _scrapes;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _udpConnects;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _storeDuration;
    private readonly Counter<long> _storeErrors;

    public TrackerMetrics(IMeterFactory meterFactory, ISwarmTotals? totals = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _announces = meter.CreateCounter<long>("feditracker.announces", "{announce}", "Announces answered, by protocol, address family, event and result.");
        _scrapes = meter.CreateCounter<long>("feditracker.scrapes", "{scrape}", "Scrapes answered, by protocol and result.");
        _failures = meter.CreateCounter<long>("feditracker.failures", "{failure}", "Requests refused or failed, by protocol and reason.");
        _udpConnects = meter.CreateCounter<long>("feditracker.udp.connects", "{connect}", "UDP connection ids issued.");
        _requestDuration = meter.CreateHistogram(
            "feditracker.request.duration",
            "s",
            "Time from a parsed request to its reply being written, by protocol and action.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
        _storeDuration = meter.CreateHistogram(
            "feditracker.store.duration",
            "s",
            "Time the swarm store took, by operation.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
        _storeErrors = meter.CreateCounter<long>("feditracker.store.errors", "{error}", "Swarm store calls that failed (store unreachable or too slow), by operation.");

        if (totals is not null)
        {
            meter.CreateObservableGauge("feditracker.torrents", () => totals.GetTotals().Torrents, "{torrent}", "Torrents with at least one peer.");
            meter.CreateObservableGauge("feditracker.peers", () => ObservePeers(totals), "{peer}", "Peers held, by kind (seeder, leecher).");
        }
    }

    public void Announce(Transport transport, bool ipv6, AnnounceEvent announceEvent, string result)
    {
        if (_announces.Enabled)
        {
            var tags = new TagList
            {
                { "protocol", TransportName(transport) },
                { "family", ipv6 ? "ipv6" : "ipv4" },
                { "event", (uint)announceEvent < (uint)EventNames.Length ? EventNames[(int)announceEvent] : "other" },
                { "result", result },
            };
            _announces.Add(1, tags);
        }
    }

    public void Scrape(Transport transport, string result)
    {
        if (_scrapes.Enabled)
        {
            _scrapes.Add(1, new KeyValuePair<string, object?>("protocol", TransportName(transport)), new KeyValuePair<string, object?>("result", result));
        }
    }

    /// <summary>A refused or failed request; <paramref name="reason"/> is one of <see cref="FailureKinds"/>.</summary>
    public void Failure(Transport transport, string reason)
    {
        if (_failures.Enabled)
        {
            _failures.Add(1, new KeyValuePair<string, object?>("protocol", TransportName(transport)), new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public void UdpConnect() => _udpConnects.Add(1);

    /// <summary>Records the time since <paramref name="startTimestamp"/> (from <see cref="Stopwatch.GetTimestamp()"/>).</summary>
    public void RequestDuration(Transport transport, string action, long startTimestamp)
    {
        if (_requestDuration.Enabled)
        {
            _requestDuration.Record(
                Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds,
                new KeyValuePair<string, object?>("protocol", TransportName(transport)),
                new KeyValuePair<string, object?>("action", action));
        }
    }

    public void StoreDuration(string operation, long startTimestamp)
    {
        if (_storeDuration.Enabled)
        {
            _storeDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("operation", operation));
        }
    }

    public void StoreError(string operation) => _storeErrors.Add(1, new KeyValuePair<string, object?>("operation", operation));

    private static string TransportName(Transport transport) => transport == Transport.Udp ? "udp" : "http";

    private static IEnumerable<Measurement<long>> ObservePeers(ISwarmTotals totals)
    {
        var t = totals.GetTotals();
        return
        [
            new Measurement<long>(t.Seeders, new KeyValuePair<string, object?>("kind", "seeder")),
            new Measurement<long>(t.Leechers, new KeyValuePair<string, object?>("kind", "leecher")),
        ];
    }
}
