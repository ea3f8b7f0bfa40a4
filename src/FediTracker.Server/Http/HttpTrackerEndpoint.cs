using System.Buffers;
using System.Text;
using FediTracker.Core;
using FediTracker.Core.Diagnostics;
using FediTracker.Protocol;
using FediTracker.Protocol.Http;

namespace FediTracker.Server.Http;

/// <summary>
/// The public HTTP tracker: <c>/announce</c> and <c>/scrape</c>, answered from the raw query bytes with replies
/// written as bencode. Client mistakes get a bencoded <c>failure reason</c> with status 200, as clients expect;
/// nothing a client sends produces a 500.
/// </summary>
internal sealed class HttpTrackerEndpoint
{
    private const string ContentType = "text/plain";

    private readonly Tracker _tracker;
    private readonly ClientAddressResolver _addresses;

    public HttpTrackerEndpoint(Tracker tracker, ClientAddressResolver addresses)
    {
        _tracker = tracker;
        _addresses = addresses;
    }

    /// <summary>True for the paths this endpoint answers: <c>/announce</c>, <c>/scrape</c>, and both with a passkey segment.</summary>
    public static bool Handles(string? path) =>
        path is not null && (IsPath(path, "/announce") || IsPath(path, "/scrape"));

    public Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (IsPath(path, "/announce"))
        {
            return AnnounceAsync(context, Passkey(path, "/announce".Length));
        }

