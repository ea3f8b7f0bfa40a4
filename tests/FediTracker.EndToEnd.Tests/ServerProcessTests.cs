using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FediTracker.EndToEnd.Tests;

/// <summary>The server as an operator runs it: its own process, configured by flags, stopped by SIGTERM.</summary>
public sealed partial class ServerProcessTests
{
    [Test]
    [CancelAfter(60_000)]
    public async Task Starts_logs_where_it_listens_serves_and_stops_cleanly_on_SIGTERM(CancellationToken cancellationToken)
    {
        using var process = Start("--http", "127.0.0.1:0", "--udp", "127.0.0.1:0", "--admin", "127.0.0.1:0");
        try
        {
            var admin = await ReadUntilAsync(process, AdminLine(), cancellationToken);
            var http = HttpLine().Match(string.Join('\n', Lines)).Groups["ep"].Value;
            http.Should().NotBeEmpty("the HTTP listener is logged before the admin one");

            using var client = new HttpClient();
            (await client.GetStringAsync(new Uri($"http://{admin}/alive"), cancellationToken)).Should().Be("alive\n");
            var reply = await client.GetStringAsync(new Uri($"http://{http}/announce?info_hash=short"), cancellationToken);
            reply.Should().StartWith("d14:failure reason");

            Kill(process.Id, "TERM");
            await process.WaitForExitAsync(cancellationToken);
            process.ExitCode.Should().Be(0, "SIGTERM is a clean shutdown. Output:\n" + string.Join('\n', Lines));
            Lines.Should().Contain(l => l.Contains("Application is shutting down", StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Bad_configuration_exits_with_code_2_and_lists_every_error(CancellationToken cancellationToken)
    {
        using var process = Start("--http", "nonsense", "--Tracker:MaxNumWant", "0", "--store", "etcd");
        await process.WaitForExitAsync(cancellationToken);
        var stderr = await process.StandardError.ReadToEndAsync(cancellationToken);

        process.ExitCode.Should().Be(2);
        stderr.Should().Contain("Listen:Http").And.Contain("MaxNumWant").And.Contain("Store:Kind");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Logging_Format_json_writes_one_json_object_a_line(CancellationToken cancellationToken)
    {
        using var process = Start("--http", "127.0.0.1:0", "--udp", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--Logging:Format", "json");
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(cancellationToken);
            using var json = System.Text.Json.JsonDocument.Parse(line ?? "null");
            json.RootElement.GetProperty("LogLevel").GetString().Should().Be("Information");
            json.RootElement.GetProperty("Message").GetString().Should().NotBeNullOrEmpty();
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(cancellationToken);
        }
    }

    private readonly List<string> _lines = [];

    private IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Its own working directory: the default registry file (feditracker.db) lands there, not beside the tests.
            WorkingDirectory = Directory.CreateTempSubdirectory("feditracker-process-").FullName,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FediTracker.Server.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        return Process.Start(info)!;
    }

    private async Task<string> ReadUntilAsync(Process process, Regex pattern, CancellationToken cancellationToken)
    {
        while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }

            var match = pattern.Match(line);
            if (match.Success)
            {
                // Keep draining output so the server never blocks on a full pipe.
                _ = Task.Run(async () =>
                {
                    while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } rest)
                    {
                        lock (_lines)
                        {
                            _lines.Add(rest);
                        }
                    }
                }, CancellationToken.None);
                return match.Groups["ep"].Value;
            }
        }

        throw new InvalidOperationException("The server exited before it listened:\n" + string.Join('\n', Lines) + await process.StandardError.ReadToEndAsync(cancellationToken));
    }

    private static void Kill(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    [GeneratedRegex(@"Listening \(admin\) on http://(?<ep>[^\s/]+)/?")]
    private static partial Regex AdminLine();

    [GeneratedRegex(@"Listening \(HTTP tracker\) on http://(?<ep>[^\s/]+)")]
    private static partial Regex HttpLine();
}
