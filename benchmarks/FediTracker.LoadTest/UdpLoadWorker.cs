using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FediTracker.LoadTest;

/// <summary>
/// One UDP socket (bound to its own loopback source address, connected to the tracker) with a fixed number of
/// request slots always in flight. A reply frees its slot, which at once carries the next request; a slot whose reply
/// does not come within the timeout is counted and reused. The transaction id names the slot and a generation, so a
/// late reply is told apart from the current one.
/// <para>
/// Connection ids as BEP 15 asks: connect first, use the id for every request of this socket, get a new one after
/// a minute (the old one serves meanwhile), and at once when the tracker says the id is bad (then the other slots
/// wait for the new id). Three timeouts in a row also ask for a new id.
/// </para>
/// Nothing is allocated per request: one receive buffer, one send buffer, and the slots. The socket is
/// non-blocking and only the <see cref="SocketDriver"/>'s thread touches the worker, so there is no lock.
/// </summary>
internal sealed class UdpLoadWorker : IDriverWorker
{
    private const int BufferSize = 2048;
    private const int MaxConsecutiveTimeouts = 3;
    private const int MaxRepliesPerPoll = 64;

    private static readonly long IdLifetimeTicks = RunClock.Ticks(TimeSpan.FromSeconds(60));

    private readonly Socket _socket;
    private readonly RunClock _clock;
    private readonly UdpRequestSource _source;
    private readonly Slot[] _slots;
    private readonly int[] _parked;
    private readonly byte[] _receive = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
    private readonly byte[] _send = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
    private readonly long _timeoutTicks;
    private int _parkedCount;
    private long _connectionId;
    private bool _hasId;
    private long _idReceivedAt;
    private bool _connecting;
    private int _consecutiveTimeouts;
    private bool _closed;

