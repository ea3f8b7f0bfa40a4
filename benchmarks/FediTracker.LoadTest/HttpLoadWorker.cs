using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FediTracker.LoadTest;

/// <summary>
/// One HTTP/1.1 client connection over a raw socket, bound to its own loopback source address. Keeps
/// <c>--inflight</c> GET requests outstanding on the connection (1 = no pipelining) and reuses it for as long as the
/// tracker keeps it open (keep-alive); when the tracker closes it, opens another. With <c>--http-close</c> every
/// request asks for <c>Connection: close</c> and gets a connection of its own. Replies are read by Content-Length.
/// Requests that were on a connection when the tracker closed it without answering are counted apart
/// (<see cref="WorkerStats.LostOnClose"/>): a tracker without keep-alive closes after each reply, and a request the
/// client had already sent on that connection is lost.
/// </summary>
internal sealed class HttpLoadWorker : IDriverWorker
{
    private const long LeecherLeft = 1 << 20;
    private const int SendBufferSize = 64 * 1024;
    private const int ReceiveBufferSize = 64 * 1024;
    private const int MaxReadsPerPoll = 8;

    // IPPROTO_IP / IP_BIND_ADDRESS_NO_PORT (Linux): bind the source address now, choose the port at connect, per
    // destination, so many connections from one address do not run out of ports.
    private const int IpProtocolIp = 0;
    private const int IpBindAddressNoPort = 24;

    private readonly IPAddress _source;
    private readonly IPEndPoint _target;
    private readonly Workload _workload;
    private readonly PeerSet _peers;
    private readonly RunClock _clock;
    private readonly int _inFlight;
    private readonly bool _close;
    private readonly long _timeoutTicks;
    private readonly byte[] _announcePrefix;
    private readonly byte[] _scrapePrefix;
    private readonly byte[] _requestTail;
    private readonly byte[] _send = GC.AllocateUninitializedArray<byte>(SendBufferSize, pinned: true);
    private readonly byte[] _receive = GC.AllocateUninitializedArray<byte>(ReceiveBufferSize, pinned: true);
    private readonly long[] _sentAt;
    private readonly RequestKind[] _kinds;
    private readonly int[] _scrape = new int[74];
    private FastRandom _random;
    private int _head;
    private int _outstanding;
    private long _oldestSentAt;
    private Socket? _socket;
    private long _retryAt;
    private int _filled;
    private int _sendLength;
    private int _sendOffset;
    private bool _closing;

    public HttpLoadWorker(IPAddress source, IPEndPoint target, Uri announceUrl, Workload workload, PeerSet peers, ulong seed, RunClock clock)
    {
        ArgumentNullException.ThrowIfNull(announceUrl);
        ArgumentNullException.ThrowIfNull(workload);
        _source = source;
        _target = target;
        _workload = workload;
        _peers = peers;
        _clock = clock;
        _random = new FastRandom(seed);
        var options = workload.Options;
        _close = options.HttpClose;
        _inFlight = _close ? 1 : options.InFlight;
        _timeoutTicks = RunClock.Ticks(TimeSpan.FromMilliseconds(options.TimeoutMs));
        _sentAt = new long[_inFlight];
        _kinds = new RequestKind[_inFlight];
        var path = announceUrl.AbsolutePath;
        var slash = path.LastIndexOf('/');
        var scrapePath = path[(slash + 1)..].StartsWith("announce", StringComparison.Ordinal)
            ? string.Concat(path.AsSpan(0, slash + 1), "scrape", path.AsSpan(slash + 1 + "announce".Length))
            : path;
        _announcePrefix = Encoding.ASCII.GetBytes($"GET {path}?info_hash=");
        _scrapePrefix = Encoding.ASCII.GetBytes($"GET {scrapePath}?info_hash=");
        var host = announceUrl.IsDefaultPort ? announceUrl.Host : $"{announceUrl.Host}:{announceUrl.Port}";
        _requestTail = Encoding.ASCII.GetBytes($" HTTP/1.1\r\nHost: {host}\r\n{(_close ? "Connection: close\r\n" : string.Empty)}\r\n");
    }

