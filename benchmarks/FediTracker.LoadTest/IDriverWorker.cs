using System.Net.Sockets;

namespace FediTracker.LoadTest;

/// <summary>A worker the <see cref="SocketDriver"/> runs: non-blocking sockets, polled from one thread.</summary>
internal interface IDriverWorker
{
    /// <summary>The socket to wait on when nothing is ready, or null when the worker has none open.</summary>
    Socket? Socket { get; }

    /// <summary>Handles whatever its socket has ready, sending the requests that follow; returns how many replies.</summary>
    int Poll();

    /// <summary>Times out overdue requests. Called about every 10 ms.</summary>
    void Tick(long now);

    /// <summary>Closes the worker's socket for good.</summary>
    void Close();
}
