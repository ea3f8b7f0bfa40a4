namespace FediTracker.Core.Registry;

/// <summary>
/// A passkey for private mode. Only its SHA-256 digest is stored; the passkey itself is shown once, when created.
/// </summary>
public sealed record PasskeyRecord
{
    public required long Id { get; init; }

    /// <summary>Whom it was issued to (free text, for the operator).</summary>
    public required string Label { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string CreatedBy { get; init; }
}
