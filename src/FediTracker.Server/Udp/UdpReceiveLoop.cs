using System.Net.Sockets;

namespace FediTracker.Server.Udp;

/// <summary>
/// One receive loop on its own thread: a blocking, allocation-free <c>ReceiveFrom</c>, the handler run inline, and
/// a blocking <c>SendTo</c> of the reply. A datagram costs no thread hop and no context switch while packets keep
/// coming (the async socket API instead wakes a thread-pool worker from the epoll thread for every datagram).
/// <para>
/// Asynchronous stores still work: when the handler's <see cref="ValueTask{TResult}"/> has not completed by the time
/// it returns (the Redis store), the datagram's context goes to a continuation that sends the reply later, and the
/// loop takes another context and reads on. At most <see cref="MaxPending"/> datagrams of one loop wait that way;
/// beyond that the loop waits for one of them before it reads more.
/// </para>
/// <para>
/// The socket must never see an asynchronous operation: .NET switches a socket to non-blocking mode for good at its
/// first async call, and its synchronous calls then wait on the epoll thread as well.
/// </para>
/// </summary>
internal sealed partial class UdpReceiveLoop
{
    /// <summary>Datagrams one loop may have waiting for an asynchronous store at once.</summary>
    public const int MaxPending = 256;

    private readonly Socket _socket;
    private readonly UdpTracker _handler;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly int _maxPeers;
    private readonly int _maxScrape;
    private readonly Stack<UdpDatagramContext> _free = new(); // also the lock over _pending
    private int _pending;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _faults;

    public UdpReceiveLoop(Socket socket, UdpTracker handler, int maxPeers, int maxScrapeHashes, ILogger logger, CancellationToken stopping)
    {
        _socket = socket;
        _handler = handler;
        _maxPeers = maxPeers;
        _maxScrape = maxScrapeHashes;
        _logger = logger;
        _stopping = stopping;
    }

    /// <summary>Completes when the loop's thread has ended (after the socket is closed on stop).</summary>
    public Task Completion => _completion.Task;

    /// <summary>Datagrams whose handling failed unexpectedly (a bug, never a client mistake).</summary>
    public long Faults => Interlocked.Read(ref _faults);

    /// <summary>Starts the loop on a dedicated background thread.</summary>
    public void Start(string name)
    {
        var thread = new Thread(Run) { IsBackground = true, Name = name };
        thread.UnsafeStart();
    }

    private void Run()
    {
        try
        {
            var context = new UdpDatagramContext(_socket.AddressFamily, _maxPeers, _maxScrape);
            while (!_stopping.IsCancellationRequested)
            {
                if (!Receive(context, out var received))
                {
                    if (_stopping.IsCancellationRequested || _socket.SafeHandle.IsClosed)
                    {
                        break;
                    }

                    continue;
                }

                if (!Handle(context, received))
                {
                    // The datagram waits for an asynchronous store and keeps its context; read on with another.
                    context = Rent();
                    if (context is null)
                    {
                        break;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Nothing above should throw; a loop that ends shows as not listening in /health.
            Interlocked.Increment(ref _faults);
            Log.DatagramFailed(_logger, ex);
        }
        finally
        {
            _completion.TrySetResult();
        }
    }

    private bool Receive(UdpDatagramContext context, out int received)
    {
        try
        {
            received = _socket.ReceiveFrom(context.Buffer, SocketFlags.None, context.Address);
            return true;
        }
        catch (SocketException ex)
        {
            // E.g. an ICMP error from an earlier send surfacing here, a truncated (oversize) datagram, or the
            // socket being closed under the blocked call on stop.
            if (!_stopping.IsCancellationRequested)
            {
                Log.ReceiveFailed(_logger, ex.SocketErrorCode);
            }
        }
        catch (ObjectDisposedException)
        {
        }

        received = 0;
        return false;
    }

    /// <summary>Handles one datagram; false when the reply is left to a continuation that owns the context now.</summary>
    private bool Handle(UdpDatagramContext context, int received)
    {
        ValueTask<int> pending;
        try
        {
            if (!SocketAddressReader.TryRead(context.Address, out var client))
            {
                return true;
            }

            pending = _handler.HandleAsync(context.Buffer, received, client, context.State, _stopping);
            if (pending.IsCompleted)
            {
                Send(context, pending.GetAwaiter().GetResult());
                return true;
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _faults);
            Log.DatagramFailed(_logger, ex);
            return true;
        }

        lock (_free)
        {
            _pending++;
        }

        _ = CompleteAsync(pending, context);
        return false;
    }

    private async Task CompleteAsync(ValueTask<int> pending, UdpDatagramContext context)
    {
        try
        {
            Send(context, await pending.ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _faults);
            Log.DatagramFailed(_logger, ex);
        }
        finally
        {
            lock (_free)
            {
                _free.Push(context);
                _pending--;
                Monitor.Pulse(_free);
            }
        }
    }

    /// <summary>A context for the next datagram, once fewer than <see cref="MaxPending"/> wait; null on stop.</summary>
    private UdpDatagramContext? Rent()
    {
        lock (_free)
        {
            while (_pending >= MaxPending)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return null;
                }

                Monitor.Wait(_free, 100);
            }

            if (_free.TryPop(out var context))
            {
                return context;
            }
        }

        return new UdpDatagramContext(_socket.AddressFamily, _maxPeers, _maxScrape);
    }

    private void Send(UdpDatagramContext context, int length)
    {
        if (length <= 0)
        {
            return;
        }

        try
        {
            _socket.SendTo(context.Buffer.AsSpan(0, length), SocketFlags.None, context.Address);
        }
        catch (SocketException ex)
        {
            // A full send buffer or an unreachable client: UDP replies may be lost, the client retries.
            if (!_stopping.IsCancellationRequested)
            {
                Log.SendFailed(_logger, ex.SocketErrorCode);
            }
        }
        catch (ObjectDisposedException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "UDP receive failed: {Error}")]
        public static partial void ReceiveFailed(ILogger logger, SocketError error);

        [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "A UDP datagram could not be handled; the listener goes on")]
        public static partial void DatagramFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1203, Level = LogLevel.Debug, Message = "UDP send failed: {Error}")]
        public static partial void SendFailed(ILogger logger, SocketError error);
    }
}
