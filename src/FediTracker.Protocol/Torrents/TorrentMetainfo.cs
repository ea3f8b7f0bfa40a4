using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using FediTracker.Protocol.Bencode;

namespace FediTracker.Protocol.Torrents;

/// <summary>
/// What a tracker needs to know of a .torrent file (BEP 3, BEP 12, BEP 19, BEP 27, BEP 52): its info-hashes, name,
/// size, pieces, trackers and web seeds. Made only by <see cref="TryParse"/>, which checks the structure first.
/// </summary>
/// <remarks>
/// The info-hashes are taken over the <c>info</c> dictionary's bytes exactly as they are in the file (never a
/// re-encoding), so a file with unsorted keys still gets the hash every client computes for it.
/// </remarks>
public sealed class TorrentMetainfo
{
    /// <summary>The input size limit used when none is given: 16 MiB, far above any real single torrent's metadata.</summary>
    public const int DefaultMaxBytes = 16 * 1024 * 1024;

    /// <summary>The largest piece length accepted: 1 GiB.</summary>
    public const long MaxPieceLength = 1L << 30;

    // Far above any real torrent (8 EiB is long.MaxValue), low enough that sums and piece counts cannot overflow.
    private const long MaxTotalLength = 1L << 60;

    private TorrentMetainfo()
    {
    }

    public TorrentVersion Version { get; private init; }

    /// <summary>The SHA-1 of the info dictionary, for v1 and hybrid torrents; null for v2-only ones, which v1 clients cannot use.</summary>
    public InfoHash? InfoHashV1 { get; private init; }

    /// <summary>The SHA-256 of the info dictionary, for v2 and hybrid torrents.</summary>
    public Bytes32? InfoHashV2Full { get; private init; }

    /// <summary><see cref="InfoHashV2Full"/> truncated to 20 bytes: what v2 clients announce (BEP 52).</summary>
    public InfoHash? InfoHashV2 => InfoHashV2Full is { } full ? new InfoHash(full.Truncate()) : null;

    /// <summary>The <c>name</c> key: the file's name, or the top directory's for several files (UTF-8; invalid bytes replaced).</summary>
    public string Name { get; private init; } = "";

    /// <summary>The size of the content in bytes, without BEP 47 padding files.</summary>
    public long TotalLength { get; private init; }

    public long PieceLength { get; private init; }

    /// <summary>How many pieces the content is cut into (counting padding files for a v1 or hybrid torrent).</summary>
    public long PieceCount { get; private init; }

    /// <summary>How many files the torrent describes, without BEP 47 padding files.</summary>
    public int FileCount { get; private init; }

    /// <summary>The info dictionary's <c>private</c> key is 1 (BEP 27): clients get peers from trackers only.</summary>
    public bool IsPrivate { get; private init; }

    public string? Announce { get; private init; }

    /// <summary>The BEP 12 tiers of tracker URLs, in file order; empty when the key is absent.</summary>
    public IReadOnlyList<IReadOnlyList<string>> AnnounceList { get; private init; } = [];

    /// <summary>The BEP 19 web seeds (<c>url-list</c>, a single string or a list); empty when absent.</summary>
    public IReadOnlyList<string> UrlList { get; private init; } = [];

