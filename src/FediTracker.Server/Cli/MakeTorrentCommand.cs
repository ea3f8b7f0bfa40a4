using System.Globalization;
using FediTracker.Protocol.Torrents;

namespace FediTracker.Server.Cli;

/// <summary>
/// <c>make-torrent</c>: writes a single-file .torrent (hybrid v1+v2 by default) whose web seed can be the file's own
/// HTTP URL, and prints its info-hashes and magnet link. Runs before (and instead of) the tracker host.
/// </summary>
internal static class MakeTorrentCommand
{
    public const string Verb = "make-torrent";

    public const int Success = 0;

    /// <summary>Reading the input or writing the output failed.</summary>
    public const int IoError = 1;

    /// <summary>Bad arguments, or an input that cannot be made into a torrent (missing, a directory, empty).</summary>
    public const int UsageError = 2;

    public const string Usage =
        """
        Usage: FediTracker.Server make-torrent <file> --announce <url> [options]

        Makes a .torrent for one file (BitTorrent v1+v2 hybrid unless told otherwise) and prints its info-hashes
        and a magnet link.

          --announce <url>         the tracker (http, https or udp); required
          --tracker <url>          another tracker, in its own tier after the announce URL (repeatable)
          --web-seed <url>         an http(s) URL of the file itself, BEP 19 (repeatable)
          --piece-length <bytes>   a power of two from 16384 to 67108864; K and M suffixes allowed (256K, 4M);
                                   default: chosen from the file size (about 1000-2000 pieces, at most 16M)
          --private                set the private flag (BEP 27): peers from trackers only
          --v1-only | --v2-only    make a BitTorrent v1-only or v2-only torrent instead of a hybrid
          --name <name>            the name in the torrent (default: the file's name)
          --comment <text>         a comment
          --no-date                leave out the creation date (the same file gives the same .torrent)
          -o, --output <path>      where to write the .torrent (default: <name>.torrent); replaced if it exists
          -h, --help               show this help

        Exit codes: 0 written; 1 could not read the file or write the torrent; 2 usage error.
        """;

    /// <param name="args">The arguments after the verb.</param>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!MakeTorrentArguments.TryParse(args, out var arguments, out var problem))
        {
            await error.WriteLineAsync($"make-torrent: {problem}");
            await error.WriteLineAsync($"Run '{Verb} --help' for the options.");
            return UsageError;
        }

        if (arguments.Help)
        {
            await output.WriteAsync(Usage);
            return Success;
        }

        if (Directory.Exists(arguments.InputPath))
        {
            await error.WriteLineAsync($"make-torrent: '{arguments.InputPath}' is a directory; only single files are supported.");
            return UsageError;
        }

        if (!File.Exists(arguments.InputPath))
        {
            await error.WriteLineAsync($"make-torrent: '{arguments.InputPath}' does not exist.");
            return UsageError;
        }

        if (arguments.Version == TorrentVersion.V2 && arguments.WebSeeds.Count > 0)
        {
            // Seen with libtorrent 2.0.8: a v2-only file gets a tail padding file, the torrent is then taken for a
            // multi-file one and the web seed for a directory URL, and every web seed request fails.
            await error.WriteLineAsync("make-torrent: warning: libtorrent 2.0 cannot use web seeds of a v2-only torrent whose size is not a whole number of pieces; the hybrid default has no such problem.");
        }

        var name = arguments.Name ?? Path.GetFileName(arguments.InputPath);
        var options = new TorrentBuildOptions
        {
            Name = name,
            PieceLength = arguments.PieceLength,
            Version = arguments.Version,
            Announce = arguments.Announce,
            Trackers = arguments.Trackers,
            WebSeeds = arguments.WebSeeds,
            IsPrivate = arguments.IsPrivate,
            Comment = arguments.Comment,
            CreatedBy = "FediTracker",
            CreationDate = arguments.NoDate ? null : DateTimeOffset.UtcNow,
        };

        TorrentBuildResult result;
        try
        {
            // No FileStream buffer: the builder reads 1 MiB at a time.
            await using var file = new FileStream(arguments.InputPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            result = await TorrentBuilder.BuildAsync(file, options, cancellationToken);
        }
        catch (ArgumentException ex)
        {
            // Options the builder refused (a name with '/', an empty file).
            await error.WriteLineAsync($"make-torrent: {WithoutParameterName(ex)}");
            return UsageError;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"make-torrent: cannot read '{arguments.InputPath}': {ex.Message}");
            return IoError;
        }

        var outputPath = arguments.OutputPath ?? name + ".torrent";
        try
        {
            await File.WriteAllBytesAsync(outputPath, result.Metainfo, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"make-torrent: cannot write '{outputPath}': {ex.Message}");
            return IoError;
        }

        // What we wrote must be what an upload would accept; the magnet link is made from the parsed file.
        if (!TorrentMetainfo.TryParse(result.Metainfo.Span, out var torrent, out var parseError))
        {
            await error.WriteLineAsync($"make-torrent: the written torrent does not parse back ({parseError}); this is a bug.");
            return IoError;
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {outputPath}: {Describe(result.Version)}, {result.Length} bytes in {result.PieceCount} pieces of {result.PieceLength} bytes"));
        if (result.InfoHashV1 is { } v1)
        {
            await output.WriteLineAsync($"info-hash v1:        {v1}");
        }

        if (result.InfoHashV2Full is { } v2)
        {
            await output.WriteLineAsync($"info-hash v2:        {v2}");
            await output.WriteLineAsync($"info-hash v2 (20 B): {result.InfoHashV2}");
        }

        await output.WriteLineAsync($"magnet:             {MagnetLink.Create(torrent)}");
        return Success;
    }

    private static string WithoutParameterName(ArgumentException ex) =>
        ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", "", StringComparison.Ordinal);

    private static string Describe(TorrentVersion version) => version switch
    {
        TorrentVersion.V1 => "BitTorrent v1",
        TorrentVersion.V2 => "BitTorrent v2",
        _ => "hybrid v1+v2",
    };
}
