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

    public FederationMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _signatures = meter.CreateCounter<long>("feditracker.federation.signatures", "{signature}", "HTTP signatures verified, by scheme and result (ok or the refusal reason).");
        _fetches = meter.CreateCounter<long>("feditracker.federation.fetches", "{fetch}", "Remote fetches and deliveries, by result (ok or the refusal reason).");
        _keyLookups = meter.CreateCounter<long>("feditracker.federation.key_lookups", "{lookup}", "Actor key lookups, by outcome (hit, miss, refresh, negative_hit).");
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
