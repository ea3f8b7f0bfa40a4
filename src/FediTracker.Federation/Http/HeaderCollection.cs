using System.Collections;

namespace FediTracker.Federation.Http;

/// <summary>
/// Request header fields by name, case-insensitive, each name keeping its field lines in the order they arrived.
/// The server adapter fills it from the framework's request; tests fill it by hand.
/// </summary>
public sealed class HeaderCollection : IEnumerable<KeyValuePair<string, IReadOnlyList<string>>>
{
    private readonly Dictionary<string, List<string>> _fields = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds one field line; a name may be added several times.</summary>
    public HeaderCollection Add(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!_fields.TryGetValue(name, out var values))
        {
            values = [];
            _fields.Add(name, values);
        }

        values.Add(value);
        return this;
    }

    /// <summary>Replaces every field line of <paramref name="name"/> with one.</summary>
    public HeaderCollection Set(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        _fields[name] = [value];
        return this;
    }

    /// <summary>Removes every field line of <paramref name="name"/>.</summary>
    public bool Remove(string name) => _fields.Remove(name);

    public bool Contains(string name) => _fields.ContainsKey(name);

    /// <summary>The field lines of <paramref name="name"/>, in arrival order.</summary>
    public bool TryGetValues(string name, out IReadOnlyList<string> values)
    {
        if (_fields.TryGetValue(name, out var list) && list.Count > 0)
        {
            values = list;
            return true;
        }

        values = [];
        return false;
    }

    /// <summary>
    /// The field's lines combined as HTTP combines them (RFC 9110 §5.3) and as both signature schemes canonicalise
    /// them: each line trimmed of leading and trailing whitespace, obsolete line folding replaced by one space, joined
    /// with ", ". Null when the field is absent.
    /// </summary>
    public string? GetCombined(string name)
    {
        if (!_fields.TryGetValue(name, out var list) || list.Count == 0)
        {
            return null;
        }

        if (list.Count == 1)
        {
            return Canonical(list[0]);
        }

        var parts = new string[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            parts[i] = Canonical(list[i]);
        }

        return string.Join(", ", parts);
    }

    public IEnumerator<KeyValuePair<string, IReadOnlyList<string>>> GetEnumerator()
    {
        foreach (var pair in _fields)
        {
            yield return new KeyValuePair<string, IReadOnlyList<string>>(pair.Key, pair.Value);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static string Canonical(string value)
    {
        var trimmed = value.Trim(' ', '\t');
        if (trimmed.Contains('\n', StringComparison.Ordinal) || trimmed.Contains('\r', StringComparison.Ordinal))
        {
            // obs-fold: CRLF followed by whitespace becomes a single space.
            var folded = trimmed.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            for (var i = 0; i < folded.Length; i++)
            {
                folded[i] = folded[i].Trim(' ', '\t', '\r');
            }

            trimmed = string.Join(' ', folded);
        }

        return trimmed;
    }
}
