using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace FediTracker.EndToEnd.Tests;

/// <summary>
/// Runs clients/libtorrent_swarm.py: a libtorrent seeder and leecher that can meet only through the tracker at the
/// announce URL. While both are still in the swarm (after the leecher has verified its copy and announced its
/// completion) <c>whileHeld</c> is called with the torrent's info-hash; then the script is let go and awaited.
/// </summary>
internal static class LibtorrentSwarm
{
    /// <summary>The script's own deadline for the whole exchange.</summary>
    public static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(120);

    /// <summary>After this, the script's process tree is killed (the script should have given up before).</summary>
    public static readonly TimeSpan HardTimeout = ScriptTimeout + TimeSpan.FromSeconds(30);

    private const string ReadyPrefix = "READY ";

    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "clients", "libtorrent_swarm.py");

    public static Task<LibtorrentRun> RunAsync(
        Uri announce,
        string file,
        string workDirectory,
        bool oneProcess,
        Action<string> whileHeld,
        CancellationToken cancellationToken) =>
        RunAsync(
            announce,
            seederAnnounce: null,
            file,
            workDirectory,
            oneProcess,
            hash =>
            {
                whileHeld(hash);
                return Task.CompletedTask;
            },
            cancellationToken);

    /// <summary>
    /// As above; with <paramref name="seederAnnounce"/> the seeder announces there instead of to
    /// <paramref name="announce"/> (same torrent, same info-hash), and <paramref name="whileHeld"/> may be asynchronous.
    /// </summary>
    public static async Task<LibtorrentRun> RunAsync(
        Uri announce,
        Uri? seederAnnounce,
        string file,
        string workDirectory,
        bool oneProcess,
        Func<string, Task> whileHeld,
        CancellationToken cancellationToken,
        bool hybrid = false)
    {
        List<string> arguments =
        [
            ScriptPath,
            "--announce", announce.OriginalString,
            "--file", file,
            "--work", workDirectory,
            "--timeout", ScriptTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--hold",
        ];
        if (seederAnnounce is not null)
        {
            arguments.AddRange(["--seeder-announce", seederAnnounce.OriginalString]);
        }

        if (oneProcess)
        {
            arguments.Add("--one-process");
        }

        if (hybrid)
        {
            // READY then carries both hashes: "<v1 hex> <truncated v2 hex>".
            arguments.Add("--hybrid");
        }

        using var process = Process.Start(Python.StartInfo(arguments))
            ?? throw new InvalidOperationException($"{Python.Executable} did not start.");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(HardTimeout);

        var stderr = new StringBuilder();
        var stderrPump = PumpAsync(process.StandardError, stderr);
        var stdout = new StringBuilder();
        string? infoHash = null;
        var timedOut = false;
        try
        {
            // The only line the script prints on success is READY <hash>; anything else is kept for the message.
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                stdout.AppendLine(line);
                if (line.StartsWith(ReadyPrefix, StringComparison.Ordinal))
                {
                    infoHash = line[ReadyPrefix.Length..].Trim();
                    try
                    {
                        await whileHeld(infoHash).WaitAsync(deadline.Token);
                    }
                    finally
                    {
                        process.StandardInput.Close();
                    }
                }
            }

            await process.WaitForExitAsync(deadline.Token);
            await stderrPump.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            await stderrPump.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        string errorText;
        lock (stderr)
        {
            errorText = stderr.ToString();
        }

        return new LibtorrentRun(timedOut ? null : process.ExitCode, timedOut, infoHash, stdout.ToString(), errorText);
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (into)
            {
                into.AppendLine(line);
            }
        }
    }
}
