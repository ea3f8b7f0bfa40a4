using FediTracker.Protocol;

namespace FediTracker.Core.Swarms;

/// <summary>How a peer table keys its peers: by (address, port), in the smallest form for the family.</summary>
internal interface IPeerKey<TSelf> : IEquatable<TSelf>
    where TSelf : struct, IPeerKey<TSelf>
{
    static abstract TSelf From(PeerEndpoint endpoint);

    PeerEndpoint ToEndpoint();
}

/// <summary>An IPv4 peer: address and port packed into one 48-bit number (8 bytes).</summary>
internal readonly struct V4Key : IPeerKey<V4Key>
{
    private readonly ulong _value;

    private V4Key(ulong value) => _value = value;

    public static V4Key From(PeerEndpoint endpoint) => new(((ulong)endpoint.Address.V4 << 16) | endpoint.Port);

    public PeerEndpoint ToEndpoint() => new(PeerAddress.FromIPv4((uint)(_value >> 16)), (ushort)_value);

    public bool Equals(V4Key other) => _value == other._value;

    public override bool Equals(object? obj) => obj is V4Key other && Equals(other);

    // Keyed with a per-process secret so that a client choosing many ports cannot aim at one bucket, then mixed so
    // that every bit of the key reaches the low bits, which an index of 2^k slots uses.
    public override int GetHashCode()
    {
        var x = (_value ^ PeerKeySeed.Value) * 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 31)) * 0xBF58476D1CE4E5B9UL;
        return (int)(x ^ (x >> 32));
    }
}

/// <summary>An IPv6 peer: address and port.</summary>
internal readonly struct V6Key : IPeerKey<V6Key>
{
    private readonly PeerAddress _address;
    private readonly ushort _port;

    private V6Key(PeerAddress address, ushort port)
    {
        _address = address;
        _port = port;
    }

    public static V6Key From(PeerEndpoint endpoint) => new(endpoint.Address, endpoint.Port);

    public PeerEndpoint ToEndpoint() => new(_address, _port);

    public bool Equals(V6Key other) => _port == other._port && _address.Equals(other._address);

    public override bool Equals(object? obj) => obj is V6Key other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_address, _port);
}

internal static class PeerKeySeed
{
    public static readonly ulong Value = (ulong)Random.Shared.NextInt64();
}
