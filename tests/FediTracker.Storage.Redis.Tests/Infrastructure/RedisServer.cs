using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace FediTracker.Storage.Redis.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port with a throwaway directory, no persistence, logging to the
/// test's memory. It can be stopped (killed, as a crash would) and started again on the same port.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly string[] _extraArguments;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    static RedisServer()
    {
        // A safety net for a test run that ends without disposing: no redis-server outlives the test host.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Running.Values)
            {
                try
                {
                    process.Kill();
                }
                catch (InvalidOperationException)
                {
                }
            }
        };
    }

    private RedisServer(int port, string directory, string[] extraArguments)
    {
        Port = port;
        Directory = directory;
        _extraArguments = extraArguments;
    }

    public int Port { get; }

    /// <summary>The server's working directory (deleted on dispose).</summary>
    public string Directory { get; }

    /// <summary><c>127.0.0.1:port</c>, as a client configuration string takes it.</summary>
    public string EndPoint => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server's last log lines, for failure messages.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _output);

    /// <summary>Starts a server on a free port and returns once it answers PING.</summary>
    public static Task<RedisServer> StartNewAsync(params string[] extraArguments) => StartNewAsync(FreePort.Next(), extraArguments);

    /// <summary>Starts a server on the given loopback port and returns once it answers PING.</summary>
    public static async Task<RedisServer> StartNewAsync(int port, params string[] extraArguments)
    {
        var directory = Path.Combine(Path.GetTempPath(), "feditracker-redis-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var server = new RedisServer(port, directory, extraArguments);
        try
        {
            await server.StartAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Starts the server (again) on its port and returns once it answers PING.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The server is running already.");
        }

        var start = new ProcessStartInfo(RedisTools.Server)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory,
        };
        string[] arguments =
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--save", string.Empty,
            "--appendonly", "no",
            "--dir", Directory,
            "--daemonize", "no",
            "--logfile", string.Empty,
            .. _extraArguments,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Running[Port] = process;

        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server on port {Port} exited with code {process.ExitCode}:{Environment.NewLine}{RecentOutput}");
            }

            if (await RedisProbe.TryCommandAsync(Port, "PING", TimeSpan.FromSeconds(1)) == "+PONG")
            {
                return;
            }

            if (clock.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"redis-server on port {Port} did not answer PING within {StartTimeout}:{Environment.NewLine}{RecentOutput}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Kills the server, as a crash would, and waits for it to be gone.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        _process = null;
        Running.TryRemove(Port, out _);
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        using var cts = new CancellationTokenSource(StopTimeout);
        await process.WaitForExitAsync(cts.Token);
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }
}
