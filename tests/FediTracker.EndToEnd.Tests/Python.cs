using System.Diagnostics;

namespace FediTracker.EndToEnd.Tests;

/// <summary>
/// Debian's Python with the python3-libtorrent bindings. The path is fixed on purpose: the first python3 on PATH
/// may be another build, without them.
/// </summary>
internal static class Python
{
    public const string Executable = "/usr/bin/python3";

    private static readonly Lazy<Task<string?>> s_libtorrentProblem = new(FindLibtorrentProblemAsync);

    /// <summary>Fails the calling test (never skips it) when the libtorrent bindings cannot be imported.</summary>
    public static async Task RequireLibtorrentAsync()
    {
        var problem = await s_libtorrentProblem.Value;
        if (problem is not null)
        {
            Assert.Fail(problem);
        }
    }

    /// <summary>A start description for <see cref="Executable"/> with redirected streams and a clean Python environment.</summary>
    public static ProcessStartInfo StartInfo(params IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // Variables meant for another Python build (pyenv, a virtualenv) must not reach Debian's.
        info.Environment.Remove("PYTHONHOME");
        info.Environment.Remove("PYTHONPATH");
        info.Environment["PYTHONUNBUFFERED"] = "1";
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    private static async Task<string?> FindLibtorrentProblemAsync()
    {
        const string Install = "Install Debian's python3-libtorrent (sudo apt-get install python3-libtorrent; scripts/test.sh does it).";
        if (!File.Exists(Executable))
        {
            return $"{Executable} does not exist. {Install}";
        }

        using var process = Process.Start(StartInfo("-c", "import libtorrent; print(libtorrent.__version__)"))!;
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(output, error);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return $"'{Executable} -c \"import libtorrent\"' did not finish within 30 s.";
        }

        return process.ExitCode == 0
            ? null
            : $"'{Executable} -c \"import libtorrent\"' failed (exit code {process.ExitCode}): {(await error).Trim()}{Environment.NewLine}{Install}";
    }
}
