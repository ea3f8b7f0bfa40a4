using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace FediTracker.LoadTest;

/// <summary>
/// Memory per peer: announces --fill-torrents x --fill-peers-per-torrent distinct IPv4 peers (UDP, event started,
/// numwant 0) into a running tracker and compares its resident set size (VmRSS) before and after. A warm-up first
/// adds and removes a few thousand peers, so code paths, buffers and connection ids exist before the first reading.
/// Each reading is taken after --settle seconds of quiet. A garbage-collected tracker's RSS also holds garbage not yet
/// collected and heap it keeps for later; --induce-gc adds readings after a full GC induced from outside.
/// </summary>
internal static class MemoryFill
{
    private const int InFlightPerSource = 8;
    private const int WarmPeers = 20_000;
    private const int SampleTorrents = 1000;
    private const int MaxErrors = 1000;
    private static readonly TimeSpan FillLimit = TimeSpan.FromMinutes(10);

    public static async Task<int> RunAsync(LoadOptions options, TextWriter output)
    {
        var pid = options.Pid;
        if (ProcessMemory.ResidentKilobytes(pid) < 0)
        {
            output.WriteLine($"Cannot read VmRSS of process {pid}.");
            return 1;
        }

        var hashes = Workload.GenerateHashes(options.Seed, options.FillTorrents);
        var total = (long)options.FillTorrents * options.FillPeersPerTorrent;
        var label = options.DisplayLabel;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: memory fill of {total} peers ({options.FillTorrents} torrents x {options.FillPeersPerTorrent}) from {options.FillSources} source addresses, process {pid}"));

        var warm = Math.Min(total, WarmPeers);
        if (!FillPass(options, hashes, warm, 2, output) || !FillPass(options, hashes, warm, 3, output))
        {
            output.WriteLine("The warm-up announces were not all answered.");
            return 1;
        }

        var before = await ReadAsync(options, "before", output);
        var watch = Stopwatch.StartNew();
        var complete = FillPass(options, hashes, total, 2, output);
        var fillSeconds = watch.Elapsed.TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  filled {total} peers in {fillSeconds:F1} s ({total / fillSeconds:F0} announces/s){(complete ? string.Empty : " - INCOMPLETE")}"));
        var swarm = AverageSwarm(options, hashes);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  scrape of {Math.Min(SampleTorrents, options.FillTorrents)} sample torrents: {swarm:F2} peers per torrent (expected {options.FillPeersPerTorrent})"));
        var after = await ReadAsync(options, "after", output);

        double PerPeer(long beforeKb, long afterKb) => Math.Round((afterKb - beforeKb) * 1024.0 / total, 1);
        var perPeer = PerPeer(before.Rss, after.Rss);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {perPeer} bytes per peer (RSS {before.Rss} kB -> {after.Rss} kB)"));
        if (options.InduceGc && before.AfterGc > 0 && after.AfterGc > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {PerPeer(before.AfterGc, after.AfterGc)} bytes per peer after an induced full GC (RSS {before.AfterGc} kB -> {after.AfterGc} kB)"));
        }

        if (options.Json)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("kind", "memory");
                json.WriteString("label", label);
                json.WriteNumber("round", options.Round);
                json.WriteNumber("peers", total);
                json.WriteNumber("torrents", options.FillTorrents);
                json.WriteBoolean("complete", complete);
                json.WriteNumber("fill_seconds", Math.Round(fillSeconds, 2));
                json.WriteNumber("avg_swarm", Math.Round(swarm, 2));
                json.WriteNumber("rss_before_kb", before.Rss);
                json.WriteNumber("rss_after_kb", after.Rss);
                json.WriteNumber("bytes_per_peer", perPeer);
                if (options.InduceGc)
                {
                    json.WriteNumber("gc_before_kb", before.AfterGc);
                    json.WriteNumber("gc_after_kb", after.AfterGc);
                    json.WriteNumber("bytes_per_peer_after_gc", before.AfterGc > 0 && after.AfterGc > 0 ? PerPeer(before.AfterGc, after.AfterGc) : -1);
                }

                json.WriteEndObject();
            }

