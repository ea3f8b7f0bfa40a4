namespace FediTracker.Server.Tests.Federation;

/// <summary>A test tracker with federation on: its public URL is <c>http://127.0.0.1:&lt;port&gt;</c>, loopback and plain
/// http allowed (tests only), its key and state in a temporary directory.</summary>
internal sealed class FederatedTracker : IAsyncDisposable
{
    private readonly string _directory;

    private FederatedTracker(TestTracker tracker, string url, string directory)
    {
        Tracker = tracker;
        Url = url;
        _directory = directory;
    }

    public TestTracker Tracker { get; }

    public string Url { get; }

    public string Inbox => Url + "/inbox";

    public string ActorId => Url + "/actor";

    public static Task<FederatedTracker> StartAsync(Func<string[], Task<TestTracker>> start, IEnumerable<string> trustedDomains, params string[] extra) =>
        StartOnPortAsync(FakeInstance.FreePort(), start, trustedDomains, extra);

    public static Task<FederatedTracker> StartOnPortAsync(int port, Func<string[], Task<TestTracker>> start, IEnumerable<string> trustedDomains, params string[] extra) =>
        StartInAsync(System.IO.Directory.CreateTempSubdirectory("feditracker-fed-").FullName, port, start, trustedDomains, extra);

    /// <summary>Starts on a given port with its key and state in <paramref name="directory"/> (kept by a restart).</summary>
    public static async Task<FederatedTracker> StartInAsync(string directory, int port, Func<string[], Task<TestTracker>> start, IEnumerable<string> trustedDomains, params string[] extra)
    {
        var url = $"http://127.0.0.1:{port}";
        List<string> args =
        [
            .. AdminApiClient.TokenArgs,
            "--Tracker:AccessMode", "registered",
            "--http", $"127.0.0.1:{port}",
            "--Federation:PublicUrl", url,
            "--Federation:Fetch:AllowLoopback", "true",
            "--Federation:Fetch:AllowHttp", "true",
            "--Federation:StatePath", Path.Combine(directory, "federation.db"),
            "--Federation:Key:PrivateKeyPath", Path.Combine(directory, "actor-key.pem"),
            "--Federation:DeliveryBaseDelaySeconds", "1",
        ];
        var i = 0;
        foreach (var domain in trustedDomains)
        {
            args.AddRange([$"--Federation:TrustedDomains:{i++}", domain]);
        }

        args.AddRange(extra);
        var tracker = await start([.. args]);
        return new FederatedTracker(tracker, url, directory);
    }

    /// <summary>The directory of the key and state files.</summary>
    public string Directory => _directory;

    /// <summary>Stops the tracker and keeps its directory (for a restart over the same state).</summary>
    public async Task StopAsync() => await Tracker.DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        await Tracker.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }
}
