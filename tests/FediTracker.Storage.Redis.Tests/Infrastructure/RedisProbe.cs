using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FediTracker.Storage.Redis.Tests.Infrastructure;

/// <summary>
/// A minimal RESP client for the helpers (PING, CLUSTER INFO): one inline command on a fresh loopback connection,
/// one simple-string or bulk-string reply. Null when the server does not answer in time.
/// </summary>
public static class RedisProbe
{
    public static async Task<string?> TryCommandAsync(int port, string inlineCommand, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            using var client = new TcpClient(AddressFamily.InterNetwork);
            await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(inlineCommand + "\r\n"), cts.Token);
            var received = new List<byte>();
            var buffer = new byte[4096];
            while (true)
            {
                var n = await stream.ReadAsync(buffer, cts.Token);
                if (n == 0)
                {
                    return null;
                }

                received.AddRange(buffer.AsSpan(0, n));
                if (TryParse(received, out var reply))
                {
                    return reply;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    private static bool TryParse(List<byte> received, out string? reply)
    {
        reply = null;
        var text = Encoding.ASCII.GetString([.. received]);
        var lineEnd = text.IndexOf("\r\n", StringComparison.Ordinal);
        if (lineEnd < 0)
        {
            return false;
        }

        switch (text[0])
        {
            case '+':
            case '-':
            case ':':
                reply = text[..lineEnd];
                return true;
            case '$':
                var length = int.Parse(text.AsSpan(1, lineEnd - 1), System.Globalization.CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    reply = string.Empty;
                    return true;
                }

                if (text.Length < lineEnd + 2 + length + 2)
                {
                    return false;
                }

                reply = text.Substring(lineEnd + 2, length);
                return true;
            default:
                reply = text[..lineEnd];
                return true;
        }
    }
}
