using System.Buffers;
using System.Numerics;
using System.Security.Cryptography;

namespace FediTracker.Protocol.Torrents;

/// <summary>
/// The BEP 52 merkle tree arithmetic: leaves are the SHA-256 of each 16 KiB block of a file (the last block hashed as
/// it is, shorter), a node is the SHA-256 of its two children side by side, and a layer is padded to a power of two.
/// Leaves past the end of a file are 32 zero bytes, so padding at a higher layer is the root of a subtree of zero
/// leaves.
/// </summary>
internal static class MerkleHashes
{
    /// <summary>The size of the data under one leaf.</summary>
    public const int BlockSize = 16 * 1024;

    public const int HashSize = 32;

    /// <summary>Reduces <paramref name="count"/> hashes (a power of two) at the start of <paramref name="layer"/> to their root, left in its first 32 bytes.</summary>
    public static void ReduceInPlace(Span<byte> layer, int count)
    {
        Span<byte> parent = stackalloc byte[HashSize];
        while (count > 1)
        {
            count >>= 1;
            for (var i = 0; i < count; i++)
            {
                SHA256.HashData(layer.Slice(i * 2 * HashSize, 2 * HashSize), parent);
                parent.CopyTo(layer.Slice(i * HashSize, HashSize));
            }
        }
    }

    /// <summary>The root of a subtree of 2^<paramref name="levels"/> zero leaves.</summary>
    public static void PadHash(int levels, Span<byte> destination)
    {
        var hash = destination[..HashSize];
        hash.Clear();
        Span<byte> pair = stackalloc byte[2 * HashSize];
        for (var level = 0; level < levels; level++)
        {
            hash.CopyTo(pair);
            hash.CopyTo(pair[HashSize..]);
            SHA256.HashData(pair, hash);
        }
    }

    /// <summary>
    /// The root over <paramref name="layer"/> (one or more 32-byte hashes), padded to a power of two with
    /// <paramref name="padHash"/>.
    /// </summary>
    public static void Root(ReadOnlySpan<byte> layer, ReadOnlySpan<byte> padHash, Span<byte> root)
    {
        var count = layer.Length / HashSize;
        var padded = (int)BitOperations.RoundUpToPowerOf2((uint)count);
        var scratch = ArrayPool<byte>.Shared.Rent(padded * HashSize);
        try
        {
            var span = scratch.AsSpan(0, padded * HashSize);
            layer.CopyTo(span);
            for (var i = count; i < padded; i++)
            {
                padHash.CopyTo(span.Slice(i * HashSize, HashSize));
            }

            ReduceInPlace(span, padded);
            span[..HashSize].CopyTo(root);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
