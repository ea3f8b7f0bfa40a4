using System.Text;

namespace FediTracker.LoadTest;

/// <summary>
/// Writes request paths of the same workload (announces with the odd scrape) for wrk, one per line; wrk-announce.lua
/// cycles through them. wrk connects from one address, so all peers here are 127.0.0.1 with ports of their own.
/// </summary>
internal static class WrkPaths
{
    public static void Write(LoadOptions options, string path)
    {
        var target = options.Target ?? new Uri("http://127.0.0.1:6969/announce");
        var workload = new Workload(options);
        var peers = PeerSet.ForWorker(options.Seed, 0, 1, 1, Math.Min(options.Peers, 64_000), encoded: true);
        var announce = target.AbsolutePath;
        var scrape = announce.EndsWith("/announce", StringComparison.Ordinal) ? string.Concat(announce.AsSpan(0, announce.Length - 8), "scrape") : announce;
        var random = new FastRandom(options.Seed ^ 0x77726B);
        var scrapeTorrents = new int[74];
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        writer.NewLine = "\n";
        var line = new StringBuilder(1024);
        for (var i = 0; i < options.Count; i++)
        {
            var choice = workload.Choose(ref random, peers, scrapeTorrents);
            line.Clear();
            if (choice.Kind == RequestKind.Scrape)
            {
                line.Append(scrape).Append('?');
                for (var j = 0; j < choice.ScrapeCount; j++)
                {
                    line.Append(j == 0 ? "info_hash=" : "&info_hash=").Append(Encoding.ASCII.GetString(workload.EncodedHash(scrapeTorrents[j])));
                }
            }
            else
            {
                line.Append(announce).Append("?info_hash=").Append(Encoding.ASCII.GetString(workload.EncodedHash(choice.Torrent)))
                    .Append("&peer_id=").Append(Encoding.ASCII.GetString(peers.EncodedPeerId(choice.Peer)))
                    .Append("&port=").Append(peers.Port(choice.Peer))
                    .Append("&uploaded=0&downloaded=0&left=").Append(choice.Seeder ? 0 : 1 << 20)
                    .Append("&numwant=").Append(options.NumWant)
                    .Append("&compact=1&key=").Append(peers.GlobalIndex(choice.Peer))
                    .Append(choice.Event == 2 ? "&event=started" : choice.Event == 3 ? "&event=stopped" : string.Empty);
            }

            writer.WriteLine(line);
        }
    }
}
