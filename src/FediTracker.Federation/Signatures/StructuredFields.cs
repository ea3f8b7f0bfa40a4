using System.Globalization;
using System.Text;

namespace FediTracker.Federation.Signatures;

/// <summary>The kinds of RFC 8941 bare items this codec reads and writes.</summary>
internal enum SfKind
{
    Integer,
    Decimal,
    String,
    Token,
    ByteSequence,
    Boolean,
}

/// <summary>An RFC 8941 bare item.</summary>
internal sealed class SfBareItem
{
    private SfBareItem(SfKind kind, long integer = 0, decimal number = 0, string? text = null, byte[]? bytes = null, bool boolean = false)
    {
        Kind = kind;
        Integer = integer;
        Decimal = number;
        Text = text ?? string.Empty;
        Bytes = bytes ?? [];
        Boolean = boolean;
    }

    public SfKind Kind { get; }

    public long Integer { get; }

    public decimal Decimal { get; }

    /// <summary>The value of a String or Token.</summary>
    public string Text { get; }

    public byte[] Bytes { get; }

    public bool Boolean { get; }

    public static readonly SfBareItem True = new(SfKind.Boolean, boolean: true);

    public static SfBareItem FromInteger(long value) => new(SfKind.Integer, integer: value);

    public static SfBareItem FromDecimal(decimal value) => new(SfKind.Decimal, number: value);

    public static SfBareItem FromString(string value) => new(SfKind.String, text: value);

    public static SfBareItem FromToken(string value) => new(SfKind.Token, text: value);

    public static SfBareItem FromBytes(byte[] value) => new(SfKind.ByteSequence, bytes: value);

    public static SfBareItem FromBoolean(bool value) => value ? True : new(SfKind.Boolean, boolean: false);
}

/// <summary>Ordered parameters of an item or inner list; a repeated key keeps its first place and its last value (RFC 8941 §4.2.3.2).</summary>
internal sealed class SfParameters
{
    private readonly List<KeyValuePair<string, SfBareItem>> _entries = [];

    public IReadOnlyList<KeyValuePair<string, SfBareItem>> Entries => _entries;

    public int Count => _entries.Count;

    public void Set(string key, SfBareItem value)
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            if (_entries[i].Key == key)
            {
                _entries[i] = new(key, value);
                return;
            }
        }

        _entries.Add(new(key, value));
    }

    public SfBareItem? Get(string key)
    {
        foreach (var entry in _entries)
        {
            if (entry.Key == key)
            {
                return entry.Value;
            }
        }

        return null;
    }
}

/// <summary>An item with its parameters.</summary>
internal sealed class SfItem(SfBareItem value, SfParameters parameters)
{
    public SfBareItem Value { get; } = value;

    public SfParameters Parameters { get; } = parameters;
}

/// <summary>A dictionary or list member: an item or an inner list.</summary>
internal sealed class SfMember
{
    private SfMember(SfItem? item, IReadOnlyList<SfItem>? innerList, SfParameters parameters)
    {
        Item = item;
        InnerList = innerList;
        Parameters = parameters;
    }

    public SfItem? Item { get; }

    public IReadOnlyList<SfItem>? InnerList { get; }

    /// <summary>The parameters of the inner list, or of the item.</summary>
    public SfParameters Parameters { get; }

    public static SfMember FromItem(SfItem item) => new(item, null, item.Parameters);

    public static SfMember FromInnerList(IReadOnlyList<SfItem> items, SfParameters parameters) => new(null, items, parameters);
}

/// <summary>An ordered dictionary; a repeated key keeps its first place and its last value (RFC 8941 §4.2.2).</summary>
internal sealed class SfDictionary
{
    private readonly List<KeyValuePair<string, SfMember>> _entries = [];

    public IReadOnlyList<KeyValuePair<string, SfMember>> Entries => _entries;

    public int Count => _entries.Count;

    public void Set(string key, SfMember member)
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            if (_entries[i].Key == key)
            {
                _entries[i] = new(key, member);
                return;
            }
        }

        _entries.Add(new(key, member));
    }

    public bool TryGet(string key, out SfMember member)
    {
        foreach (var entry in _entries)
        {
            if (entry.Key == key)
            {
                member = entry.Value;
                return true;
            }
        }

        member = null!;
        return false;
    }
}

/// <summary>
/// RFC 8941 Structured Field Values: the parsing algorithms of §4.2 for dictionaries, and the serialisation of §4.1.
/// Parsing never throws on bad input; it returns false. Input longer than <see cref="MaxLength"/> is refused.
/// </summary>
internal static class StructuredFields
{
    /// <summary>The longest field value parsed (64 KiB): a signature field is a few hundred bytes.</summary>
    public const int MaxLength = 65_536;

    private const int MaxMembers = 256;

