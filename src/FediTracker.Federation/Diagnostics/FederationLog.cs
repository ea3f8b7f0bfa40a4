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

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Inbox refused a {Type} from {Actor}: {Reason}")]
    public static partial void InboxRefused(ILogger logger, string type, string? actor, string reason);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Information, Message = "{Activity} from {Actor} applied to {Target}: {Changed} hashes changed")]
    public static partial void Applied(ILogger logger, string activity, string actor, string target, int changed);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Information, Message = "{Actor} now follows the tracker ({Kind})")]
    public static partial void Followed(ILogger logger, string actor, string kind);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Warning, Message = "Delivery to {Inbox} failed (attempt {Attempt}): {Error}")]
    public static partial void DeliveryFailed(ILogger logger, string inbox, int attempt, string error);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Warning, Message = "Delivery to {Inbox} given up after {Attempts} attempts: {Error}")]
    public static partial void DeliveryGaveUp(ILogger logger, string inbox, int attempts, string error);

    [LoggerMessage(EventId = 4015, Level = LogLevel.Warning, Message = "Federation observer could not {Action}")]
    public static partial void ObserverFailed(ILogger logger, string action, Exception exception);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Information, Message = "Automatic registration skipped {MediaUrl} of {ObjectUri}: the torrent-making queue is full ({Capacity} waiting)")]
    public static partial void AutoRegistrationQueueFull(ILogger logger, string mediaUrl, string objectUri, int capacity);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Debug, Message = "Automatic registration skipped {MediaUrl} of {ObjectUri}: {Outcome}")]
    public static partial void AutoRegistrationSkipped(ILogger logger, string mediaUrl, string objectUri, string outcome);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Information, Message = "Automatic registration of {MediaUrl} of {ObjectUri} ended: {Outcome} ({Detail})")]
    public static partial void AutoRegistrationEnded(ILogger logger, string mediaUrl, string objectUri, string outcome, string detail);
}
