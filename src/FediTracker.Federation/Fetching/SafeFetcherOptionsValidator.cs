using Microsoft.Extensions.Options;

namespace FediTracker.Federation.Fetching;

/// <summary>Checks <see cref="SafeFetcherOptions"/> at start (source-generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class SafeFetcherOptionsValidator : IValidateOptions<SafeFetcherOptions>
{
}
