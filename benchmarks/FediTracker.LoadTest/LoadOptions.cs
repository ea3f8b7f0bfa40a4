using System.Globalization;
using System.Net;

namespace FediTracker.LoadTest;

/// <summary>Every setting of a run, from the command line. See <see cref="Usage"/> for the meaning of each.</summary>
internal sealed class LoadOptions
{
    public const string Usage = """
        FediTracker.LoadTest: a BitTorrent tracker load generator (UDP BEP 15 and HTTP), for any tracker.

        Commands
          load       (default) drive load at --target for --warmup + --seconds, then report
          fill       memory per peer: fill --fill-torrents x --fill-peers-per-torrent peers (UDP) into the tracker
                     whose process is --pid, and report its RSS growth per peer
          free-port  print a loopback port free for both TCP and UDP
          induce-gc  ask the .NET process --pid for a full GC through its diagnostics IPC (see fill --induce-gc)
          store-memory  the same peers as fill, filed straight into FediTracker's MemorySwarmStore in this process:
                     managed heap per peer (GC.GetTotalMemory after full collections); the only command that uses
                     the tracker's own code
          hashes     write the info-hashes the workload uses to --out (hex, one per line; for whitelists)
          wrk-paths  write --count announce paths (same workload) to --out, for wrk's Lua script
          summarize  FILE.jsonl: a table and FediTracker/opentracker ratios from compare.sh's records

        Target and time
          --target URL            udp://host:port or http://host:port/announce (loopback only)
          --seconds N             measured time (default 20)
          --warmup N              load before measuring, excluded from figures (default 5)
          --workers N             sockets (UDP) or keep-alive connections (HTTP) (default 8 UDP, 64 HTTP)
          --inflight N            requests in flight per socket/connection (default 16 UDP, 1 HTTP = no pipelining)
          --timeout-ms N          a request without a reply by then is a timeout (default 1000 UDP, 5000 HTTP)
          --http-close            HTTP: send 'Connection: close', one connection per request

        Workload (modelled on aquatic's UDP load test)
          --torrents N            info-hashes (default 10000); popularity is exponentially skewed
          --skew K                torrent i gets weight exp(-K i / N) (default 10: the top 10 % take 63 %)
          --peers N               simulated peers in all (default 100000), spread over the workers
          --sources N             source addresses 127.0.0.1 .. 127.0.0.N (default 4)
          --numwant N             (default 30)
          --seeders F             share of (peer, torrent) pairs that are seeders, left=0 (default 0.75)
          --scrape-every N        one scrape per N announces on average (default 100)
          --scrape-max N          hashes per scrape, 1..N uniform (default 10)
          --started F / --stopped F   share of announces with that event (default 0.03 / 0.02; the rest none)
          --seed N                seeds hashes, peer ids and choices (default 1)

        Output
          --label NAME            name of the target in the report (default: the URL)
          --json                  also print one JSON line (last line of the output)
          --server-pid PID[,PID]  also report the CPU the tracker used in the window (/proc/PID/stat; several
                                  processes, e.g. the tracker and its redis-server, are summed)
          --test NAME, --round N  copied into the JSON line (compare.sh uses them)

        fill
          --pid PID               the tracker process whose VmRSS is read from /proc/PID/status
          --fill-torrents N       (default 100000)      --fill-peers-per-torrent N  (default 10)
          --fill-sources N        source addresses (default 20): peer k comes from 127.0.0.(1 + k mod N)
          --settle N              seconds to wait before each RSS reading (default 5)
          --induce-gc             .NET targets: also take readings after a full GC induced through the runtime's
                                  diagnostics IPC (EventPipe, GCHeapCollect), as dotnet-gcdump does

        hashes / wrk-paths
          --out FILE  --count N (wrk-paths, default 100000)
        """;

    public string Command { get; set; } = "load";

    public Uri? Target { get; set; }

    public bool IsUdp => Target is not null && string.Equals(Target.Scheme, "udp", StringComparison.OrdinalIgnoreCase);

    public int Seconds { get; set; } = 20;

    public int Warmup { get; set; } = 5;

    public int Workers { get; set; }

    public int InFlight { get; set; }

    public int TimeoutMs { get; set; }

