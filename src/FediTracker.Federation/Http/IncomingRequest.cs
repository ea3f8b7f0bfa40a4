namespace FediTracker.Federation.Http;

/// <summary>
/// What the signature verifier needs of an HTTP request, free of any web framework: the server adapts its request
/// to this. <see cref="Scheme"/> and <see cref="Authority"/> must be those the sender addressed (behind a TLS-terminating
/// proxy, the public scheme and host, not the proxy's hop), since RFC 9421 signatures cover the target URI.
/// </summary>
public sealed class IncomingRequest
{
    /// <param name="method">The request method, e.g. <c>POST</c>.</param>
    /// <param name="scheme"><c>https</c> or <c>http</c>, as the sender used it.</param>
    /// <param name="authority">Host and, when not the scheme's default, port, as in the Host header.</param>
    /// <param name="requestTarget">The path and query exactly as received (origin form), e.g. <c>/inbox?x=1</c>.</param>
    /// <param name="headers">The header fields.</param>
    /// <param name="body">The whole body as received.</param>
    public IncomingRequest(string method, string scheme, string authority, string requestTarget, HeaderCollection headers, ReadOnlyMemory<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentException.ThrowIfNullOrEmpty(authority);
        ArgumentException.ThrowIfNullOrEmpty(requestTarget);
        ArgumentNullException.ThrowIfNull(headers);
        if (requestTarget[0] != '/')
        {
            throw new ArgumentException("The request target must be in origin form (start with '/').", nameof(requestTarget));
        }

        Method = method;
        Scheme = scheme.ToLowerInvariant();
        Authority = authority;
        RequestTarget = requestTarget;
        Headers = headers;
        Body = body;

        var queryStart = requestTarget.IndexOf('?', StringComparison.Ordinal);
        Path = queryStart < 0 ? requestTarget : requestTarget[..queryStart];
        Query = queryStart < 0 ? string.Empty : requestTarget[queryStart..];
    }

    public string Method { get; }

    public string Scheme { get; }

    public string Authority { get; }

    /// <summary>Path and query as received, e.g. <c>/inbox?x=1</c>.</summary>
    public string RequestTarget { get; }

    /// <summary>The path alone, e.g. <c>/inbox</c>.</summary>
    public string Path { get; }

    /// <summary>The query with its leading <c>?</c>, or empty when the request had none.</summary>
    public string Query { get; }

    public HeaderCollection Headers { get; }

    public ReadOnlyMemory<byte> Body { get; }

    public bool IsPost => string.Equals(Method, "POST", StringComparison.OrdinalIgnoreCase);

    public bool IsGet => string.Equals(Method, "GET", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The authority as RFC 9421 §2.2.3 writes it: host lower-cased, the port left out when it is the scheme's default.
    /// </summary>
    public string NormalizedAuthority
    {
        get
        {
            var authority = Authority.ToLowerInvariant();
            if (Scheme == "https" && authority.EndsWith(":443", StringComparison.Ordinal))
            {
                return authority[..^4];
            }

            if (Scheme == "http" && authority.EndsWith(":80", StringComparison.Ordinal))
            {
                return authority[..^3];
            }

            return authority;
        }
    }

    /// <summary>The target URI (RFC 9110 §7.1) rebuilt from scheme, authority and request target.</summary>
    public string TargetUri => Scheme + "://" + NormalizedAuthority + RequestTarget;

    /// <summary>The Host header, or the authority where the request had none (HTTP/2 and 3 carry it as :authority).</summary>
    public string HostHeader => Headers.GetCombined("host") ?? Authority;
}
