using Microsoft.Extensions.Options;

namespace FediTracker.Storage.Redis;

/// <summary>Checks <see cref="RedisStoreOptions"/> at start (source-generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class RedisStoreOptionsValidator : IValidateOptions<RedisStoreOptions>
{
}
