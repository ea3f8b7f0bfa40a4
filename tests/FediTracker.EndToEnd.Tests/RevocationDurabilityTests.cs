using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using FediTracker.Storage.Redis.Tests.Infrastructure;

namespace FediTracker.EndToEnd.Tests;

/// <summary>
/// Every acknowledged revocation survives a crash: revoke through the admin API, kill the tracker with SIGKILL, start
/// it again on the same storage, and the revocation is still in force (SQLite file, and Redis with AOF).
/// </summary>
[TestFixture]
public sealed class RevocationDurabilityTests
{
    private const string Token = "durability-admin-token-0123456789abcdef";

    [Test]
    [CancelAfter(120_000)]
    public async Task Sqlite_shape_keeps_every_acknowledged_revocation_across_SIGKILL(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("feditracker-durability-").FullName;
        try
        {
            await RunAsync(directory, ["--Registry:Path", Path.Combine(directory, "registry.db")], cancellationToken);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task Redis_shape_keeps_every_acknowledged_revocation_across_SIGKILL(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("feditracker-durability-").FullName;
        await using var redis = await RedisServer.StartNewAsync();
        try
        {
            await RunAsync(directory, ["--store", "redis", "--redis", redis.EndPoint], cancellationToken);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task RunAsync(string directory, string[] shape, CancellationToken cancellationToken)
    {
        string[] args =
        [
            "--http", "127.0.0.1:0", "--udp", "127.0.0.1:0", "--admin", "127.0.0.1:0",
            "--Tracker:AccessMode", "registered",
            "--Admin:Tokens:0:Name", "ops", "--Admin:Tokens:0:Role", "admin", "--Admin:Tokens:0:Token", Token,
            .. shape,
        ];
        var hashes = Enumerable.Range(0, 20).Select(_ => RandomHash()).ToArray();

        // Register 20, revoke the even ones, each acknowledged, then SIGKILL straight after the last acknowledgement.
        using (var first = await ServerProcess.StartAsync(directory, cancellationToken, args))
        {
            using var api = Client(first);
            foreach (var hash in hashes)
            {
                using var created = await api.PostAsJsonAsync("torrents", new { infoHashV1 = hash }, cancellationToken);
                created.StatusCode.Should().Be(HttpStatusCode.Created);
            }

            for (var i = 0; i < hashes.Length; i += 2)
            {
                using var revoked = await api.PostAsJsonAsync("revocations", new { infoHash = hashes[i], reason = "durability " + i }, cancellationToken);
                revoked.StatusCode.Should().Be(HttpStatusCode.Created);
            }

            await first.KillHardAsync(cancellationToken);
        }

        using var second = await ServerProcess.StartAsync(directory, cancellationToken, args);
        using var again = Client(second);
        using var http = new HttpClient();
        for (var i = 0; i < hashes.Length; i++)
        {
            var announce = await http.GetStringAsync(new Uri($"http://{second.Http}/announce?info_hash={Escape(hashes[i])}&peer_id=-FT0001-000000000001&port=6881&left=0"), cancellationToken);
            if (i % 2 == 0)
            {
                announce.Should().Contain("this torrent has been removed from the tracker", $"hash {i} was revoked before the crash");
                announce.Should().Contain("8:retry in5:never");
            }
            else
            {
                announce.Should().NotContain("failure reason", $"hash {i} was registered and never revoked");
            }
        }

        var moderations = JsonNode.Parse(await again.GetStringAsync(new Uri("revocations?limit=500", UriKind.Relative), cancellationToken))!["items"]!.AsArray();
        moderations.Select(m => m!["target"]!.GetValue<string>()).Should().Equal(hashes.Where((_, i) => i % 2 == 0));
        using var reregister = await again.PostAsJsonAsync("torrents", new { infoHashV1 = hashes[0] }, cancellationToken);
        reregister.StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    private static HttpClient Client(ServerProcess server)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://{server.Admin}/api/v1/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client;
    }

    private static string RandomHash()
    {
        var bytes = new byte[20];
        Random.Shared.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    private static string Escape(string hex)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < hex.Length; i += 2)
        {
            sb.Append('%').Append(hex, i, 2);
        }

        return sb.ToString();
    }
}
