using Microsoft.Extensions.Options;

namespace FediTracker.Federation.Keys;

/// <summary>Checks <see cref="ActorKeyOptions"/> at start (source-generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class ActorKeyOptionsValidator : IValidateOptions<ActorKeyOptions>
{
}
