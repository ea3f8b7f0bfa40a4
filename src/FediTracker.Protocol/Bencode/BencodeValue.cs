namespace FediTracker.Protocol.Bencode;

/// <summary>
/// A decoded bencode value: <see cref="BencodeInteger"/>, <see cref="BencodeString"/>, <see cref="BencodeList"/> or
/// <see cref="BencodeDictionary"/>. For torrent files, tests and tools; the hot path uses <see cref="BencodeReader"/>
/// and <see cref="BencodeWriter"/> directly.
/// </summary>
public abstract class BencodeValue
{
    // Only the four kinds above exist.
    private protected BencodeValue()
    {
    }
}
