using System.Diagnostics.Metrics;
using FediTracker.Core.Diagnostics;
using FediTracker.Protocol;

namespace FediTracker.Core.Tests;

// Each test listens only to the meter its own TrackerMetrics created, so fixtures running in parallel do not interfere.
// Every test runs its requests on a fresh thread, because the sample counter is per thread.
[TestFixture]
public sealed class TrackerMetricsTests
{
    [TestCase(1, 40, 40)]
    [TestCase(16, 64, 4)]
    [TestCase(16, 65, 5)]
    [TestCase(4, 10, 3)]
    public void Requests_are_timed_one_in_the_sample_interval_per_thread(int interval, int requests, int expectedRecords)
    {
        using var probe = new Probe(interval);

        OnFreshThread(() =>
        {
            for (var i = 0; i < requests; i++)
            {
                var start = probe.Metrics.StartRequestTimer();
                probe.Metrics.RequestDuration(Transport.Udp, "announce", start);
            }
        });

        probe.RequestDurations.Should().Be(expectedRecords);
    }

    [Test]
    public void Counters_count_every_request_whatever_the_sample_interval()
    {
        using var probe = new Probe(16);

        OnFreshThread(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                var start = probe.Metrics.StartRequestTimer();
                probe.Metrics.Announce(Transport.Udp, false, AnnounceEvent.None, FailureKinds.ResultOk);
                probe.Metrics.RequestDuration(Transport.Udp, "announce", start);
            }
        });

        probe.Collect();
        probe.Announces.Should().Be(50);
        probe.RequestDurations.Should().Be(4, "requests 0, 16, 32 and 48 of the thread are timed");
    }

    [Test]
    public void A_thread_times_its_first_request()
    {
        using var probe = new Probe(1_024);

        OnFreshThread(() => probe.Metrics.RequestDuration(Transport.Http, "scrape", probe.Metrics.StartRequestTimer()));
        OnFreshThread(() => probe.Metrics.RequestDuration(Transport.Http, "scrape", probe.Metrics.StartRequestTimer()));

        probe.RequestDurations.Should().Be(2);
    }

    [Test]
    public void Nothing_is_timed_when_nobody_listens()
    {
        using var factory = new StandaloneMeterFactory();
        var metrics = new TrackerMetrics(factory, requestSampleInterval: 1);

        metrics.StartRequestTimer().Should().Be(0);
    }

    [TestCase(0)]
    [TestCase(3)]
    [TestCase(12)]
    [TestCase(2_048)]
    [TestCase(-16)]
    public void Sample_intervals_that_are_not_powers_of_two_up_to_1024_are_refused(int interval)
    {
        using var factory = new StandaloneMeterFactory();

        var create = () => new TrackerMetrics(factory, requestSampleInterval: interval);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static void OnFreshThread(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();
        failure.Should().BeNull();
    }

    private sealed class Probe : IDisposable
    {
        private readonly CapturingMeterFactory _factory = new();
        private readonly MeterListener _listener = new();
        private long _requestDurations;
        private long _announces;

        public Probe(int interval)
        {
            Metrics = new TrackerMetrics(_factory, requestSampleInterval: interval);
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter == _factory.Created)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, _, _, _) =>
            {
                if (instrument.Name == "feditracker.request.duration")
                {
                    Interlocked.Increment(ref _requestDurations);
                }
            });
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                if (instrument.Name == "feditracker.announces")
                {
                    Interlocked.Add(ref _announces, value);
                }
            });
            _listener.Start();
        }

        public TrackerMetrics Metrics { get; }

        public long RequestDurations => Interlocked.Read(ref _requestDurations);

        public long Announces => Interlocked.Read(ref _announces);

        public void Collect() => _listener.RecordObservableInstruments();

        public void Dispose()
        {
            _listener.Dispose();
            _factory.Dispose();
        }
    }

    private sealed class CapturingMeterFactory : IMeterFactory
    {
        public Meter? Created { get; private set; }

        public Meter Create(MeterOptions options) => Created = new Meter(options);

        public void Dispose() => Created?.Dispose();
    }
}
