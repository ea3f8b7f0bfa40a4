using System.Collections.Concurrent;
using FediTracker.Core.Registry;
using FediTracker.Storage.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Storage.Redis.Tests.Registry;

/// <summary>
/// Registry notifications between two "nodes" (two multiplexers) over real Redis pub/sub, on standalone Redis and on
/// a cluster, and across a redis-server restart. Waits poll with a bounded deadline.
/// </summary>
[TestFixture]
public sealed class RedisRegistryNotificationsTests
{
    private static readonly TimeSpan DeliveryBound = TimeSpan.FromSeconds(30);

    [Test]
    public async Task A_version_published_by_one_node_reaches_the_handler_of_another_and_its_own()
    {
        await using var server = await RedisServer.StartNewAsync();
        await AssertDeliveryAsync(server.EndPoint);
    }

    [Test]
    public async Task A_version_published_on_one_cluster_node_reaches_subscribers_connected_anywhere()
    {
        await using var cluster = await RedisCluster.StartNewAsync();
        await AssertDeliveryAsync(cluster.Configuration);
    }

    [Test]
    public async Task A_node_catches_up_its_access_list_when_another_node_writes_and_publishes()
    {
        await using var server = await RedisServer.StartNewAsync();
        var options = Options(server.EndPoint);
        await using var writerConnection = await RedisConnectionFactory.ConnectAsync(options);
        await using var readerConnection = await RedisConnectionFactory.ConnectAsync(options);
        var writer = new RedisTorrentRegistry(writerConnection, options, TimeProvider.System);
        await using var writerNotifications = new RedisRegistryNotifications(writerConnection, options);
        using var synchronizer = new AccessSynchronizer(new RedisTorrentRegistry(readerConnection, options, TimeProvider.System), new AccessList(), NullLogger<AccessSynchronizer>.Instance);
        await using var readerNotifications = new RedisRegistryNotifications(readerConnection, options);
        await readerNotifications.SubscribeAsync(_ => synchronizer.CatchUpAsync(CancellationToken.None));
        var hash = NewInfoHash();

        await writer.RegisterAsync(new TorrentRegistration { V1 = hash }, "admin", ModerationSource.Admin, CancellationToken.None);
        var revoked = await writer.ModerateAsync(new ModerationRequest(ModerationKind.Revoke, ModerationTarget.ForHash(hash), "gone", ModerationSource.Admin, "mod"), CancellationToken.None);
        (await writerNotifications.PublishAsync(2)).Should().BeTrue();

        revoked.Changed.Should().BeTrue();
        await PollAsync(() => synchronizer.List.Get(hash) == AccessState.Revoked, "the reader node applied the revocation it was told about");
        synchronizer.List.Version.Should().Be(2);
    }

    [Test]
    public async Task After_a_redis_restart_the_handler_is_called_to_catch_up_and_later_messages_still_arrive()
    {
        await using var server = await RedisServer.StartNewAsync();
        var options = Options(server.EndPoint);
        await using var publisherConnection = await RedisConnectionFactory.ConnectAsync(options);
        await using var subscriberConnection = await RedisConnectionFactory.ConnectAsync(options);
        await using var publisher = new RedisRegistryNotifications(publisherConnection, options);
        await using var subscriber = new RedisRegistryNotifications(subscriberConnection, options);
        var received = new ConcurrentQueue<long>();
        await subscriber.SubscribeAsync(version =>
        {
            received.Enqueue(version);
            return Task.CompletedTask;
        });
        await PublishUntilReceivedAsync(publisher, received, 1);

        await server.StopAsync();
        (await publisher.PublishAsync(2)).Should().BeFalse("Redis is down; publishing reports it and does not throw");
        await server.StartAsync();

        await PollAsync(() => received.Contains(0), "the subscription's reconnection calls the handler so the node catches up on what it missed");
        await PublishUntilReceivedAsync(publisher, received, 3);
        received.Should().NotContain(2);
    }

    private static async Task AssertDeliveryAsync(string configuration)
    {
        var options = Options(configuration);
        await using var first = await RedisConnectionFactory.ConnectAsync(options);
        await using var second = await RedisConnectionFactory.ConnectAsync(options);
        await using var publisher = new RedisRegistryNotifications(first, options);
        await using var subscriber = new RedisRegistryNotifications(second, options);
        await using var other = new RedisRegistryNotifications(second, Options(configuration, "other"));
        var received = new ConcurrentQueue<long>();
        var own = new ConcurrentQueue<long>();
        var otherPrefix = new ConcurrentQueue<long>();
        await subscriber.SubscribeAsync(version =>
        {
            received.Enqueue(version);
            return Task.CompletedTask;
        });
        await publisher.SubscribeAsync(version =>
        {
            own.Enqueue(version);
            return Task.CompletedTask;
        });
        await other.SubscribeAsync(version =>
        {
            otherPrefix.Enqueue(version);
            return Task.CompletedTask;
        });

        publisher.Channel.ToString().Should().Be("ft:registry");
        (await publisher.PublishAsync(41)).Should().BeTrue();
        (await publisher.PublishAsync(42)).Should().BeTrue();

        await PollAsync(() => received.Contains(42) && own.Contains(42), "both subscribers get the message");
        received.Should().Equal(41, 42);
        own.Should().Equal(41, 42);
        otherPrefix.Should().BeEmpty("another key prefix is another registry, on another channel");
    }

    // Right after a (re)subscription the server may not have registered it yet: publish until it arrives.
    private static async Task PublishUntilReceivedAsync(RedisRegistryNotifications publisher, ConcurrentQueue<long> received, long version)
    {
        var deadline = DateTime.UtcNow + DeliveryBound;
        while (!received.Contains(version))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Version {version} was not delivered within {DeliveryBound}; received: {string.Join(", ", received)}");
            }

            await publisher.PublishAsync(version);
            await Task.Delay(50);
        }
    }

    private static async Task PollAsync(Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow + DeliveryBound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {DeliveryBound}: {because}.");
            }

            await Task.Delay(20);
        }
    }

    private static RedisStoreOptions Options(string configuration, string prefix = "ft") => new()
    {
        Configuration = configuration,
        KeyPrefix = prefix,
        OperationTimeout = TimeSpan.FromSeconds(5),
    };
}