    public bool HttpClose { get; set; }

    public int Torrents { get; set; } = 10_000;

    public double Skew { get; set; } = 10;

    public int Peers { get; set; } = 100_000;

    public int Sources { get; set; } = 4;

    public int NumWant { get; set; } = 30;

    public double Seeders { get; set; } = 0.75;

    public int ScrapeEvery { get; set; } = 100;

    public int ScrapeMax { get; set; } = 10;

    public double Started { get; set; } = 0.03;

    public double Stopped { get; set; } = 0.02;

    public ulong Seed { get; set; } = 1;

    public string? Label { get; set; }

    public string? Test { get; set; }

    public int Round { get; set; } = 1;

    public bool Json { get; set; }

    public int Pid { get; set; }

    /// <summary>The tracker's processes (with Redis: the tracker and redis-server); their CPU is summed.</summary>
    public IReadOnlyList<int> ServerPids { get; set; } = [];

    public int FillTorrents { get; set; } = 100_000;

    public int FillPeersPerTorrent { get; set; } = 10;

    public int FillSources { get; set; } = 20;

    public int Settle { get; set; } = 5;

    public bool InduceGc { get; set; }

    public string? Out { get; set; }

    public int Count { get; set; } = 100_000;

    public string? SummarizeFile { get; set; }

    public IPEndPoint TargetEndPoint => new(IPAddress.Parse(Target!.Host), Target.Port);

    public string DisplayLabel => Label ?? Target?.ToString() ?? Command;

    /// <summary>Parses the arguments; returns null and fills <paramref name="errors"/> when anything is wrong.</summary>
    public static LoadOptions? Parse(string[] args, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(errors);
        var o = new LoadOptions();
        var i = 0;
        if (args.Length > 0 && !args[0].StartsWith('-'))
        {
            o.Command = args[0];
            i = 1;
            if (o.Command == "summarize" && args.Length > 1 && !args[1].StartsWith('-'))
            {
                o.SummarizeFile = args[1];
                i = 2;
            }
        }

        for (; i < args.Length; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Length)
                {
                    errors.Add($"{name} needs a value.");
                    return string.Empty;
                }

                return args[++i];
            }

            int Int(int min, int max)
            {
                var text = Value();
                if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
                {
                    errors.Add($"{name}: '{text}' is not a whole number from {min} to {max}.");
                }

                return value;
            }

            double Number(double min, double max)
            {
                var text = Value();
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
                {
                    errors.Add($"{name}: '{text}' is not a number from {min} to {max}.");
                }

                return value;
            }

            double Fraction() => Number(0, 1);

