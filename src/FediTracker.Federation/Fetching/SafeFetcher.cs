using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using FediTracker.Federation.Diagnostics;

namespace FediTracker.Federation.Fetching;

/// <summary>
/// HTTP for talking to other servers without being turned against our own network (SSRF). Every connection resolves
/// the host itself and refuses loopback, private, CGNAT, link-local, multicast, unspecified and reserved addresses
/// (IPv4-mapped and other embedding IPv6 forms included) unless <see cref="SafeFetcherOptions"/> allows them; it then
/// connects to the vetted address only, so a DNS answer that changes between check and use (rebinding) cannot swap it.
/// No proxy is used. https is required unless allowed; every redirect is re-vetted and limited in number; the whole
/// exchange has one deadline; bodies are read up to a bound and refused past it.
/// </summary>
public sealed class SafeFetcher : IActivityDocumentFetcher, IDisposable
{
    /// <summary>The Accept header for ActivityPub documents.</summary>
    public const string ActivityAccept = "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

    private readonly SafeFetcherOptions _options;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly Func<IPEndPoint, CancellationToken, ValueTask<Stream>> _connect;
    private readonly HttpMessageInvoker _invoker;
    private readonly ILogger _logger;
    private readonly FederationMetrics? _metrics;

    public SafeFetcher(IOptions<SafeFetcherOptions> options, ILogger<SafeFetcher>? logger = null, FederationMetrics? metrics = null)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)), Dns.GetHostAddressesAsync, ConnectSocketAsync, logger, metrics)
    {
    }

    /// <summary>
    /// For tests: a resolver standing in for DNS, and the step that opens a connection to a vetted address (tests pass
    /// one that dials loopback only, so even a broken address check cannot send a packet elsewhere).
    /// </summary>
    internal SafeFetcher(
        SafeFetcherOptions options,
        Func<string, CancellationToken, Task<IPAddress[]>> resolve,
        Func<IPEndPoint, CancellationToken, ValueTask<Stream>> connect,
        ILogger? logger = null,
        FederationMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(resolve);
        ArgumentNullException.ThrowIfNull(connect);
        _options = options;
        _resolve = resolve;
        _connect = connect;
        _logger = logger ?? NullLogger.Instance;
        _metrics = metrics;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = TimeSpan.FromSeconds(options.ConnectTimeoutSeconds),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            MaxResponseHeadersLength = 64,
            ConnectCallback = ConnectAsync,
        };
        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    /// <summary>Whether the options let the fetcher connect to <paramref name="address"/>.</summary>
    public bool IsAllowed(IPAddress address) => AddressClassifier.Classify(address) switch
    {
        AddressKind.Public => true,
        AddressKind.Loopback => _options.AllowLoopback,
        AddressKind.Private or AddressKind.SharedAddressSpace => _options.AllowPrivateNetworks,
        _ => false,
    };

    public Task<FetchResponse> GetActivityDocumentAsync(Uri uri, CancellationToken cancellationToken) =>
        GetActivityDocumentAsync(uri, prepare: null, cancellationToken);

    /// <summary>
    /// GETs an ActivityPub document, following up to <see cref="SafeFetcherOptions.MaxRedirects"/> redirects.
    /// <paramref name="prepare"/> runs on each hop's request before it is sent (e.g. to sign it for authorized fetch).
    /// The response must be a success with an ActivityPub JSON media type.
    /// </summary>
    public async Task<FetchResponse> GetActivityDocumentAsync(Uri uri, Action<HttpRequestMessage>? prepare, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        try
        {
            using var response = await GetFollowingRedirectsAsync(uri, ActivityAccept, prepare, deadline.Token).ConfigureAwait(false);
            var current = response.RequestMessage!.RequestUri!;
            var mediaType = response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant();
            if (mediaType is not ("application/activity+json" or "application/ld+json"))
            {
                throw Refuse(FetchFailure.BadContentType, $"{current} answered with {mediaType ?? "no content type"}, not ActivityPub JSON");
            }

            var body = await ReadBodyAsync(response, deadline.Token).ConfigureAwait(false);
            _metrics?.Fetch("ok");
            return new FetchResponse(current, (int)response.StatusCode, mediaType, body);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Refuse(FetchFailure.Timeout, $"Fetching {uri} took longer than {_options.TimeoutSeconds} s");
        }
    }

    /// <summary>
    /// GETs <paramref name="uri"/> for its body as a stream, for media too large to hold in memory: the same address
    /// rules, every redirect re-vetted (up to <see cref="SafeFetcherOptions.MaxRedirects"/>), the response must be a
    /// success. A declared length over <paramref name="maxBytes"/> is refused before any of the body is read, and the
    /// returned stream throws <see cref="FetchException"/> (<see cref="FetchFailure.TooLarge"/>) as soon as more than
    /// <paramref name="maxBytes"/> bytes arrive (counted after decompression). <paramref name="timeout"/> bounds the
    /// whole exchange, body included; a read past it throws <see cref="FetchFailure.Timeout"/>, a broken connection
    /// <see cref="FetchFailure.ConnectFailed"/>. Dispose the result to release the connection.
    /// </summary>
    public async Task<StreamedFetch> GetStreamAsync(Uri uri, long maxBytes, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        CancellationTokenSource? deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        HttpResponseMessage? response = null;
        try
        {
            response = await GetFollowingRedirectsAsync(uri, accept: null, prepare: null, deadline.Token).ConfigureAwait(false);
            var current = response.RequestMessage!.RequestUri!;
            var declared = response.Content.Headers.ContentLength;
            if (declared > maxBytes)
            {
                throw Refuse(FetchFailure.TooLarge, $"{current} declares {declared} bytes, more than {maxBytes}");
            }

            var body = await response.Content.ReadAsStreamAsync(deadline!.Token).ConfigureAwait(false);
            var stream = new StreamedFetch(current, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant(), declared, response, body, deadline, maxBytes, timeout, Refuse);
            response = null;
            deadline = null;
            _metrics?.Fetch("ok");
            return stream;
        }
        catch (OperationCanceledException) when (deadline is not null && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Refuse(FetchFailure.Timeout, $"Fetching {uri} took longer than {timeout.TotalSeconds} s");
        }
        finally
        {
            response?.Dispose();
            deadline?.Dispose();
        }
    }

    /// <summary>
    /// Sends one request (a delivery POST, typically already signed) with the same address rules and limits, without
    /// following redirects, and reads the response whatever its status.
    /// </summary>
    public async Task<FetchResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        try
        {
            using var response = await SendCoreAsync(request, deadline.Token).ConfigureAwait(false);
            var body = await ReadBodyAsync(response, deadline.Token).ConfigureAwait(false);
            _metrics?.Fetch("ok");
            return new FetchResponse(request.RequestUri!, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant(), body);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Refuse(FetchFailure.Timeout, $"Sending to {request.RequestUri} took longer than {_options.TimeoutSeconds} s");
        }
    }

    public void Dispose() => _invoker.Dispose();

    // GETs, following redirects (each hop vetted again by SendCoreAsync), and returns the first non-redirect response
    // if it is a success; the caller disposes it. Its RequestMessage.RequestUri is the URL that answered.
    private async Task<HttpResponseMessage> GetFollowingRedirectsAsync(Uri uri, string? accept, Action<HttpRequestMessage>? prepare, CancellationToken cancellationToken)
    {
        var current = uri;
        for (var hop = 0; ; hop++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, current);
            if (accept is not null)
            {
                request.Headers.TryAddWithoutValidation("Accept", accept);
            }

            prepare?.Invoke(request);
            var response = await SendCoreAsync(request, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308)
            {
                using (response)
                {
                    if (hop >= _options.MaxRedirects)
                    {
                        throw Refuse(FetchFailure.TooManyRedirects, $"More than {_options.MaxRedirects} redirects fetching {uri}");
                    }

                    var location = response.Headers.Location ?? throw Refuse(FetchFailure.TooManyRedirects, $"A redirect without Location from {current}");
                    current = location.IsAbsoluteUri ? location : new Uri(current, location);
                    continue;
                }
            }

            if (!response.IsSuccessStatusCode)
            {
                response.Dispose();
                throw Refuse(FetchFailure.BadStatus, $"{current} answered {status}", status);
            }

            return response;
        }
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        CheckUri(request.RequestUri);
        if (request.Headers.UserAgent.Count == 0)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
        }

        try
        {
            return await _invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            {
                if (inner is FetchException fetch)
                {
                    throw Refuse(fetch.Failure, fetch.Message, fetch.StatusCode, e);
                }
            }

            throw Refuse(FetchFailure.ConnectFailed, $"{request.RequestUri?.Host}: {e.Message}", null, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The handler's own connect timeout, not the caller and not the overall deadline.
            throw Refuse(FetchFailure.Timeout, $"Connecting to {request.RequestUri?.Host} took longer than {_options.ConnectTimeoutSeconds} s", null, e);
        }
    }

    private void CheckUri(Uri? uri)
    {
        if (uri is null || !uri.IsAbsoluteUri || string.IsNullOrEmpty(uri.Host) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw Refuse(FetchFailure.InvalidUrl, $"Not a fetchable URL: {uri}");
        }

        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            // fine
        }
        else if (uri.Scheme == Uri.UriSchemeHttp)
        {
            if (!_options.AllowHttp)
            {
                throw Refuse(FetchFailure.SchemeRefused, $"Plain http is not allowed: {uri}");
            }
        }
        else
        {
            throw Refuse(FetchFailure.SchemeRefused, $"Scheme {uri.Scheme} is not allowed: {uri}");
        }

        // An address literal is refused before any connection is attempted; names are vetted as they resolve.
        if (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal) && !IsAllowed(literal))
        {
            throw Refuse(FetchFailure.AddressRefused, $"{uri.Host} is a {AddressClassifier.Classify(literal)} address");
        }
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await _resolve(host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new FetchException(FetchFailure.DnsFailed, $"{host} did not resolve: {e.SocketErrorCode}", null, e);
            }
        }

        if (addresses.Length == 0)
        {
            throw new FetchException(FetchFailure.DnsFailed, $"{host} resolved to no address");
        }

        // Every address must pass: a name that resolves to one public and one private address is refused whole.
        foreach (var address in addresses)
        {
            if (!IsAllowed(address))
            {
                throw new FetchException(FetchFailure.AddressRefused, $"{host} resolves to a {AddressClassifier.Classify(address)} address");
            }
        }

        Exception? last = null;
        foreach (var address in addresses)
        {
            try
            {
                return await _connect(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                last = e;
            }
        }

        throw new FetchException(FetchFailure.ConnectFailed, $"Could not connect to {host}: {last?.Message}", null, last);
    }

    private static async ValueTask<Stream> ConnectSocketAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var limit = _options.MaxResponseBytes;
        if (response.Content.Headers.ContentLength is long declared && declared > limit)
        {
            throw Refuse(FetchFailure.TooLarge, $"{response.RequestMessage?.RequestUri} declares {declared} bytes, more than {limit}");
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16_384];
            while (true)
            {
                var read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer.ToArray();
                }

                if (buffer.Length + read > limit)
                {
                    throw Refuse(FetchFailure.TooLarge, $"{response.RequestMessage?.RequestUri} sent more than {limit} bytes");
                }

                buffer.Write(chunk, 0, read);
            }
        }
    }

    private FetchException Refuse(FetchFailure failure, string message, int? status = null, Exception? inner = null)
    {
        var exception = new FetchException(failure, message, status, inner);
        _metrics?.Fetch(exception.Reason);
        FederationLog.FetchRefused(_logger, exception.Reason, message);
        return exception;
    }
}
