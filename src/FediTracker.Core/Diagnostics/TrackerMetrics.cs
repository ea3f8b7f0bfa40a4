using System.Diagnostics;
using System.Diagnostics.Metrics;
using FediTracker.Protocol;

namespace FediTracker.Core.Diagnostics;

/// <summary>
/// Every metric the tracker records, in one place. Instrument names follow OpenTelemetry conventions (dotted, with
/// units); the Prometheus exporter turns them into e.g. <c>feditracker_announces_total</c>. Tag values are fixed
/// strings, so recording allocates nothing.
/// <para>
/// The request counters (announces, scrapes, failures, UDP connects) cost one uncontended interlocked add per
/// request: each tag combination has its own slot in <see cref="StripedCounters"/>, and observable counters report
/// the sums when the exporter collects, so no tag list is built and no listener is called per request. The two
/// histograms are sampled, because one histogram record (the SDK finds the tag set's point and the bucket on every
/// call, and the clock is read twice) costs more than everything else the tracker records for a request: each thread
/// times its first request and then one in the request sample interval (<c>Tracker:LatencySampleInterval</c>, 16 by
/// default; 1 times every request), and its first call of the in-process store and then one in
/// <see cref="InProcessStoreSampleInterval"/> (a remote store's calls are all timed). Which request is timed does
/// not depend on how long it takes, so bucket ratios, quantiles and the mean stay unbiased; a sampled histogram's
/// <c>_count</c> and <c>_sum</c> count samples, not requests (the counters above count every request).
/// </para>
/// </summary>
public sealed class TrackerMetrics
{
    public const string MeterName = "FediTracker";

    /// <summary>One in this many in-process store calls is timed (a power of two).</summary>
    public const int InProcessStoreSampleInterval = 16;

    /// <summary>By default one in this many requests is timed into the request-duration histogram.</summary>
    public const int DefaultRequestSampleInterval = 16;

    private const string Other = "other";

    private static readonly string[] Protocols = ["http", "udp"];
    private static readonly string[] Families = ["ipv4", "ipv6"];
    private static readonly string[] EventNames = ["none", "completed", "started", "stopped", "paused", Other];
    private static readonly string[] Results = [FailureKinds.ResultOk, FailureKinds.ResultFailed, Other];
    private static readonly string[] Reasons =
    [
        FailureKinds.InvalidRequest, FailureKinds.StoreUnavailable, FailureKinds.TooManyHashes, FailureKinds.ConnectionId,
        FailureKinds.RateLimited, FailureKinds.Revoked, FailureKinds.Suspended, FailureKinds.NotRegistered, FailureKinds.Passkey, Other,
    ];

    [ThreadStatic]
    private static uint t_storeSample;

    [ThreadStatic]
    private static uint t_requestSample;

    private readonly uint _requestSampleMask;

    private readonly StripedCounters _announces = new(Protocols.Length * Families.Length * EventNames.Length * Results.Length);
    private readonly StripedCounters _scrapes = new(Protocols.Length * Results.Length);
    private readonly StripedCounters _failures = new(Protocols.Length * Reasons.Length);
    private readonly StripedCounters _udpConnects = new(1);
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _storeDuration;
    private readonly Counter<long> _storeErrors;

