using System.Diagnostics;
using System.Diagnostics.Metrics;
using FediTracker.Federation.Signatures;

namespace FediTracker.Federation.Diagnostics;

/// <summary>
/// Metrics of the federation security core: signature verifications by scheme and result, remote fetches by result,
/// and key cache outcomes. Tag values are fixed strings.
/// </summary>
public sealed class FederationMetrics
{
    public const string MeterName = "FediTracker.Federation";

    private readonly Counter<long> _signatures;
    private readonly Counter<long> _fetches;
    private readonly Counter<long> _keyLookups;
    private readonly Counter<long> _inbox;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _moderations;
    private readonly Counter<long> _autoRegistrations;

    public FederationMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _signatures = meter.CreateCounter<long>("feditracker.federation.signatures", "{signature}", "HTTP signatures verified, by scheme and result (ok or the refusal reason).");
        _fetches = meter.CreateCounter<long>("feditracker.federation.fetches", "{fetch}", "Remote fetches and deliveries, by result (ok or the refusal reason).");
        _keyLookups = meter.CreateCounter<long>("feditracker.federation.key_lookups", "{lookup}", "Actor key lookups, by outcome (hit, miss, refresh, negative_hit).");
        _inbox = meter.CreateCounter<long>("feditracker.federation.inbox", "{request}", "Inbox requests, by result (accepted, ignored, or the rejection reason) and activity type.");
        _deliveries = meter.CreateCounter<long>("feditracker.federation.deliveries", "{delivery}", "Delivery attempts to remote inboxes, by result (delivered, retry, rejected, gave_up).");
        _moderations = meter.CreateCounter<long>("feditracker.federation.moderations", "{moderation}", "Moderations applied from federation, by activity (delete_object, delete_actor, suspend, restore, pending, peer_revocation).");
        _autoRegistrations = meter.CreateCounter<long>("feditracker.federation.auto_registrations", "{attachment}", "Attachments of incoming posts offered for automatic registration, by outcome (queued, queue_full, not_media, foreign_host, bad_url, too_small, too_large, capped; then made, exists, blocked, too_small, failed, cancelled).");
    }

    /// <summary>One inbox request's outcome: <paramref name="result"/> is <c>accepted</c>, <c>ignored</c>, or a fixed rejection reason.</summary>
    public void Inbox(string result, string type)
    {
        if (_inbox.Enabled)
        {
            _inbox.Add(1, new TagList { { "result", result }, { "type", type } });
        }
    }

    public void Delivery(string result)
    {
        if (_deliveries.Enabled)
        {
            _deliveries.Add(1, new TagList { { "result", result } });
        }
    }

    public void Moderation(string activity)
    {
        if (_moderations.Enabled)
        {
            _moderations.Add(1, new TagList { { "activity", activity } });
        }
    }

    /// <summary>One attachment's step in automatic registration: <paramref name="outcome"/> is a fixed label.</summary>
    public void AutoRegistration(string outcome)
    {
        if (_autoRegistrations.Enabled)
        {
            _autoRegistrations.Add(1, new TagList { { "outcome", outcome } });
        }
    }

    public void Signature(SignatureScheme scheme, string reason)
    {
        if (_signatures.Enabled)
        {
            _signatures.Add(1, new TagList { { "scheme", SchemeName(scheme) }, { "result", reason } });
        }
    }

    public void Fetch(string reason)
    {
        if (_fetches.Enabled)
        {
            _fetches.Add(1, new TagList { { "result", reason } });
        }
    }

    public void KeyLookup(string outcome)
    {
        if (_keyLookups.Enabled)
        {
            _keyLookups.Add(1, new TagList { { "outcome", outcome } });
        }
    }

    private static string SchemeName(SignatureScheme scheme) => scheme switch
    {
        SignatureScheme.DraftCavage => "draft-cavage",
        SignatureScheme.Rfc9421 => "rfc9421",
        _ => "none",
    };
}
