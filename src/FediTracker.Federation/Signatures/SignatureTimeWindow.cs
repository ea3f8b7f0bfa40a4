namespace FediTracker.Federation.Signatures;

/// <summary>The time window both schemes apply, as Mastodon applies it (see <see cref="SignatureVerifierOptions"/>).</summary>
internal static class SignatureTimeWindow
{
    public static SignatureFailure Check(DateTimeOffset? created, DateTimeOffset? expires, DateTimeOffset now, SignatureVerifierOptions options, out string message)
    {
        var skew = TimeSpan.FromSeconds(options.ClockSkewSeconds);
        if (created is { } made)
        {
            expires ??= made + TimeSpan.FromSeconds(options.DefaultLifetimeSeconds);
            var longest = made + TimeSpan.FromSeconds(options.MaxLifetimeSeconds);
            if (expires > longest)
            {
                expires = longest;
            }

            if (made > now + skew)
            {
                message = $"Signed at {made:u}, more than {options.ClockSkewSeconds} s in the future";
                return SignatureFailure.FutureDate;
            }
        }

        if (expires is { } end && now > end + skew)
        {
            message = $"Signature expired at {end:u} (plus {options.ClockSkewSeconds} s of skew)";
            return SignatureFailure.StaleDate;
        }

        message = string.Empty;
        return SignatureFailure.None;
    }

    /// <summary>Seconds since the Unix epoch, as the signature parameters carry them; false when out of range.</summary>
    public static bool TryFromUnixSeconds(long seconds, out DateTimeOffset time)
    {
        if (seconds < 0 || seconds > 253_402_300_799)
        {
            time = default;
            return false;
        }

        time = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }
}
