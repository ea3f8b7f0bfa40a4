using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FediTracker.Server.Tests.Robustness;

/// <summary>
/// HTTP/1.1 over a plain socket, so the request target goes out byte for byte (HttpClient would escape or refuse
/// what these tests send). Keeps the connection alive between requests and reconnects after the server closes it.
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    private const int MaxHead = 64 * 1024;

    private readonly IPEndPoint _server;
    private Socket? _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public RawHttpConnection(IPEndPoint server)
    {
        _server = server;
    }

    /// <summary>Connections opened so far.</summary>
    public int Connections { get; private set; }

    /// <summary>
    /// Sends <c>GET target HTTP/1.1</c> and reads the response; null when the server closed the connection without
    /// one. The target bytes are sent as given.
    /// </summary>
    public async Task<RawHttpResponse?> GetAsync(byte[] target, CancellationToken cancellationToken)
    {
        if (_socket is null)
        {
            _socket = new Socket(_server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await _socket.ConnectAsync(_server, cancellationToken);
            Connections++;
            _start = _end = 0;
        }

        byte[] request = [.. "GET "u8, .. target, .. " HTTP/1.1\r\nHost: "u8, .. Encoding.ASCII.GetBytes(_server.ToString()), .. "\r\n\r\n"u8];
        try
        {
            await _socket.SendAsync(request, SocketFlags.None, cancellationToken);
            var response = await ReadResponseAsync(cancellationToken);
            if (response is null || response.Closes)
            {
                Close();
            }

            return response;
        }
        catch (SocketException)
        {
            Close();
            return null;
        }
    }

    public void Dispose() => Close();

    private void Close()
    {
        _socket?.Dispose();
        _socket = null;
    }

    private async Task<RawHttpResponse?> ReadResponseAsync(CancellationToken cancellationToken)
    {
        int headEnd;
        while ((headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (_end - _start > MaxHead || !await FillAsync(cancellationToken))
            {
                return null;
            }
        }

        var head = Encoding.Latin1.GetString(_buffer, _start, headEnd);
        _start += headEnd + 4;
        var lines = head.Split("\r\n");
        var status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(status[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            throw new InvalidDataException($"Not an HTTP/1.x status line: '{lines[0]}'");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        var closes = headers.TryGetValue("Connection", out var connection) && connection.Contains("close", StringComparison.OrdinalIgnoreCase);
        byte[] body;
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = await ReadChunkedAsync(cancellationToken);
        }
        else if (headers.TryGetValue("Content-Length", out var lengthText))
        {
            body = await ReadExactlyAsync(int.Parse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture), cancellationToken);
        }
        else
        {
            // No length: the body runs to the end of the connection.
            while (await FillAsync(cancellationToken))
            {
            }

            body = _buffer[_start.._end];
            _start = _end;
            closes = true;
        }

        return new RawHttpResponse(code, headers, body, closes);
    }

    private async Task<byte[]> ReadChunkedAsync(CancellationToken cancellationToken)
    {
        var body = new List<byte>();
        while (true)
        {
            var sizeLine = await ReadLineAsync(cancellationToken);
            var size = int.Parse(sizeLine.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                // Trailers, then the empty line.
                while ((await ReadLineAsync(cancellationToken)).Length > 0)
                {
                }

                return [.. body];
            }

            body.AddRange(await ReadExactlyAsync(size, cancellationToken));
            await ReadLineAsync(cancellationToken);
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        int end;
        while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
        {
            if (!await FillAsync(cancellationToken))
            {
                throw new EndOfStreamException("The connection closed inside a chunked body.");
            }
        }

        var line = Encoding.Latin1.GetString(_buffer, _start, end);
        _start += end + 2;
        return line;
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            if (!await FillAsync(cancellationToken))
            {
                throw new EndOfStreamException($"The connection closed {_end - _start} bytes into a {count}-byte body.");
            }
        }

        var result = _buffer[_start..(_start + count)];
        _start += count;
        return result;
    }

    // Reads more bytes after _end; false at the end of the stream.
    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        int read;
        try
        {
            read = await _socket!.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        }
        catch (SocketException)
        {
            return false;
        }

        _end += read;
        return read > 0;
    }
}
