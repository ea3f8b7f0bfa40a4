using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FediTracker.EndToEnd.Tests;

/// <summary>
/// A TCP relay on [::1] in front of the tracker's IPv6 HTTP port that adds the brackets libtorrent 2.0.8 leaves out of
/// an IPv6 literal in the Host header: it sends <c>Host: ::1:6969</c> for <c>http://[::1]:6969/announce</c>, which
/// Kestrel refuses with 400 before the tracker sees the request (see <see cref="Ipv6HostHeaderTests"/>). Everything
/// else passes through untouched, and the tracker sees the same address (::1) the client has.
/// </summary>
internal sealed class Ipv6HostHeaderRelay : IAsyncDisposable
{
    private const int MaxHead = 16 * 1024;
    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _rewritten;

    public Ipv6HostHeaderRelay(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.IPv6Loopback, 0);
        _listener.Start();
        Endpoint = (IPEndPoint)_listener.LocalEndpoint;
        _accepting = AcceptAsync(_stopping.Token);
    }

    public IPEndPoint Endpoint { get; }

    /// <summary>Host headers this relay has put brackets into.</summary>
    public int Rewritten => Volatile.Read(ref _rewritten);

    /// <summary>The Host header value with brackets around an unbracketed IPv6 literal; other values unchanged.</summary>
    public static string BracketIPv6(string host)
    {
        var colon = host.LastIndexOf(':');
        return colon > 0 && !host.StartsWith('[') && IPAddress.TryParse(host[..colon], out var address) && address.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{host[..colon]}]{host[colon..]}"
            : host;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task AcceptAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(stopping);
            lock (_connections)
            {
                _connections.Add(RelayAsync(client, stopping));
            }
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken stopping)
    {
        using (client)
        using (var upstream = new TcpClient(AddressFamily.InterNetworkV6))
        {
            try
            {
                await upstream.ConnectAsync(_target, stopping);
                var downstream = client.GetStream();
                var up = upstream.GetStream();
                var head = await ReadHeadAsync(downstream, stopping);
                await up.WriteAsync(Rewrite(head), stopping);
                await Task.WhenAll(
                    CopyThenShutdownAsync(downstream, upstream.Client, stopping),
                    CopyThenShutdownAsync(up, client.Client, stopping));
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // A connection the client or the tracker dropped; the client sees it as such.
            }
        }
    }

    // Reads up to the end of the request head (or MaxHead bytes, or the end of the stream), and whatever came with it.
    private static async Task<byte[]> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxHead];
        var length = 0;
        while (length < buffer.Length && buffer.AsSpan(0, length).IndexOf(EndOfHead) < 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        return buffer[..length];
    }

    private byte[] Rewrite(byte[] data)
    {
        var end = data.AsSpan().IndexOf(EndOfHead);
        if (end < 0)
        {
            return data;
        }

        // Header bytes are ASCII in practice; Latin-1 maps every byte to one char and back unchanged.
        var lines = Encoding.Latin1.GetString(data, 0, end).Split("\r\n");
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && lines[i][..colon].Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                var value = lines[i][(colon + 1)..].Trim();
                var fixedValue = BracketIPv6(value);
                if (!string.Equals(value, fixedValue, StringComparison.Ordinal))
                {
                    lines[i] = $"Host: {fixedValue}";
                    Interlocked.Increment(ref _rewritten);
                }
            }
        }

        return [.. Encoding.Latin1.GetBytes(string.Join("\r\n", lines)), .. data.AsSpan(end)];
    }

    private static async Task CopyThenShutdownAsync(NetworkStream from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }
        }
        finally
        {
            try
            {
                to.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
                // Already closed by the other side.
            }
        }
    }
}
