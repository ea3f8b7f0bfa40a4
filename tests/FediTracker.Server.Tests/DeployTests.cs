using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FediTracker.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace FediTracker.Server.Tests;

/// <summary>
/// deploy/ against the real server: every metric that the Grafana dashboard and the Prometheus alert rules query is
/// one the tracker exports, and the export passes <c>promtool check metrics</c>. A renamed metric or a typo in a
/// query fails here instead of leaving an empty panel or an alert that can never fire.
/// </summary>
// The exporter collects every meter named FediTracker in the process: no other fixture's tracker may run meanwhile.
[NonParallelizable]
public sealed partial class DeployTests
{
    // Series that Prometheus makes itself rather than scrapes.
    private static readonly HashSet<string> PrometheusSeries = new(StringComparer.Ordinal) { "up", "ALERTS", "ALERTS_FOR_STATE" };

    // PromQL words that look like metric names but are not.
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "atan2",
        "inf", "nan", "Inf", "NaN", "start", "end",
    };

    [Test]
    public async Task Every_metric_queried_by_the_dashboard_and_the_alert_rules_is_exported()
    {
        var dashboard = DashboardQueries();
        var alerts = AlertRuleQueries();
        dashboard.Should().HaveCountGreaterThan(10, "the dashboard JSON should be read");
        alerts.Should().HaveCountGreaterThan(5, "the alert rules should be read");

        var queried = dashboard.Concat(alerts)
            .SelectMany(MetricNamesIn)
            .Where(n => !PrometheusSeries.Contains(n))
            .ToHashSet(StringComparer.Ordinal);
        queried.Should().Contain(
            ["feditracker_announces_total", "feditracker_failures_total", "feditracker_request_duration_seconds_bucket", "feditracker_store_errors_total", "dotnet_process_memory_working_set_bytes"],
            "the name extraction must find what the queries obviously use");

        await using var tracker = await TestTracker.StartAsync();
        await SendTrafficAsync(tracker);
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"http://{tracker.Admin[0]}/metrics"));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{tracker.Admin[0]}/metrics"));
        request.Headers.Accept.ParseAdd("application/openmetrics-text; version=1.0.0");
        using var response = await http.SendAsync(request);
        var openMetrics = await response.Content.ReadAsStringAsync();

        // Prometheus 2 scrapes the text format, Prometheus 3 (compose.yaml) prefers OpenMetrics: both must carry them.
        foreach (var (format, exposition) in new[] { ("Prometheus text", text), ("OpenMetrics", openMetrics) })
        {
            var exported = SampleNames(exposition);
            var missing = queried.Except(exported).Order(StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
            {
                Assert.Fail(
                    $"Queried by deploy/grafana/dashboards/feditracker.json or deploy/prometheus/alerts.yml but not in the {format} scrape: " +
                    $"{string.Join(", ", missing)}.\nExported: {string.Join(", ", exported.Order(StringComparer.Ordinal))}");
            }
        }

        await TestContext.Out.WriteLineAsync($"{queried.Count} metrics queried by deploy/, all exported: {string.Join(", ", queried.Order(StringComparer.Ordinal))}");
    }

    [Test]
    public async Task The_scrape_passes_promtool_check_metrics()
    {
        var promtool = FindOnPath("promtool");
        if (promtool is null)
        {
            Assert.Fail("promtool is not installed: it comes with the Debian package 'prometheus' (apt-get install prometheus); scripts/test.sh installs it.");
        }

        await using var tracker = await TestTracker.StartAsync();
        await SendTrafficAsync(tracker);
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"http://{tracker.Admin[0]}/metrics"));

        var (exitCode, output) = await RunAsync(promtool!, ["check", "metrics"], text);

        // 0: clean, no lint finding at all (3 would be lint findings, anything else a broken exposition).
        exitCode.Should().Be(0, "promtool must find nothing to say about the exposition; it said:\n{0}", output);
        if (exitCode == 3)
        {
            await TestContext.Out.WriteLineAsync($"promtool check metrics: accepted findings on runtime metrics:\n{output}");
        }
    }

    [Test]
    public void Metric_names_are_found_in_PromQL_and_functions_labels_and_keywords_are_not()
    {
        MetricNamesIn("sum by (instance, le) (rate(a_bucket{job=\"x\", le=~\"0.1\"}[5m])) / on (instance) group_left () sum(b_total offset 1h)")
            .Should().BeEquivalentTo(["a_bucket", "b_total"]);
        MetricNamesIn("histogram_quantile(0.99, sum without (pod) (rate(c_bucket[$__rate_interval]))) > 2 * 1024 and d > 0.5 or absent(up{job=\"t\"})")
            .Should().BeEquivalentTo(["c_bucket", "d", "up"]);
        MetricNamesIn("count(ALERTS{alertstate=\"firing\"}) or vector(0)").Should().BeEquivalentTo(["ALERTS"]);
        MetricNamesIn("min_over_time(e[1h:5m]) == bool 1 unless f{a=\"{b}\"} offset 5m").Should().BeEquivalentTo(["e", "f"]);
    }

    // HTTP announce, scrape and a malformed announce; UDP connect, announce, scrape and an announce with a connection
    // id the tracker did not issue. The memory store never fails, so one store error is recorded through the
    // tracker's own TrackerMetrics: its exported name is the real one.
    private static async Task SendTrafficAsync(TestTracker tracker)
    {
        using var http = new HttpClient();
        var hash = TestData.NewHash();
        var peerId = Encoding.ASCII.GetString(TestData.PeerId(1));
        (await http.GetStringAsync(new Uri($"http://{tracker.HttpV4}/announce?info_hash={TestData.Escape(hash)}&peer_id={peerId}&port=6881&left=5")))
            .Should().NotContain("failure reason");
        (await http.GetStringAsync(new Uri($"http://{tracker.HttpV4}/scrape?info_hash={TestData.Escape(hash)}"))).Should().NotContain("failure reason");
        (await http.GetStringAsync(new Uri($"http://{tracker.HttpV4}/announce?info_hash=bad"))).Should().Contain("failure reason");

        using var udp = new UdpTrackerClient(tracker.UdpV4);
        var id = await udp.ConnectAsync();
        await udp.RoundTripAsync(UdpTrackerClient.Announce(id, 1, hash, TestData.PeerId(2), 0, 2, 10, 6882));
        await udp.RoundTripAsync(UdpTrackerClient.Scrape(id, 2, hash));
        await udp.RoundTripAsync(UdpTrackerClient.Announce(id ^ 0x5A5A5A5A, 3, hash, TestData.PeerId(3), 0, 2, 10, 6883));

        tracker.Services.GetRequiredService<TrackerMetrics>().StoreError("announce");

        // Federation is off in this tracker; its instruments are still exported once something is recorded on the
        // host's meter factory under the federation meter's name.
        var federation = tracker.Services.GetService<FediTracker.Federation.Diagnostics.FederationMetrics>()
            ?? new FediTracker.Federation.Diagnostics.FederationMetrics(tracker.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        federation.Delivery("gave_up");
        federation.Inbox("accepted", "Delete");
        tracker.Services.GetRequiredService<RegistryMetrics>().Moderation(FediTracker.Core.Registry.ModerationKind.Revoke, FediTracker.Core.Registry.ModerationSource.Admin);
    }

    /// <summary>The metric names a PromQL expression selects (not functions, labels, keywords or durations).</summary>
    internal static IEnumerable<string> MetricNamesIn(string promql)
    {
        var s = StringLiteral().Replace(promql, " ");
        s = LabelMatchers().Replace(s, " ");
        s = RangesAndSubqueries().Replace(s, " ");
        s = GroupingClauses().Replace(s, " ");
        s = Offsets().Replace(s, " ");
        s = TemplateVariables().Replace(s, " ");
        return Identifiers().Matches(s).Select(m => m.Value).Where(n => !Keywords.Contains(n)).Distinct(StringComparer.Ordinal);
    }

    private static List<string> DashboardQueries()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(DeployDirectory(), "grafana", "dashboards", "feditracker.json")));
        var queries = new List<string>();
        Collect(json.RootElement);
        return queries;

        void Collect(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (property.NameEquals("expr") && property.Value.ValueKind == JsonValueKind.String)
                        {
                            queries.Add(property.Value.GetString()!);
                        }
                        else
                        {
                            Collect(property.Value);
                        }
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Collect(item);
                    }

                    break;
            }
        }
    }

    // The expr values of alerts.yml: inline scalars, or block scalars (| or >) made of the more-indented lines after.
    private static List<string> AlertRuleQueries()
    {
        var lines = File.ReadAllLines(Path.Combine(DeployDirectory(), "prometheus", "alerts.yml"));
        var queries = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var match = ExprKey().Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }

            var value = match.Groups["value"].Value.Trim();
            if (value.Length > 0 && value[0] is '|' or '>')
            {
                var indent = match.Groups["indent"].Value.Length;
                var block = new StringBuilder();
                while (i + 1 < lines.Length && (lines[i + 1].Trim().Length == 0 || lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent))
                {
                    block.AppendLine(lines[++i]);
                }

                queries.Add(block.ToString());
            }
            else
            {
                queries.Add(value.Trim('"', '\''));
            }
        }

        return queries;
    }

    private static HashSet<string> SampleNames(string exposition) =>
        exposition.Split('\n')
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l[..l.IndexOfAny(['{', ' '])])
            .ToHashSet(StringComparer.Ordinal);

    private static string DeployDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var deploy = Path.Combine(dir.FullName, "deploy");
            if (File.Exists(Path.Combine(deploy, "prometheus", "alerts.yml")))
            {
                return deploy;
            }
        }

        throw new DirectoryNotFoundException($"No deploy/ folder above {AppContext.BaseDirectory}.");
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, string input)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangesAndSubqueries();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex GroupingClauses();

    [GeneratedRegex(@"\boffset\s+-?[0-9a-z]+")]
    private static partial Regex Offsets();

    [GeneratedRegex(@"\$\{?\w+\}?")]
    private static partial Regex TemplateVariables();

    // A name not preceded by a name character, digit or dot (so not the "e9" of 2e9) and not followed by "(" (a call).
    [GeneratedRegex(@"(?<![\w:.])(?>[a-zA-Z_:][a-zA-Z0-9_:]*)(?!\s*\()")]
    private static partial Regex Identifiers();

    [GeneratedRegex(@"^(?<indent>\s*)(?:-\s+)?expr:(?<value>.*)$")]
    private static partial Regex ExprKey();
}
