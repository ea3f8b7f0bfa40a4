using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Security.Cryptography;
using FediTracker.Protocol.Bencode;

namespace FediTracker.Protocol.Torrents;

/// <summary>
/// Makes a single-file torrent — hybrid v1+v2 by default, or v1-only / v2-only — from a stream, reading it once.
/// </summary>
/// <remarks>
/// <para>
/// The stream is read in 1 MiB chunks into one pooled buffer. v1 hashes each piece with SHA-1; v2 hashes each
/// 16 KiB block with SHA-256 and folds each piece's blocks into its piece-layer hash as soon as the piece is
/// complete, so memory is one buffer plus 20 + 32 bytes per piece, whatever the file size. For a hybrid torrent
/// SHA-1 and SHA-256 run on two threads, chunk by chunk.
/// </para>
/// <para>
/// BEP 52 rules that shape the output: a file of one piece or less has no <c>piece layers</c> entry and its pieces
/// root is the root over its own blocks (padded to a power of two with zero leaves); a longer file's last piece is
/// padded with zero leaves to a full piece, and the piece layer is padded to a power of two with the root of a
/// piece of zero leaves. The v1 part of a single-file hybrid torrent needs no padding file: the file starts at
/// offset 0, so v1 and v2 pieces cover the same bytes, and the last v1 piece is the file's tail as it is.
/// </para>
/// <para>An empty stream is refused: BEP 52 gives an empty file no pieces root, and clients reject torrents with no data.</para>
/// </remarks>
public static class TorrentBuilder
{
    public const int MinPieceLength = MerkleHashes.BlockSize;

    public const int MaxPieceLength = 64 * 1024 * 1024;

    /// <summary>The largest piece length <see cref="ChoosePieceLength"/> picks.</summary>
    public const int MaxAutomaticPieceLength = 16 * 1024 * 1024;

    /// <summary><see cref="ChoosePieceLength"/> keeps the piece count at or under this while the piece length allows.</summary>
    public const int TargetMaxPieces = 2000;

    internal const int ChunkSize = 1024 * 1024; // a power of two: chunks start on block and piece boundaries

    /// <summary>
    /// The smallest power of two, at least 16 KiB, that cuts <paramref name="length"/> bytes into at most 2000 pieces
    /// (so between 1000 and 2000 unless the file is small), capped at 16 MiB.
    /// </summary>
    public static int ChoosePieceLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var pieceLength = MinPieceLength;
        while (pieceLength < MaxAutomaticPieceLength && (length + pieceLength - 1) / pieceLength > TargetMaxPieces)
        {
            pieceLength *= 2;
        }