            output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }

        return complete ? 0 : 1;
    }

    private static async Task<(long Rss, long AfterGc)> ReadAsync(LoadOptions options, string name, TextWriter output)
    {
        await Task.Delay(TimeSpan.FromSeconds(options.Settle));
        var rss = ProcessMemory.ResidentKilobytes(options.Pid);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  RSS {name}: {rss} kB (after {options.Settle} s quiet)"));
        long afterGc = -1;
        if (options.InduceGc)
        {
            var error = await DiagnosticsIpc.InduceGcAsync(options.Pid);
            if (error is null)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Max(options.Settle, 3)));
                afterGc = ProcessMemory.ResidentKilobytes(options.Pid);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  RSS {name}, after an induced full GC: {afterGc} kB"));
            }
            else
            {
                output.WriteLine($"  could not induce a GC: {error}");
            }
        }

        return (rss, afterGc);
    }

    /// <summary>
    /// Announces peers 0 .. count-1 with the given BEP 15 event until every one is answered. False when the time
    /// limit passes first, or the tracker keeps answering with errors.
    /// </summary>
    private static bool FillPass(LoadOptions options, byte[] hashes, long count, int udpEvent, TextWriter output)
    {
        var clock = RunClock.Always();
        var target = options.TargetEndPoint;
        var workers = new List<UdpLoadWorker>();
        var sources = new List<UdpFillSource>();
        try
        {
            for (var s = 0; s < options.FillSources; s++)
            {
                var source = new UdpFillSource(hashes, options.Seed, options.FillPeersPerTorrent, s, count, options.FillSources, udpEvent);
                sources.Add(source);
                workers.Add(new UdpLoadWorker(new IPEndPoint(LoadRunner.SourceAddress(s), 0), target, InFlightPerSource, TimeSpan.FromMilliseconds(500), clock, source));
            }

            foreach (var worker in workers)
            {
                worker.Start();
            }

            var deadline = Stopwatch.StartNew();
            var complete = false;
            SocketDriver.Run(workers, _ =>
            {
                complete = true;
                long errors = 0;
                for (var i = 0; i < workers.Count; i++)
                {
                    complete &= sources[i].Done >= sources[i].Total;
                    errors += workers[i].Stats.ErrorPackets;
                }

                if (errors > MaxErrors)
                {
                    var merged = new WorkerStats();
                    workers.ForEach(w => merged.Add(w.Stats));
                    foreach (var (message, n) in merged.Messages)
                    {
                        output.WriteLine($"  {n} x error \"{message}\"");
                    }

                    return false;
                }

                return !complete && deadline.Elapsed < FillLimit;
            });
            return complete;
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Close();
            }
        }
    }

    private static double AverageSwarm(LoadOptions options, byte[] hashes)
    {
        var torrents = options.FillTorrents;
        var sample = Math.Min(SampleTorrents, torrents);
        var step = torrents / sample;
        using var probe = new UdpProbe(options.TargetEndPoint);
        Span<byte> batch = stackalloc byte[10 * 20];
        Span<int> counts = stackalloc int[10];
        long peers = 0;
        var answered = 0;
        for (var i = 0; i < sample; i += 10)
        {
            var n = Math.Min(10, sample - i);
            for (var j = 0; j < n; j++)
            {
                hashes.AsSpan((i + j) * step * 20, 20).CopyTo(batch[(j * 20)..]);
            }

            if (!probe.TryScrape(batch[..(n * 20)], counts))
            {
                continue;
            }

            for (var j = 0; j < n; j++)
            {
                peers += counts[j];
            }

            answered += n;
        }

        return answered == 0 ? 0 : peers / (double)answered;
    }
}
