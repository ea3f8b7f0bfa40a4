using FediTracker.Storage.Redis.Tests.Infrastructure;

namespace FediTracker.Storage.Redis.Tests;

/// <summary>
/// The swarm store contract and the Redis store's own behaviour against a three-primary Redis Cluster: every
/// script touches only the keys of one torrent, which share one slot through their hash tag.
/// </summary>
[TestFixture]
public sealed class RedisClusterSwarmStoreTests : RedisSwarmStoreTestsBase
{
    protected override Task<RedisDeployment> StartRedisAsync() => RedisDeployment.StartClusterAsync();

    [Test]
    public async Task Torrents_spread_over_every_primary()
    {
        // Sanity check of the setup: with 40 torrents, all three primaries hold some, so the contract above ran
        // against a real multi-shard cluster and not against one node that happens to own every slot.
        for (var i = 0; i < 40; i++)
        {
            await AddPeerAsync(Core.Tests.Swarms.TestPeers.NewInfoHash(), Core.Tests.Swarms.TestPeers.V4(1), 0);
        }

        var holders = 0;
        foreach (var server in Primaries())
        {
            if (await server.DatabaseSizeAsync() > 0)
            {
                holders++;
            }
        }

        holders.Should().Be(3);
    }
}
