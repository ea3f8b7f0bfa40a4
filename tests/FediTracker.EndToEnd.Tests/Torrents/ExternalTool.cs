using System.Diagnostics;

namespace FediTracker.EndToEnd.Tests.Torrents;

/// <summary>Runs a command-line tool to its end (or kills it at a deadline) and keeps what it printed.</summary>
internal static class ExternalTool
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit code {ExitCode}{Environment.NewLine}stdout:{Environment.NewLine}{Output}{Environment.NewLine}stderr:{Environment.NewLine}{Error}";
    }

    /// <summary>Fails the calling test (never skips it) when <paramref name="path"/> is missing.</summary>
    public static void Require(string path, string package)
    {
        if (!File.Exists(path))
        {
            Assert.Fail($"{path} does not exist. Install Debian's {package} (sudo apt-get install {package}; scripts/test.sh does it).");
        }
    }

    public static Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return RunAsync(info, timeout, cancellationToken);
    }

    public static Task<Result> RunPythonAsync(IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken) =>
        RunAsync(Python.StartInfo(arguments), timeout, cancellationToken);

    private static async Task<Result> RunAsync(ProcessStartInfo info, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start.");
        process.StandardInput.Close();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var error = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return new Result(process.ExitCode, await output, await error);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"'{info.FileName} {string.Join(' ', info.ArgumentList)}' did not finish within {timeout.TotalSeconds} s.");
        }
    }
}
