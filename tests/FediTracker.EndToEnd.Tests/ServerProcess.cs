using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FediTracker.EndToEnd.Tests;

/// <summary>The published server in its own process, with the endpoints it logged once it listened.</summary>
internal sealed partial class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private ServerProcess(Process process) => _process = process;

    public string Http { get; private set; } = string.Empty;

    public string Admin { get; private set; } = string.Empty;

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>Starts the server in <paramref name="workingDirectory"/> and waits until it has logged its admin listener.</summary>
    public static async Task<ServerProcess> StartAsync(string workingDirectory, CancellationToken cancellationToken, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FediTracker.Server.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        var server = new ServerProcess(Process.Start(info)!);
        try
        {
            await server.ReadEndpointsAsync(cancellationToken);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Unix): no shutdown code runs, as in a crash or an OOM kill.</summary>
    public async Task KillHardAsync(CancellationToken cancellationToken)
    {
        _process.Kill();
        await _process.WaitForExitAsync(cancellationToken);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private async Task ReadEndpointsAsync(CancellationToken cancellationToken)
    {
        while (await _process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }

            if (HttpLine().Match(line) is { Success: true } http && Http.Length == 0)
            {
                Http = http.Groups["ep"].Value;
            }

            if (AdminLine().Match(line) is { Success: true } admin)
            {
                Admin = admin.Groups["ep"].Value;
                _ = Task.Run(DrainAsync, CancellationToken.None);
                return;
            }
        }

        throw new InvalidOperationException("The server exited before it listened:\n" + Output + await _process.StandardError.ReadToEndAsync(cancellationToken));
    }

    // Keeps reading so the server never blocks on a full pipe.
    private async Task DrainAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } rest)
        {
            lock (_lines)
            {
                _lines.Add(rest);
            }
        }
    }

    [GeneratedRegex(@"Listening \(admin\) on http://(?<ep>[^\s/]+)/?")]
    private static partial Regex AdminLine();

    [GeneratedRegex(@"Listening \(HTTP tracker\) on http://(?<ep>[^\s/]+)")]
    private static partial Regex HttpLine();
}
