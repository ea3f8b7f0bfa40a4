using FediTracker.Core;
using FediTracker.Core.Diagnostics;
using FediTracker.Protocol;
using FediTracker.Protocol.Udp;
using FediTracker.Server.Configuration;

namespace FediTracker.Server.Udp;

/// <summary>
/// Answers one UDP tracker datagram (BEP 15) in place: the reply is written over the request in the same buffer.
/// Returns the reply's length, or 0 to stay silent (short, malformed or unknown packets, as BEP 15 allows). Until a
/// client shows a valid connection id, no reply is longer than the datagram that caused it, so the port cannot be
/// used to amplify a spoofed flood.
/// </summary>
internal sealed class UdpTracker
{
    /// <summary>Largest reply payload that fits one IPv4 datagram on a 1 500-byte MTU without fragmenting.</summary>
    public const int MaxReplyV4 = 1472;

    /// <summary>The same for IPv6 (40-byte header).</summary>
    public const int MaxReplyV6 = 1452;

    private const string ConnectionIdRejected = "connection id expired or invalid";

    private readonly Tracker _tracker;
    private readonly ConnectionIdIssuer _ids;
    private readonly TimeProvider _time;

    public UdpTracker(Tracker tracker, ResolvedListenOptions listen, TimeProvider time)
    {
        _tracker = tracker;
        _ids = new ConnectionIdIssuer(listen.UdpSecret);
        _time = time;
    }

    /// <summary>Most peers one reply can carry for a client of this family, within the MTU and the options.</summary>
    public int MaxPeers(bool ipv6) => Math.Min(
        _tracker.Options.MaxNumWant,
        ((ipv6 ? MaxReplyV6 : MaxReplyV4) - UdpProtocol.AnnounceResponseHeaderLength) / (ipv6 ? UdpProtocol.IPv6PeerLength : UdpProtocol.IPv4PeerLength));

