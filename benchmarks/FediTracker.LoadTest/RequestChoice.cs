namespace FediTracker.LoadTest;

/// <summary>One request the workload chose. <see cref="Event"/> uses BEP 15 numbers: 0 none, 1 completed, 2 started, 3 stopped.</summary>
internal readonly record struct RequestChoice(RequestKind Kind, int Torrent, int Peer, int Event, bool Seeder, int ScrapeCount);
