using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using FediTracker.Protocol.Torrents;

namespace FediTracker.Server.Cli;

/// <summary>The parsed arguments of <see cref="MakeTorrentCommand"/>. Options take their value as the next argument or after '='.</summary>
internal sealed class MakeTorrentArguments
{
    public bool Help { get; private set; }

    public string InputPath { get; private set; } = "";

    public Uri? Announce { get; private set; }

    public List<Uri> Trackers { get; } = [];

    public List<Uri> WebSeeds { get; } = [];

    public int? PieceLength { get; private set; }

    public bool IsPrivate { get; private set; }

    public TorrentVersion Version { get; private set; } = TorrentVersion.Hybrid;

    public string? Name { get; private set; }

    public string? Comment { get; private set; }

    public bool NoDate { get; private set; }

    public string? OutputPath { get; private set; }

    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out MakeTorrentArguments? arguments, [NotNullWhen(false)] out string? problem)
    {
        arguments = null;
        var parsed = new MakeTorrentArguments();
        string? input = null;
        var versionFlag = (string?)null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inlineValue = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is var equals and > 2)
            {
                inlineValue = arg[(equals + 1)..];
                arg = arg[..equals];
            }

            switch (arg)
            {
                case "-h" or "--help":
                    parsed.Help = true;
                    arguments = parsed;
                    problem = null;
                    return true;

                case "--private" or "--no-date" or "--v1-only" or "--v2-only" when inlineValue is not null:
                    problem = $"'{arg}' takes no value.";
                    return false;

                case "--private":
                    parsed.IsPrivate = true;
                    break;

                case "--no-date":
                    parsed.NoDate = true;
                    break;

                case "--v1-only" or "--v2-only":
                    if (versionFlag is not null && versionFlag != arg)
                    {
                        problem = "'--v1-only' and '--v2-only' cannot be used together.";
                        return false;
                    }

                    versionFlag = arg;
                    parsed.Version = arg == "--v1-only" ? TorrentVersion.V1 : TorrentVersion.V2;
                    break;

                case "--announce" or "--tracker" or "--web-seed" or "--piece-length" or "--name" or "--comment" or "-o" or "--output":
                    var value = inlineValue;
                    if (value is null)
                    {
                        if (i + 1 >= args.Count || IsOption(args[i + 1]))
                        {
                            problem = $"'{arg}' needs a value.";
                            return false;
                        }

                        value = args[++i];
                    }

                    if (parsed.Apply(arg, value) is { } valueProblem)
                    {
                        problem = valueProblem;
                        return false;
                    }

                    break;

                default:
                    if (arg.StartsWith('-') && arg != "-")
                    {
                        problem = $"unknown option '{args[i]}'.";
                        return false;
                    }

                    if (input is not null)
                    {
                        problem = $"only one file can be given ('{input}', then '{arg}').";
                        return false;
                    }

                    input = arg;
                    break;
            }
        }

        if (input is null)
        {
            problem = "no file given.";
            return false;
        }

        if (parsed.Announce is null)
        {
            problem = "'--announce <url>' is required.";
            return false;
        }

        parsed.InputPath = input;
        arguments = parsed;
        problem = null;
        return true;
    }

    // An option where a value is due means the value was left out ('--name=--x' passes such a value).
    private static bool IsOption(string arg) => arg.StartsWith("--", StringComparison.Ordinal) || arg is "-o" or "-h";

    // Stores one option's value, or says what is wrong with it.
    private string? Apply(string option, string value)
    {
        switch (option)
        {
            case "--announce":
                if (Announce is not null)
                {
                    return "'--announce' can be given once; add more trackers with '--tracker'.";
                }

                Announce = ParseUrl(option, value, "http", "https", "udp", out var announceProblem);
                return announceProblem;

            case "--tracker":
                var tracker = ParseUrl(option, value, "http", "https", "udp", out var trackerProblem);
                if (tracker is not null)
                {
                    Trackers.Add(tracker);
                }

                return trackerProblem;

            case "--web-seed":
                var seed = ParseUrl(option, value, "http", "https", null, out var seedProblem);
                if (seed is not null)
                {
                    WebSeeds.Add(seed);
                }

                return seedProblem;

            case "--piece-length":
                if (!TryParsePieceLength(value, out var pieceLength, out var pieceProblem))
                {
                    return pieceProblem;
                }

                PieceLength = pieceLength;
                return null;

            case "--name":
                if (value.Length == 0)
                {
                    return "'--name' cannot be empty.";
                }

                Name = value;
                return null;

            case "--comment":
                Comment = value;
                return null;

            default: // -o, --output
                if (value.Length == 0)
                {
                    return $"'{option}' cannot be empty.";
                }

                OutputPath = value;
                return null;
        }
    }

    private static Uri? ParseUrl(string option, string value, string scheme1, string scheme2, string? scheme3, out string? problem)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || !(uri.Scheme == scheme1 || uri.Scheme == scheme2 || (scheme3 is not null && uri.Scheme == scheme3))
            || string.IsNullOrEmpty(uri.Host))
        {
            var schemes = scheme3 is null ? $"{scheme1} or {scheme2}" : $"{scheme1}, {scheme2} or {scheme3}";
            problem = $"'{option}' needs an absolute {schemes} URL, not '{value}'.";
            return null;
        }

        problem = null;
        return uri;
    }

    internal static bool TryParsePieceLength(string value, out int pieceLength, [NotNullWhen(false)] out string? problem)
    {
        pieceLength = 0;
        var text = value.AsSpan().Trim();
        long multiplier = 1;
        if (text.Length > 0 && char.ToUpperInvariant(text[^1]) is 'K' or 'M')
        {
            multiplier = char.ToUpperInvariant(text[^1]) == 'K' ? 1024 : 1024 * 1024;
            text = text[..^1];
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number > TorrentBuilder.MaxPieceLength / multiplier
            || number * multiplier < TorrentBuilder.MinPieceLength
            || !BitOperations.IsPow2(number * multiplier))
        {
            problem = string.Create(CultureInfo.InvariantCulture,
                $"'--piece-length' must be a power of two from {TorrentBuilder.MinPieceLength} to {TorrentBuilder.MaxPieceLength} bytes (K and M suffixes allowed), not '{value}'.");
            return false;
        }

        pieceLength = (int)(number * multiplier);
        problem = null;
        return true;
    }
}
