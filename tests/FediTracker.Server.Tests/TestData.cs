using System.Text;

namespace FediTracker.Server.Tests;

internal static class TestData
{
    private static int s_counter;

    /// <summary>A fresh random info-hash.</summary>
    public static byte[] NewHash()
    {
        var bytes = new byte[20];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    public static byte[] PeerId(int n) => Encoding.ASCII.GetBytes($"-FT0001-{n:D12}");

    public static int NextPort() => 20000 + (Interlocked.Increment(ref s_counter) % 40000);

    /// <summary>Percent-encodes every byte, as clients do for binary values.</summary>
    public static string Escape(byte[] bytes)
    {
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }
}
