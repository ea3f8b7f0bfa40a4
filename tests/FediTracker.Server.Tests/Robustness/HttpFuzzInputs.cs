using System.Globalization;
using System.Text;

namespace FediTracker.Server.Tests.Robustness;

/// <summary>
/// Seeded hostile HTTP request targets: random query strings, valid announce and scrape queries mutated (bad
/// escapes, wrong-length or repeated info_hash, huge numbers, bad ports and events, very long values, missing or
/// renamed parameters), random and tricky paths, unescaped UTF-8, and request targets with bytes no request line may
/// hold.
/// </summary>
internal static class HttpFuzzInputs
{
    // RFC 3986 query characters (pchar / "/" / "?"), '%' included, so Kestrel passes them through.
    private const string QueryChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/?%";

    // Path characters that Kestrel neither decodes nor normalises.
    private const string PlainPathChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~";

    // Kestrel's request line limit is 8 KiB (TrackerHost); "GET ", " HTTP/1.1" and CRLF take the rest.
    private const int MaxServedTarget = 8_000;

    private static readonly string[] HugeNumbers =
    [
        "99999999999999999999", "9223372036854775807", "9223372036854775808", "18446744073709551616", "-1", "-0", "+5",
        "0x10", "1e9", "%201", "1%00", "", "00000000000000000000001", "4294967296", "2147483648", "-9223372036854775808",
    ];

    private static readonly string[] Ports = ["0", "65536", "-1", "65535", "1", "", "99999", "6881x", "%36%38%38%31", "-"];

    private static readonly string[] Events = ["foo", "", "STARTED", "started%00", "paused", "stopped", "completed", "empty", "%73tarted", "started&event=stopped"];

    private static readonly string[] BadEscapes = ["%G1", "%", "%4", "%%", "%zz", "%0", "%%41", "%-1", "%+F", "%/1"];

    private static readonly string[] TrickyPaths =
    [
        "/announce/", "/announce/extra", "/ANNOUNCE", "/Announce", "/scrape/", "//announce", "/./announce", "/x/../announce",
        "/%61nnounce", "/announce%2F", "/announce%00", "/announce;x", "/announce.php", "", "*", "/announce%", "/%", "/%zz",
        "/%C3%A9", "/..", "/../../etc/passwd", "http://127.0.0.1/announce", "/announce?", "/scrape?", "/announce??",
        "/announce#frag", "announce", "/%2e%2e/announce", "/announce%20", "/\u00e9",
    ];

