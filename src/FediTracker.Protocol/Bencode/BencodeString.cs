using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;

namespace FediTracker.Protocol.Bencode;

/// <summary>A bencode string: any bytes (often, but not always, UTF-8 text). Immutable.</summary>
public sealed class BencodeString : BencodeValue
{
    private readonly byte[] _bytes;

    /// <summary>Copies <paramref name="bytes"/>.</summary>
    public BencodeString(ReadOnlySpan<byte> bytes) => _bytes = bytes.ToArray();

    /// <summary>The UTF-8 encoding of <paramref name="text"/>.</summary>
    public BencodeString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _bytes = Encoding.UTF8.GetBytes(text);
    }

    public ReadOnlyMemory<byte> Bytes => _bytes;

    public ReadOnlySpan<byte> Span => _bytes;

    public int Length => _bytes.Length;

    /// <summary>The bytes decoded as UTF-8, with U+FFFD for invalid sequences.</summary>
    public string Text => Encoding.UTF8.GetString(_bytes);

    /// <summary>Decodes the bytes as UTF-8; false if they are not valid UTF-8.</summary>
    public bool TryGetText([NotNullWhen(true)] out string? text)
    {
        if (!Utf8.IsValid(_bytes))
        {
            text = null;
            return false;
        }

        text = Encoding.UTF8.GetString(_bytes);
        return true;
    }

    /// <summary><see cref="Text"/>, for display.</summary>
    public override string ToString() => Text;
}