    /// <summary>
    /// Parses and checks a .torrent file. Never throws on bad input: on failure <paramref name="error"/> says, in
    /// a sentence meant for the person who uploaded the file, what is wrong.
    /// </summary>
    /// <param name="data">The whole file.</param>
    /// <param name="torrent">The metainfo, when the method returns <see langword="true"/>.</param>
    /// <param name="error">Why the file was rejected, when the method returns <see langword="false"/>.</param>
    /// <param name="maxBytes">Files longer than this are rejected before they are parsed.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> is not positive.</exception>
    public static bool TryParse(
        ReadOnlySpan<byte> data,
        [NotNullWhen(true)] out TorrentMetainfo? torrent,
        [NotNullWhen(false)] out string? error,
        int maxBytes = DefaultMaxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        torrent = null;
        error = Check(data, maxBytes, out var parsed);
        if (error is not null)
        {
            return false;
        }

        torrent = parsed!;
        return true;
    }

    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "BEP 3 defines v1 piece hashes and info-hashes as SHA-1; they identify content, they do not protect it.")]
    private static string? Check(ReadOnlySpan<byte> data, int maxBytes, out TorrentMetainfo? torrent)
    {
        torrent = null;
        if (data.IsEmpty)
        {
            return "The file is empty.";
        }

        if (data.Length > maxBytes)
        {
            return Format($"The file is {data.Length} bytes long; the limit is {maxBytes} bytes.");
        }

        if (!BencodeSerializer.TryParse(data, out var rootValue, out var bencodeError, out var errorOffset))
        {
            return Format($"The file is not valid bencode: {Describe(bencodeError)} at byte {errorOffset}.");
        }

        if (rootValue is not BencodeDictionary root)
        {
            return "The file is not a torrent: its top level is not a dictionary.";
        }

        if (!root.TryGetValue("info"u8, out var infoValue))
        {
            return "The torrent has no 'info' dictionary.";
        }

        if (infoValue is not BencodeDictionary info)
        {
            return "The torrent's 'info' is not a dictionary.";
        }

        var (infoStart, infoLength) = FindRawInfo(data);
        var rawInfo = data.Slice(infoStart, infoLength);

        if (CheckName(info, out var name) is { } nameError)
        {
            return nameError;
        }

        if (!info.TryGetValue("piece length"u8, out var pieceLengthValue))
        {
            return "The info dictionary has no 'piece length'.";
        }

        if (pieceLengthValue is not BencodeInteger { Value: var pieceLength })
        {
            return "The info dictionary's 'piece length' is not an integer.";
        }

        if (pieceLength is <= 0 or > MaxPieceLength)
        {
            return Format($"The piece length {pieceLength} is out of range (1 byte to {MaxPieceLength} bytes).");
        }

        var hasV2 = false;
        if (info.TryGetValue("meta version"u8, out var metaVersionValue))
        {
            if (metaVersionValue is not BencodeInteger { Value: var metaVersion })
            {
                return "The info dictionary's 'meta version' is not an integer.";
            }

            if (metaVersion != 2)
            {
                return Format($"The torrent has meta version {metaVersion}; only 2 (BEP 52) is supported.");
            }

            hasV2 = true;
        }

        var hasV1 = info.ContainsKey("pieces"u8);
        if (!hasV1 && !hasV2)
        {
            return "The info dictionary has neither 'pieces' (BitTorrent v1) nor 'meta version' 2 (BitTorrent v2).";
        }

        long v1Length = 0, v2Length = 0, pieceCount = 0, v2PieceCount = 0;
        int v1Files = 0, v2Files = 0;
        if (hasV1 && CheckV1(info, pieceLength, out v1Length, out v1Files, out pieceCount) is { } v1Error)
        {
            return v1Error;
        }

        if (hasV2 && CheckV2(root, info, pieceLength, out v2Length, out v2Files, out v2PieceCount) is { } v2Error)
        {
            return v2Error;
        }
        else if (!hasV1)
        {
            pieceCount = v2PieceCount;
        }

        if (hasV1 && hasV2 && (v1Length != v2Length || v1Files != v2Files))
        {
            return Format($"The v1 and v2 parts of this hybrid torrent describe different content: {v1Files} file(s) of {v1Length} bytes against {v2Files} file(s) of {v2Length} bytes.");
        }

        var totalLength = hasV2 ? v2Length : v1Length;
        if (totalLength == 0)
        {
            return "The torrent describes no data: its total length is 0 bytes.";
        }

        var isPrivate = false;
        if (info.TryGetValue("private"u8, out var privateValue))
        {
            if (privateValue is not BencodeInteger privateInteger)
            {
                return "The info dictionary's 'private' is not an integer.";
            }

            isPrivate = privateInteger.Value == 1;
        }

        if (CheckTrackers(root, out var announce, out var announceList, out var urlList) is { } trackerError)
        {
            return trackerError;
        }

        Bytes32? v2Hash = null;
        InfoHash? v1Hash = null;
        if (hasV2)
        {
            Span<byte> sha256 = stackalloc byte[Bytes32.Length];
            SHA256.HashData(rawInfo, sha256);
            v2Hash = Bytes32.Read(sha256);
        }

        if (hasV1)
        {
            Span<byte> sha1 = stackalloc byte[Bytes20.Length];
            SHA1.HashData(rawInfo, sha1);
            v1Hash = InfoHash.Read(sha1);
        }

        torrent = new TorrentMetainfo
        {
            Version = hasV1 && hasV2 ? TorrentVersion.Hybrid : hasV2 ? TorrentVersion.V2 : TorrentVersion.V1,
            InfoHashV1 = v1Hash,
            InfoHashV2Full = v2Hash,
            Name = name,
            TotalLength = totalLength,
            PieceLength = pieceLength,
            PieceCount = pieceCount,
            FileCount = hasV2 ? v2Files : v1Files,
            IsPrivate = isPrivate,
            Announce = announce,
            AnnounceList = announceList,
            UrlList = urlList,
        };
        return null;
    }

    // The offset and length of the top-level 'info' value. Only called on input that parsed, with an 'info' key.
    private static (int Start, int Length) FindRawInfo(ReadOnlySpan<byte> data)
    {
        var reader = new BencodeReader(data);
        reader.TryReadDictionaryStart();
        while (reader.TryReadString(out var key))
        {
            var start = reader.Position;
            if (!reader.TrySkipValue())
            {
                break;
            }

            if (key.SequenceEqual("info"u8))
            {
                return (start, reader.Position - start);
            }
        }

        throw new InvalidOperationException("The info dictionary of a parsed torrent was not found again.");
    }

    private static string? CheckName(BencodeDictionary info, out string name)
    {
        name = "";
        if (!info.TryGetValue("name"u8, out var nameValue))
        {
            return "The info dictionary has no 'name'.";
        }

        if (nameValue is not BencodeString nameString)
        {
            return "The info dictionary's 'name' is not a string.";
        }

        if (nameString.Length == 0)
        {
            return "The info dictionary's 'name' is empty.";
        }

        // Old torrents in other encodings carry a UTF-8 copy of the name beside it.
        if (!nameString.TryGetText(out var text)
            && info.TryGet<BencodeString>("name.utf-8"u8, out var utf8Name)
            && utf8Name.TryGetText(out var utf8Text)
            && utf8Text.Length > 0)
        {
            text = utf8Text;
        }

        name = text ?? nameString.Text;
        return null;
    }

    private static string? CheckV1(BencodeDictionary info, long pieceLength, out long length, out int fileCount, out long pieceCount)
    {
        length = 0;
        fileCount = 0;
        pieceCount = 0;
        long paddedLength = 0;
        var hasLength = info.TryGetValue("length"u8, out var lengthValue);
        var hasFiles = info.TryGetValue("files"u8, out var filesValue);
        if (hasLength == hasFiles)
        {
            return hasLength
                ? "The info dictionary has both 'length' (one file) and 'files' (several); it must have one."
                : "The info dictionary has neither 'length' (one file) nor 'files' (several).";
        }

        if (hasLength)
        {
            if (lengthValue is not BencodeInteger { Value: var single } || single < 0 || single > MaxTotalLength)
            {
                return "The info dictionary's 'length' is not a non-negative integer in range.";
            }

            length = paddedLength = single;
            fileCount = 1;
        }
        else
        {
            if (filesValue is not BencodeList files || files.Count == 0)
            {
                return "The info dictionary's 'files' is not a non-empty list.";
            }

            for (var i = 0; i < files.Count; i++)
            {
                if (files[i] is not BencodeDictionary file)
                {
                    return Format($"Entry {i} of 'files' is not a dictionary.");
                }

                if (!file.TryGetValue("length"u8, out var fileLengthValue) || fileLengthValue is not BencodeInteger { Value: var fileLength } || fileLength < 0)
                {
                    return Format($"Entry {i} of 'files' has no non-negative integer 'length'.");
                }

                if (!file.TryGetValue("path"u8, out var pathValue) || pathValue is not BencodeList { Count: > 0 } path)
                {
                    return Format($"Entry {i} of 'files' has no non-empty list 'path'.");
                }

                foreach (var component in path)
                {
                    if (component is not BencodeString)
                    {
                        return Format($"Entry {i} of 'files' has a 'path' element that is not a string.");
                    }
                }

                if (fileLength > MaxTotalLength - paddedLength)
                {
                    return "The files add up to more bytes than any torrent can hold.";
                }

                paddedLength += fileLength;
                var isPadding = file.TryGet<BencodeString>("attr"u8, out var attr) && attr.Span.Contains((byte)'p');
                if (!isPadding)
                {
                    length += fileLength;
                    fileCount++;
                }
            }
        }

        if (!info.TryGetValue("pieces"u8, out var piecesValue) || piecesValue is not BencodeString pieces)
        {
            return "The info dictionary's 'pieces' is not a string.";
        }

        pieceCount = (paddedLength / pieceLength) + (paddedLength % pieceLength == 0 ? 0 : 1);
        if (pieces.Length % Bytes20.Length != 0 || pieces.Length / Bytes20.Length != pieceCount)
        {
            return Format($"The info dictionary's 'pieces' holds {pieces.Length} bytes; {pieceCount} pieces of {pieceLength} bytes for {paddedLength} bytes need {pieceCount * Bytes20.Length} (20 per piece).");
        }

        return null;
    }

    private static string? CheckV2(BencodeDictionary root, BencodeDictionary info, long pieceLength, out long length, out int fileCount, out long pieceCount)
    {
        length = 0;
        fileCount = 0;
        pieceCount = 0;
        if (pieceLength < MerkleHashes.BlockSize || !BitOperations.IsPow2(pieceLength))
        {
            return Format($"The piece length {pieceLength} is not valid for BitTorrent v2: it must be a power of two of at least 16384 bytes.");
        }

        if (!info.TryGetValue("file tree"u8, out var treeValue))
        {
            return "The info dictionary has 'meta version' 2 but no 'file tree'.";
        }

        if (treeValue is not BencodeDictionary tree || tree.Count == 0)
        {
            return "The info dictionary's 'file tree' is not a non-empty dictionary.";
        }

        BencodeDictionary? layers = null;
        if (root.TryGetValue("piece layers"u8, out var layersValue))
        {
            layers = layersValue as BencodeDictionary;
            if (layers is null)
            {
                return "The torrent's 'piece layers' is not a dictionary.";
            }
        }

        var context = new V2Context(pieceLength, layers);
        if (CheckFileTree(tree, "", context) is { } error)
        {
            return error;
        }

        length = context.Length;
        fileCount = context.FileCount;
        pieceCount = context.PieceCount;
        return null;
    }

    // Walks one directory of the file tree. Recursion depth is bounded by the bencode nesting limit.
    private static string? CheckFileTree(BencodeDictionary directory, string path, V2Context context)
    {
        foreach (var (key, value) in directory)
        {
            var entryPath = path.Length == 0 ? key.Text : path + "/" + key.Text;
            if (key.Length == 0)
            {
                return Format($"The file tree has an empty name in '{path}'.");
            }

            if (value is not BencodeDictionary node || node.Count == 0)
            {
                return Format($"The file tree entry '{entryPath}' is not a non-empty dictionary.");
            }

            if (node.TryGetValue(""u8, out var leafValue))
            {
                if (node.Count != 1)
                {
                    return Format($"The file tree entry '{entryPath}' is both a file and a directory.");
                }

                if (leafValue is not BencodeDictionary leaf)
                {
                    return Format($"The file tree entry '{entryPath}' has a file description that is not a dictionary.");
                }

                if (CheckFile(leaf, entryPath, context) is { } fileError)
                {
                    return fileError;
                }
            }
            else if (CheckFileTree(node, entryPath, context) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static string? CheckFile(BencodeDictionary file, string path, V2Context context)
    {
        if (!file.TryGetValue("length"u8, out var lengthValue) || lengthValue is not BencodeInteger { Value: var length } || length < 0 || length > MaxTotalLength)
        {
            return Format($"The file '{path}' has no non-negative integer 'length' in range.");
        }

        if (length > MaxTotalLength - context.Length)
        {
            return "The files add up to more bytes than any torrent can hold.";
        }

        context.Length += length;
        context.FileCount++;
        if (length == 0)
        {
            return null; // BEP 52: an empty file has no pieces root.
        }

        var pieces = (length / context.PieceLength) + (length % context.PieceLength == 0 ? 0 : 1);
        context.PieceCount += pieces;
        if (!file.TryGetValue("pieces root"u8, out var rootValue) || rootValue is not BencodeString { Length: Bytes32.Length } piecesRoot)
        {
            return Format($"The file '{path}' has no 32-byte 'pieces root'.");
        }

        if (length <= context.PieceLength)
        {
            return null; // one piece: the pieces root is all there is.
        }

        if (context.Layers is null || !context.Layers.TryGetValue(piecesRoot.Span, out var layerValue))
        {
            return Format($"The torrent has no 'piece layers' entry for the file '{path}' ({length} bytes, more than one piece).");
        }

        if (layerValue is not BencodeString layer || layer.Length != pieces * MerkleHashes.HashSize)
        {
            return Format($"The piece layer of the file '{path}' is not {pieces} hashes of 32 bytes.");
        }

        Span<byte> pad = stackalloc byte[MerkleHashes.HashSize];
        Span<byte> computed = stackalloc byte[MerkleHashes.HashSize];
        MerkleHashes.PadHash(BitOperations.Log2((ulong)(context.PieceLength / MerkleHashes.BlockSize)), pad);
        MerkleHashes.Root(layer.Span, pad, computed);
        return computed.SequenceEqual(piecesRoot.Span)
            ? null
            : Format($"The piece layer of the file '{path}' does not hash to its pieces root.");
    }

    private static string? CheckTrackers(BencodeDictionary root, out string? announce, out IReadOnlyList<IReadOnlyList<string>> announceList, out IReadOnlyList<string> urlList)
    {
        announce = null;
        announceList = [];
        urlList = [];
        if (root.TryGetValue("announce"u8, out var announceValue))
        {
            if (announceValue is not BencodeString announceString || !announceString.TryGetText(out announce))
            {
                return "The torrent's 'announce' is not a UTF-8 string.";
            }
        }

        if (root.TryGetValue("announce-list"u8, out var listValue))
        {
            if (listValue is not BencodeList tiersList)
            {
                return "The torrent's 'announce-list' is not a list of lists.";
            }

            var tiers = new List<IReadOnlyList<string>>(tiersList.Count);
            foreach (var tierValue in tiersList)
            {
                if (tierValue is not BencodeList tierList)
                {
                    return "The torrent's 'announce-list' is not a list of lists.";
                }

                var tier = new List<string>(tierList.Count);
                foreach (var urlValue in tierList)
                {
                    if (urlValue is not BencodeString url || !url.TryGetText(out var text))
                    {
                        return "The torrent's 'announce-list' holds something other than UTF-8 strings.";
                    }

                    tier.Add(text);
                }

                tiers.Add(tier);
            }

            announceList = tiers;
        }

        if (root.TryGetValue("url-list"u8, out var urlListValue))
        {
            var urls = new List<string>();
            switch (urlListValue)
            {
                case BencodeString single:
                    if (!single.TryGetText(out var singleText))
                    {
                        return "The torrent's 'url-list' is not UTF-8.";
                    }

                    if (singleText.Length > 0)
                    {
                        urls.Add(singleText);
                    }

                    break;

                case BencodeList list:
                    foreach (var item in list)
                    {
                        if (item is not BencodeString url || !url.TryGetText(out var text))
                        {
                            return "The torrent's 'url-list' holds something other than UTF-8 strings.";
                        }

                        urls.Add(text);
                    }

                    break;

                default:
                    return "The torrent's 'url-list' is neither a string nor a list of strings.";
            }

            urlList = urls;
        }

        return null;
    }

    private static string Describe(BencodeError error) => error switch
    {
        BencodeError.UnexpectedEnd => "it ends in the middle of a value",
        BencodeError.UnexpectedToken => "a byte that cannot start a value there",
        BencodeError.InvalidInteger => "a malformed integer",
        BencodeError.LeadingZero => "a number with a leading zero",
        BencodeError.NegativeZero => "the integer -0",
        BencodeError.IntegerOverflow => "an integer too large",
        BencodeError.InvalidStringLength => "a malformed string length",
        BencodeError.StringTooLong => "a string longer than the rest of the file",
        BencodeError.DepthExceeded => "lists and dictionaries nested too deep",
        BencodeError.DuplicateKey => "a dictionary key that appears twice",
        BencodeError.UnsortedKey => "dictionary keys out of order",
        BencodeError.TrailingBytes => "bytes after the end of the torrent",
        _ => error.ToString(),
    };

    private static string Format(FormattableString message) => message.ToString(CultureInfo.InvariantCulture);

    private sealed class V2Context(long pieceLength, BencodeDictionary? layers)
    {
        public long PieceLength { get; } = pieceLength;

        public BencodeDictionary? Layers { get; } = layers;

        public long Length { get; set; }

        public int FileCount { get; set; }

        public long PieceCount { get; set; }
    }
}
