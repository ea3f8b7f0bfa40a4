using System.Diagnostics;
using System.Globalization;

namespace FediTracker.Storage.Redis.Tests.Infrastructure;

/// <summary>
/// A real Redis Cluster of primaries only (three by default), each a <see cref="RedisServer"/> on loopback with
/// free client and cluster-bus ports, joined by <c>redis-cli --cluster create</c>; ready once every node reports
/// <c>cluster_state:ok</c>.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly List<RedisServer> _nodes;

    private RedisCluster(List<RedisServer> nodes) => _nodes = nodes;

    public IReadOnlyList<RedisServer> Nodes => _nodes;

    /// <summary>Every node's endpoint, comma-separated: a client configuration string.</summary>
    public string Configuration => string.Join(',', _nodes.Select(n => n.EndPoint));

    public static async Task<RedisCluster> StartNewAsync(int primaries = 3)
    {
        var cluster = new RedisCluster([]);
        try
        {
            for (var i = 0; i < primaries; i++)
            {
                cluster._nodes.Add(await RedisServer.StartNewAsync(
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf",
                    "--cluster-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
                    "--cluster-node-timeout", "5000"));
            }

            await cluster.CreateAsync();
            await cluster.WaitUntilReadyAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    private async Task CreateAsync()
    {
        var start = new ProcessStartInfo(RedisTools.Cli)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add("--cluster");
        start.ArgumentList.Add("create");
        foreach (var node in _nodes)
        {
            start.ArgumentList.Add(node.EndPoint);
        }

        start.ArgumentList.Add("--cluster-replicas");
        start.ArgumentList.Add("0");
        start.ArgumentList.Add("--cluster-yes");

        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(CreateTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"redis-cli --cluster create did not finish within {CreateTimeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed with code {process.ExitCode}:{Environment.NewLine}{await output}{await error}");
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        foreach (var node in _nodes)
        {
            while (true)
            {
                var info = await RedisProbe.TryCommandAsync(node.Port, "CLUSTER INFO", TimeSpan.FromSeconds(1));
                if (info is not null && info.Contains("cluster_state:ok", StringComparison.Ordinal))
                {
                    break;
                }

                if (clock.Elapsed > ReadyTimeout)
                {
                    throw new TimeoutException($"Node {node.EndPoint} did not report cluster_state:ok within {ReadyTimeout}; last CLUSTER INFO:{Environment.NewLine}{info}");
                }

                await Task.Delay(50);
            }
        }
    }
}
