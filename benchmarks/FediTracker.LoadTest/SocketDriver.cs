using System.Net.Sockets;

namespace FediTracker.LoadTest;

/// <summary>
/// Runs every worker on the calling thread: poll each worker's non-blocking socket in turn, and keep polling (spin)
/// while replies keep coming; only after <see cref="SpinTime"/> with nothing ready, sleep in poll(2) (Socket.Select)
/// for up to a millisecond. On a single core this costs far less than async receive loops, whose completions hop
/// between the socket engine's thread and the thread pool (measured here: 15 to 55 % more CPU per request, with and
/// without inline completions, most of it in context switches). Spinning matters as much: a generator that sleeps
/// whenever its sockets are empty moves its requests in bursts, the tracker then sleeps between bursts too, and the
/// two wait on each other's wake-ups (measured here: a tracker held at 40 to 45 % of its core). The generator owns
/// its core, so it spins.
/// </summary>
internal static class SocketDriver
{
    private const int WaitMicroseconds = 1000;
    private static readonly long SpinTime = RunClock.Ticks(TimeSpan.FromMilliseconds(2));
    private static readonly long TickTicks = RunClock.Ticks(TimeSpan.FromMilliseconds(10));

    /// <summary>Runs until <paramref name="onTick"/> (called about every 10 ms, after the workers' ticks) returns false.</summary>
    public static void Run(IReadOnlyList<IDriverWorker> workers, Func<long, bool> onTick)
    {
        var wait = new List<Socket>(workers.Count);
        var lastTick = RunClock.Now;
        var lastReply = lastTick;
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

            if (handled > 0)
            {
                lastReply = now;
                continue;
            }

            if (now - lastReply < SpinTime)
            {
                continue;
            }

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
