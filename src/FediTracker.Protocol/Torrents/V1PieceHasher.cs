using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace FediTracker.Protocol.Torrents;

/// <summary>BEP 3 <c>pieces</c>: the SHA-1 of each piece of a stream fed to it in order; the last piece may be short.</summary>
internal sealed class V1PieceHasher : IDisposable
{
    private readonly int _pieceLength;
    private readonly IncrementalHash _piece = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
    private readonly ArrayBufferWriter<byte> _pieces;
    private int _pieceFill; // bytes of the current piece already appended to _piece

    public V1PieceHasher(int pieceLength, int expectedPieces)
    {
        _pieceLength = pieceLength;
        _pieces = new ArrayBufferWriter<byte>(Math.Max(1, expectedPieces) * Bytes20.Length);
    }

    /// <summary>The 20-byte piece hashes so far, concatenated.</summary>
    public ReadOnlySpan<byte> Pieces => _pieces.WrittenSpan;

    /// <summary>Hashes the next bytes. Allocation-free, apart from growing the piece list past its expected size.</summary>
    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "BEP 3 defines v1 piece hashes and info-hashes as SHA-1; they identify content, they do not protect it.")]
    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_pieceFill == 0 && data.Length >= _pieceLength)
            {
                // A whole piece in view: one-shot.
                SHA1.HashData(data[.._pieceLength], _pieces.GetSpan(Bytes20.Length));
                _pieces.Advance(Bytes20.Length);
                data = data[_pieceLength..];
                continue;
            }

            var take = Math.Min(_pieceLength - _pieceFill, data.Length);
            _piece.AppendData(data[..take]);
            _pieceFill += take;
            data = data[take..];
            if (_pieceFill == _pieceLength)
            {
                FinishPiece();
            }
        }
    }

    /// <summary>Hashes the short last piece, if any.</summary>
    public void Complete()
    {
        if (_pieceFill > 0)
        {
            FinishPiece();
        }
    }

    public void Dispose() => _piece.Dispose();

    private void FinishPiece()
    {
        _piece.TryGetHashAndReset(_pieces.GetSpan(Bytes20.Length), out _);
        _pieces.Advance(Bytes20.Length);
        _pieceFill = 0;
    }
}
