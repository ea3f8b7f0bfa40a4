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

    public static async Task<FederatedTracker> StartOnPortAsync(int port, Func<string[], Task<TestTracker>> start, IEnumerable<string> trustedDomains, params string[] extra)
    {
        var directory = Directory.CreateTempSubdirectory("feditracker-fed-").FullName;
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

    public async ValueTask DisposeAsync()
    {
        await Tracker.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }
}
