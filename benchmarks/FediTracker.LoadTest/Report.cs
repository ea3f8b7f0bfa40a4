using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FediTracker.LoadTest;

/// <summary>Prints a run's figures for people, and optionally as one JSON line for scripts.</summary>
internal static class Report
{
    public static void Print(LoadOptions options, WorkerStats s, TextWriter output, string? test, int round)
    {
        var seconds = (double)options.Seconds;
        var ok = s.Announces + s.Scrapes;
        var errors = s.ErrorPackets + s.Failures + s.HttpNon200 + s.Malformed + s.Timeouts + s.ConnectErrors + s.SendErrors + s.ReceiveErrors;
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"{options.DisplayLabel}: {ok / seconds:F0} replies/s ({s.Announces / seconds:F0} announces/s, {s.Scrapes / seconds:F0} scrapes/s) over {seconds:F0} s"));
        output.WriteLine(string.Create(inv, $"  latency  p50 {Us(s.Latency.Quantile(0.50))} us   p99 {Us(s.Latency.Quantile(0.99))} us   p99.9 {Us(s.Latency.Quantile(0.999))} us   max {Us(s.Latency.Max)} us"));
        output.WriteLine(string.Create(inv, $"  sent {s.Sent}, replies {s.Responses}{(options.IsUdp ? $", connects {s.Connects}" : string.Empty)}, peers per announce {(s.Announces == 0 ? 0 : s.PeersReturned / (double)s.Announces):F1}"));
        output.WriteLine(string.Create(inv, $"  errors {errors}: error packets {s.ErrorPackets}, failure reasons {s.Failures}, timeouts {s.Timeouts}, HTTP non-200 {s.HttpNon200}, malformed {s.Malformed}, connect errors {s.ConnectErrors}, send/receive errors {s.SendErrors}/{s.ReceiveErrors}; late replies {s.Late}"));
        var serverCpu = s.ServerCpuSeconds < 0 ? -1 : Math.Round(100 * s.ServerCpuSeconds / seconds, 1);
        var ownCpu = s.OwnCpuSeconds < 0 ? -1 : Math.Round(100 * s.OwnCpuSeconds / seconds, 1);
        var perCpuSecond = serverCpu > 0 ? Math.Round(ok / seconds / (serverCpu / 100)) : -1;
        output.WriteLine(string.Create(inv, $"  CPU in the window (100 % = one core): tracker {(serverCpu < 0 ? "-" : serverCpu.ToString(inv))} % ({(perCpuSecond < 0 ? "-" : perCpuSecond.ToString(inv))} replies per tracker CPU-second), load generator {(ownCpu < 0 ? "-" : ownCpu.ToString(inv))} %; load average {s.LoadAverageStart} -> {s.LoadAverageEnd}"));
        if (!options.IsUdp)
        {
            output.WriteLine(string.Create(inv, $"  connections opened {s.ConnectionsOpened}, closed by the tracker {s.ServerCloses}, requests lost when it closed {s.LostOnClose}"));
        }

        foreach (var (message, count) in s.Messages.OrderByDescending(m => m.Value).Take(10))
        {
            output.WriteLine(string.Create(inv, $"  {count,10} x \"{message}\""));
        }

        if (!options.Json)
        {
            return;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", "load");
            json.WriteString("label", options.DisplayLabel);
            json.WriteString("test", test ?? (options.IsUdp ? "udp" : options.HttpClose ? "http-close" : "http-ka"));
            json.WriteNumber("round", round);
            json.WriteString("protocol", options.IsUdp ? "udp" : "http");
            json.WriteString("target", options.Target!.ToString());
            json.WriteNumber("seconds", options.Seconds);
            json.WriteNumber("warmup", options.Warmup);
            json.WriteNumber("workers", options.Workers);
            json.WriteNumber("inflight", options.InFlight);
            json.WriteBoolean("http_close", options.HttpClose);
            json.WriteNumber("torrents", options.Torrents);
            json.WriteNumber("peers", options.Peers);
            json.WriteNumber("ok_per_s", Math.Round(ok / seconds, 1));
            json.WriteNumber("announces_per_s", Math.Round(s.Announces / seconds, 1));
            json.WriteNumber("scrapes_per_s", Math.Round(s.Scrapes / seconds, 1));
            json.WriteNumber("sent", s.Sent);
            json.WriteNumber("announces", s.Announces);
            json.WriteNumber("scrapes", s.Scrapes);
            json.WriteNumber("connects", s.Connects);
            json.WriteNumber("errors", errors);
            json.WriteNumber("error_packets", s.ErrorPackets);
            json.WriteNumber("failures", s.Failures);
            json.WriteNumber("timeouts", s.Timeouts);
            json.WriteNumber("late", s.Late);
            json.WriteNumber("http_non200", s.HttpNon200);
            json.WriteNumber("malformed", s.Malformed);
            json.WriteNumber("connect_errors", s.ConnectErrors);
            json.WriteNumber("send_errors", s.SendErrors);
            json.WriteNumber("receive_errors", s.ReceiveErrors);
            json.WriteNumber("connections_opened", s.ConnectionsOpened);
            json.WriteNumber("server_closes", s.ServerCloses);
            json.WriteNumber("lost_on_close", s.LostOnClose);
            json.WriteNumber("avg_peers", s.Announces == 0 ? 0 : Math.Round(s.PeersReturned / (double)s.Announces, 2));
            json.WriteNumber("server_cpu_pct", serverCpu);
            json.WriteNumber("generator_cpu_pct", ownCpu);
            json.WriteNumber("per_server_cpu_second", perCpuSecond);
            json.WriteNumber("load1_start", s.LoadAverageStart);
            json.WriteNumber("load1_end", s.LoadAverageEnd);
            json.WriteNumber("p50_us", Us(s.Latency.Quantile(0.50)));
            json.WriteNumber("p99_us", Us(s.Latency.Quantile(0.99)));
            json.WriteNumber("p999_us", Us(s.Latency.Quantile(0.999)));
            json.WriteNumber("max_us", Us(s.Latency.Max));
            json.WriteStartObject("messages");
            foreach (var (message, count) in s.Messages)
            {
                json.WriteNumber(message, count);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    public static double Us(long nanoseconds) => Math.Round(nanoseconds / 1000.0, 1);
}
