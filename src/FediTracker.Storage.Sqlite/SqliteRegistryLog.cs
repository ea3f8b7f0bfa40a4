using Microsoft.Extensions.Logging;

namespace FediTracker.Storage.Sqlite;

/// <summary>The SQLite registry's log messages (EventIds 4001–4099).</summary>
internal static partial class SqliteRegistryLog
{
    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Opened the registry {Path} (schema version {SchemaVersion})")]
    public static partial void Opened(ILogger logger, string path, long schemaVersion);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Information, Message = "Migrated the registry {Path} from schema version {From} to {To}")]
    public static partial void Migrated(ILogger logger, string path, long from, long to);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Warning, Message = "The registry {Path} cannot be used ({Operation}); nothing was changed")]
    public static partial void Unavailable(ILogger logger, string path, string operation, Exception exception);
}
