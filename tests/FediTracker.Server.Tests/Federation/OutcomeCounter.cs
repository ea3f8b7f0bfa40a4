using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace FediTracker.Server.Tests.Federation;

/// <summary>
/// Listens to one counter of one test tracker (its meters are scoped to its own <see cref="IMeterFactory"/>, so other
/// trackers running in parallel are not counted) and sums it by the value of one tag.
/// </summary>
internal sealed class OutcomeCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public OutcomeCounter(TestTracker tracker, string instrument, string tag = "outcome")
    {
        var factory = tracker.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (published, listener) =>
        {
            if (published.Name == instrument && ReferenceEquals(published.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(published);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var pair in tags)
            {
                if (pair.Key == tag && pair.Value is string label)
                {
                    _counts.AddOrUpdate(label, value, (_, n) => n + value);
                }
            }
        });
        _listener.Start();
    }

    public long this[string label] => _counts.TryGetValue(label, out var n) ? n : 0;

    /// <summary>Waits until <paramref name="label"/> has been counted at least <paramref name="atLeast"/> times.</summary>
    public async Task WaitForAsync(string label, long atLeast = 1, int seconds = 30)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (this[label] < atLeast)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {seconds} s waiting for {label} to be counted {atLeast} times; counted: {this}.");
            }

            await Task.Delay(25);
        }
    }

    public override string ToString() => string.Join(", ", _counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    public void Dispose() => _listener.Dispose();
}
