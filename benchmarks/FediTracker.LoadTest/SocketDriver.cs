using System.Net.Sockets;

namespace FediTracker.LoadTest;

/// <summary>
/// Runs every worker on the calling thread: poll each worker's non-blocking socket in turn, and only when none has
/// anything ready, sleep in poll(2) (Socket.Select) for up to a millisecond. On a single core this costs far less
/// than async receive loops, whose completions hop between the socket engine's thread and the thread pool
/// (measured here: about a third more CPU per request, most of it in context switches).
/// </summary>
internal static class SocketDriver
{
    private const int QuickRepolls = 3;
    private const int WaitMicroseconds = 1000;
    private static readonly long TickTicks = RunClock.Ticks(TimeSpan.FromMilliseconds(10));

    /// <summary>Runs until <paramref name="onTick"/> (called about every 10 ms, after the workers' ticks) returns false.</summary>
    public static void Run(IReadOnlyList<IDriverWorker> workers, Func<long, bool> onTick)
    {
        var wait = new List<Socket>(workers.Count);
        var lastTick = RunClock.Now;
        var idle = 0;
        while (true)
        {
            var handled = 0;
            for (var i = 0; i < workers.Count; i++)
            {
                handled += workers[i].Poll();
            }

            var now = RunClock.Now;
            if (now - lastTick >= TickTicks)
            {
                for (var i = 0; i < workers.Count; i++)
                {
                    workers[i].Tick(now);
                }

                if (!onTick(now))
                {
                    return;
                }

                lastTick = now;
            }

            if (handled > 0 || ++idle <= QuickRepolls)
            {
                idle = handled > 0 ? 0 : idle;
                continue;
            }

            idle = 0;
            wait.Clear();
            for (var i = 0; i < workers.Count; i++)
            {
                if (workers[i].Socket is { } socket)
                {
                    wait.Add(socket);
                }
            }

            if (wait.Count == 0)
            {
                Thread.Sleep(1);
                continue;
            }

            try
            {
                Socket.Select(wait, null, null, WaitMicroseconds);
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
                // A worker closed its socket after the list was made; the next round builds it anew.
            }
        }
    }
}
