namespace FediTracker.Protocol.Udp;

/// <summary>One info-hash's counts in a scrape response, in wire order.</summary>
public readonly record struct UdpScrapeEntry(int Seeders, int Completed, int Leechers);
