using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace FediTracker.Protocol;

/// <summary>Twenty opaque bytes held in three machine words, so equality and hashing are a few instructions.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public readonly struct Bytes20 : IEquatable<Bytes20>, IComparable<Bytes20>
{
    public const int Length = 20;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly uint _c;

    private Bytes20(ulong a, ulong b, uint c)
    {
        _a = a;
        _b = b;
        _c = c;
    }

    /// <summary>Reads exactly 20 bytes; <paramref name="source"/> must be that long.</summary>
    public static Bytes20 Read(ReadOnlySpan<byte> source)
    {
        if (source.Length != Length)
        {
            throw new ArgumentException("Exactly 20 bytes are required.", nameof(source));
        }

        return new Bytes20(
            BinaryPrimitives.ReadUInt64BigEndian(source),
            BinaryPrimitives.ReadUInt64BigEndian(source[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[16..]));
    }

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..20], _c);
    }

    public bool Equals(Bytes20 other) => _a == other._a && _b == other._b && _c == other._c;

    public override bool Equals(object? obj) => obj is Bytes20 other && Equals(other);

    // Info-hashes are SHA digests, uniformly distributed: folding the words is a good hash.
    public override int GetHashCode() => (int)(_a ^ (_a >> 32) ^ _b ^ (_b >> 29) ^ _c);

    /// <summary>Orders as the raw bytes do (the words hold them big-endian), which is bencode's key order.</summary>
    public int CompareTo(Bytes20 other)
    {
        var c = _a.CompareTo(other._a);
        if (c != 0)
        {
            return c;
        }

        c = _b.CompareTo(other._b);
        return c != 0 ? c : _c.CompareTo(other._c);
    }

    public static bool operator <(Bytes20 left, Bytes20 right) => left.CompareTo(right) < 0;

    public static bool operator >(Bytes20 left, Bytes20 right) => left.CompareTo(right) > 0;

    public static bool operator <=(Bytes20 left, Bytes20 right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Bytes20 left, Bytes20 right) => left.CompareTo(right) >= 0;

    public static bool operator ==(Bytes20 left, Bytes20 right) => left.Equals(right);

    public static bool operator !=(Bytes20 left, Bytes20 right) => !left.Equals(right);

    public static bool TryParseHex(ReadOnlySpan<char> hex, out Bytes20 value)
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

    /// <summary>Lower-case hex, 40 characters.</summary>
    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public void WriteHex(Span<char> destination)
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        if (!Convert.TryToHexStringLower(bytes, destination, out _))
        {
            throw new ArgumentException("40 characters are required.", nameof(destination));
        }
    }

    public override string ToString() => ToHex();
}
