using Microsoft.Extensions.Logging;

namespace FediTracker.Federation.Diagnostics;

/// <summary>Source-generated log messages of the federation area (EventIds 4001–4099).</summary>
internal static partial class FederationLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Fetch refused or failed ({Reason}): {Detail}")]
    public static partial void FetchRefused(ILogger logger, string reason, string detail);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "Key {KeyId} could not be resolved ({Status}): {Detail}")]
    public static partial void KeyLookupFailed(ILogger logger, string keyId, string status, string detail);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Key {KeyId} refetched after a failed verification; it {Outcome}")]
    public static partial void KeyRefreshed(ILogger logger, string keyId, string outcome);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "Refused a {Scheme} signature ({Reason}) from key {KeyId}: {Detail}")]
    public static partial void SignatureRefused(ILogger logger, string scheme, string reason, string? keyId, string detail);
}