    /// <param name="meterFactory">Where the meter comes from.</param>
    /// <param name="totals">The store's totals for the torrents and peers gauges; none, no gauges.</param>
    /// <param name="requestSampleInterval">One request in this many (per thread) is timed: a power of two, 1 to 1 024.</param>
    public TrackerMetrics(IMeterFactory meterFactory, ISwarmTotals? totals = null, int requestSampleInterval = DefaultRequestSampleInterval)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentOutOfRangeException.ThrowIfLessThan(requestSampleInterval, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(requestSampleInterval, 1_024);
        if (!System.Numerics.BitOperations.IsPow2(requestSampleInterval))
        {
            throw new ArgumentOutOfRangeException(nameof(requestSampleInterval), requestSampleInterval, "The sample interval must be a power of two.");
        }

        _requestSampleMask = (uint)requestSampleInterval - 1;
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableCounter("feditracker.announces", ObserveAnnounces, "{announce}", "Announces answered, by protocol, address family, event and result.");
        meter.CreateObservableCounter("feditracker.scrapes", ObserveScrapes, "{scrape}", "Scrapes answered, by protocol and result.");
        meter.CreateObservableCounter("feditracker.failures", ObserveFailures, "{failure}", "Requests refused or failed, by protocol and reason.");
        meter.CreateObservableCounter("feditracker.udp.connects", () => _udpConnects.Sum(0), "{connect}", "UDP connection ids issued.");
        _requestDuration = meter.CreateHistogram(
            "feditracker.request.duration",
            "s",
            "Time from a parsed request to its reply being written, by protocol and action (a sample of the requests).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
        _storeDuration = meter.CreateHistogram(
            "feditracker.store.duration",
            "s",
            "Time the swarm store took, by operation (the in-process store: a sample of its calls).",
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
        var eventIndex = (uint)announceEvent < (uint)(EventNames.Length - 1) ? (int)announceEvent : EventNames.Length - 1;
        var index = (((((ProtocolIndex(transport) * Families.Length) + (ipv6 ? 1 : 0)) * EventNames.Length) + eventIndex) * Results.Length) + ResultIndex(result);
        _announces.Increment(index);
    }

    public void Scrape(Transport transport, string result) =>
        _scrapes.Increment((ProtocolIndex(transport) * Results.Length) + ResultIndex(result));

    /// <summary>A refused or failed request; <paramref name="reason"/> is one of <see cref="FailureKinds"/> (else counted as "other").</summary>
    public void Failure(Transport transport, string reason) =>
        _failures.Increment((ProtocolIndex(transport) * Reasons.Length) + ReasonIndex(reason));

    public void UdpConnect() => _udpConnects.Increment(0);

    /// <summary>
    /// A start timestamp for <see cref="RequestDuration"/>, or 0 when this request is not timed: nobody listens to the
    /// histogram, or it is not the thread's one in the request sample interval.
    /// </summary>
    public long StartRequestTimer()
    {
        if (!_requestDuration.Enabled || (t_requestSample++ & _requestSampleMask) != 0)
        {
            return 0;
        }

        return Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// A start timestamp for <see cref="StoreDuration"/>, or 0 when this call is not timed: nobody listens, or the
    /// store is in process (<paramref name="sampled"/>) and this call is not the thread's one in
    /// <see cref="InProcessStoreSampleInterval"/>.
    /// </summary>
    public long StartStoreTimer(bool sampled)
    {
        if (!_storeDuration.Enabled || (sampled && (t_storeSample++ & (InProcessStoreSampleInterval - 1)) != 0))
        {
            return 0;
        }

        return Stopwatch.GetTimestamp();
    }

    /// <summary>Records the time since <paramref name="startTimestamp"/> (from <see cref="StartRequestTimer"/>; 0 records nothing).</summary>
    public void RequestDuration(Transport transport, string action, long startTimestamp)
    {
        if (startTimestamp != 0 && _requestDuration.Enabled)
        {
            _requestDuration.Record(
                Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds,
                new KeyValuePair<string, object?>("protocol", Protocols[ProtocolIndex(transport)]),
                new KeyValuePair<string, object?>("action", action));
        }
    }

    /// <summary>Records the time since <paramref name="startTimestamp"/> (from <see cref="StartStoreTimer"/>; 0 records nothing).</summary>
    public void StoreDuration(string operation, long startTimestamp)
    {
        if (startTimestamp != 0 && _storeDuration.Enabled)
        {
            _storeDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("operation", operation));
        }
    }

    public void StoreError(string operation) => _storeErrors.Add(1, new KeyValuePair<string, object?>("operation", operation));

    private static int ProtocolIndex(Transport transport) => transport == Transport.Udp ? 1 : 0;

    private static int ResultIndex(string result) =>
        ReferenceEquals(result, FailureKinds.ResultOk) || result == FailureKinds.ResultOk ? 0
        : ReferenceEquals(result, FailureKinds.ResultFailed) || result == FailureKinds.ResultFailed ? 1
        : 2;

    private static int ReasonIndex(string reason)
    {
        for (var i = 0; i < Reasons.Length - 1; i++)
        {
            if (ReferenceEquals(reason, Reasons[i]))
            {
                return i;
            }
        }

        var index = Array.IndexOf(Reasons, reason);
        return index >= 0 ? index : Reasons.Length - 1;
    }

    private List<Measurement<long>> ObserveAnnounces()
    {
        var measurements = new List<Measurement<long>>();
        var index = 0;
        foreach (var protocol in Protocols)
        {
            foreach (var family in Families)
            {
                foreach (var eventName in EventNames)
                {
                    foreach (var result in Results)
                    {
                        var value = _announces.Sum(index++);
                        if (value != 0)
                        {
                            measurements.Add(new Measurement<long>(
                                value,
                                new KeyValuePair<string, object?>("protocol", protocol),
                                new KeyValuePair<string, object?>("family", family),
                                new KeyValuePair<string, object?>("event", eventName),
                                new KeyValuePair<string, object?>("result", result)));
                        }
                    }
                }
            }
        }

        return measurements;
    }

    private List<Measurement<long>> ObserveScrapes() => ObservePairs(_scrapes, Results, "result");

    private List<Measurement<long>> ObserveFailures() => ObservePairs(_failures, Reasons, "reason");

    private static List<Measurement<long>> ObservePairs(StripedCounters counters, string[] values, string name)
    {
        var measurements = new List<Measurement<long>>();
        var index = 0;
        foreach (var protocol in Protocols)
        {
            foreach (var value in values)
            {
                var count = counters.Sum(index++);
                if (count != 0)
                {
                    measurements.Add(new Measurement<long>(count, new KeyValuePair<string, object?>("protocol", protocol), new KeyValuePair<string, object?>(name, value)));
                }
            }
        }

        return measurements;
    }

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