    public static bool TryParseDictionary(string input, out SfDictionary dictionary)
    {
        dictionary = new SfDictionary();
        if (input.Length > MaxLength)
        {
            return false;
        }

        var reader = new Reader(input);
        reader.SkipSpaces();
        if (reader.AtEnd)
        {
            return true;
        }

        while (true)
        {
            if (!reader.TryKey(out var key))
            {
                return false;
            }

            SfMember member;
            if (reader.Peek == '=')
            {
                reader.Advance();
                if (!reader.TryItemOrInnerList(out member))
                {
                    return false;
                }
            }
            else
            {
                if (!reader.TryParameters(out var parameters))
                {
                    return false;
                }

                member = SfMember.FromItem(new SfItem(SfBareItem.True, parameters));
            }

            dictionary.Set(key, member);
            if (dictionary.Count > MaxMembers)
            {
                return false;
            }

            reader.SkipOws();
            if (reader.AtEnd)
            {
                return true;
            }

            if (reader.Peek != ',')
            {
                return false;
            }

            reader.Advance();
            reader.SkipOws();
            if (reader.AtEnd)
            {
                return false;
            }
        }
    }

    /// <summary>Parses one member value (an item or an inner list with parameters), the whole input.</summary>
    public static bool TryParseMember(string input, out SfMember member)
    {
        member = null!;
        if (input.Length > MaxLength)
        {
            return false;
        }

        var reader = new Reader(input);
        reader.SkipSpaces();
        if (!reader.TryItemOrInnerList(out member))
        {
            return false;
        }

        reader.SkipSpaces();
        return reader.AtEnd;
    }

    public static string Serialize(SfMember member)
    {
        var builder = new StringBuilder();
        WriteMember(builder, member);
        return builder.ToString();
    }