        return pieceLength;
    }

    /// <summary>Reads <paramref name="content"/> from its current position to its end and returns the torrent for it.</summary>
    /// <exception cref="ArgumentException">The options are invalid, the stream is empty, or the piece length is automatic
    /// and the content length cannot be known.</exception>
    public static async Task<TorrentBuildResult> BuildAsync(Stream content, TorrentBuildOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var expectedLength = options.ContentLength ?? (content.CanSeek ? content.Length - content.Position : null);
        var pieceLength = options.PieceLength
            ?? (expectedLength is { } known
                ? ChoosePieceLength(known)
                : throw new ArgumentException("The piece length must be given when the content length is unknown (the stream cannot seek).", nameof(options)));

        var expectedPieces = expectedLength is { } expected ? (int)Math.Min((expected / pieceLength) + 1, 1 << 20) : 64;
        using var v1 = options.Version != TorrentVersion.V2 ? new V1PieceHasher(pieceLength, expectedPieces) : null;
        using var v2 = options.Version != TorrentVersion.V1 ? new V2FileHasher(pieceLength, expectedPieces) : null;
        var parallel = v1 is not null && v2 is not null && options.ParallelHashing && Environment.ProcessorCount > 1;
        long length = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (true)
            {
                var filled = await FillAsync(content, buffer, cancellationToken).ConfigureAwait(false);
                if (filled == 0)
                {
                    break;
                }

                length += filled;
                if (parallel)
                {
                    var v1Task = Task.Run(() => v1!.Append(buffer.AsSpan(0, filled)), cancellationToken);
                    v2!.Append(buffer.AsSpan(0, filled));
                    await v1Task.ConfigureAwait(false);
                }
                else
                {
                    v1?.Append(buffer.AsSpan(0, filled));
                    v2?.Append(buffer.AsSpan(0, filled));
                }

                if (filled < ChunkSize)
                {
                    break; // FillAsync stops short only at the end of the stream
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (length == 0)
        {
            throw new ArgumentException("The content is empty; a torrent needs at least one byte.", nameof(content));
        }

        v1?.Complete();
        v2?.Complete();
        return Write(options, pieceLength, length, v1, v2);
    }

    private static void Validate(TorrentBuildOptions options)
    {
        var name = options.Name;
        if (string.IsNullOrEmpty(name) || name is "." or ".." || name.AsSpan().IndexOfAny('/', '\\', '\0') >= 0)
        {
            throw new ArgumentException("The name must be one non-empty path component: no '/', '\\' or NUL, not '.' or '..'.", nameof(options));
        }

        if (options.PieceLength is { } pieceLength && (pieceLength < MinPieceLength || pieceLength > MaxPieceLength || !BitOperations.IsPow2(pieceLength)))
        {
            throw new ArgumentException($"The piece length must be a power of two from {MinPieceLength} to {MaxPieceLength} bytes.", nameof(options));
        }

        if (options.Version is not (TorrentVersion.V1 or TorrentVersion.V2 or TorrentVersion.Hybrid))
        {
            throw new ArgumentException("Unknown torrent version.", nameof(options));
        }

        if (options.Announce is null && options.Trackers.Count > 0)
        {
            throw new ArgumentException("Extra trackers need an announce URL for the first tier.", nameof(options));
        }

        if (options.ContentLength is < 0)
        {
            throw new ArgumentException("The content length cannot be negative.", nameof(options));
        }

        foreach (var uri in (ReadOnlySpan<Uri?>)[options.Announce, .. options.Trackers, .. options.WebSeeds])
        {
            if (uri is not null && !uri.IsAbsoluteUri)
            {
                throw new ArgumentException($"'{uri}' is not an absolute URL.", nameof(options));
            }
        }
    }

    // Reads until the buffer is full or the stream ends.
    private static async ValueTask<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < ChunkSize)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled, ChunkSize - filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "BEP 3 defines v1 piece hashes and info-hashes as SHA-1; they identify content, they do not protect it.")]
    private static TorrentBuildResult Write(TorrentBuildOptions options, int pieceLength, long length, V1PieceHasher? v1, V2FileHasher? v2)
    {
        var output = new ArrayBufferWriter<byte>(1024 + (v1?.Pieces.Length ?? 0) + (v2?.PieceLayer.Length ?? 0));
        var writer = new BencodeWriter(output);
        writer.WriteDictionaryStart();
        if (options.Announce is { } announce)
        {
            writer.WriteKey("announce"u8);
            writer.WriteString(announce.OriginalString);
            if (options.Trackers.Count > 0)
            {
                writer.WriteKey("announce-list"u8);
                writer.WriteListStart();
                WriteTier(ref writer, announce);
                foreach (var tracker in options.Trackers)
                {
                    if (!string.Equals(tracker.OriginalString, announce.OriginalString, StringComparison.Ordinal))
                    {
                        WriteTier(ref writer, tracker);
                    }
                }

                writer.WriteEnd();
            }
        }

        if (options.Comment is { } comment)
        {
            writer.WriteKey("comment"u8);
            writer.WriteString(comment);
        }

        if (options.CreatedBy is { } createdBy)
        {
            writer.WriteKey("created by"u8);
            writer.WriteString(createdBy);
        }

        if (options.CreationDate is { } date)
        {
            writer.WriteKey("creation date"u8);
            writer.WriteInteger(date.ToUnixTimeSeconds());
        }

        writer.WriteKey("info"u8);
        var infoStart = (int)writer.BytesWritten;
        writer.WriteDictionaryStart();
        if (v2 is not null)
        {
            writer.WriteKey("file tree"u8);
            writer.WriteDictionaryStart();
            writer.WriteString(options.Name);
            writer.WriteDictionaryStart();
            writer.WriteKey(""u8);
            writer.WriteDictionaryStart();
            writer.WriteKey("length"u8);
            writer.WriteInteger(length);
            writer.WriteKey("pieces root"u8);
            writer.WriteString(v2.Root);
            writer.WriteEnd();
            writer.WriteEnd();
            writer.WriteEnd();
        }

        if (v1 is not null)
        {
            writer.WriteKey("length"u8);
            writer.WriteInteger(length);
        }

        if (v2 is not null)
        {
            writer.WriteKey("meta version"u8);
            writer.WriteInteger(2);
        }

        writer.WriteKey("name"u8);
        writer.WriteString(options.Name);
        writer.WriteKey("piece length"u8);
        writer.WriteInteger(pieceLength);
        if (v1 is not null)
        {
            writer.WriteKey("pieces"u8);
            writer.WriteString(v1.Pieces);
        }

        if (options.IsPrivate)
        {
            writer.WriteKey("private"u8);
            writer.WriteInteger(1);
        }

        writer.WriteEnd();
        var infoEnd = (int)writer.BytesWritten;

        // BEP 52: only files longer than one piece have a piece layer.
        if (v2 is not null && length > pieceLength)
        {
            writer.WriteKey("piece layers"u8);
            writer.WriteDictionaryStart();
            writer.WriteString(v2.Root);
            writer.WriteString(v2.PieceLayer);
            writer.WriteEnd();
        }

        if (options.WebSeeds.Count > 0)
        {
            writer.WriteKey("url-list"u8);
            writer.WriteListStart();
            foreach (var seed in options.WebSeeds)
            {
                writer.WriteString(seed.OriginalString);
            }

            writer.WriteEnd();
        }

        writer.WriteEnd();

        var bytes = output.WrittenSpan.ToArray();
        var info = bytes.AsSpan(infoStart, infoEnd - infoStart);
        InfoHash? v1Hash = null;
        Bytes32? v2Hash = null;
        if (v1 is not null)
        {
            Span<byte> sha1 = stackalloc byte[Bytes20.Length];
            SHA1.HashData(info, sha1);
            v1Hash = InfoHash.Read(sha1);
        }

        if (v2 is not null)
        {
            Span<byte> sha256 = stackalloc byte[Bytes32.Length];
            SHA256.HashData(info, sha256);
            v2Hash = Bytes32.Read(sha256);
        }

        return new TorrentBuildResult
        {
            Metainfo = bytes,
            Version = options.Version,
            InfoHashV1 = v1Hash,
            InfoHashV2Full = v2Hash,
            Length = length,
            PieceLength = pieceLength,
            PieceCount = (length + pieceLength - 1) / pieceLength,
        };
    }

    private static void WriteTier(ref BencodeWriter writer, Uri tracker)
    {
        writer.WriteListStart();
        writer.WriteString(tracker.OriginalString);
        writer.WriteEnd();
    }
}
