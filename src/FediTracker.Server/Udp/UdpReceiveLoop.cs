using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
/// <para>
/// Batches (Linux, <c>Listen:UdpBatch</c> above 1): the loop takes every datagram already queued, up to the batch size,
/// with one <c>recvmmsg</c> that blocks only until the first is there, handles them in turn, each in its own context,
/// and sends the replies with one <c>sendmmsg</c>. Under load that is two system calls per batch instead of two per
/// datagram; when datagrams come one at a time it is the same as the single path. The socket gets a receive timeout
/// so that a loop blocked in <c>recvmmsg</c> sees a stop within a quarter of a second even where closing the socket
/// does not wake it; the call holds a reference on the socket's handle, so the descriptor cannot be closed and
/// reused under it.
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
    private int _batch;
    private bool _batchUnavailable;
    private readonly Stack<UdpDatagramContext> _free = new(); // also the lock over _pending
    private int _pending;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _faults;

    /// <summary>How long a batched loop's <c>recvmmsg</c> waits before it looks at the stop token again.</summary>
    public static readonly TimeSpan BatchReceiveTimeout = TimeSpan.FromMilliseconds(250);

    /// <param name="batch">Most datagrams per system call; 1, or a system without <c>recvmmsg</c>, reads one at a time.</param>
    public UdpReceiveLoop(Socket socket, UdpTracker handler, int maxPeers, int maxScrapeHashes, ILogger logger, CancellationToken stopping, int batch = 1)
    {
        _socket = socket;
        _batch = MultiMessage.IsSupported ? Math.Max(1, batch) : 1;
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

    /// <summary>Datagrams taken per system call at most (1 when batching is off or not available here).</summary>
    public int Batch => Volatile.Read(ref _batch);

    /// <summary>Starts the loop on a dedicated background thread.</summary>
    public void Start(string name)
    {
        var thread = new Thread(_batch > 1 ? RunBatched : Run) { IsBackground = true, Name = name };
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
        if (!TryHandle(context, received, out var length))
        {
            return false;
        }

        Send(context, length);
        return true;
    }

    /// <summary>
    /// Runs the handler over one datagram: true with the reply's length (0: no reply) when it completed at once, false
    /// when the reply is left to a continuation that owns the context now.
    /// </summary>
    private bool TryHandle(UdpDatagramContext context, int received, out int length)
    {
        length = 0;
        if (received >= UdpDatagramContext.BufferSize)
        {
            // It filled the buffer, so it was cut short (a receive drops what does not fit): longer than any tracker
            // request, and BEP 15 wants no reply to junk.
            return true;
        }

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
                length = pending.GetAwaiter().GetResult();
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

    private unsafe void RunBatched()
    {
        var batch = _batch;
        var contexts = new UdpDatagramContext[batch];
        var received = GC.AllocateArray<MultiMessage.MessageHeader>(batch, pinned: true);
        var receiveVectors = GC.AllocateArray<MultiMessage.IoVector>(batch, pinned: true);
        var replies = GC.AllocateArray<MultiMessage.MessageHeader>(batch, pinned: true);
        var replyVectors = GC.AllocateArray<MultiMessage.IoVector>(batch, pinned: true);
        var names = GC.AllocateArray<byte>(batch * MultiMessage.AddressCapacity, pinned: true);

        // Pinned arrays never move, so their addresses hold for the loop's life.
        var receivedBase = (MultiMessage.MessageHeader*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(received));
        var repliesBase = (MultiMessage.MessageHeader*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(replies));
        var receiveVectorsBase = (MultiMessage.IoVector*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(receiveVectors));
        var replyVectorsBase = (MultiMessage.IoVector*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(replyVectors));
        var namesBase = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(names));
        for (var i = 0; i < batch; i++)
        {
            contexts[i] = new UdpDatagramContext(_socket.AddressFamily, _maxPeers, _maxScrape);
            receiveVectors[i].Base = BufferAddress(contexts[i]);
            receiveVectors[i].Length = UdpDatagramContext.BufferSize;
            received[i].Vectors = (nint)(receiveVectorsBase + i);
            received[i].VectorCount = 1;
            received[i].Name = (nint)(namesBase + (i * MultiMessage.AddressCapacity));
            replies[i].Vectors = (nint)(replyVectorsBase + i);
            replies[i].VectorCount = 1;
        }

        try
        {
            var count = batch;
            while (!_stopping.IsCancellationRequested)
            {
                for (var i = 0; i < count; i++)
                {
                    received[i].NameLength = MultiMessage.AddressCapacity;
                    received[i].Flags = 0;
                    received[i].Length = 0;
                }

                var result = Call(send: false, receivedBase, batch, out var error);
                if (_batchUnavailable)
                {
                    _batch = 1;
                    Log.BatchUnavailable(_logger);
                    Run();
                    return;
                }

                if (result <= 0)
                {
                    if (_stopping.IsCancellationRequested || _socket.SafeHandle.IsClosed)
                    {
                        break;
                    }

                    if (result < 0 && error is not (MultiMessage.EAGAIN or MultiMessage.EINTR))
                    {
                        Log.ReceiveFailedErrno(_logger, error);
                    }

                    count = batch;
                    continue;
                }

                count = result;
                var replyCount = 0;
                for (var i = 0; i < count; i++)
                {
                    ref var header = ref received[i];
                    if ((header.Flags & MultiMessage.Truncated) != 0)
                    {
                        // Longer than any tracker request: not one, and BEP 15 wants no reply to junk.
                        continue;
                    }

                    var context = contexts[i];
                    var nameLength = (int)Math.Min(header.NameLength, (uint)context.Address.Buffer.Length);
                    names.AsSpan(i * MultiMessage.AddressCapacity, nameLength).CopyTo(context.Address.Buffer.Span);
                    context.Address.Size = nameLength;
                    if (!TryHandle(context, (int)header.Length, out var length))
                    {
                        // The datagram waits for an asynchronous store and keeps its context; its slot gets another.
                        var next = Rent();
                        if (next is null)
                        {
                            return;
                        }

                        contexts[i] = next;
                        receiveVectors[i].Base = BufferAddress(next);
                        continue;
                    }

                    if (length > 0)
                    {
                        replyVectors[replyCount].Base = receiveVectors[i].Base;
                        replyVectors[replyCount].Length = (nuint)length;
                        replies[replyCount].Name = header.Name;
                        replies[replyCount].NameLength = header.NameLength;
                        replies[replyCount].Flags = 0;
                        replyCount++;
                    }
                }

                SendReplies(repliesBase, replyCount);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _faults);
            Log.DatagramFailed(_logger, ex);
        }
        finally
        {
            _completion.TrySetResult();
        }
    }

    // Sends the replies of one batch; a reply the kernel refuses (full buffer, unreachable client) is dropped as a lost
    // datagram would be, and the rest still go.
    private unsafe void SendReplies(MultiMessage.MessageHeader* replies, int count)
    {
        var sent = 0;
        while (sent < count)
        {
            var result = Call(send: true, replies + sent, count - sent, out var error);
            if (result > 0)
            {
                sent += result;
                continue;
            }

            if (_stopping.IsCancellationRequested || _socket.SafeHandle.IsClosed)
            {
                return;
            }

            if (result < 0 && error == MultiMessage.EINTR)
            {
                continue;
            }

            Log.SendFailedErrno(_logger, error);
            sent++;
        }
    }

    // One recvmmsg (blocking for the first datagram) or sendmmsg on the socket's descriptor, holding a reference on its
    // handle so that a concurrent close cannot release the descriptor (and let it be reused) under the call. Returns
    // the messages done, or -1 with the errno (0 when the socket is closed already).
    private unsafe int Call(bool send, MultiMessage.MessageHeader* headers, int count, out int error)
    {
        error = 0;
        var handle = _socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var socket = handle.DangerousGetHandle();
            var result = send
                ? MultiMessage.Send(socket, headers, (uint)count, 0)
                : MultiMessage.Receive(socket, headers, (uint)count, MultiMessage.WaitForOne, 0);
            if (result < 0)
            {
                error = Marshal.GetLastPInvokeError();
            }

            return result;
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library without the calls (not glibc or musl): this loop reads one datagram at a time instead.
            _batchUnavailable = true;
            return -1;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static unsafe nint BufferAddress(UdpDatagramContext context) =>
        (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(context.Buffer));

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

        [LoggerMessage(EventId = 1206, Level = LogLevel.Warning, Message = "recvmmsg/sendmmsg are not available here; the UDP listener reads one datagram per system call")]
        public static partial void BatchUnavailable(ILogger logger);

        [LoggerMessage(EventId = 1204, Level = LogLevel.Debug, Message = "UDP recvmmsg failed: errno {Errno}")]
        public static partial void ReceiveFailedErrno(ILogger logger, int errno);

        [LoggerMessage(EventId = 1205, Level = LogLevel.Debug, Message = "UDP sendmmsg failed: errno {Errno}")]
        public static partial void SendFailedErrno(ILogger logger, int errno);
    }
}
