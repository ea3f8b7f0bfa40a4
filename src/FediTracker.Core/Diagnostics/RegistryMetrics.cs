using System.Diagnostics.Metrics;
using FediTracker.Core.Registry;

namespace FediTracker.Core.Diagnostics;

/// <summary>Metrics of the registry: registrations, moderations, and the size of this node's access list.</summary>
public sealed class RegistryMetrics
{
    private static readonly string[] Outcomes = ["created", "already_registered", "blocked", "conflict"];
    private static readonly string[] Kinds = ["revoke", "suspend", "restore"];
    private static readonly string[] Sources = ["admin", "activitypub", "federation"];

    private readonly Counter<long> _registrations;
    private readonly Counter<long> _moderations;

    public RegistryMetrics(IMeterFactory meterFactory, AccessList? list = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(TrackerMetrics.MeterName);
        _registrations = meter.CreateCounter<long>("feditracker.registrations", "{registration}", "Torrent registrations, by outcome.");
        _moderations = meter.CreateCounter<long>("feditracker.moderations", "{moderation}", "Revocations, suspensions and restores that changed something, by kind and source.");
        if (list is not null)
        {
            meter.CreateObservableGauge("feditracker.access.hashes", () => (long)list.Count, "{hash}", "Hashes this node knows as registered or blocked.");
            meter.CreateObservableGauge("feditracker.access.version", () => list.Version, "{version}", "The last registry feed version this node applied.");
        }
    }

    public void Registration(RegisterOutcome outcome) =>
        _registrations.Add(1, new KeyValuePair<string, object?>("outcome", Outcomes[Math.Clamp((int)outcome, 0, Outcomes.Length - 1)]));

    public void Moderation(ModerationKind kind, ModerationSource source) =>
        _moderations.Add(
            1,
            new KeyValuePair<string, object?>("kind", Kinds[Math.Clamp((int)kind, 0, Kinds.Length - 1)]),
            new KeyValuePair<string, object?>("source", Sources[Math.Clamp((int)source, 0, Sources.Length - 1)]));
}
