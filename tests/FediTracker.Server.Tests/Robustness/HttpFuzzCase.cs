using System.Text;

namespace FediTracker.Server.Tests.Robustness;

/// <summary>What a hostile HTTP request may be answered with.</summary>
internal enum HttpExpectation
{
    /// <summary>A well-formed request line to /announce or /scrape: 200 with a bencoded dictionary.</summary>
    TrackerReply,

    /// <summary>A well-formed request line to a path the tracker does not serve: 404.</summary>
    NotFound,

    /// <summary>A request line the server may normalise, refuse or serve: anything but a 5xx (a 200 still bencoded).</summary>
    Anything,
}

/// <summary>One generated request: the raw request target, what made it, and what may answer it.</summary>
internal sealed record HttpFuzzCase(string Kind, byte[] Target, HttpExpectation Expect)
{
    /// <summary>The target for a message: printable ASCII as is, other bytes as \xNN, cut after 300 characters.</summary>
    public string Printable()
    {
        var text = new StringBuilder();
        foreach (var b in Target.AsSpan(0, Math.Min(Target.Length, 300)))
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : $"\\x{b:X2}");
        }

        return Target.Length > 300 ? $"{text}… ({Target.Length} bytes)" : text.ToString();
    }
}
