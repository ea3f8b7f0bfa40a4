using Microsoft.Extensions.Options;

namespace FediTracker.Storage.Sqlite;

/// <summary>Checks <see cref="SqliteRegistryOptions"/> at start (source-generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class SqliteRegistryOptionsValidator : IValidateOptions<SqliteRegistryOptions>
{
}
