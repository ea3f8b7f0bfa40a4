using System.Globalization;
using System.Text.Json;

namespace FediTracker.LoadTest;

/// <summary>
/// Reads the JSON lines a comparison wrote (this tool's, and the ones compare.sh makes from wrk's output) and prints
/// a markdown table per test, the mean of the rounds, and each target's ratio to the baseline (opentracker).
/// </summary>
internal static class Summary
{
    private const string Baseline = "opentracker";

    public static int Run(string path, TextWriter output)
    {
        var runs = new List<LoadRecord>();
        var memory = new List<JsonElement>();
        var storeMemory = new List<JsonElement>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line) || !line.TrimStart().StartsWith('{'))
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var root = document.RootElement.Clone();
            var kind = root.GetProperty("kind").GetString();
            if (kind == "memory")
            {
                memory.Add(root);
            }
            else if (kind == "store-memory")
            {
                storeMemory.Add(root);
            }
            else if (kind == "load")
            {
                runs.Add(new LoadRecord(
                    root.GetProperty("test").GetString() ?? "?",
                    root.GetProperty("label").GetString() ?? "?",
                    root.GetProperty("round").GetInt32(),
                    root.GetProperty("ok_per_s").GetDouble(),
                    Number(root, "p50_us"),
                    Number(root, "p99_us"),
                    Number(root, "p999_us"),
                    (long)Number(root, "errors"),
                    (long)Number(root, "lost_on_close"),
                    Number(root, "server_cpu_pct"),
                    Number(root, "per_server_cpu_second"),
                    Number(root, "load1_start")));
            }
        }

        var inv = CultureInfo.InvariantCulture;
        var tests = runs.Select(r => r.Test).Distinct(StringComparer.Ordinal).ToList();
        if (tests.Count > 0)
        {
            output.WriteLine("| test | target | round | replies/s | tracker CPU % | replies per tracker CPU-s | p50 µs | p99 µs | p99.9 µs | errors | lost on close | load avg |");
            output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var test in tests)
            {
                foreach (var r in runs.Where(r => r.Test == test).OrderBy(r => r.Label, StringComparer.Ordinal).ThenBy(r => r.Round))
                {
                    output.WriteLine(string.Create(inv, $"| {r.Test} | {r.Label} | {r.Round} | {r.PerSecond:F0} | {Cell(r.ServerCpu)} | {Cell(Math.Round(r.PerCpuSecond))} | {Cell(r.P50)} | {Cell(r.P99)} | {Cell(r.P999)} | {r.Errors} | {r.LostOnClose} | {Cell(r.Load)} |"));
                }
            }

            output.WriteLine();
            output.WriteLine("| test | target | rounds | mean replies/s | min | max | throughput ratio to opentracker | mean replies per tracker CPU-s | tracker CPU-s per 1 M replies | efficiency ratio to opentracker |");
            output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var test in tests)
            {
                var inTest = runs.Where(r => r.Test == test).ToList();
                var baseline = inTest.Where(r => r.Label == Baseline).Select(r => r.PerSecond).DefaultIfEmpty().Average();
                var baselineEfficiency = MeanPositive(inTest.Where(r => r.Label == Baseline).Select(r => r.PerCpuSecond));
                foreach (var group in inTest.GroupBy(r => r.Label, StringComparer.Ordinal).OrderBy(g => g.Key == Baseline ? 0 : 1))
                {
                    var mean = group.Average(r => r.PerSecond);
                    var efficiency = MeanPositive(group.Select(r => r.PerCpuSecond));
                    var ratio = group.Key == Baseline ? "1 (baseline)" : baseline > 0 ? string.Create(inv, $"**{mean / baseline:F2}x**") : "-";
                    var efficiencyRatio = group.Key == Baseline ? "1 (baseline)" : baselineEfficiency > 0 && efficiency > 0 ? string.Create(inv, $"**{efficiency / baselineEfficiency:F2}x**") : "-";
                    output.WriteLine(string.Create(inv, $"| {test} | {group.Key} | {group.Count()} | {mean:F0} | {group.Min(r => r.PerSecond):F0} | {group.Max(r => r.PerSecond):F0} | {ratio} | {(efficiency > 0 ? efficiency.ToString("F0", inv) : "-")} | {(efficiency > 0 ? (1e6 / efficiency).ToString("F2", inv) : "-")} | {efficiencyRatio} |"));
                }
            }
        }

        if (memory.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("| target | peers | torrents | avg swarm (scrape) | fill s | RSS before kB | RSS after kB | bytes/peer | after induced GC: before kB | after kB | bytes/peer |");
            output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var m in memory)
            {
                var gc = m.TryGetProperty("bytes_per_peer_after_gc", out var g) && g.GetDouble() >= 0;
                output.WriteLine(string.Create(
                    inv,
                    $"| {m.GetProperty("label").GetString()} | {m.GetProperty("peers").GetInt64()} | {m.GetProperty("torrents").GetInt64()} | {m.GetProperty("avg_swarm").GetDouble():F2} | {m.GetProperty("fill_seconds").GetDouble():F1} | {m.GetProperty("rss_before_kb").GetInt64()} | {m.GetProperty("rss_after_kb").GetInt64()} | **{m.GetProperty("bytes_per_peer").GetDouble():F1}** | {(gc ? m.GetProperty("gc_before_kb").GetInt64().ToString(inv) : "-")} | {(gc ? m.GetProperty("gc_after_kb").GetInt64().ToString(inv) : "-")} | {(gc ? string.Create(inv, $"**{g.GetDouble():F1}**") : "-")} |"));
            }
        }

        foreach (var m in storeMemory)
        {
            output.WriteLine();
            output.WriteLine(string.Create(
                inv,
                $"{m.GetProperty("label").GetString()}: {m.GetProperty("peers").GetInt64()} peers in {m.GetProperty("torrents").GetInt64()} swarms, managed heap {m.GetProperty("heap_before_kb").GetInt64()} kB -> {m.GetProperty("heap_after_kb").GetInt64()} kB = **{m.GetProperty("bytes_per_peer").GetDouble():F1} bytes per peer** (GC.GetTotalMemory after full collections)"));
        }

        return 0;
    }

    private static double MeanPositive(IEnumerable<double> values)
    {
        var positive = values.Where(v => v > 0).ToList();
        return positive.Count == 0 ? -1 : positive.Average();
    }

    private static double Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : -1;

    private static string Cell(double value) => value < 0 ? "-" : value.ToString("0.#", CultureInfo.InvariantCulture);

    private sealed record LoadRecord(
        string Test, string Label, int Round, double PerSecond, double P50, double P99, double P999, long Errors, long LostOnClose, double ServerCpu, double PerCpuSecond, double Load);
}