    public ValueTask<int> HandleAsync(byte[] buffer, int length, PeerEndpoint client, UdpLoopState state, CancellationToken cancellationToken)
    {
        var datagram = buffer.AsSpan(0, length);
        if (!UdpRequestParser.TryReadHeader(datagram, out var header))
        {
            return ValueTask.FromResult(0);
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        switch (header.Action)
        {
            case UdpAction.Connect:
                if (!UdpRequestParser.TryParseConnect(datagram, out var connect))
                {
                    return ValueTask.FromResult(0);
                }

                _tracker.Metrics.UdpConnect();
                return ValueTask.FromResult(UdpResponseWriter.WriteConnect(buffer, connect.TransactionId, _ids.Issue(client, now)));
            case UdpAction.Announce:
                if (!UdpRequestParser.TryParseAnnounce(datagram, out var announce))
                {
                    return ValueTask.FromResult(0);
                }

                if (!_ids.Validate(announce.ConnectionId, client, now))
                {
                    _tracker.Metrics.Failure(Transport.Udp, FailureKinds.ConnectionId);
                    return ValueTask.FromResult(RejectConnectionId(buffer, length, announce.TransactionId));
                }

                if (_tracker.Access.RequiresPasskey && !AcceptPasskey(announce))
                {
                    return ValueTask.FromResult(UdpResponseWriter.WriteError(buffer, announce.TransactionId, FailureReasons.PasskeyRequired));
                }

                var request = new AnnounceRequest(
                    announce.InfoHash,
                    announce.PeerId,
                    new PeerEndpoint(client.Address, announce.Port),
                    Math.Max(announce.Uploaded, 0),
                    Math.Max(announce.Downloaded, 0),
                    Math.Max(announce.Left, 0),
                    announce.Event,
                    announce.NumWant);
                return AnnounceAsync(buffer, request, announce.TransactionId, state, cancellationToken);
            case UdpAction.Scrape:
                if (!UdpRequestParser.TryParseScrape(datagram, out var scrape))
                {
                    return ValueTask.FromResult(0);
                }

                if (!_ids.Validate(scrape.ConnectionId, client, now))
                {
                    _tracker.Metrics.Failure(Transport.Udp, FailureKinds.ConnectionId);
                    return ValueTask.FromResult(RejectConnectionId(buffer, length, scrape.TransactionId));
                }

                var count = Math.Min(scrape.Count, state.Hashes.Length);
                for (var i = 0; i < count; i++)
                {
                    state.Hashes[i] = scrape.GetInfoHash(i);
                }

                if (scrape.Count > state.Hashes.Length)
                {
                    _tracker.Metrics.Failure(Transport.Udp, FailureKinds.TooManyHashes);
                    return ValueTask.FromResult(UdpResponseWriter.WriteError(buffer, scrape.TransactionId, FailureReasons.TooManyScrapeHashes));
                }

                return ScrapeAsync(buffer, client.Address, count, scrape.TransactionId, state, cancellationToken);
            default:
                return ValueTask.FromResult(0);
        }
    }

    private async ValueTask<int> AnnounceAsync(byte[] buffer, AnnounceRequest request, int transactionId, UdpLoopState state, CancellationToken cancellationToken)
    {
        var start = _tracker.Metrics.StartRequestTimer();
        var ipv6 = !request.Endpoint.IsIPv4;
        var outcome = await _tracker.AnnounceAsync(Transport.Udp, request, state.Peers.AsMemory(0, MaxPeers(ipv6)), cancellationToken);
        if (!outcome.Succeeded)
        {
            return UdpResponseWriter.WriteError(buffer, transactionId, outcome.FailureReason);
        }

        var length = UdpResponseWriter.WriteAnnounce(
            buffer.AsSpan(0, ipv6 ? MaxReplyV6 : MaxReplyV4),
            transactionId,
            outcome.Interval,
            outcome.Incomplete,
            outcome.Complete,
            state.Peers.AsSpan(0, outcome.PeerCount),
            ipv6);
        _tracker.Metrics.RequestDuration(Transport.Udp, "announce", start);
        return length;
    }

    private async ValueTask<int> ScrapeAsync(byte[] buffer, PeerAddress client, int count, int transactionId, UdpLoopState state, CancellationToken cancellationToken)
    {
        var start = _tracker.Metrics.StartRequestTimer();
        var failure = await _tracker.ScrapeAsync(Transport.Udp, client, state.Hashes.AsMemory(0, count), state.Entries.AsMemory(0, count), cancellationToken);
        if (failure is not null)
        {
            return UdpResponseWriter.WriteError(buffer, transactionId, failure);
        }

        for (var i = 0; i < count; i++)
        {
            var entry = state.Entries[i];
            state.UdpEntries[i] = new UdpScrapeEntry(entry.Complete, (int)Math.Min(entry.Downloaded, int.MaxValue), entry.Incomplete);
        }

        var length = UdpResponseWriter.WriteScrape(buffer, transactionId, state.UdpEntries.AsSpan(0, count));
        _tracker.Metrics.RequestDuration(Transport.Udp, "scrape", start);
        return length;
    }

    // Private mode over UDP: the passkey is the last segment of the BEP 41 URL data, "/announce/<passkey>" (a query
    // string after it is ignored), as the HTTP tracker takes it from the path.
    private bool AcceptPasskey(in UdpAnnounceRequest announce)
    {
        Span<byte> url = stackalloc byte[UdpProtocol.MaxUrlDataLength];
        if (!announce.HasUrlData || !announce.TryCopyUrlData(url, out var length))
        {
            return _tracker.AcceptPasskey(Transport.Udp, []);
        }

        var path = url[..length];
        var query = path.IndexOf((byte)'?');
        if (query >= 0)
        {
            path = path[..query];
        }

        ReadOnlySpan<byte> prefix = "/announce/"u8;
        var passkey = path.StartsWith(prefix) ? path[prefix.Length..] : [];
        return _tracker.AcceptPasskey(Transport.Udp, passkey.IndexOf((byte)'/') >= 0 ? [] : passkey);
    }

    // Before a valid connection id, never answer with more bytes than were received.
    private static int RejectConnectionId(byte[] buffer, int requestLength, int transactionId) =>
        UdpResponseWriter.WriteError(buffer.AsSpan(0, requestLength), transactionId, ConnectionIdRejected);
}
