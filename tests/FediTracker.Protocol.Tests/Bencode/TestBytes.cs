using System.Text;

namespace FediTracker.Protocol.Tests.Bencode;

internal static class TestBytes
{
    /// <summary>Latin-1: each char of <paramref name="text"/> is one byte, so "\xFF" is the byte 0xFF.</summary>
    public static byte[] Of(string text) => Encoding.Latin1.GetBytes(text);

    public static string Show(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}
