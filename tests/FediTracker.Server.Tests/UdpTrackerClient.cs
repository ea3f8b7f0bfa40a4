using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FediTracker.Server.Tests;

/// <summary>A minimal BEP 15 client for tests, written from the BEP independently of the server's codec.</summary>
internal sealed class UdpTrackerClient : IDisposable
{
    public const long ProtocolId = 0x41727101980;

    private readonly UdpClient _udp;
    private readonly IPEndPoint _server;
    private int _transaction = 1000;

    public UdpTrackerClient(IPEndPoint server)
    {
        _server = server;
        _udp = new UdpClient(new IPEndPoint(server.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback, 0));
    }

    public int LocalPort => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

    /// <summary>The client socket's receive buffer (SO_RCVBUF), for tests that let many replies queue.</summary>
    public int ReceiveBufferSize
    {
        get => _udp.Client.ReceiveBufferSize;
        set => _udp.Client.ReceiveBufferSize = value;
    }

    public async Task SendAsync(byte[] datagram) => await _udp.SendAsync(datagram, _server);

    /// <summary>Receives one datagram, or null when none arrives within <paramref name="timeout"/>.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var result = await _udp.ReceiveAsync(cts.Token);
            return result.Buffer;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async Task<byte[]> RoundTripAsync(byte[] datagram)
    {
        await SendAsync(datagram);
        return await ReceiveAsync(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException("The tracker did not answer.");
    }

    public async Task<long> ConnectAsync()
    {
        var tid = ++_transaction;
        var request = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(request, ProtocolId);
        BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(8), 0);
        BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(12), tid);
        var reply = await RoundTripAsync(request);
        reply.Should().HaveCount(16);
        BinaryPrimitives.ReadInt32BigEndian(reply).Should().Be(0);
        BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(4)).Should().Be(tid);
        return BinaryPrimitives.ReadInt64BigEndian(reply.AsSpan(8));
    }

    public static byte[] Announce(long connectionId, int transactionId, byte[] infoHash, byte[] peerId, long left, int @event, int numWant, ushort port)
    {
        var p = new byte[98];
        BinaryPrimitives.WriteInt64BigEndian(p, connectionId);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(8), 1);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(12), transactionId);
        infoHash.CopyTo(p, 16);
        peerId.CopyTo(p, 36);
        BinaryPrimitives.WriteInt64BigEndian(p.AsSpan(56), 0);
        BinaryPrimitives.WriteInt64BigEndian(p.AsSpan(64), left);
        BinaryPrimitives.WriteInt64BigEndian(p.AsSpan(72), 0);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(80), @event);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(88), 42);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(92), numWant);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(96), port);
        return p;
    }

    public static byte[] Scrape(long connectionId, int transactionId, params byte[][] hashes)
    {
        var p = new byte[16 + (20 * hashes.Length)];
        BinaryPrimitives.WriteInt64BigEndian(p, connectionId);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(8), 2);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(12), transactionId);
        for (var i = 0; i < hashes.Length; i++)
        {
            hashes[i].CopyTo(p, 16 + (20 * i));
        }

        return p;
    }

    public void Dispose() => _udp.Dispose();
}
