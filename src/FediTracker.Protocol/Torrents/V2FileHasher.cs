using System.Buffers;
using System.Numerics;
using System.Security.Cryptography;

namespace FediTracker.Protocol.Torrents;

/// <summary>
/// The BEP 52 merkle tree of one file fed to it in order: SHA-256 of each 16 KiB block, each piece's blocks folded
/// into its piece-layer hash as soon as the piece is complete, and the pieces root at the end.
/// </summary>
/// <remarks>Every <see cref="Append"/> but the last must be a whole number of 16 KiB blocks.</remarks>
internal sealed class V2FileHasher : IDisposable
{
    private const int HashSize = MerkleHashes.HashSize;

    private readonly int _pieceLength;
    private readonly int _blocksPerPiece;
    private readonly byte[] _leaves; // the current piece's block hashes (pooled, _blocksPerPiece * 32 bytes used)
    private readonly ArrayBufferWriter<byte> _pieceLayer;
    private readonly byte[] _root = new byte[HashSize];
    private int _leafCount;
    private long _length;
    private bool _ended; // a short block was seen: nothing may follow
    private bool _complete;

    public V2FileHasher(int pieceLength, int expectedPieces)
    {
        _pieceLength = pieceLength;
        _blocksPerPiece = pieceLength / MerkleHashes.BlockSize;
        _leaves = ArrayPool<byte>.Shared.Rent(_blocksPerPiece * HashSize);
        _pieceLayer = new ArrayBufferWriter<byte>(Math.Max(1, expectedPieces) * HashSize);
    }

    /// <summary>The pieces root; valid after <see cref="Complete"/>.</summary>
    public ReadOnlySpan<byte> Root => _root;

    /// <summary>The piece layer (32 bytes per piece); valid after <see cref="Complete"/>, meaningful when the file is longer than one piece.</summary>
    public ReadOnlySpan<byte> PieceLayer => _pieceLayer.WrittenSpan;

    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_ended)
            {
                throw new InvalidOperationException("Only the last chunk of a file may end with a partial 16 KiB block.");
            }

            var blockLength = Math.Min(MerkleHashes.BlockSize, data.Length);
            SHA256.HashData(data[..blockLength], _leaves.AsSpan(_leafCount * HashSize, HashSize));
            _leafCount++;
            _length += blockLength;
            _ended = blockLength < MerkleHashes.BlockSize;
            data = data[blockLength..];
            if (_leafCount == _blocksPerPiece)
            {
                FinishPiece();
            }
        }
    }

    public void Complete()
    {
        if (_complete)
        {
            return;
        }

        _complete = true;
        if (_length <= _pieceLength)
        {
            // One piece or less: the root over the file's own blocks, padded to a power of two with zero leaves.
            if (_leafCount == 0)
            {
                _pieceLayer.WrittenSpan[..HashSize].CopyTo(_root); // exactly one full piece, already folded
                return;
            }

            var padded = (int)BitOperations.RoundUpToPowerOf2((uint)_leafCount);
            _leaves.AsSpan(_leafCount * HashSize, (padded - _leafCount) * HashSize).Clear();
            MerkleHashes.ReduceInPlace(_leaves, padded);
            _leaves.AsSpan(0, HashSize).CopyTo(_root);
            return;
        }

        if (_leafCount > 0)
        {
            // The last piece is padded with zero leaves to a whole piece.
            _leaves.AsSpan(_leafCount * HashSize, (_blocksPerPiece - _leafCount) * HashSize).Clear();
            FinishPiece();
        }

        Span<byte> pad = stackalloc byte[HashSize];
        MerkleHashes.PadHash(BitOperations.Log2((uint)_blocksPerPiece), pad);
        MerkleHashes.Root(_pieceLayer.WrittenSpan, pad, _root);
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_leaves);

    private void FinishPiece()
    {
        MerkleHashes.ReduceInPlace(_leaves, _blocksPerPiece);
        _leaves.AsSpan(0, HashSize).CopyTo(_pieceLayer.GetSpan(HashSize));
        _pieceLayer.Advance(HashSize);
        _leafCount = 0;
    }
}
