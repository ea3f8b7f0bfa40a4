using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FediTracker.LoadTest;

/// <summary>A plain one-request-at-a-time BEP 15 client, for checks outside the measured load (scrape counts).</summary>
internal sealed class UdpProbe : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[2048];
    private long _connectionId;
    private int _transaction;

    public UdpProbe(IPEndPoint target)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 1000 };
        try
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _socket.Connect(target);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    /// <summary>Seeders + leechers of each hash, written to <paramref name="peers"/>; false when the tracker does not answer.</summary>
    public bool TryScrape(ReadOnlySpan<byte> hashes, Span<int> peers)
    {
        var count = hashes.Length / 20;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            if (_connectionId == 0 && !TryConnect())
            {
                continue;
            }

            var transaction = ++_transaction;
            UdpPackets.WriteHeader(_buffer, _connectionId, transaction);
            UdpPackets.WriteScrapeAction(_buffer);
            hashes.CopyTo(_buffer.AsSpan(16));
            var reply = Exchange(16 + hashes.Length, transaction);
            if (reply.Length >= 8 + (12 * count) && BinaryPrimitives.ReadInt32BigEndian(reply) == UdpPackets.ActionScrape)
            {
                for (var i = 0; i < count; i++)
                {
                    var entry = reply[(8 + (12 * i))..];
                    peers[i] = BinaryPrimitives.ReadInt32BigEndian(entry) + BinaryPrimitives.ReadInt32BigEndian(entry[8..]);
                }

                return true;
            }

            _connectionId = 0;
        }

        return false;
    }

    public void Dispose() => _socket.Dispose();

    private bool TryConnect()
    {
        var transaction = ++_transaction;
        UdpPackets.WriteConnect(_buffer, transaction);
        var reply = Exchange(UdpPackets.ConnectLength, transaction);
        if (reply.Length >= 16 && BinaryPrimitives.ReadInt32BigEndian(reply) == UdpPackets.ActionConnect)
        {
            _connectionId = BinaryPrimitives.ReadInt64BigEndian(reply[8..]);
            return true;
        }

        return false;
    }

    private ReadOnlySpan<byte> Exchange(int length, int transaction)
    {
        try
        {
            _socket.Send(_buffer.AsSpan(0, length), SocketFlags.None);
            while (true)
            {
                var n = _socket.Receive(_buffer, SocketFlags.None);
                if (n >= 8 && BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(4)) == transaction)
                {
                    return _buffer.AsSpan(0, n);
                }
            }
        }
        catch (SocketException)
        {
            return [];
        }
    }
}