    public static IEnumerable<HttpFuzzCase> Generate(Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return random.Next(100) switch
            {
                < 15 => RandomQuery(random),
                < 50 => MutatedAnnounce(random),
                < 65 => MutatedScrape(random),
                < 75 => RandomPath(random),
                < 85 => Tricky(random),
                < 93 => RawBytes(random),
                < 97 => Utf8Query(random),
                _ => Oversized(random),
            };
        }
    }

    private static HttpFuzzCase RandomQuery(Random random)
    {
        var path = random.Next(2) == 0 ? "/announce" : "/scrape";
        var query = new StringBuilder();
        for (var n = random.Next(0, 400); n > 0; n--)
        {
            query.Append(QueryChars[random.Next(QueryChars.Length)]);
        }

        var target = random.Next(10) switch
        {
            0 => path,
            1 => path + "?",
            _ => $"{path}?{query}",
        };
        return TrackerCase("random query", target);
    }

    private static HttpFuzzCase MutatedAnnounce(Random random)
    {
        List<(string Name, string? Value)> pairs =
        [
            ("info_hash", Escape(random, Bytes(random, 20))),
            ("peer_id", Escape(random, Bytes(random, 20))),
            ("port", random.Next(1, 65536).ToString(CultureInfo.InvariantCulture)),
            ("uploaded", random.NextInt64(0, long.MaxValue).ToString(CultureInfo.InvariantCulture)),
            ("downloaded", "0"),
            ("left", random.Next().ToString(CultureInfo.InvariantCulture)),
            ("event", Pick(random, ["started", "completed", "stopped", "", "paused"])),
            ("numwant", random.Next(-1, 500).ToString(CultureInfo.InvariantCulture)),
            ("compact", Pick(random, ["0", "1"])),
            ("no_peer_id", Pick(random, ["0", "1"])),
            ("key", random.Next().ToString("x8", CultureInfo.InvariantCulture)),
            ("supportcrypto", "1"),
        ];
        var mutations = new List<string>();
        for (var m = random.Next(0, 4); m > 0; m--)
        {
            mutations.Add(Mutate(random, pairs));
        }

        return TrackerCase($"announce [{string.Join(", ", mutations)}]", "/announce?" + Join(pairs));
    }

    private static HttpFuzzCase MutatedScrape(Random random)
    {
        var pairs = new List<(string Name, string? Value)>();
        for (var n = random.Next(0, 90); n > 0; n--)
        {
            pairs.Add(("info_hash", Escape(random, Bytes(random, 20))));
        }

        var mutations = new List<string>();
        for (var m = random.Next(0, 3); m > 0 && pairs.Count > 0; m--)
        {
            mutations.Add(Mutate(random, pairs));
        }

        return TrackerCase($"scrape of {pairs.Count} [{string.Join(", ", mutations)}]", "/scrape?" + Join(pairs));
    }

    private static string Mutate(Random random, List<(string Name, string? Value)> pairs)
    {
        var i = random.Next(pairs.Count);
        switch (random.Next(14))
        {
            case 0:
                var escape = Pick(random, BadEscapes);
                var value = pairs[i].Value ?? string.Empty;
                var at = random.Next(value.Length + 1);
                pairs[i] = (pairs[i].Name, value[..at] + escape + value[at..]);
                return $"bad escape {escape} in {pairs[i].Name}";
            case 1:
                var length = Pick(random, [0, 1, 19, 21, 40]);
                SetOrAdd(pairs, "info_hash", Escape(random, Bytes(random, length)));
                return $"{length}-byte info_hash";
            case 2:
                pairs.Insert(random.Next(pairs.Count + 1), ("info_hash", Escape(random, Bytes(random, 20))));
                return "another info_hash";
            case 3:
                pairs.Insert(random.Next(pairs.Count + 1), pairs[i]);
                return $"duplicate {pairs[i].Name}";
            case 4:
                var name = Pick(random, ["uploaded", "downloaded", "left", "numwant", "port"]);
                var number = Pick(random, HugeNumbers);
                SetOrAdd(pairs, name, number);
                return $"{name}={number}";
            case 5:
                var port = Pick(random, Ports);
                SetOrAdd(pairs, "port", port);
                return $"port={port}";
            case 6:
                var announceEvent = Pick(random, Events);
                SetOrAdd(pairs, "event", announceEvent);
                return $"event={announceEvent}";
            case 7:
                var longLength = random.Next(100, 7000);
                var filler = random.Next(2) == 0 ? new string('a', longLength) : Escape(random, Bytes(random, longLength / 3));
                pairs[i] = (pairs[i].Name, filler);
                return $"{filler.Length}-character {pairs[i].Name}";
            case 8:
                var removed = pairs[i].Name;
                pairs.RemoveAt(i);
                return $"no {removed}";
            case 9:
                pairs[i] = (pairs[i].Name, null);
                return $"{pairs[i].Name} without '='";
            case 10:
                pairs.Insert(random.Next(pairs.Count + 1), (string.Empty, null));
                pairs.Insert(random.Next(pairs.Count + 1), (string.Empty, null));
                return "empty segments";
            case 11:
                var garbage = Escape(random, Bytes(random, random.Next(0, 64)));
                pairs[i] = (pairs[i].Name, garbage);
                return $"random bytes in {pairs[i].Name}";
            case 12:
                var renamed = Pick(random, ["INFO_HASH", "info_hash%00", "info_hash[]", "info%5Fhash", "=", "peer_id=", "&", "+"]);
                pairs[i] = (renamed, pairs[i].Value);
                return $"name {renamed}";
            default:
                var shuffled = pairs.OrderBy(_ => random.Next()).ToList();
                pairs.Clear();
                pairs.AddRange(shuffled);
                return "reordered";
        }
    }

    private static HttpFuzzCase RandomPath(Random random)
    {
        var path = new StringBuilder("/");
        for (var n = random.Next(1, 40); n > 0; n--)
        {
            path.Append(random.Next(8) == 0 && path[^1] != '/' ? '/' : PlainPathChars[random.Next(PlainPathChars.Length)]);
        }

        if (random.Next(2) == 0)
        {
            path.Append("?info_hash=").Append(Escape(random, Bytes(random, 20)));
        }

        return new HttpFuzzCase("random path", Ascii(path.ToString()), HttpExpectation.NotFound);
    }

    private static HttpFuzzCase Tricky(Random random) =>
        new("tricky path", Encoding.UTF8.GetBytes(Pick(random, TrickyPaths)), HttpExpectation.Anything);

    // Bytes no request line may hold (controls, space, non-ASCII), except CR and LF, which would end the line.
    private static HttpFuzzCase RawBytes(Random random)
    {
        var prefix = Pick(random, ["/announce?", "/scrape?", "/", string.Empty]);
        var raw = new List<byte>(Encoding.ASCII.GetBytes(prefix));
        for (var n = random.Next(1, 300); n > 0; n--)
        {
            byte b;
            do
            {
                b = (byte)random.Next(256);
            }
            while (b is (byte)'\r' or (byte)'\n');
            raw.Add(b);
        }

        return new HttpFuzzCase("raw bytes", [.. raw], HttpExpectation.Anything);
    }

    // Unescaped UTF-8 in an otherwise valid announce, up to characters beyond Latin-1 and surrogate pairs.
    private static HttpFuzzCase Utf8Query(Random random)
    {
        var text = Pick(random, ["\u00e9", "\u20ac", "\ud83d\udca5", "\u00ff\u0100", "\ufeff", "\u0000"]);
        var target = $"/announce?info_hash={Escape(random, Bytes(random, 20))}&peer_id={text}{new string('x', 19)}&port=6881&left=0";
        return new HttpFuzzCase("UTF-8 in the query", Encoding.UTF8.GetBytes(target), HttpExpectation.Anything);
    }

    // Past Kestrel's 8 KiB request line limit (414), or just under it.
    private static HttpFuzzCase Oversized(Random random)
    {
        var length = Pick(random, [7_900, 8_200, 9_000, 20_000]);
        return TrackerCase($"{length}-character info_hash", "/announce?info_hash=" + new string('a', length));
    }

    // A well-formed target to a tracker path gets a bencoded 200, unless its request line is past Kestrel's limit.
    private static HttpFuzzCase TrackerCase(string kind, string target) =>
        new(kind, Ascii(target), target.Length < MaxServedTarget ? HttpExpectation.TrackerReply : HttpExpectation.Anything);

    private static void SetOrAdd(List<(string Name, string? Value)> pairs, string name, string value)
    {
        var i = pairs.FindIndex(p => p.Name == name);
        if (i < 0)
        {
            pairs.Add((name, value));
        }
        else
        {
            pairs[i] = (name, value);
        }
    }

    private static string Join(List<(string Name, string? Value)> pairs) =>
        string.Join('&', pairs.Select(p => p.Value is null ? p.Name : $"{p.Name}={p.Value}"));

    // Percent-encodes bytes, leaving unreserved ones as they are half the time, with random hex case.
    private static string Escape(Random random, byte[] bytes)
    {
        var text = new StringBuilder();
        var upper = random.Next(2) == 0;
        var keepPlain = random.Next(2) == 0;
        foreach (var b in bytes)
        {
            if (keepPlain && (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~'))
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString(upper ? "X2" : "x2", CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
