using System.Buffers.Binary;

namespace FediTracker.Protocol;

/// <summary>Thirty-two opaque bytes (a SHA-256 digest) held in four machine words.</summary>
public readonly struct Bytes32 : IEquatable<Bytes32>
{
    public const int Length = 32;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    private Bytes32(ulong a, ulong b, ulong c, ulong d)
    {
        _a = a;
        _b = b;
        _c = c;
        _d = d;
    }

    /// <summary>Reads exactly 32 bytes; <paramref name="source"/> must be that long.</summary>
    public static Bytes32 Read(ReadOnlySpan<byte> source)
    {
        if (source.Length != Length)
        {
            throw new ArgumentException("Exactly 32 bytes are required.", nameof(source));
        }

        return new Bytes32(
            BinaryPrimitives.ReadUInt64BigEndian(source),
            BinaryPrimitives.ReadUInt64BigEndian(source[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(source[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(source[24..]));
    }

    public static bool TryParseHex(ReadOnlySpan<char> hex, out Bytes32 value)
    {
        Span<byte> bytes = stackalloc byte[Length];
        if (hex.Length != Length * 2 || Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Length)
        {
            value = default;
            return false;
        }

        value = Read(bytes);
        return true;
    }

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..32], _d);
    }

    /// <summary>The first 20 bytes: how BEP 52 truncates a v2 info-hash where a 20-byte one is expected (announces, scrapes).</summary>
    public Bytes20 Truncate()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Bytes20.Read(bytes[..Bytes20.Length]);
    }

    public bool Equals(Bytes32 other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is Bytes32 other && Equals(other);

    public override int GetHashCode() => (int)(_a ^ (_a >> 32) ^ _b ^ (_b >> 29) ^ _c ^ _d);

    public static bool operator ==(Bytes32 left, Bytes32 right) => left.Equals(right);

    public static bool operator !=(Bytes32 left, Bytes32 right) => !left.Equals(right);

    /// <summary>Lower-case hex, 64 characters.</summary>
    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public override string ToString() => ToHex();
}
