using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Threading.Channels;
using FediTracker.Core;

namespace FediTracker.EndToEnd.Tests;

/// <summary>
/// Revocation as a real client sees it (python3-libtorrent, driven by clients/libtorrent_revoke.py): a torrent
/// registered through the admin API downloads through the tracker; once it is revoked through the admin API, the
/// downloader's next announce fails with the reason, the tracker keeps no peer, and a new client gets no peer and no
/// piece. The tracker runs in registered mode with an admin token, the single-node shape (SQLite, memory store).
/// </summary>
[TestFixture]
public sealed class LibtorrentRevocationTests
{
    private const int TestTimeoutMs = 180_000;
    private const int FileSize = (2 * 1024 * 1024) + 4_321;
    private const string Token = "revocation-e2e-admin-token-0123456789abcdef";
    private const string Reason = "deleted by its author";

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan HardTimeout = ScriptTimeout + TimeSpan.FromSeconds(30);

    private TrackerUnderTest _tracker = null!;
    private HttpClient _admin = null!;
    private string _directory = null!;

    private static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "clients", "libtorrent_revoke.py");

    [OneTimeSetUp]
    public Task RequireLibtorrentAsync() => Python.RequireLibtorrentAsync();

    [SetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("feditracker-e2e-revoke-").FullName;
        _tracker = await TrackerUnderTest.StartAsync(
            TestContext.CurrentContext.CancellationToken,
            "--Tracker:AccessMode", "registered",
            "--Admin:Tokens:0:Name", "ops", "--Admin:Tokens:0:Role", "admin", "--Admin:Tokens:0:Token", Token);
        _admin = new HttpClient { BaseAddress = new Uri($"http://{_tracker.Admin}/api/v1/") };
        _admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    [TearDown]
    public async Task StopAsync()
    {
        _admin?.Dispose();
        if (_tracker is not null)
        {
            await _tracker.DisposeAsync();
        }

        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Passed)
        {
            Directory.Delete(_directory, recursive: true);
        }
        else
        {
            await TestContext.Out.WriteLineAsync($"Kept for diagnosis: {_directory}");
        }
    }

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task Revoked_torrent_refuses_its_downloader_and_a_newcomer_over_http_ipv4(CancellationToken cancellationToken) =>
        await RunAsync(new Uri($"http://{_tracker.HttpV4}/announce"), reasonVisible: true, cancellationToken);

    [Test]
    [CancelAfter(TestTimeoutMs)]
    public async Task Revoked_torrent_refuses_its_downloader_and_a_newcomer_over_udp_ipv4(CancellationToken cancellationToken) =>
        await RunAsync(new Uri($"udp://{_tracker.UdpV4}/announce"), reasonVisible: false, cancellationToken);

    private async Task RunAsync(Uri announce, bool reasonVisible, CancellationToken cancellationToken)
    {
        var file = Path.Combine(_directory, "clip.mp4");
        var content = new byte[FileSize];
        Random.Shared.NextBytes(content);
        await File.WriteAllBytesAsync(file, content, cancellationToken);
        var work = Path.Combine(_directory, "work");
        Directory.CreateDirectory(work);

        await using var script = ScriptProcess.Start(
            [ScriptPath, "--announce", announce.OriginalString, "--file", file, "--work", work,
             "--timeout", ScriptTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture), "--join-wait", "5"],
            HardTimeout,
            cancellationToken);

        var hash = (await script.ExpectAsync("HASH ")).Trim();
        using (var registered = await _admin.PostAsJsonAsync("torrents", new { infoHashV1 = hash, name = "clip.mp4" }, cancellationToken))
        {
            registered.StatusCode.Should().Be(HttpStatusCode.Created, await registered.Content.ReadAsStringAsync(cancellationToken));
        }

        await script.SendAsync("go");
        await script.ExpectAsync("DOWNLOADED");
        var during = _tracker.Snapshot(hash);
        during.Complete.Should().Be(2, "seeder and finished leecher are both seeding in the tracker's swarm");
        during.Downloaded.Should().Be(1, "the leecher's 'completed' was counted\n" + script.Describe());

        using (var revoked = await _admin.PostAsJsonAsync("revocations", new { infoHash = hash, reason = Reason }, cancellationToken))
        {
            revoked.StatusCode.Should().Be(HttpStatusCode.Created, await revoked.Content.ReadAsStringAsync(cancellationToken));
        }

        // Before the admin call returned the swarm was forgotten: no peer address is held any more.
        _tracker.Snapshot(hash).Should().Be(new SwarmSnapshot(0, 0, 0, 0, 0));
        await script.SendAsync("revoked");

        var leecherError = await script.ExpectAsync("LEECHER_ERROR ");
        var newcomerError = await script.ExpectAsync("NEWCOMER_ERROR ");
        if (reasonVisible)
        {
            leecherError.Should().StartWith(FailureReasons.Revoked + "|", "libtorrent shows the tracker's failure reason\n" + script.Describe());
            newcomerError.Should().StartWith(FailureReasons.Revoked + "|", "libtorrent shows the tracker's failure reason\n" + script.Describe());
        }
        else
        {
            // libtorrent 2.0.8 loses the text of a BEP 15 error packet; the failure itself is what it shows (an error
            // packet taken as the tracker's refusal, not a timeout or a connection error).
            leecherError.Should().Contain("tracker sent a failure message", script.Describe());
            newcomerError.Should().Contain("tracker sent a failure message", script.Describe());
        }

        (await script.ExpectAsync("NEWCOMER ")).Should().Be("peers=0 pieces=0 tracker_peers=0", script.Describe());
        await script.ExpectAsync("DONE");
        (await script.WaitForExitAsync()).Should().Be(0, script.Describe());

        _tracker.Snapshot(hash).Should().Be(new SwarmSnapshot(0, 0, 0, 0, 0), "the refused announces filed nothing");
        _tracker.Log.Should().NotContain(hash, "a refusal never logs which torrent was asked for");
        File.Exists(Path.Combine(work, "newcomer", "clip.mp4")).Should().BeFalse("the newcomer never got a byte of the file");
    }

    /// <summary>The script as a child process: stdout read line by line with a deadline, stderr kept for messages,
    /// the process tree killed at the hard timeout or on dispose.</summary>
    private sealed class ScriptProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly CancellationTokenSource _deadline;
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();
        private readonly Task _pumps;

        private ScriptProcess(Process process, CancellationTokenSource deadline)
        {
            _process = process;
            _deadline = deadline;
            _pumps = Task.WhenAll(PumpStdoutAsync(), PumpStderrAsync());
        }

        public static ScriptProcess Start(IEnumerable<string> arguments, TimeSpan hardTimeout, CancellationToken cancellationToken)
        {
            var process = Process.Start(Python.StartInfo(arguments)) ?? throw new InvalidOperationException($"{Python.Executable} did not start.");
            var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(hardTimeout);
            return new ScriptProcess(process, deadline);
        }

        /// <summary>The next stdout line, which must start with <paramref name="prefix"/>; returns the rest of it.</summary>
        public async Task<string> ExpectAsync(string prefix)
        {
            string line;
            try
            {
                line = await _lines.Reader.ReadAsync(_deadline.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
            {
                Assert.Fail($"The script did not print '{prefix}…' ({(ex is OperationCanceledException ? "timed out" : "its output ended")}).\n{Describe()}");
                throw;
            }

            line.Should().StartWith(prefix, Describe());
            return line[prefix.Length..];
        }

        public async Task SendAsync(string line)
        {
            await _process.StandardInput.WriteLineAsync(line.AsMemory(), _deadline.Token);
            await _process.StandardInput.FlushAsync(_deadline.Token);
        }

        public async Task<int> WaitForExitAsync()
        {
            await _process.WaitForExitAsync(_deadline.Token);
            await _pumps.WaitAsync(_deadline.Token);
            return _process.ExitCode;
        }

        public string Describe()
        {
            lock (_stderr)
            {
                return $"--- stdout ---\n{_stdout}--- stderr ---\n{_stderr}";
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }

            await _pumps.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _process.Dispose();
            _deadline.Dispose();
        }

        private async Task PumpStdoutAsync()
        {
            try
            {
                while (await _process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
                {
                    lock (_stderr)
                    {
                        _stdout.AppendLine(line);
                    }

                    await _lines.Writer.WriteAsync(line, CancellationToken.None);
                }
            }
            finally
            {
                _lines.Writer.TryComplete();
            }
        }

        private async Task PumpStderrAsync()
        {
            while (await _process.StandardError.ReadLineAsync(CancellationToken.None) is { } line)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(line);
                }
            }
        }
    }
}
