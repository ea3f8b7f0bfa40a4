using System.Diagnostics.CodeAnalysis;

namespace FediTracker.Protocol.Bencode;

/// <summary>The kinds of token a <see cref="BencodeReader"/> produces.</summary>
public enum BencodeTokenType
{
    /// <summary>No token (before the first read, or after an error).</summary>
    None = 0,

    /// <summary><c>i…e</c>: the value is in <see cref="BencodeReader.IntegerValue"/>.</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "BEP 3 names the bencode types integer and string; this matches BencodeInteger and BencodeString.")]
    Integer,

    /// <summary><c>&lt;length&gt;:&lt;bytes&gt;</c>, a value or a dictionary key: the bytes are in <see cref="BencodeReader.ValueSpan"/>.</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "BEP 3 names the bencode types integer and string; this matches BencodeInteger and BencodeString.")]
    String,

    /// <summary><c>l</c>, the start of a list.</summary>
    ListStart,

    /// <summary><c>d</c>, the start of a dictionary.</summary>
    DictionaryStart,

    /// <summary><c>e</c>, the end of the innermost list or dictionary.</summary>
    End,
}
