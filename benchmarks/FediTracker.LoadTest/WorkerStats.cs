namespace FediTracker.LoadTest;

/// <summary>
/// What one worker saw inside the measured window. Plain fields: each worker updates its own under its lock, and
/// they are merged once the run is over.
/// </summary>
internal sealed class WorkerStats
{
    public long Sent;
    public long Announces;
    public long Scrapes;
    public long Connects;
    public long PeersReturned;
    public long ErrorPackets;
    public long Failures;
    public long Timeouts;
    public long Late;
    public long SendErrors;
    public long ReceiveErrors;
    public long HttpNon200;
    public long Malformed;
    public long ConnectionsOpened;
    public long ServerCloses;
    public long LostOnClose;
    public long ConnectErrors;

    /// <summary>CPU seconds the tracker process (with --server-pid) and this process used in the window; -1 unknown.</summary>
    public double ServerCpuSeconds { get; set; } = -1;

    public double OwnCpuSeconds { get; set; } = -1;

    /// <summary>The 1-minute load average when the window opened and closed.</summary>
    public double LoadAverageStart { get; set; } = -1;

    public double LoadAverageEnd { get; set; } = -1;

    public LatencyHistogram Latency { get; } = new();

    /// <summary>Error and failure texts and how often each came.</summary>
    public Dictionary<string, long> Messages { get; } = new(StringComparer.Ordinal);

    public long Responses => Announces + Scrapes + Connects + ErrorPackets + Failures;

    public void AddMessage(string message)
    {
        Messages[message] = Messages.GetValueOrDefault(message) + 1;
    }

    public void Add(WorkerStats other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Sent += other.Sent;
        Announces += other.Announces;
        Scrapes += other.Scrapes;
        Connects += other.Connects;
        PeersReturned += other.PeersReturned;
        ErrorPackets += other.ErrorPackets;
        Failures += other.Failures;
        Timeouts += other.Timeouts;
        Late += other.Late;
        SendErrors += other.SendErrors;
        ReceiveErrors += other.ReceiveErrors;
        HttpNon200 += other.HttpNon200;
        Malformed += other.Malformed;
        ConnectionsOpened += other.ConnectionsOpened;
        ServerCloses += other.ServerCloses;
        LostOnClose += other.LostOnClose;
        ConnectErrors += other.ConnectErrors;
        Latency.Add(other.Latency);
        foreach (var (message, count) in other.Messages)
        {
            Messages[message] = Messages.GetValueOrDefault(message) + count;
        }
    }
}
