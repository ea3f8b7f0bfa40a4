namespace FediTracker.LoadTest;

/// <summary>
/// A fixed list of announces for the memory fill: peer k (k = first, first + stride, … below end) announces to
/// torrent k / peersPerTorrent from port 10000 + k / stride with its own peer id. The worker that owns this source
/// sends from address 127.0.0.(1 + k mod stride), so every peer is a distinct (address, port). An unanswered
/// announce is sent again.
/// </summary>
internal sealed class UdpFillSource : UdpRequestSource
{
    public const int FirstPort = 10_000;

    private readonly byte[] _hashes;
    private readonly ulong _seed;
    private readonly int _peersPerTorrent;
    private readonly long _first;
    private readonly long _end;
    private readonly int _stride;
    private readonly int _event;
    private readonly Stack<long> _retry = new();
    private readonly byte[] _peerId = new byte[20];
    private long _next;
    private long _done;

    public UdpFillSource(byte[] hashes, ulong seed, int peersPerTorrent, long first, long end, int stride, int udpEvent)
    {
        _hashes = hashes;
        _seed = seed;
        _peersPerTorrent = peersPerTorrent;
        _first = first;
        _end = end;
        _stride = stride;
        _event = udpEvent;
        _next = first;
        Total = first >= end ? 0 : ((end - first - 1) / stride) + 1;
    }

    public long Total { get; }

    public long Done => Interlocked.Read(ref _done);

    public override bool TryWrite(Span<byte> packet, out int length, out RequestKind kind, out long item)
    {
        if (_retry.Count > 0)
        {
            item = _retry.Pop();
        }
        else if (_next < _end)
        {
            item = _next;
            _next += _stride;
        }
        else
        {
            length = 0;
            kind = RequestKind.None;
            item = 0;
            return false;
        }

        var torrent = (int)(item / _peersPerTorrent);
        Workload.WritePeerId(_seed, item, _peerId);
        length = UdpPackets.WriteAnnounce(
            packet,
            _hashes.AsSpan(torrent * 20, 20),
            _peerId,
            item % 4 == 0 ? 1 << 20 : 0,
            _event,
            (int)item,
            0,
            (ushort)(FirstPort + (item / _stride)));
        kind = RequestKind.Announce;
        return true;
    }

    public override void Completed(long item) => Interlocked.Increment(ref _done);

    public override void Failed(long item) => _retry.Push(item);
}
