using System.Diagnostics.Metrics;

namespace FediTracker.Core.Diagnostics;

/// <summary>Creates meters where no host provides an <see cref="IMeterFactory"/> (tools, tests, benchmarks), and disposes them with itself.</summary>
public sealed class StandaloneMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }

            _meters.Clear();
        }
    }
}