    public WorkerStats Stats { get; } = new();

    public Socket? Socket => _socket;

    public int Poll()
    {
        if (_socket is null)
        {
            var now = RunClock.Now;
            if (!_clock.Stopping && now >= _retryAt)
            {
                Open(now);
            }

            return 0;
        }

        if (_sendLength > 0 && !Flush())
        {
            return 0;
        }

        var handled = 0;
        while (_socket is not null && handled < MaxReadsPerPoll)
        {
            var received = _socket.Receive(_receive.AsSpan(_filled), SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                break;
            }

            handled++;
            var now = RunClock.Now;
            if (error != SocketError.Success || received == 0)
            {
                // The tracker closed the connection (after its reply when it has no keep-alive), or reset it.
                if (error == SocketError.Success)
                {
                    Stats.ServerCloses += _clock.InWindow(now) ? 1 : 0;
                }

                Drop(now, timedOut: false);
                if (!_clock.Stopping)
                {
                    Open(now);
                }

                break;
            }

            _filled += received;
            if (!ReadReplies(now))
            {
                Stats.Malformed += _clock.InWindow(now) ? 1 : 0;
                Drop(now, timedOut: false);
                break;
            }

            if (_sendLength > 0)
            {
                Flush();
            }

            if (_outstanding == 0 && (_clock.Stopping || (_closing && !_close)))
            {
                // Done (end of run), or the tracker said Connection: close: open a fresh connection.
                Drop(now, timedOut: false);
                if (!_clock.Stopping)
                {
                    Open(now);
                }

                break;
            }
        }

        return handled;
    }

    /// <summary>Closes the connection when its oldest request is overdue; the next poll opens another.</summary>
    public void Tick(long now)
    {
        if (_socket is not null && _outstanding > 0 && now - _oldestSentAt > _timeoutTicks)
        {
            Drop(now, timedOut: true);
        }
    }

    public void Close() => Drop(RunClock.Now, timedOut: false);

    private void Open(long now)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (OperatingSystem.IsLinux())
            {
                socket.SetRawSocketOption(IpProtocolIp, IpBindAddressNoPort, BitConverter.GetBytes(1));
            }

            socket.Bind(new IPEndPoint(_source, 0));

