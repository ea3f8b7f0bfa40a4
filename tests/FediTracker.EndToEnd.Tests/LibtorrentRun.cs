namespace FediTracker.EndToEnd.Tests;

/// <summary>How a run of clients/libtorrent_swarm.py ended.</summary>
/// <param name="ExitCode">The script's exit code; null when it was killed at the hard timeout.</param>
/// <param name="InfoHash">The torrent's v1 info-hash in hex, once the script reported success.</param>
internal sealed record LibtorrentRun(int? ExitCode, bool TimedOut, string? InfoHash, string Stdout, string Stderr)
{
    /// <summary>Everything a failure message needs: how it ended and what the script said.</summary>
    public string Describe() =>
        $"""
        script: {(TimedOut ? $"killed after {LibtorrentSwarm.HardTimeout.TotalSeconds} s" : $"exit code {ExitCode}")}
        --- stdout ---
        {Stdout}
        --- stderr ---
        {Stderr}
        """;
}