        if (IsPath(path, "/scrape"))
        {
            return ScrapeAsync(context, Passkey(path, "/scrape".Length));
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    // "/announce" or "/announce/<passkey>" (private mode: BEP 41 URL data carries the same path over UDP).
    private static bool IsPath(string path, string prefix) =>
        path.StartsWith(prefix, StringComparison.Ordinal)
        && (path.Length == prefix.Length || (path[prefix.Length] == '/' && path.IndexOf('/', prefix.Length + 1) < 0));

    private static string Passkey(string path, int prefixLength) =>
        path.Length > prefixLength + 1 ? path[(prefixLength + 1)..] : string.Empty;

    private bool AcceptPasskey(string passkey)
    {
        if (!_tracker.Access.RequiresPasskey)
        {
            return true;
        }

        Span<byte> bytes = stackalloc byte[256];
        if (passkey.Length > bytes.Length)
        {
            return _tracker.AcceptPasskey(Transport.Http, []);
        }

        var n = Encoding.Latin1.GetBytes(passkey, bytes);
        return _tracker.AcceptPasskey(Transport.Http, bytes[..n]);
    }

    private async Task AnnounceAsync(HttpContext context, string passkey)
    {
        var remote = _addresses.Resolve(context);
        if (remote is null || !HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.StatusCode = remote is null ? StatusCodes.Status400BadRequest : StatusCodes.Status405MethodNotAllowed;
            return;
        }

        HttpAnnounceQuery query;
        HttpAnnounceError error;
        var raw = context.Request.QueryString.Value ?? string.Empty;
        if (raw.Length > HttpAnnounceParser.MaxQueryLength + 1)
        {
            error = HttpAnnounceError.QueryTooLong;
            query = default;
        }
        else
        {
            error = ParseAnnounce(raw, out query);
        }

        if (error != HttpAnnounceError.None)
        {
            _tracker.Metrics.Failure(Transport.Http, FailureKinds.InvalidRequest);
            await WriteFailureAsync(context, HttpErrorMessages.For(error), retryNever: false);
            return;
        }

        if (!AcceptPasskey(passkey))
        {
            await WriteFailureAsync(context, FailureReasons.PasskeyRequired, retryNever: false);
            return;
        }

        var start = _tracker.Metrics.StartRequestTimer();
        var request = new AnnounceRequest(
            query.InfoHash,
            query.PeerId,
            new PeerEndpoint(remote.Value, query.Port),
            query.Uploaded,
            query.Downloaded,
            query.Left,
            query.Event,
            query.NumWant);

        var peers = ArrayPool<PeerEntry>.Shared.Rent(_tracker.Options.MaxNumWant);
        try
        {
            var outcome = await _tracker.AnnounceAsync(Transport.Http, request, peers.AsMemory(0, _tracker.Options.MaxNumWant), context.RequestAborted);
            if (!outcome.Succeeded)
            {
                await WriteFailureAsync(context, outcome.FailureReason!, outcome.RetryNever);
                return;
            }

            var buffer = ResponseBuffer.Rent();
            HttpResponseWriter.WriteAnnounce(
                buffer,
                new AnnounceReply(outcome.Interval, outcome.MinInterval, outcome.Complete, outcome.Incomplete, outcome.Downloaded),
                peers.AsSpan(0, outcome.PeerCount),
                query.Compact,
                query.NoPeerId);
            await SendAsync(context, buffer);
            _tracker.Metrics.RequestDuration(Transport.Http, "announce", start);
        }
        finally
        {
            ArrayPool<PeerEntry>.Shared.Return(peers);
        }
    }

    private async Task ScrapeAsync(HttpContext context, string passkey)
    {
        var client = _addresses.Resolve(context);
        if (client is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (!AcceptPasskey(passkey))
        {
            await WriteFailureAsync(context, FailureReasons.PasskeyRequired, retryNever: false);
            return;
        }

        var raw = context.Request.QueryString.Value ?? string.Empty;
        var max = _tracker.Options.MaxScrapeHashes;
        var hashes = ArrayPool<InfoHash>.Shared.Rent(max);
        var entries = ArrayPool<ScrapeEntry>.Shared.Rent(max);
        try
        {
            var count = 0;
            var error = raw.Length > HttpAnnounceParser.MaxQueryLength * 4
                ? HttpAnnounceError.QueryTooLong
                : ParseScrape(raw, hashes.AsSpan(0, max), out count);
            if (error != HttpAnnounceError.None)
            {
                _tracker.Metrics.Failure(Transport.Http, error == HttpAnnounceError.TooManyInfoHashes ? FailureKinds.TooManyHashes : FailureKinds.InvalidRequest);
                await WriteFailureAsync(context, HttpErrorMessages.For(error), retryNever: false);
                return;
            }

            var start = _tracker.Metrics.StartRequestTimer();
            var failure = await _tracker.ScrapeAsync(Transport.Http, client.Value, hashes.AsMemory(0, count), entries.AsMemory(0, count), context.RequestAborted);
            if (failure is not null)
            {
                await WriteFailureAsync(context, failure, retryNever: false);
                return;
            }

            var buffer = ResponseBuffer.Rent();
            HttpResponseWriter.WriteScrape(buffer, hashes.AsSpan(0, count), entries.AsSpan(0, count));
            await SendAsync(context, buffer);
            _tracker.Metrics.RequestDuration(Transport.Http, "scrape", start);
        }
        finally
        {
            ArrayPool<InfoHash>.Shared.Return(hashes);
            ArrayPool<ScrapeEntry>.Shared.Return(entries);
        }
    }

    private static HttpAnnounceError ParseAnnounce(string raw, out HttpAnnounceQuery query)
    {
        Span<byte> bytes = stackalloc byte[HttpAnnounceParser.MaxQueryLength + 1];
        var n = ToBytes(raw, bytes);
        return HttpAnnounceParser.TryParse(bytes[..n], out query);
    }

    private static HttpAnnounceError ParseScrape(string raw, Span<InfoHash> hashes, out int count)
    {
        var rented = ArrayPool<byte>.Shared.Rent(raw.Length);
        try
        {
            var n = ToBytes(raw, rented);
            return HttpScrapeParser.TryParse(rented.AsSpan(0, n), hashes, out count);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // The query string is ASCII (Kestrel refuses other request-target bytes), so Latin-1 is an exact byte view.
    private static int ToBytes(string raw, Span<byte> destination) => Encoding.Latin1.GetBytes(raw, destination);

    private static Task WriteFailureAsync(HttpContext context, string reason, bool retryNever)
    {
        var buffer = ResponseBuffer.Rent();
        HttpResponseWriter.WriteFailure(buffer, reason, retryNever);
        return SendAsync(context, buffer);
    }

    private static Task SendAsync(HttpContext context, ResponseBuffer buffer)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        var body = buffer.WrittenSpan;
        response.ContentLength = body.Length;
        var writer = response.BodyWriter;
        body.CopyTo(writer.GetSpan(body.Length));
        writer.Advance(body.Length);
        var flush = writer.FlushAsync(context.RequestAborted);
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }
}
