using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace FediTracker.LoadTest;

/// <summary>Runs the load: workers start, warm up, are measured for a fixed time, stop, and their figures merge.</summary>
internal static class LoadRunner
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    public static WorkerStats Run(LoadOptions options, TextWriter output)
    {
        var workload = new Workload(options);
        var clock = new RunClock();
        var sources = Math.Min(options.Sources, options.Workers);
        var target = options.TargetEndPoint;
        var stats = new List<WorkerStats>();
        var workers = new List<IDriverWorker>();
        for (var w = 0; w < options.Workers; w++)
        {
            var source = SourceAddress(w % sources);
            var peers = PeerSet.ForWorker(options.Seed, w, options.Workers, sources, options.Peers, encoded: !options.IsUdp);
            var seed = FastRandom.Mix(options.Seed ^ ((ulong)w << 32));
            if (options.IsUdp)
            {
                var worker = new UdpLoadWorker(
                    new IPEndPoint(source, 0), target, options.InFlight, TimeSpan.FromMilliseconds(options.TimeoutMs), clock, new UdpWorkloadSource(workload, peers, seed));
                stats.Add(worker.Stats);
                workers.Add(worker);
            }
            else
            {
                var worker = new HttpLoadWorker(source, target, options.Target!, workload, peers, seed, clock);
                stats.Add(worker.Stats);
                workers.Add(worker);
            }
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{options.DisplayLabel}: {(options.IsUdp ? "UDP" : options.HttpClose ? "HTTP, connection per request" : "HTTP keep-alive")} load on {options.Target}, {options.Workers} workers x {options.InFlight} in flight, from {sources} source address(es); warm-up {options.Warmup} s, measuring {options.Seconds} s"));

        var start = RunClock.Now;
        clock.MeasureStart = start + RunClock.Ticks(TimeSpan.FromSeconds(options.Warmup));
        clock.MeasureEnd = clock.MeasureStart + RunClock.Ticks(TimeSpan.FromSeconds(options.Seconds));
        var drainEnd = clock.MeasureEnd + RunClock.Ticks(TimeSpan.FromMilliseconds(Math.Min(options.TimeoutMs, 1000)));
        var nextProgress = clock.MeasureStart + RunClock.Ticks(ProgressInterval);
        long lastCount = 0;
        var lastAt = clock.MeasureStart;
        var ownPid = Environment.ProcessId;
        double serverCpuStart = -1, ownCpuStart = -1, serverCpuEnd = -1, ownCpuEnd = -1;
        double loadStart = -1, loadEnd = -1;
        foreach (var worker in workers)
        {
            (worker as UdpLoadWorker)?.Start();
        }

        SocketDriver.Run(workers, now =>
        {
            if (ownCpuStart < 0 && now >= clock.MeasureStart)
            {
                loadStart = LoadAverage();
                ownCpuStart = ProcessCpu.Seconds(ownPid);
                serverCpuStart = ServerCpu(options.ServerPids);
            }

            if (now >= nextProgress && now < clock.MeasureEnd)
            {
                long count = 0;
                foreach (var s in stats)
                {
                    count += s.Announces + s.Scrapes;
                }

                var rate = (count - lastCount) / ((now - lastAt) / (double)Stopwatch.Frequency);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {(now - clock.MeasureStart) / (double)Stopwatch.Frequency,5:F1} s  {rate,10:F0} replies/s"));
                lastCount = count;
                lastAt = now;
                nextProgress += RunClock.Ticks(ProgressInterval);
            }

            if (now >= clock.MeasureEnd && !clock.Stopping)
            {
                // Stop sending; replies still in flight may come during the drain, but no longer count.
                loadEnd = LoadAverage();
                ownCpuEnd = ProcessCpu.Seconds(ownPid);
                serverCpuEnd = ServerCpu(options.ServerPids);
                clock.Stopping = true;
            }

            return now < drainEnd;
        });

        foreach (var worker in workers)
        {
            worker.Close();
        }

        var total = new WorkerStats();
        foreach (var s in stats)
        {
            total.Add(s);
        }

        total.OwnCpuSeconds = ownCpuStart >= 0 && ownCpuEnd >= 0 ? ownCpuEnd - ownCpuStart : -1;
        total.ServerCpuSeconds = serverCpuStart >= 0 && serverCpuEnd >= 0 ? serverCpuEnd - serverCpuStart : -1;
        total.LoadAverageStart = loadStart;
        total.LoadAverageEnd = loadEnd;
        return total;
    }

    /// <summary>CPU seconds of all the given processes together; -1 when there are none or one cannot be read.</summary>
    private static double ServerCpu(IReadOnlyList<int> pids)
    {
        double total = 0;
        foreach (var pid in pids)
        {
            var seconds = ProcessCpu.Seconds(pid);
            if (seconds < 0)
            {
                return -1;
            }

            total += seconds;
        }

        return pids.Count == 0 ? -1 : total;
    }

    /// <summary>The 1-minute load average from /proc/loadavg, or -1.</summary>
    public static double LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.AsSpan(0, text.IndexOf(' ')), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException or ArgumentOutOfRangeException)
        {
            return -1;
        }
    }

    /// <summary>127.0.0.(1 + index).</summary>
    public static IPAddress SourceAddress(int index) => new([127, 0, 0, (byte)(1 + index)]);
}
