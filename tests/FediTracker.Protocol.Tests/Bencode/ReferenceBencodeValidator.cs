using System.Globalization;
using System.Numerics;
using System.Text;

namespace FediTracker.Protocol.Tests.Bencode;

/// <summary>
/// A deliberately different, simple bencode validator (recursive descent, arbitrary-precision numbers) used as an
/// oracle for the fuzz tests. It only answers "valid or not".
/// </summary>
internal sealed class ReferenceBencodeValidator
{
    private readonly byte[] _data;
    private readonly int _maxDepth;
    private readonly bool _strictKeyOrder;
    private int _p;

    private ReferenceBencodeValidator(byte[] data, int maxDepth, bool strictKeyOrder)
    {
        _data = data;
        _maxDepth = maxDepth;
        _strictKeyOrder = strictKeyOrder;
    }

    public static bool IsValid(byte[] data, int maxDepth, bool strictKeyOrder)
    {
        var validator = new ReferenceBencodeValidator(data, maxDepth, strictKeyOrder);
        return validator.Value(0) && validator._p == data.Length;
    }

    private bool Value(int depth)
    {
        if (_p >= _data.Length)
        {
            return false;
        }

        switch (_data[_p])
        {
            case (byte)'i':
                return Integer();
            case (byte)'l':
                return List(depth);
            case (byte)'d':
                return Dictionary(depth);
            default:
                return String(out _);
        }
    }

    private bool Integer()
    {
        _p++;
        var start = _p;
        while (_p < _data.Length && _data[_p] != (byte)'e')
        {
            _p++;
        }

        if (_p >= _data.Length)
        {
            return false;
        }

        var text = Encoding.Latin1.GetString(_data, start, _p - start);
        _p++;
        var digits = text.StartsWith('-') ? text[1..] : text;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit) || (digits.Length > 1 && digits[0] == '0') || text == "-0")
        {
            return false;
        }

        var value = BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return value >= long.MinValue && value <= long.MaxValue;
    }

    private bool String(out string? latin1)
    {
        latin1 = null;
        var start = _p;
        while (_p < _data.Length && char.IsAsciiDigit((char)_data[_p]))
        {
            _p++;
        }

        if (_p == start || _p >= _data.Length || _data[_p] != (byte)':')
        {
            return false;
        }

        var digits = Encoding.Latin1.GetString(_data, start, _p - start);
        if (digits.Length > 1 && digits[0] == '0')
        {
            return false;
        }

        _p++;
        var length = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        if (length > _data.Length - _p)
        {
            return false;
        }

        latin1 = Encoding.Latin1.GetString(_data, _p, (int)length);
        _p += (int)length;
        return true;
    }

    private bool List(int depth)
    {
        if (depth + 1 > _maxDepth)
        {
            return false;
        }

        _p++;
        while (_p < _data.Length && _data[_p] != (byte)'e')
        {
            if (!Value(depth + 1))
            {
                return false;
            }
        }

        _p++;
        return _p <= _data.Length;
    }

    private bool Dictionary(int depth)
    {
        if (depth + 1 > _maxDepth)
        {
            return false;
        }

        _p++;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        string? previous = null;
        while (_p < _data.Length && _data[_p] != (byte)'e')
        {
            if (!char.IsAsciiDigit((char)_data[_p]) || !String(out var key) || !keys.Add(key!))
            {
                return false;
            }

            // Latin-1 maps bytes to chars in order, so ordinal string order is raw-byte order.
            if (_strictKeyOrder && previous is not null && string.CompareOrdinal(previous, key) >= 0)
            {
                return false;
            }

            previous = key;
            if (!Value(depth + 1))
            {
                return false;
            }
        }

        _p++;
        return _p <= _data.Length;
    }
}
