using FediTracker.Core.Registry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace FediTracker.Storage.Redis;

/// <summary>
/// Tells the other tracker nodes that the registry changed, over Redis pub/sub on the channel <c>prefix:registry</c>:
/// a node that wrote publishes the feed version it reached, and every node's handler (typically
/// <see cref="AccessSynchronizer.CatchUpAsync"/>) reads the access feed from its own last version on. The message is
/// only a nudge; the feed is the truth, so a lost message delays a node until its next timer catch-up and never
/// loses a change.
/// <para>
/// Reconnects: the client subscribes again by itself when the connection comes back, and messages published while
/// this node was cut off are lost, so the handler is also called (with version 0, "unknown") each time the
/// subscription connection is restored. The handler is never called twice at once.
/// </para>
/// </summary>
public sealed class RedisRegistryNotifications : IAsyncDisposable
{
    private readonly IConnectionMultiplexer _multiplexer;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Func<long, Task>? _handler;
    private ChannelMessageQueue? _queue;

    /// <param name="multiplexer">The process's connection; not owned.</param>
    /// <param name="options">The key prefix, which names the channel.</param>
    /// <param name="logger">Where failed publishes and handler faults are logged.</param>
    public RedisRegistryNotifications(IConnectionMultiplexer multiplexer, RedisStoreOptions options, ILogger<RedisRegistryNotifications>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        ArgumentNullException.ThrowIfNull(options);
        _multiplexer = multiplexer;
        Channel = RedisChannel.Literal(new RedisKeys(options.KeyPrefix).RegistryChannel);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The channel, <c>prefix:registry</c>.</summary>
    public RedisChannel Channel { get; }

    /// <summary>
    /// Announces that this node wrote the registry, which is now at <paramref name="version"/>. Best effort: a Redis
    /// fault is logged and reported as false, never thrown, since the write itself has succeeded already.
    /// </summary>
    public async Task<bool> PublishAsync(long version)
    {
        try
        {
            await _multiplexer.GetSubscriber().PublishAsync(Channel, version);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException or RedisCommandException)
        {
            RedisLog.PublishFailed(_logger, version, ex);
            return false;
        }
    }

    /// <summary>
    /// Starts calling <paramref name="handler"/> with the version each message announces (this node's own
    /// included), and with 0 after every reconnection of the subscription. Once per instance.
    /// </summary>
    /// <exception cref="RegistryUnavailableException">Redis cannot be reached to subscribe.</exception>
    public async Task SubscribeAsync(Func<long, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (Interlocked.CompareExchange(ref _handler, handler, null) is not null)
        {
            throw new InvalidOperationException("This instance is subscribed already.");
        }

        _multiplexer.ConnectionRestored += OnConnectionRestored;
        try
        {
            _queue = await _multiplexer.GetSubscriber().SubscribeAsync(Channel);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException or RedisCommandException)
        {
            _multiplexer.ConnectionRestored -= OnConnectionRestored;
            _handler = null;
            throw new RegistryUnavailableException("Could not subscribe to registry notifications: " + ex.Message, ex);
        }

        _queue.OnMessage(message => InvokeAsync(message.Message.TryParse(out long version) ? version : 0));
    }

    public async ValueTask DisposeAsync()
    {
        _multiplexer.ConnectionRestored -= OnConnectionRestored;
        if (_queue is { } queue)
        {
            try
            {
                await queue.UnsubscribeAsync();
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException or RedisCommandException)
            {
                // The connection is gone; so is the subscription.
            }
        }

        _handler = null;
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _ = InvokeAsync(0);
        }
    }

    // One handler call at a time; a fault is logged, never thrown into the client's message loop.
    private async Task InvokeAsync(long version)
    {
        var handler = _handler;
        if (handler is null)
        {
            return;
        }

        await _gate.WaitAsync();
        try
        {
            await handler(version);
        }
#pragma warning disable CA1031 // The handler is the caller's code; whatever it throws must not end the subscription.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RedisLog.NotificationHandlerFailed(_logger, ex);
        }
        finally
        {
            _gate.Release();
        }
    }
}
