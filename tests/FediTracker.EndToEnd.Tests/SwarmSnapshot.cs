namespace FediTracker.EndToEnd.Tests;

/// <summary>
/// One torrent's counts in the tracker's store (seeders, leechers, completed downloads), with the peers and swarms
/// the whole store holds.
/// </summary>
internal readonly record struct SwarmSnapshot(int Complete, int Incomplete, long Downloaded, long StorePeers, int StoreSwarms);
