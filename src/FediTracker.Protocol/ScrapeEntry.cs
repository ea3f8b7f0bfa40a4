namespace FediTracker.Protocol;

/// <summary>A torrent's counts in a scrape reply (BEP 48): seeders, completed downloads, leechers.</summary>
public readonly record struct ScrapeEntry(int Complete, long Downloaded, int Incomplete);
