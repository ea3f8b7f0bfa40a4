namespace FediTracker.Federation.Media;

/// <summary>Thrown by <see cref="TorrentMaker.MakeAsync"/> when its queue is full (back-pressure); nothing was queued.</summary>
public sealed class TorrentMakerBusyException : Exception
{
    public TorrentMakerBusyException()
        : this("The torrent-making queue is full.")
    {
    }

    public TorrentMakerBusyException(string message)
        : base(message)
    {
    }

    public TorrentMakerBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