    public UdpLoadWorker(IPEndPoint source, IPEndPoint target, int inFlight, TimeSpan timeout, RunClock clock, UdpRequestSource requests)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inFlight, short.MaxValue);
        _clock = clock;
        _source = requests;
        _slots = new Slot[inFlight];
        _parked = new int[inFlight];
        _timeoutTicks = RunClock.Ticks(timeout);
        _socket = new Socket(source.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.ReceiveBufferSize = 1 << 20;
            _socket.SendBufferSize = 1 << 20;
            _socket.Bind(source);
            _socket.Connect(target);
            _socket.Blocking = false;
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    public WorkerStats Stats { get; } = new();

    public Socket? Socket => _closed ? null : _socket;

    /// <summary>Fills every slot (the first request is a connect; the others wait for its id).</summary>
    public void Start()
    {
        var now = RunClock.Now;
        for (var i = 0; i < _slots.Length; i++)
        {
            Issue(i, now);
        }
    }

    public int Poll()
    {
        var handled = 0;
        while (!_closed && handled < MaxRepliesPerPoll)
        {
            var received = _socket.Receive(_receive, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                break;
            }

            handled++;
            if (error != SocketError.Success)
            {
                // E.g. ICMP port unreachable from an earlier send while the tracker was not listening.
                Stats.ReceiveErrors += _clock.InWindow(RunClock.Now) ? 1 : 0;
                continue;
            }

            Handle(received, RunClock.Now);
        }

        return handled;
    }

    /// <summary>Times out overdue slots and reuses them.</summary>
    public void Tick(long now)
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            ref var slot = ref _slots[i];
            if (slot.Kind == RequestKind.None || now - slot.SentAt <= _timeoutTicks)
            {
                continue;
            }

            if (_clock.InWindow(now))
            {
                Stats.Timeouts++;
            }

            var kind = slot.Kind;
            slot.Kind = RequestKind.None;
            if (kind == RequestKind.Connect)
            {
                _connecting = false;
            }
            else
            {
                _source.Failed(slot.Item);
                if (++_consecutiveTimeouts >= MaxConsecutiveTimeouts)
                {
                    // Ask for a fresh id; the old one stays in use until it comes.
                    _consecutiveTimeouts = 0;
                    _idReceivedAt = long.MinValue / 2;
                }
            }

            Issue(i, now);
        }

        // Slots parked for an id whose connect was lost: start them again.
        if (_parkedCount > 0 && !_connecting && !_clock.Stopping)
        {
            Unpark(now);
        }
    }

    public void Close()
    {
        _closed = true;
        _socket.Dispose();
    }

    private void Handle(int length, long now)
    {
        var inWindow = _clock.InWindow(now);
        var reply = _receive.AsSpan(0, length);
        if (length < 8)
        {
            Stats.Malformed += inWindow ? 1 : 0;
            return;
        }

        var action = BinaryPrimitives.ReadInt32BigEndian(reply);
        var transactionId = BinaryPrimitives.ReadInt32BigEndian(reply[4..]);
        var index = (int)((uint)transactionId >> 16);
        if (index >= _slots.Length)
        {
            Stats.Malformed += inWindow ? 1 : 0;
            return;
        }

        ref var slot = ref _slots[index];
        if (slot.Kind == RequestKind.None || slot.Generation != (ushort)transactionId)
        {
            Stats.Late += inWindow ? 1 : 0;
            return;
        }

        if (inWindow)
        {
            Stats.Latency.Record(RunClock.ToNanoseconds(now - slot.SentAt));
        }

        var kind = slot.Kind;
        slot.Kind = RequestKind.None;
        if (action == UdpPackets.ActionConnect && kind == RequestKind.Connect && length >= 16)
        {
            _connectionId = BinaryPrimitives.ReadInt64BigEndian(reply[8..]);
            _hasId = true;
            _idReceivedAt = now;
            _connecting = false;
            _consecutiveTimeouts = 0;
            Stats.Connects += inWindow ? 1 : 0;
            Issue(index, now);
            Unpark(now);
            return;
        }

        if (action == UdpPackets.ActionAnnounce && kind == RequestKind.Announce && length >= UdpPackets.AnnounceReplyHeader)
        {
            _consecutiveTimeouts = 0;
            if (inWindow)
            {
                Stats.Announces++;
                Stats.PeersReturned += (length - UdpPackets.AnnounceReplyHeader) / 6;
            }

            _source.Completed(slot.Item);
            Issue(index, now);
            return;
        }

        if (action == UdpPackets.ActionScrape && kind == RequestKind.Scrape)
        {
            _consecutiveTimeouts = 0;
            Stats.Scrapes += inWindow ? 1 : 0;
            _source.Completed(slot.Item);
            Issue(index, now);
            return;
        }

        if (kind == RequestKind.Connect)
        {
            _connecting = false;
        }
        else
        {
            _source.Failed(slot.Item);
        }

        if (action == UdpPackets.ActionError)
        {
            // Rare by design; the text is kept (one string per error packet is fine here).
            var message = Encoding.UTF8.GetString(reply[8..]).TrimEnd('\0');
            if (inWindow)
            {
                Stats.ErrorPackets++;
                Stats.AddMessage(message);
            }

            if (message.Contains("connection", StringComparison.OrdinalIgnoreCase))
            {
                _hasId = false;
            }
        }
        else
        {
            Stats.Malformed += inWindow ? 1 : 0;
        }

        Issue(index, now);
    }

    /// <summary>Puts the next request in slot <paramref name="index"/> (a connect when the id needs one) and sends it.</summary>
    private void Issue(int index, long now)
    {
        ref var slot = ref _slots[index];
        if (_clock.Stopping || _closed)
        {
            return;
        }

        var packet = _send.AsSpan();
        int length;
        RequestKind kind;
        long item = 0;
        var generation = (ushort)(slot.Generation + 1);
        var transactionId = (index << 16) | generation;
        if ((!_hasId || now - _idReceivedAt > IdLifetimeTicks) && !_connecting)
        {
            UdpPackets.WriteConnect(packet, transactionId);
            length = UdpPackets.ConnectLength;
            kind = RequestKind.Connect;
            _connecting = true;
        }
        else if (!_hasId)
        {
            _parked[_parkedCount++] = index;
            return;
        }
        else
        {
            if (!_source.TryWrite(packet, out length, out kind, out item))
            {
                return;
            }

            UdpPackets.WriteHeader(packet, _connectionId, transactionId);
        }

        slot.Generation = generation;
        slot.Kind = kind;
        slot.Item = item;
        slot.SentAt = now;
        var inWindow = _clock.InWindow(now);
        _socket.Send(packet[..length], SocketFlags.None, out var error);
        if (error == SocketError.Success)
        {
            Stats.Sent += inWindow ? 1 : 0;
        }
        else
        {
            // The slot stays in flight and times out.
            Stats.SendErrors += inWindow ? 1 : 0;
        }
    }

    private void Unpark(long now)
    {
        while (_parkedCount > 0 && (_hasId || !_connecting))
        {
            var index = _parked[--_parkedCount];
            Issue(index, now);
        }
    }

    private struct Slot
    {
        public long SentAt;
        public long Item;
        public ushort Generation;
        public RequestKind Kind;
    }
}