    public static string Serialize(SfDictionary dictionary)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < dictionary.Entries.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            var (key, member) = (dictionary.Entries[i].Key, dictionary.Entries[i].Value);
            builder.Append(key);
            if (member.Item is { Value.Kind: SfKind.Boolean, Value.Boolean: true })
            {
                WriteParameters(builder, member.Parameters);
            }
            else
            {
                builder.Append('=');
                WriteMember(builder, member);
            }
        }

        return builder.ToString();
    }

    public static void WriteMember(StringBuilder builder, SfMember member)
    {
        if (member.InnerList is { } items)
        {
            builder.Append('(');
            for (var i = 0; i < items.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append(' ');
                }

                WriteBareItem(builder, items[i].Value);
                WriteParameters(builder, items[i].Parameters);
            }

            builder.Append(')');
            WriteParameters(builder, member.Parameters);
        }
        else
        {
            WriteBareItem(builder, member.Item!.Value);
            WriteParameters(builder, member.Item.Parameters);
        }
    }

    public static void WriteParameters(StringBuilder builder, SfParameters parameters)
    {
        foreach (var (key, value) in parameters.Entries)
        {
            builder.Append(';').Append(key);
            if (value is not { Kind: SfKind.Boolean, Boolean: true })
            {
                builder.Append('=');
                WriteBareItem(builder, value);
            }
        }
    }

    public static void WriteBareItem(StringBuilder builder, SfBareItem item)
    {
        switch (item.Kind)
        {
            case SfKind.Integer:
                builder.Append(item.Integer.ToString(CultureInfo.InvariantCulture));
                break;
            case SfKind.Decimal:
                var rounded = Math.Round(item.Decimal, 3, MidpointRounding.ToEven);
                var text = rounded.ToString("0.0##", CultureInfo.InvariantCulture);
                builder.Append(text);
                break;
            case SfKind.String:
                builder.Append('"');
                foreach (var c in item.Text)
                {
                    if (c is '"' or '\\')
                    {
                        builder.Append('\\');
                    }

                    builder.Append(c);
                }

                builder.Append('"');
                break;
            case SfKind.Token:
                builder.Append(item.Text);
                break;
            case SfKind.ByteSequence:
                builder.Append(':').Append(Convert.ToBase64String(item.Bytes)).Append(':');
                break;
            case SfKind.Boolean:
                builder.Append(item.Boolean ? "?1" : "?0");
                break;
            default:
                throw new InvalidOperationException("Unknown structured field kind.");
        }
    }

    private ref struct Reader(string input)
    {
        private readonly string _input = input;
        private int _position;

        public readonly bool AtEnd => _position >= _input.Length;

        public readonly char Peek => _position < _input.Length ? _input[_position] : '\0';

        public void Advance() => _position++;

        public void SkipSpaces()
        {
            while (_position < _input.Length && _input[_position] == ' ')
            {
                _position++;
            }
        }

        public void SkipOws()
        {
            while (_position < _input.Length && _input[_position] is ' ' or '\t')
            {
                _position++;
            }
        }

        public bool TryKey(out string key)
        {
            key = string.Empty;
            var start = _position;
            if (AtEnd || !(IsLcAlpha(Peek) || Peek == '*'))
            {
                return false;
            }

            _position++;
            while (!AtEnd && (IsLcAlpha(Peek) || char.IsAsciiDigit(Peek) || Peek is '_' or '-' or '.' or '*'))
            {
                _position++;
            }

            key = _input[start.._position];
            return true;
        }

        public bool TryItemOrInnerList(out SfMember member)
        {
            member = null!;
            if (Peek == '(')
            {
                _position++;
                var items = new List<SfItem>();
                while (true)
                {
                    SkipSpaces();
                    if (AtEnd)
                    {
                        return false;
                    }

                    if (Peek == ')')
                    {
                        _position++;
                        if (!TryParameters(out var listParameters))
                        {
                            return false;
                        }

                        member = SfMember.FromInnerList(items, listParameters);
                        return true;
                    }

                    if (!TryItem(out var item))
                    {
                        return false;
                    }

                    items.Add(item);
                    if (items.Count > MaxMembers)
                    {
                        return false;
                    }

                    if (Peek is not (' ' or ')'))
                    {
                        return false;
                    }
                }
            }

            if (!TryItem(out var single))
            {
                return false;
            }

            member = SfMember.FromItem(single);
            return true;
        }

        public bool TryItem(out SfItem item)
        {
            item = null!;
            if (!TryBareItem(out var value) || !TryParameters(out var parameters))
            {
                return false;
            }

            item = new SfItem(value, parameters);
            return true;
        }

        public bool TryParameters(out SfParameters parameters)
        {
            parameters = new SfParameters();
            while (Peek == ';')
            {
                _position++;
                SkipSpaces();
                if (!TryKey(out var key))
                {
                    return false;
                }

                var value = SfBareItem.True;
                if (Peek == '=')
                {
                    _position++;
                    if (!TryBareItem(out value))
                    {
                        return false;
                    }
                }

                parameters.Set(key, value);
                if (parameters.Count > MaxMembers)
                {
                    return false;
                }
            }

            return true;
        }

        public bool TryBareItem(out SfBareItem value)
        {
            value = null!;
            if (AtEnd)
            {
                return false;
            }

            var c = Peek;
            if (c == '-' || char.IsAsciiDigit(c))
            {
                return TryNumber(out value);
            }

            if (c == '"')
            {
                return TryString(out value);
            }

            if (char.IsAsciiLetter(c) || c == '*')
            {
                var start = _position;
                _position++;
                while (!AtEnd && (IsTChar(Peek) || Peek is ':' or '/'))
                {
                    _position++;
                }

                value = SfBareItem.FromToken(_input[start.._position]);
                return true;
            }

            if (c == ':')
            {
                _position++;
                var start = _position;
                while (!AtEnd && Peek != ':')
                {
                    if (!(char.IsAsciiLetterOrDigit(Peek) || Peek is '+' or '/' or '='))
                    {
                        return false;
                    }

                    _position++;
                }

                if (AtEnd)
                {
                    return false;
                }

                var encoded = _input[start.._position];
                _position++;
                var buffer = new byte[(encoded.Length * 3 / 4) + 3];
                if (!Convert.TryFromBase64String(encoded, buffer, out var written))
                {
                    return false;
                }

                value = SfBareItem.FromBytes(buffer[..written]);
                return true;
            }

            if (c == '?')
            {
                _position++;
                if (Peek == '1')
                {
                    _position++;
                    value = SfBareItem.True;
                    return true;
                }

                if (Peek == '0')
                {
                    _position++;
                    value = SfBareItem.FromBoolean(false);
                    return true;
                }

                return false;
            }

            return false;
        }

        private bool TryNumber(out SfBareItem value)
        {
            value = null!;
            var negative = false;
            if (Peek == '-')
            {
                negative = true;
                _position++;
            }

            if (AtEnd || !char.IsAsciiDigit(Peek))
            {
                return false;
            }

            var start = _position;
            var dot = -1;
            while (!AtEnd && (char.IsAsciiDigit(Peek) || (Peek == '.' && dot < 0)))
            {
                if (Peek == '.')
                {
                    if (_position - start > 12)
                    {
                        return false;
                    }

                    dot = _position;
                }

                _position++;
                if (dot < 0 && _position - start > 15)
                {
                    return false;
                }

                if (dot >= 0 && _position - start > 16)
                {
                    return false;
                }
            }

            var text = _input[start.._position];
            if (dot < 0)
            {
                var integer = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
                value = SfBareItem.FromInteger(negative ? -integer : integer);
                return true;
            }

            var fractionDigits = _position - dot - 1;
            if (fractionDigits is < 1 or > 3)
            {
                return false;
            }

            var number = decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            value = SfBareItem.FromDecimal(negative ? -number : number);
            return true;
        }

        private bool TryString(out SfBareItem value)
        {
            value = null!;
            _position++;
            var builder = new StringBuilder();
            while (!AtEnd)
            {
                var c = Peek;
                _position++;
                if (c == '\\')
                {
                    if (AtEnd || Peek is not ('"' or '\\'))
                    {
                        return false;
                    }

                    builder.Append(Peek);
                    _position++;
                }
                else if (c == '"')
                {
                    value = SfBareItem.FromString(builder.ToString());
                    return true;
                }
                else if (c is < ' ' or > '~')
                {
                    return false;
                }
                else
                {
                    builder.Append(c);
                }
            }

            return false;
        }

        private static bool IsLcAlpha(char c) => c is >= 'a' and <= 'z';

        private static bool IsTChar(char c) =>
            char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
    }
}