            switch (name)
            {
                case "--target":
                    var text = Value();
                    if (Uri.TryCreate(text, UriKind.Absolute, out var uri))
                    {
                        o.Target = uri;
                    }
                    else
                    {
                        errors.Add($"--target: '{text}' is not a URL.");
                    }

                    break;
                case "--seconds": o.Seconds = Int(1, 3600); break;
                case "--warmup": o.Warmup = Int(0, 600); break;
                case "--workers": o.Workers = Int(1, 4096); break;
                case "--inflight": o.InFlight = Int(1, 1024); break;
                case "--timeout-ms": o.TimeoutMs = Int(10, 60_000); break;
                case "--http-close": o.HttpClose = true; break;
                case "--torrents": o.Torrents = Int(1, 10_000_000); break;
                case "--skew": o.Skew = Number(0, 100); break;
                case "--peers": o.Peers = Int(1, 10_000_000); break;
                case "--sources": o.Sources = Int(1, 254); break;
                case "--numwant": o.NumWant = Int(-1, 1000); break;
                case "--seeders": o.Seeders = Fraction(); break;
                case "--scrape-every": o.ScrapeEvery = Int(0, 1_000_000); break;
                case "--scrape-max": o.ScrapeMax = Int(1, 74); break;
                case "--started": o.Started = Fraction(); break;
                case "--stopped": o.Stopped = Fraction(); break;
                case "--seed": o.Seed = (ulong)Int(0, int.MaxValue); break;
                case "--label": o.Label = Value(); break;
                case "--test": o.Test = Value(); break;
                case "--round": o.Round = Int(0, 1000); break;
                case "--json": o.Json = true; break;
                case "--pid": o.Pid = Int(1, int.MaxValue); break;
                case "--server-pid":
                    var pids = new List<int>();
                    foreach (var item in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (int.TryParse(item, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) && pid > 0)
                        {
                            pids.Add(pid);
                        }
                        else
                        {
                            errors.Add($"--server-pid: '{item}' is not a process id.");
                        }
                    }

                    o.ServerPids = pids;
                    break;
                case "--fill-torrents": o.FillTorrents = Int(1, 10_000_000); break;
                case "--fill-peers-per-torrent": o.FillPeersPerTorrent = Int(1, 1000); break;
                case "--fill-sources": o.FillSources = Int(1, 254); break;
                case "--settle": o.Settle = Int(0, 600); break;
                case "--induce-gc": o.InduceGc = true; break;
                case "--out": o.Out = Value(); break;
                case "--count": o.Count = Int(1, 100_000_000); break;
                case "--help" or "-h":
                    o.Command = "help";
                    break;
                default:
                    errors.Add($"Unknown option '{name}'.");
                    break;
            }
        }

        o.Check(errors);
        return errors.Count == 0 ? o : null;
    }

    private void Check(List<string> errors)
    {
        switch (Command)
        {
            case "help" or "free-port" or "store-memory":
                return;
            case "load" or "fill":
                CheckTarget(errors);
                break;
            case "induce-gc":
                if (Pid == 0)
                {
                    errors.Add("induce-gc needs --pid.");
                }

                break;
            case "hashes" or "wrk-paths":
                if (string.IsNullOrEmpty(Out))
                {
                    errors.Add($"{Command} needs --out FILE.");
                }

                break;
            case "summarize":
                if (string.IsNullOrEmpty(SummarizeFile))
                {
                    errors.Add("summarize needs a FILE.jsonl.");
                }

                break;
            default:
                errors.Add($"Unknown command '{Command}'.");
                return;
        }

        var udp = IsUdp;
        Workers = Workers == 0 ? (udp ? 8 : 64) : Workers;
        InFlight = InFlight == 0 ? (udp ? 16 : 1) : InFlight;
        TimeoutMs = TimeoutMs == 0 ? (udp ? 1000 : 5000) : TimeoutMs;
        if (udp && InFlight > 32_767)
        {
            errors.Add("--inflight: at most 32767 per UDP socket.");
        }

        if (Started + Stopped > 1)
        {
            errors.Add("--started plus --stopped must not exceed 1.");
        }

        if (Command == "fill" && Pid == 0)
        {
            errors.Add("fill needs --pid (the tracker's process id).");
        }

        if (Command == "fill" && !udp)
        {
            errors.Add("fill announces over UDP: give a udp:// target.");
        }

        if (Command == "fill" && ((long)FillTorrents * FillPeersPerTorrent) > (long)FillSources * 60_000)
        {
            errors.Add("fill: more peers than --fill-sources x 60000 distinct ports; raise --fill-sources.");
        }

        // Peers of one source address need distinct ports (PeerSet.FirstPort ..).
        var sources = Math.Min(Sources, Workers);
        var perWorker = ((long)Peers + Workers - 1) / Workers;
        var workersPerSource = ((long)Workers + sources - 1) / sources;
        if (Command == "load" && PeerSet.FirstPort + (perWorker * workersPerSource) - 1 > ushort.MaxValue)
        {
            errors.Add("--peers: too many peers per source address for distinct ports; raise --sources or lower --peers.");
        }
    }

    private void CheckTarget(List<string> errors)
    {
        if (Target is null)
        {
            errors.Add($"{Command} needs --target (udp://host:port or http://host:port/announce).");
            return;
        }

        var scheme = Target.Scheme.ToLowerInvariant();
        if (scheme is not ("udp" or "http"))
        {
            errors.Add("--target: only udp:// and http:// targets.");
        }

        if (!IPAddress.TryParse(Target.Host, out var address) || !IPAddress.IsLoopback(address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            errors.Add("--target: the host must be an IPv4 loopback address (127.0.0.0/8); this tool only loads local trackers.");
        }

        if (Target.Port <= 0)
        {
            errors.Add("--target: a port is needed.");
        }
    }
}
