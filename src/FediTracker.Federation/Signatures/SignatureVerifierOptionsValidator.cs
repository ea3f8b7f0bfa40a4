using Microsoft.Extensions.Options;

namespace FediTracker.Federation.Signatures;

/// <summary>Checks <see cref="SignatureVerifierOptions"/> at start (source-generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class SignatureVerifierOptionsValidator : IValidateOptions<SignatureVerifierOptions>
{
}
