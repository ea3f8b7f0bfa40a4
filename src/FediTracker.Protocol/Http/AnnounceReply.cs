namespace FediTracker.Protocol.Http;

/// <summary>The numbers of a successful announce reply.</summary>
public readonly record struct AnnounceReply(int Interval, int MinInterval, int Complete, int Incomplete, long Downloaded);
