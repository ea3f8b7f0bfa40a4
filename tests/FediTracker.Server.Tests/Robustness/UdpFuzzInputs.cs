using System.Buffers.Binary;

namespace FediTracker.Server.Tests.Robustness;

/// <summary>
/// Seeded hostile datagrams for the UDP tracker: random bytes of random length (some longer than the listener's
/// buffer), random bytes under a known action, valid connect, announce (with and without BEP 41 options) and scrape
/// packets with bytes flipped, cut short or extended, announces with a forged connection id, and valid announces
/// with extreme field values.
/// </summary>
internal static class UdpFuzzInputs
{
    /// <summary>
    /// One datagram. <paramref name="connectionId"/> is the valid id of the socket it will be sent from;
    /// <paramref name="transactionId"/> goes where a transaction id belongs (a mutation may change it).
    /// </summary>
    public static (string Kind, byte[] Datagram) Next(Random random, long connectionId, int transactionId) => random.Next(100) switch
    {
        < 10 => ("random", RandomBytes(random, random.Next(10) == 0 ? random.Next(1_500, 4_000) : random.Next(0, 200))),
        < 20 => ("random with a known action", KnownAction(random, transactionId)),
        < 30 => ("mutated connect", Mutate(random, Connect(transactionId))),
        < 50 => ("mutated announce", Mutate(random, Announce(random, connectionId, transactionId))),
        < 60 => ("announce with random options", [.. Announce(random, connectionId, transactionId), .. RandomBytes(random, random.Next(1, 300))]),
        < 70 => ("announce with URL data", [.. Announce(random, connectionId, transactionId), .. UrlData(random)]),
        < 80 => ("mutated scrape", Mutate(random, Scrape(random, connectionId, transactionId, random.Next(1, 90)))),
        < 90 => ("forged connection id", Announce(random, random.NextInt64(), transactionId)),
        _ => ("extreme announce", ExtremeAnnounce(random, connectionId, transactionId)),
    };

    public static byte[] Connect(int transactionId)
    {
        var p = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(p, UdpTrackerClient.ProtocolId);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(12), transactionId);
        return p;
    }

    private static byte[] Announce(Random random, long connectionId, int transactionId) =>
        UdpTrackerClient.Announce(
            connectionId,
            transactionId,
            RandomBytes(random, 20),
            RandomBytes(random, 20),
            left: random.Next(2) * random.NextInt64(0, 1L << 40),
            @event: random.Next(0, 4),
            numWant: random.Next(-1, 300),
            port: (ushort)random.Next(1, 65536));

    private static byte[] Scrape(Random random, long connectionId, int transactionId, int hashes) =>
        UdpTrackerClient.Scrape(connectionId, transactionId, [.. Enumerable.Range(0, hashes).Select(_ => RandomBytes(random, 20))]);

    private static byte[] ExtremeAnnounce(Random random, long connectionId, int transactionId)
    {
        var p = Announce(random, connectionId, transactionId);
        long[] longs = [long.MinValue, long.MaxValue, -1, 0, 1];
        BinaryPrimitives.WriteInt64BigEndian(p.AsSpan(56), longs[random.Next(longs.Length)]); // downloaded
        BinaryPrimitives.WriteInt64BigEndian(p.AsSpan(64), longs[random.Next(longs.Length)]); // left
        BinaryPrimitives.WriteInt64BigEndian(p.AsSpan(72), longs[random.Next(longs.Length)]); // uploaded
        int[] ints = [int.MinValue, int.MaxValue, -1, 0, 1, 74, 75, 200, 201, 100_000];
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(84), ints[random.Next(ints.Length)]); // IP address
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(88), ints[random.Next(ints.Length)]); // key
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(92), ints[random.Next(ints.Length)]); // numwant
        ushort[] ports = [0, 1, 65535];
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(96), ports[random.Next(ports.Length)]);
        return p;
    }

    private static byte[] KnownAction(Random random, int transactionId)
    {
        var p = RandomBytes(random, random.Next(16, 300));
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(8), random.Next(0, 4));
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(12), transactionId);
        return p;
    }

    // BEP 41 options: URLData (type 2) chunks, NOPs (1), unknown types, sometimes an EndOfOptions (0) or a bad length.
    private static byte[] UrlData(Random random)
    {
        var options = new List<byte>();
        for (var n = random.Next(1, 12); n > 0; n--)
        {
            switch (random.Next(6))
            {
                case 0:
                    options.Add(1);
                    break;
                case 1:
                    options.Add(0);
                    break;
                case 2:
                    options.AddRange([(byte)random.Next(3, 256), (byte)random.Next(0, 8), .. RandomBytes(random, random.Next(0, 8))]);
                    break;
                default:
                    var data = RandomBytes(random, random.Next(0, 256));
                    options.AddRange([2, (byte)data.Length, .. data]);
                    break;
            }
        }

        if (random.Next(5) == 0)
        {
            options.RemoveRange(random.Next(options.Count), 1);
        }

        return [.. options];
    }

    private static byte[] Mutate(Random random, byte[] datagram)
    {
        var p = (byte[])datagram.Clone();
        for (var flips = random.Next(0, 5); flips > 0; flips--)
        {
            p[random.Next(p.Length)] = (byte)random.Next(256);
        }

        return random.Next(3) switch
        {
            0 => p[..random.Next(p.Length + 1)],
            1 => [.. p, .. RandomBytes(random, random.Next(1, 64))],
            _ => p,
        };
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
