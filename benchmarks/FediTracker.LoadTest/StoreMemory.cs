using System.Globalization;
using System.Text;
using System.Text.Json;
using FediTracker.Core;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;

namespace FediTracker.LoadTest;

/// <summary>
/// The managed-heap side of memory per peer, measured in this process: the same peers as <see cref="MemoryFill"/>
/// (torrent k / peers-per-torrent, address 127.0.0.(1 + k mod sources), port 10000 + k / sources, a peer id each,
/// every fourth a leecher) filed straight into FediTracker's <see cref="MemorySwarmStore"/>, with
/// <see cref="GC.GetTotalMemory(bool)"/> (after full collections) before and after. This is the only command that
/// uses the tracker's own code; it says what the store's objects cost, without the runtime, JIT, sockets and the
/// heap the GC keeps in reserve, which the RSS figure of <c>fill</c> includes.
/// </summary>
internal static class StoreMemory
{
    public static int Run(LoadOptions options, TextWriter output)
    {
        var hashes = Workload.GenerateHashes(options.Seed, options.FillTorrents);
        var total = (long)options.FillTorrents * options.FillPeersPerTorrent;
        var sources = options.FillSources;
        var store = new MemorySwarmStore(TimeProvider.System, TimeSpan.FromHours(1));
        Span<byte> peerId = stackalloc byte[20];

        // Warm up the code and the store's shared structures with one swarm that is then emptied.
        var warm = new AnnounceRequest(
            InfoHash.Read(hashes.AsSpan(0, 20)), PeerId.Read(peerId), new PeerEndpoint(PeerAddress.FromIPv4(0x7F000001), 1), 0, 0, 0, AnnounceEvent.Started, 0);
        store.Announce(warm, []);
        store.Announce(warm with { Event = AnnounceEvent.Stopped }, []);
        store.RemoveExpired();

        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (long k = 0; k < total; k++)
        {
            var torrent = (int)(k / options.FillPeersPerTorrent);
            Workload.WritePeerId(options.Seed, k, peerId);
            var address = PeerAddress.FromIPv4(0x7F000000u | (uint)(1 + (k % sources)));
            var request = new AnnounceRequest(
                InfoHash.Read(hashes.AsSpan(torrent * 20, 20)),
                PeerId.Read(peerId),
                new PeerEndpoint(address, (ushort)(UdpFillSource.FirstPort + (k / sources))),
                0,
                0,
                k % 4 == 0 ? 1 << 20 : 0,
                AnnounceEvent.Started,
                0);
            store.Announce(request, []);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var peers = store.PeerCount;
        var swarms = store.SwarmCount;
        GC.KeepAlive(store);
        var perPeer = Math.Round((after - before) / (double)total, 1);
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"MemorySwarmStore in process: {peers} peers in {swarms} swarms; managed heap {before / 1024} kB -> {after / 1024} kB = {perPeer} bytes per peer ({(after - before) / (double)swarms:F0} bytes per swarm of {options.FillPeersPerTorrent})"));
        if (options.Json)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("kind", "store-memory");
                json.WriteString("label", "MemorySwarmStore (in process)");
                json.WriteNumber("peers", peers);
                json.WriteNumber("torrents", swarms);
                json.WriteNumber("heap_before_kb", before / 1024);
                json.WriteNumber("heap_after_kb", after / 1024);
                json.WriteNumber("bytes_per_peer", perPeer);
                json.WriteEndObject();
            }

            output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }

        return peers == total ? 0 : 1;
    }
}
