using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using FediTracker.Core;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using FediTracker.Storage.Redis;
using StackExchange.Redis;

namespace FediTracker.Benchmarks.Store;

/// <summary>
/// The memory store and the Redis store side by side in one run, through <see cref="ISwarmStore"/> as the tracker
/// calls them: one leecher re-announce (latency), and 64 re-announces in flight at once (throughput under
/// concurrency, reported per announce), into a swarm of 1 000 or 1 000 000 IPv4 peers, numwant 50. The Redis store talks
/// to a real redis-server on loopback started for the run (Debian package redis-server).
/// </summary>
[MemoryDiagnoser]
public class SwarmStoreThroughputBenchmarks
{
    private const int NumWant = 50;
    private const int InFlight = 64;

    private readonly ValueTask<StoreAnnounceResult>[] _pending = new ValueTask<StoreAnnounceResult>[InFlight];
    private PeerEntry[][] _buffers = [];
    private Process? _redis;
    private string? _redisDirectory;
    private ConnectionMultiplexer? _multiplexer;
    private ISwarmStore? _store;
    private InfoHash _hash;
    private Rotation _leechers;

    [Params("memory", "redis")]
    public string Store { get; set; } = "memory";

    // 1 000 rather than 10 as the small swarm: with 10 peers a reply carries only 9, with 1 000 it carries the full 50,
    // so the two sizes do the same work per announce and differ only in swarm size.
    [Params(1_000, 1_000_000)]
    public int SwarmSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _buffers = Enumerable.Range(0, InFlight).Select(_ => new PeerEntry[200]).ToArray();
        _hash = BenchmarkData.Hash(7);
        if (Store == "memory")
        {
            _store = new MemorySwarmStore(TimeProvider.System, TimeSpan.FromHours(1));
        }
        else
        {
            var port = StartRedis();
            _multiplexer = ConnectionMultiplexer.Connect($"127.0.0.1:{port},abortConnect=false,syncTimeout=30000,asyncTimeout=30000");
            _store = new RedisSwarmStore(
                _multiplexer,
                new RedisStoreOptions { Configuration = $"127.0.0.1:{port}", OperationTimeout = TimeSpan.FromSeconds(30) },
                TimeProvider.System,
                TimeSpan.FromHours(1));
        }

        Fill();
        _leechers = new Rotation(SwarmSize - ((SwarmSize + 3) / 4));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _multiplexer?.Dispose();
        if (_redis is { HasExited: false })
        {
            _redis.Kill();
            _redis.WaitForExit();
        }

        _redis?.Dispose();
        if (_redisDirectory is not null)
        {
            Directory.Delete(_redisDirectory, recursive: true);
        }
    }

    /// <summary>One existing leecher re-announces and gets 50 peers.</summary>
    [Benchmark]
    [AllocationBudget(16 * 1024)]
    public async Task<int> Announce()
    {
        var result = await _store!.AnnounceAsync(Request(PrefilledSwarm.Leecher(_leechers.Next())), _buffers[0], CancellationToken.None);
        return result.PeerCount;
    }

    /// <summary>64 leechers re-announce at once (as 64 clients would); time and bytes are per announce.</summary>
    [Benchmark(OperationsPerInvoke = InFlight)]
    [AllocationBudget(16 * 1024)]
    public async Task<int> Announce64InFlight()
    {
        for (var i = 0; i < InFlight; i++)
        {
            // Each ValueTask is awaited exactly once, below: holding them lets all 64 be in flight together.
#pragma warning disable CA2012
            _pending[i] = _store!.AnnounceAsync(Request(PrefilledSwarm.Leecher(_leechers.Next())), _buffers[i], CancellationToken.None);
#pragma warning restore CA2012
        }

        var total = 0;
        for (var i = 0; i < InFlight; i++)
        {
            total += (await _pending[i]).PeerCount;
        }

        return total;
    }

    private AnnounceRequest Request(int peer) => new(
        _hash,
        BenchmarkData.PeerId(peer),
        BenchmarkData.V4Peer(peer),
        0,
        0,
        PrefilledSwarm.IsSeeder(peer) ? 0 : PrefilledSwarm.LeecherLeft,
        AnnounceEvent.None,
        NumWant);

    // Files every peer through the store itself, numwant 0, many in flight at a time (pipelined for Redis).
    private void Fill()
    {
        var batch = new Task[2048];
        for (var start = 0; start < SwarmSize; start += batch.Length)
        {
            var n = Math.Min(batch.Length, SwarmSize - start);
            for (var i = 0; i < n; i++)
            {
                var request = Request(start + i) with { Event = AnnounceEvent.Started, NumWant = 0 };
                batch[i] = _store!.AnnounceAsync(request, Memory<PeerEntry>.Empty, CancellationToken.None).AsTask();
            }

            Task.WaitAll(batch.AsSpan(0, n));
        }

        var scrape = new ScrapeEntry[1];
        _store!.ScrapeAsync(new[] { _hash }, scrape, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        if (scrape[0].Complete + scrape[0].Incomplete != SwarmSize)
        {
            throw new InvalidOperationException($"The {Store} store holds {scrape[0].Complete + scrape[0].Incomplete} peers after filling {SwarmSize}.");
        }
    }

    private int StartRedis()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _redisDirectory = Directory.CreateTempSubdirectory("feditracker-bench-redis-").FullName;
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--dir", _redisDirectory })
        {
            info.ArgumentList.Add(arg);
        }

        _redis = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start (Debian package redis-server).");
        _redis.OutputDataReceived += (_, _) => { };
        _redis.BeginOutputReadLine();
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return port;
            }
            catch (SocketException) when (Stopwatch.GetTimestamp() < deadline && !_redis.HasExited)
            {
                Thread.Sleep(50);
            }
        }
    }
}
