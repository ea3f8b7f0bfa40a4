using System.Runtime.CompilerServices;

namespace FediTracker.Protocol.Bencode;

/// <summary>
/// A strict, allocation-free bencode tokenizer over one document held in a span.
/// </summary>
/// <remarks>
/// <para>
/// The reader checks the grammar as it goes: integers fit in <see cref="long"/> and have no leading zeros, no
/// <c>-0</c> and no <c>+</c>; string lengths have no leading zeros and fit in the bytes that are left; lists and
/// dictionaries nest at most <c>maxDepth</c> deep; dictionary keys are strings and every key has a value; the
/// document is exactly one value. It does not check the order of dictionary keys (that needs memory per open
/// dictionary); <see cref="BencodeSerializer.TryParse"/> does.
/// </para>
/// <para>
/// No method throws on bad input. A <c>TryRead…</c> method that meets bad input returns <see langword="false"/> and
/// records <see cref="Error"/> and <see cref="ErrorOffset"/>; the reader then stays faulted and every later read
/// returns <see langword="false"/>. After the top-level value, <see cref="TryReadToken"/> returns
/// <see langword="false"/> with <see cref="Error"/> still <see cref="BencodeError.None"/> when the input is used up,
/// or reports <see cref="BencodeError.TrailingBytes"/>.
/// </para>
/// <para>
/// Bencode has no separators, so the next token always starts at <see cref="Position"/>; the exact bytes of a value
/// (for example a torrent's <c>info</c> dictionary, to hash it) are returned by <see cref="TryReadRawValue"/>.
/// </para>
/// </remarks>
public ref struct BencodeReader
{
    /// <summary>The nesting limit used when none is given.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>The largest nesting limit a reader supports.</summary>
    public const int MaxSupportedDepth = 256;

    private const int MaxLengthDigits = 10; // int.MaxValue has 10 digits

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _maxDepth;
    private int _position;
    private int _depth;
    private LevelBits _dictionaryLevels; // bit (d - 1) is set when the container at depth d is a dictionary
    private bool _expectValue;           // the innermost dictionary has read a key and waits for its value
    private bool _complete;              // the top-level value has been read
    private BencodeTokenType _tokenType;
    private int _tokenStart;
    private ReadOnlySpan<byte> _valueSpan;
    private long _integerValue;
    private BencodeError _error;
    private int _errorOffset;

    /// <param name="data">One bencoded document.</param>
    /// <param name="maxDepth">How deep lists and dictionaries may nest, 0 to <see cref="MaxSupportedDepth"/>.</param>
    public BencodeReader(ReadOnlySpan<byte> data, int maxDepth = DefaultMaxDepth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDepth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDepth, MaxSupportedDepth);
        _data = data;
        _maxDepth = maxDepth;
        _errorOffset = -1;
    }

    /// <summary>The offset of the next unread byte; the next token starts here.</summary>
    public readonly int Position => _position;

    /// <summary>How many lists and dictionaries are open.</summary>
    public readonly int CurrentDepth => _depth;

    /// <summary>The maximum nesting depth this reader accepts.</summary>
    public readonly int MaxDepth => _maxDepth;

    /// <summary>The type of the last token read, or <see cref="BencodeTokenType.None"/>.</summary>
    public readonly BencodeTokenType TokenType => _tokenType;

    /// <summary>The offset of the first byte of the last token read; its bytes are <c>data[TokenStart..Position]</c>.</summary>
    public readonly int TokenStart => _tokenStart;

    /// <summary>
    /// For a <see cref="BencodeTokenType.String"/> token, the string's bytes (a slice of the input); for an
    /// <see cref="BencodeTokenType.Integer"/> token, its digits with any minus sign; otherwise empty.
    /// </summary>
    public readonly ReadOnlySpan<byte> ValueSpan => _valueSpan;

    /// <summary>The value of the last <see cref="BencodeTokenType.Integer"/> token.</summary>
    public readonly long IntegerValue => _integerValue;

    /// <summary>True when the last token read was a dictionary key.</summary>
    public readonly bool TokenIsKey => _tokenType == BencodeTokenType.String && _expectValue;

    /// <summary>True once the top-level value has been read to its end.</summary>
    public readonly bool IsComplete => _complete;

    /// <summary>The error that stopped the reader, or <see cref="BencodeError.None"/>.</summary>
    public readonly BencodeError Error => _error;

    /// <summary>The byte offset at which <see cref="Error"/> was found, or -1.</summary>
    public readonly int ErrorOffset => _errorOffset;

    private readonly bool InDictionary => _depth > 0 && IsDictionaryLevel(_depth);

    /// <summary>Reads the next token.</summary>
    /// <returns>
    /// <see langword="false"/> on an error (see <see cref="Error"/>), or after the top-level value when no bytes are left
    /// (<see cref="Error"/> is then <see cref="BencodeError.None"/>).
    /// </returns>
    public bool TryReadToken(out BencodeTokenType tokenType)
    {
        if (!TryPeekToken(out tokenType) || !TryConsume(tokenType))
        {
            tokenType = BencodeTokenType.None;
            return false;
        }

        return true;
    }

    /// <summary>Looks at the type of the next token without reading it. Fails the same way <see cref="TryReadToken"/> does.</summary>
    /// <remarks>Only the first byte is examined; a malformed integer or string is reported by the read that follows.</remarks>
    public bool TryPeekToken(out BencodeTokenType tokenType)
    {
        tokenType = BencodeTokenType.None;
        if (_error != BencodeError.None)
        {
            return false;
        }

        if (_complete)
        {
            return _position >= _data.Length ? false : Fail(BencodeError.TrailingBytes, _position);
        }

        if (_position >= _data.Length)
        {
            return Fail(BencodeError.UnexpectedEnd, _data.Length);
        }

        var type = _data[_position] switch
        {
            (byte)'i' => BencodeTokenType.Integer,
            (byte)'l' => BencodeTokenType.ListStart,
            (byte)'d' => BencodeTokenType.DictionaryStart,
            (byte)'e' => BencodeTokenType.End,
            >= (byte)'0' and <= (byte)'9' => BencodeTokenType.String,
            _ => BencodeTokenType.None,
        };

        var allowed = type != BencodeTokenType.None
            && (InDictionary
                ? (_expectValue ? type != BencodeTokenType.End : type is BencodeTokenType.String or BencodeTokenType.End)
                : _depth > 0 || type != BencodeTokenType.End);
        if (!allowed)
        {
            return Fail(BencodeError.UnexpectedToken, _position);
        }

        tokenType = type;
        return true;
    }

    /// <summary>Reads an integer value. Any other next token is an <see cref="BencodeError.UnexpectedToken"/>.</summary>
    public bool TryReadInteger(out long value)
    {
        value = 0;
        if (!TryReadExpected(BencodeTokenType.Integer))
        {
            return false;
        }

        value = _integerValue;
        return true;
    }

    /// <summary>Reads a string value or dictionary key; <paramref name="value"/> is a slice of the input.</summary>
    public bool TryReadString(out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!TryReadExpected(BencodeTokenType.String))
        {
            return false;
        }

        value = _valueSpan;
        return true;
    }

    /// <summary>Reads the <c>l</c> that starts a list.</summary>
    public bool TryReadListStart() => TryReadExpected(BencodeTokenType.ListStart);

    /// <summary>Reads the <c>d</c> that starts a dictionary.</summary>
    public bool TryReadDictionaryStart() => TryReadExpected(BencodeTokenType.DictionaryStart);

    /// <summary>Reads the <c>e</c> that ends the innermost list or dictionary.</summary>
    public bool TryReadEnd() => TryReadExpected(BencodeTokenType.End);

    /// <summary>
    /// Reads the next whole value (a scalar, or a list or dictionary with everything in it). At a key position it
    /// reads just the key. An <c>e</c> next is an <see cref="BencodeError.UnexpectedToken"/>.
    /// </summary>
    public bool TrySkipValue()
    {
        if (!TryPeekToken(out var type))
        {
            return false;
        }

        if (type == BencodeTokenType.End)
        {
            return Fail(BencodeError.UnexpectedToken, _position);
        }

        var depth = _depth;
        if (!TryConsume(type))
        {
            return false;
        }

        while (_depth > depth)
        {
            if (!TryReadToken(out _))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Like <see cref="TrySkipValue"/>, and returns the exact input bytes of the value it read.</summary>
    public bool TryReadRawValue(out ReadOnlySpan<byte> rawValue)
    {
        var start = _position;
        if (!TrySkipValue())
        {
            rawValue = default;
            return false;
        }

        rawValue = _data[start.._position];
        return true;
    }

    /// <summary>
    /// Checks that the top-level value has been read and nothing follows it: <see cref="BencodeError.TrailingBytes"/>
    /// if bytes follow, <see cref="BencodeError.UnexpectedEnd"/> or <see cref="BencodeError.UnexpectedToken"/> if the
    /// value is not finished yet.
    /// </summary>
    public bool TryReadEndOfInput()
    {
        if (_error != BencodeError.None)
        {
            return false;
        }

        if (!_complete)
        {
            return Fail(_position >= _data.Length ? BencodeError.UnexpectedEnd : BencodeError.UnexpectedToken, _position);
        }

        return _position >= _data.Length || Fail(BencodeError.TrailingBytes, _position);
    }

    private bool TryReadExpected(BencodeTokenType expected)
    {
        if (!TryPeekToken(out var type))
        {
            return false;
        }

        return type == expected ? TryConsume(type) : Fail(BencodeError.UnexpectedToken, _position);
    }

    // Reads a token whose type TryPeekToken has just allowed at _position.
    private bool TryConsume(BencodeTokenType type)
    {
        var start = _position;
        switch (type)
        {
            case BencodeTokenType.Integer:
                if (!TryScanInteger(start, out var value, out var end))
                {
                    return false;
                }

                _integerValue = value;
                _valueSpan = _data[(start + 1)..end];
                _position = end + 1;
                CompleteValue();
                break;

            case BencodeTokenType.String:
                if (!TryScanString(start, out var bodyStart, out var length))
                {
                    return false;
                }

                _valueSpan = _data.Slice(bodyStart, length);
                _position = bodyStart + length;
                if (InDictionary && !_expectValue)
                {
                    _expectValue = true;
                }
                else
                {
                    CompleteValue();
                }

                break;

            case BencodeTokenType.ListStart:
            case BencodeTokenType.DictionaryStart:
                if (_depth >= _maxDepth)
                {
                    return Fail(BencodeError.DepthExceeded, start);
                }

                SetDictionaryLevel(_depth + 1, type == BencodeTokenType.DictionaryStart);
                _depth++;
                _expectValue = false;
                _valueSpan = default;
                _position = start + 1;
                break;

            default: // End
                _depth--;
                _valueSpan = default;
                _position = start + 1;
                CompleteValue();
                break;
        }

        _tokenType = type;
        _tokenStart = start;
        return true;
    }

    // A value (not a key) has been read to its end.
    private void CompleteValue()
    {
        if (_depth == 0)
        {
            _complete = true;
        }
        else
        {
            _expectValue = false;
        }
    }

    // start is the 'i'; end receives the offset of the closing 'e'.
    private bool TryScanInteger(int start, out long value, out int end)
    {
        value = 0;
        end = 0;
        var data = _data;
        var p = start + 1;
        var negative = p < data.Length && data[p] == (byte)'-';
        if (negative)
        {
            p++;
        }

        if (p >= data.Length)
        {
            return Fail(BencodeError.UnexpectedEnd, data.Length);
        }

        if (!IsDigit(data[p]))
        {
            return Fail(BencodeError.InvalidInteger, p);
        }

        if (data[p] == (byte)'0')
        {
            if (p + 1 >= data.Length)
            {
                return Fail(BencodeError.UnexpectedEnd, data.Length);
            }

            if (IsDigit(data[p + 1]))
            {
                return Fail(BencodeError.LeadingZero, p);
            }

            if (data[p + 1] != (byte)'e')
            {
                return Fail(BencodeError.InvalidInteger, p + 1);
            }

            if (negative)
            {
                return Fail(BencodeError.NegativeZero, p - 1);
            }

            end = p + 1;
            return true;
        }

        var limit = negative ? (ulong)long.MaxValue + 1 : long.MaxValue;
        ulong magnitude = 0;
        while (p < data.Length && IsDigit(data[p]))
        {
            var digit = (uint)(data[p] - '0');
            if (magnitude > (limit - digit) / 10)
            {
                return Fail(BencodeError.IntegerOverflow, p);
            }

            magnitude = (magnitude * 10) + digit;
            p++;
        }

        if (p >= data.Length)
        {
            return Fail(BencodeError.UnexpectedEnd, data.Length);
        }

        if (data[p] != (byte)'e')
        {
            return Fail(BencodeError.InvalidInteger, p);
        }

        value = negative ? unchecked((long)(0UL - magnitude)) : (long)magnitude;
        end = p;
        return true;
    }

    // start is the first digit of the length.
    private bool TryScanString(int start, out int bodyStart, out int length)
    {
        bodyStart = 0;
        length = 0;
        var data = _data;
        if (data[start] == (byte)'0' && start + 1 < data.Length && IsDigit(data[start + 1]))
        {
            return Fail(BencodeError.LeadingZero, start);
        }

        var p = start;
        long declared = 0;
        while (p < data.Length && IsDigit(data[p]))
        {
            if (p - start == MaxLengthDigits)
            {
                return Fail(BencodeError.StringTooLong, start);
            }

            declared = (declared * 10) + (data[p] - '0');
            p++;
        }

        if (p >= data.Length)
        {
            return Fail(BencodeError.UnexpectedEnd, data.Length);
        }

        if (data[p] != (byte)':')
        {
            return Fail(BencodeError.InvalidStringLength, p);
        }

        p++;
        if (declared > data.Length - p)
        {
            return Fail(BencodeError.StringTooLong, start);
        }

        bodyStart = p;
        length = (int)declared;
        return true;
    }

    private bool Fail(BencodeError error, int offset)
    {
        _error = error;
        _errorOffset = offset;
        _tokenType = BencodeTokenType.None;
        _valueSpan = default;
        return false;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private readonly bool IsDictionaryLevel(int depth)
    {
        var index = depth - 1;
        return ((_dictionaryLevels[index >> 6] >> (index & 63)) & 1) != 0;
    }

    private void SetDictionaryLevel(int depth, bool isDictionary)
    {
        var index = depth - 1;
        var bit = 1UL << (index & 63);
        if (isDictionary)
        {
            _dictionaryLevels[index >> 6] |= bit;
        }
        else
        {
            _dictionaryLevels[index >> 6] &= ~bit;
        }
    }

    [InlineArray(MaxSupportedDepth / 64)]
    private struct LevelBits
    {
        private ulong _element;
    }
}
