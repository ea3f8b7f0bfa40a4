namespace FediTracker.Protocol.Tests.Torrents;

internal static class TorrentTestData
{
    /// <summary>The content reference_torrent.py uses: byte i is i % 251.</summary>
    public static byte[] Content(int size)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)(i % 251);
        }

        return bytes;
    }
}