            // A blocking connect: on loopback the handshake completes inside the call (a non-blocking one would
            // cost an exception per connection in .NET). Then the socket goes non-blocking for the driver.
            socket.Connect(_target);
            socket.Blocking = false;
        }
        catch (SocketException)
        {
            Stats.ConnectErrors += _clock.InWindow(now) ? 1 : 0;
            socket.Dispose();
            _retryAt = now + RunClock.Ticks(TimeSpan.FromMilliseconds(20));
            return;
        }

        _socket = socket;
        _closing = false;
        _filled = 0;
        Stats.ConnectionsOpened += _clock.InWindow(now) ? 1 : 0;
        for (var i = 0; i < _inFlight && !_clock.Stopping; i++)
        {
            _sendLength += Write(_send.AsSpan(_sendLength), now);
        }

        Flush();
    }

    /// <summary>Closes the connection; requests still on it count as timeouts or as lost to the tracker's close.</summary>
    private void Drop(long now, bool timedOut)
    {
        if (_socket is null)
        {
            return;
        }

        _socket.Dispose();
        _socket = null;
        if (_outstanding > 0 && _clock.InWindow(now))
        {
            if (timedOut)
            {
                Stats.Timeouts += _outstanding;
            }
            else
            {
                Stats.LostOnClose += _outstanding;
            }
        }

        _outstanding = 0;
        _head = 0;
        _sendLength = 0;
        _sendOffset = 0;
        _filled = 0;
    }

    /// <summary>Sends what is buffered; false when the socket could not take all of it (the rest goes next poll).</summary>
    private bool Flush()
    {
        while (_sendOffset < _sendLength)
        {
            var sent = _socket!.Send(_send.AsSpan(_sendOffset, _sendLength - _sendOffset), SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                return false;
            }

            if (error != SocketError.Success)
            {
                Stats.SendErrors += _clock.InWindow(RunClock.Now) ? 1 : 0;
                Drop(RunClock.Now, timedOut: false);
                return false;
            }

            _sendOffset += sent;
        }

        _sendOffset = 0;
        _sendLength = 0;
        return true;
    }

    /// <summary>Reads every complete reply in the buffer, queuing the next request after each; false when malformed.</summary>
    private bool ReadReplies(long now)
    {
        var offset = 0;
        while (true)
        {
            var result = HttpResponseParser.TryParse(_receive.AsSpan(offset, _filled - offset), out var consumed, out var status, out var bodyStart, out var bodyLength, out var close);
            if (result == HttpResponseParser.Result.Incomplete)
            {
                break;
            }

            if (result == HttpResponseParser.Result.Malformed || _outstanding == 0)
            {
                return false;
            }

            Complete(status, _receive.AsSpan(offset + bodyStart, bodyLength), now);
            offset += consumed;
            _closing |= close || _close;
            if (!_closing && !_clock.Stopping)
            {
                _sendLength += Write(_send.AsSpan(_sendLength), now);
            }
        }

        if (offset > 0)
        {
            _receive.AsSpan(offset, _filled - offset).CopyTo(_receive);
            _filled -= offset;
        }

        return _filled < _receive.Length;
    }

    private void Complete(int status, ReadOnlySpan<byte> body, long now)
    {
        var kind = _kinds[_head];
        var sentAt = _sentAt[_head];
        _head = (_head + 1) % _inFlight;
        _outstanding--;
        if (_outstanding > 0)
        {
            _oldestSentAt = _sentAt[_head];
        }

        if (!_clock.InWindow(now))
        {
            return;
        }

        Stats.Latency.Record(RunClock.ToNanoseconds(now - sentAt));
        if (status != 200)
        {
            Stats.HttpNon200++;
            Stats.AddMessage(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"HTTP {status}"));
            return;
        }

        var failure = HttpResponseParser.FailureReason(body);
        if (failure is not null)
        {
            Stats.Failures++;
            Stats.AddMessage(failure);
        }
        else if (kind == RequestKind.Scrape)
        {
            Stats.Scrapes++;
        }
        else
        {
            Stats.Announces++;
            Stats.PeersReturned += HttpResponseParser.CompactPeers(body);
        }
    }

    /// <summary>Writes the next request and records it as outstanding; returns its length.</summary>
    private int Write(Span<byte> destination, long now)
    {
        var choice = _workload.Choose(ref _random, _peers, _scrape);
        var writer = new HttpRequestWriter(destination);
        if (choice.Kind == RequestKind.Scrape)
        {
            writer.Append(_scrapePrefix);
            for (var i = 0; i < choice.ScrapeCount; i++)
            {
                if (i > 0)
                {
                    writer.Append("&info_hash="u8);
                }

                writer.Append(_workload.EncodedHash(_scrape[i]));
            }
        }
        else
        {
            writer.Append(_announcePrefix);
            writer.Append(_workload.EncodedHash(choice.Torrent));
            writer.Append("&peer_id="u8);
            writer.Append(_peers.EncodedPeerId(choice.Peer));
            writer.Append("&port="u8);
            writer.Append(_peers.Port(choice.Peer));
            writer.Append("&uploaded=0&downloaded=0&left="u8);
            writer.Append(choice.Seeder ? 0 : LeecherLeft);
            writer.Append("&numwant="u8);
            writer.Append(_workload.Options.NumWant);
            writer.Append("&compact=1&key="u8);
            writer.Append(_peers.GlobalIndex(choice.Peer));
            if (choice.Event == 2)
            {
                writer.Append("&event=started"u8);
            }
            else if (choice.Event == 3)
            {
                writer.Append("&event=stopped"u8);
            }
        }

        writer.Append(_requestTail);
        var tail = (_head + _outstanding) % _inFlight;
        _kinds[tail] = choice.Kind;
        _sentAt[tail] = now;
        if (_outstanding == 0)
        {
            _oldestSentAt = now;
        }

        _outstanding++;
        Stats.Sent += _clock.InWindow(now) ? 1 : 0;
        return writer.Length;
    }
}
