using System.Buffers.Binary;
using System.Security.Cryptography;

namespace FediTracker.Protocol.Udp;

/// <summary>
/// Issues and checks BEP 15 connection ids without keeping state: an id is a SipHash-2-4 MAC, under a secret key, of
/// a two-minute time slot and the client's address. An id validates in the slot it was issued in and the
/// next one, so it lives at least two minutes (BEP 15 asks trackers to accept one for two minutes) and at most four.
/// Ids from another key, client or older slot fail. Thread-safe; issuing and validating allocate nothing.
/// Nodes that share the key accept each other's ids. The source port is left out on purpose: libtorrent keeps one
/// connection id per tracker for the whole process and uses it from every session and socket, and the port adds
/// nothing against a spoofed source address (what the id exists to stop).
/// </summary>
public sealed class ConnectionIdIssuer
{
    public const int KeyLength = SipHash24.KeyLength;

    /// <summary>The length of a time slot, in seconds.</summary>
    public const long SlotSeconds = 120;

    // MAC input: slot (8, little-endian) + address (16, IPv6 form, IPv4 as mapped).
    private const int MacInputLength = 24;

    private readonly ulong _k0;
    private readonly ulong _k1;

    /// <summary>Creates an issuer from a 16-byte secret key (see <see cref="CreateKey"/>).</summary>
    public ConnectionIdIssuer(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException("The connection id key must be exactly 16 bytes.", nameof(key));
        }

        _k0 = BinaryPrimitives.ReadUInt64LittleEndian(key);
        _k1 = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]);
    }

    /// <summary>A new random 16-byte key from the system's cryptographic random number generator.</summary>
    public static byte[] CreateKey() => RandomNumberGenerator.GetBytes(KeyLength);

    /// <summary>The connection id for <paramref name="client"/> at <paramref name="unixSeconds"/>.</summary>
    public long Issue(PeerEndpoint client, long unixSeconds) => Compute(client, Slot(unixSeconds));

    /// <summary>
    /// Whether <paramref name="connectionId"/> was issued to <paramref name="client"/> in the current slot or the
    /// previous one. Both candidates are always computed and compared in constant time.
    /// </summary>
    public bool Validate(long connectionId, PeerEndpoint client, long unixSeconds)
    {
        var slot = Slot(unixSeconds);
        var current = Compute(client, slot);
        var previous = Compute(client, slot - 1);

        // Constant time: both candidates are always computed, and the differences are folded without branching
        // (x | -x has its top bit set exactly when x is not zero).
        var a = (ulong)(connectionId ^ current);
        var b = (ulong)(connectionId ^ previous);
        var aNonZero = (a | (0 - a)) >> 63;
        var bNonZero = (b | (0 - b)) >> 63;
        return (aNonZero & bNonZero) == 0;
    }

    // Floor division, so a slot is always SlotSeconds long, even before 1970.
    private static long Slot(long unixSeconds) => Math.DivRem(unixSeconds, SlotSeconds, out var rest) - (rest < 0 ? 1 : 0);

    private long Compute(PeerEndpoint client, long slot)
    {
        Span<byte> input = stackalloc byte[MacInputLength];
        BinaryPrimitives.WriteInt64LittleEndian(input, slot);
        client.Address.WriteIPv6(input[8..]);
        var id = (long)SipHash24.Compute(_k0, _k1, input);

        // A connect request carries the protocol magic where an id would be; never hand it out as an id.
        return id == UdpProtocol.ProtocolId ? ~id : id;
    }
}
