using Microsoft.Extensions.Options;

namespace FediTracker.Federation.Keys;

/// <summary>Checks <see cref="ActorKeyCacheOptions"/> at start (source-generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class ActorKeyCacheOptionsValidator : IValidateOptions<ActorKeyCacheOptions>
{
}
