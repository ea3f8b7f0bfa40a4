namespace FediTracker.Federation;

/// <summary>Matches URLs against domain lists: an entry is a host (any port) or <c>host:port</c> (that port only).</summary>
public static class DomainMatcher
{
    public static bool IsValidEntry(string? entry)
    {
        if (string.IsNullOrWhiteSpace(entry) || entry.Contains('/', StringComparison.Ordinal) || entry.Contains('@', StringComparison.Ordinal))
        {
            return false;
        }

        return Uri.TryCreate("https://" + entry, UriKind.Absolute, out var uri) && uri.AbsolutePath == "/" && uri.Query.Length == 0;
    }

    /// <summary>True when <paramref name="uri"/>'s host, or its host and port, is one of <paramref name="entries"/>.</summary>
    public static bool Matches(IEnumerable<string> entries, Uri uri)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(uri);
        var host = uri.IdnHost;
        var authority = host + ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var entry in entries)
        {
            var e = entry.Trim();
            if (string.Equals(e, host, StringComparison.OrdinalIgnoreCase) || string.Equals(e, authority, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Same scheme, host and port.</summary>
    public static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    /// <summary>The domain a URL belongs to for quotas and logs: its host, with the port when not the default.</summary>
    public static string DomainOf(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.IsDefaultPort ? uri.IdnHost.ToLowerInvariant() : uri.IdnHost.ToLowerInvariant() + ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>An absolute http(s) URL, or null.</summary>
    public static Uri? HttpUri(string? value) =>
        value is not null && Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri : null;
}
