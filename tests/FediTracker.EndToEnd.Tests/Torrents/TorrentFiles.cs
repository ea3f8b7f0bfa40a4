using FediTracker.Protocol.Torrents;
using FediTracker.Server.Cli;

namespace FediTracker.EndToEnd.Tests.Torrents;

/// <summary>Content files and torrents made through the <c>make-torrent</c> verb, as an operator would.</summary>
internal static class TorrentFiles
{
    /// <summary>Writes <paramref name="size"/> pseudo-random bytes (fixed seed per size) to a new file in <paramref name="directory"/>.</summary>
    public static string WriteContent(string directory, string name, int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Runs <c>make-torrent</c> in this process; fails the test unless it exits 0. Returns the parsed torrent and what it printed.</summary>
    public static async Task<(TorrentMetainfo Torrent, string Printed)> MakeAsync(string file, string torrentPath, params string[] options)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await MakeTorrentCommand.RunAsync([file, "-o", torrentPath, .. options], output, error, CancellationToken.None);
        exitCode.Should().Be(MakeTorrentCommand.Success, $"make-torrent should succeed; it printed:{Environment.NewLine}{output}{error}");
        return (Parse(torrentPath), output.ToString());
    }

    public static TorrentMetainfo Parse(string torrentPath)
    {
        TorrentMetainfo.TryParse(File.ReadAllBytes(torrentPath), out var torrent, out var problem).Should().BeTrue(problem);
        return torrent!;
    }
}
