using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace FediTracker.LoadTest;

/// <summary>
/// Asks a running .NET process for a full garbage collection from outside, through its diagnostics server (the
/// documented Diagnostic IPC protocol over the Unix socket /tmp/dotnet-diagnostic-PID-*-socket): start an EventPipe
/// session with the runtime provider's GCHeapCollect keyword, which makes the runtime collect at once (this is how
/// dotnet-gcdump gets a settled heap), then stop the session. The event stream itself is drained and ignored.
/// </summary>
internal static class DiagnosticsIpc
{
    private const byte CommandSetEventPipe = 0x02;
    private const byte StopTracing = 0x01;
    private const byte CollectTracing2 = 0x03;
    private const byte CommandSetServer = 0xFF;
    private const byte ResponseOk = 0x00;
    private const ulong KeywordGc = 0x1;
    private const ulong KeywordGcHeapCollect = 0x800000;
    private const uint LevelInformational = 4;
    private const int HeaderLength = 20;

    /// <summary>Induces one full GC in process <paramref name="pid"/>; returns an error text, or null on success.</summary>
    public static async Task<string?> InduceGcAsync(int pid)
    {
        var path = FindSocket(pid);
        if (path is null)
        {
            return $"no diagnostics socket for process {pid} in {Path.GetTempPath()} (not .NET, or DOTNET_EnableDiagnostics=0)";
        }

        using var session = Connect(path);
        await session.SendAsync(CollectTracingMessage());
        var header = new byte[HeaderLength + 8];
        await ReadExactlyAsync(session, header);
        if (header[16] != CommandSetServer || header[17] != ResponseOk)
        {
            return $"the runtime refused the EventPipe session (response {header[16]:X2}/{header[17]:X2})";
        }

        var sessionId = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(HeaderLength));

        // The GC runs when the session is enabled; drain the stream a moment so the runtime never blocks on it.
        using var drainStop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var sink = new byte[64 * 1024];
        try
        {
            while (await session.ReceiveAsync(sink, SocketFlags.None, drainStop.Token) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
        }

        using var stop = Connect(path);
        var message = new byte[HeaderLength + 8];
        WriteHeader(message, StopTracing);
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(HeaderLength), sessionId);
        await stop.SendAsync(message);
        var reply = new byte[HeaderLength + 8];
        await ReadExactlyAsync(stop, reply);
        return null;
    }

    private static string? FindSocket(int pid)
    {
        var directory = Environment.GetEnvironmentVariable("TMPDIR");
        directory = string.IsNullOrEmpty(directory) ? "/tmp" : directory;
        var matches = Directory.GetFiles(directory, $"dotnet-diagnostic-{pid}-*-socket");
        return matches.Length == 0 ? null : matches[0];
    }

    private static Socket Connect(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static byte[] CollectTracingMessage()
    {
        // Payload: uint circularBufferMB, uint format (1 = nettrace), bool requestRundown,
        // array<provider> = uint count, then per provider: ulong keywords, uint level, string name, string filter.
        // A string is uint length in UTF-16 units including the terminating 0, then the units; length 0 = empty.
        const string provider = "Microsoft-Windows-DotNETRuntime";
        var payload = new List<byte>();
        void UInt32(uint value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
            payload.AddRange(b.ToArray());
        }

        void UInt64(ulong value)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(b, value);
            payload.AddRange(b.ToArray());
        }

        UInt32(16);
        UInt32(1);
        payload.Add(0);
        UInt32(1);
        UInt64(KeywordGc | KeywordGcHeapCollect);
        UInt32(LevelInformational);
        UInt32((uint)provider.Length + 1);
        payload.AddRange(Encoding.Unicode.GetBytes(provider + "\0"));
        UInt32(0);

        var message = new byte[HeaderLength + payload.Count];
        WriteHeader(message, CollectTracing2);
        payload.CopyTo(message, HeaderLength);
        return message;
    }

    private static void WriteHeader(byte[] message, byte command)
    {
        "DOTNET_IPC_V1\0"u8.CopyTo(message);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(14), (ushort)message.Length);
        message[16] = CommandSetEventPipe;
        message[17] = command;
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(18), 0);
    }

    private static async Task ReadExactlyAsync(Socket socket, byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            if (n == 0)
            {
                throw new IOException("The diagnostics server closed the connection.");
            }

            read += n;
        }
    }
}
