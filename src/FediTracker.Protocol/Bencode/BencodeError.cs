namespace FediTracker.Protocol.Bencode;

/// <summary>Why bencode input was rejected. The offset reported with it is a byte offset into the input.</summary>
public enum BencodeError
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The input ended in the middle of a value (offset: the input length).</summary>
    UnexpectedEnd,

    /// <summary>
    /// A byte that cannot start a value here: an unknown byte, an <c>e</c> outside a container or where a dictionary
    /// value is due, a dictionary key that is not a string, or a value of another type than the caller asked for.
    /// </summary>
    UnexpectedToken,

    /// <summary>An integer with no digits, a <c>+</c> sign, or a byte other than a digit before its closing <c>e</c>.</summary>
    InvalidInteger,

    /// <summary>An integer or string length with a leading zero, such as <c>i03e</c> or <c>03:abc</c> (offset: the zero).</summary>
    LeadingZero,

    /// <summary>The integer <c>i-0e</c> (offset: the minus sign).</summary>
    NegativeZero,

    /// <summary>An integer outside the range of <see cref="long"/> (offset: the digit that overflowed).</summary>
    IntegerOverflow,

    /// <summary>A string length followed by a byte other than a digit or <c>:</c>.</summary>
    InvalidStringLength,

    /// <summary>A string whose declared length is longer than the bytes left in the input (offset: the length's first digit).</summary>
    StringTooLong,

    /// <summary>Lists and dictionaries nested deeper than the configured maximum (offset: the container that is one too deep).</summary>
    DepthExceeded,

    /// <summary>A dictionary key equal to an earlier key of the same dictionary (offset: the later key).</summary>
    DuplicateKey,

    /// <summary>In strict key order, a dictionary key that sorts before the previous key (offset: that key).</summary>
    UnsortedKey,

    /// <summary>Bytes after the one top-level value (offset: the first of them).</summary>
    TrailingBytes,
}
