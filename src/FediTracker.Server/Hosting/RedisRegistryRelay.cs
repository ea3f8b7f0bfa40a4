using FediTracker.Core.Registry;
using FediTracker.Storage.Redis;

namespace FediTracker.Server.Hosting;

/// <summary>
/// The cluster shape's cross-node notices: after this node writes the registry it publishes the feed version, and
/// when another node publishes, this node's <see cref="AccessSyncService"/> catches up at once (the timer is the
/// backstop for lost messages).
/// </summary>
internal sealed class RedisRegistryRelay(RedisRegistryNotifications notifications, AccessList list, AccessSyncService sync) : IRegistryObserver, IHostedService
{
    public async ValueTask OnAccessChangedAsync(CancellationToken cancellationToken) => await notifications.PublishAsync(list.Version);

    public ValueTask OnModeratedAsync(ModerationRequest request, ModerationResult result, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken) => await notifications.SubscribeAsync(version =>
    {
        if (version == 0 || version > list.Version)
        {
            sync.Poke();
        }

        return Task.CompletedTask;
    });

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
