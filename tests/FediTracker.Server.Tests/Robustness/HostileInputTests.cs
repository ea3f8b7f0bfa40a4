using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FediTracker.Server.Udp;
using Microsoft.Extensions.DependencyInjection;

namespace FediTracker.Server.Tests.Robustness;

/// <summary>
/// Thousands of random and mutated inputs, from a fixed seed, against the real server on loopback: it must never
/// fail a datagram, never answer HTTP with a 5xx, and afterwards still serve a normal UDP and HTTP announce.
/// A failure lists every offending input with its index, so it can be reproduced from the seed.
/// </summary>
[TestFixture]
public sealed class HostileInputTests
{
    private const int Seed = 20261129;
    private const int Datagrams = 5_000;
    private const int HttpRequests = 1_000;

    // Datagrams a socket sends between two barriers (a connect it waits for the answer to). Keeps the replies
    // queued on a client socket, and the datagrams queued on the server's, well inside the kernel's buffers.
    private const int Batch = 50;

    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(10);

    private TestTracker _tracker = null!;

    // One receive loop per socket: datagrams are handled in the order they arrive, so the answer to a barrier means
    // every datagram sent before it from that socket has been handled.
    [OneTimeSetUp]
    public async Task StartAsync() =>
        // Thousands of announces come from one address here; the per-address limit would answer most of them with
        // an error, which is not what this test is about (RateLimitTests covers it).
        _tracker = await TestTracker.StartAsync("--Listen:UdpReceiveLoops", "1", "--Tracker:RateLimitPerSecond", "0");

    [OneTimeTearDown]
    public async Task StopAsync() => await _tracker.DisposeAsync();

    [Test]
    [CancelAfter(120_000)]
    public async Task Udp_listener_survives_thousands_of_hostile_datagrams()
    {
        var random = new Random(Seed);
        var violations = new List<string>();
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var replies = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var sockets = new[] { _tracker.UdpV4, _tracker.UdpV4, _tracker.UdpV6, _tracker.UdpV6 }
            .Select(endpoint => new FuzzSocket(endpoint, replies))
            .ToArray();
        try
        {
            foreach (var socket in sockets)
            {
                socket.ConnectionId = await socket.Client.ConnectAsync();
            }

            for (var i = 0; i < Datagrams; i++)
            {
                // Random transaction ids, so one with a flipped byte is almost never another request's.
                var socket = sockets[i % sockets.Length];
                var (kind, datagram) = UdpFuzzInputs.Next(random, socket.ConnectionId, random.Next());
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
                socket.Sent(i, kind, datagram);
                await socket.Client.SendAsync(datagram);
                if (socket.Pending == Batch || i >= Datagrams - sockets.Length)
                {
                    await socket.BarrierAsync(violations);
                }
            }
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Client.Dispose();
            }
        }

        await TestContext.Out.WriteLineAsync($"Sent {Datagrams} datagrams (seed {Seed}): {string.Join(", ", kinds.Select(k => $"{k.Key} ×{k.Value}"))}");
        await TestContext.Out.WriteLineAsync($"Replies checked: {string.Join(", ", replies.Select(r => $"{r.Key} ×{r.Value}"))}");
        violations.Should().BeEmpty("seed {0}: no reply should break BEP 15 or answer an unproven client with more than it sent", Seed);
        await AssertStillServesAsync();
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task Http_endpoint_never_answers_5xx_to_thousands_of_hostile_requests()
    {
        var random = new Random(Seed + 1);
        var violations = new List<string>();
        var statuses = new SortedDictionary<string, int>(StringComparer.Ordinal);
        using var v4 = new RawHttpConnection(_tracker.HttpV4);
        using var v6 = new RawHttpConnection(_tracker.HttpV6);
        var index = 0;
        foreach (var input in HttpFuzzInputs.Generate(random, HttpRequests))
        {
            index++;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CurrentContext.CancellationToken);
            timeout.CancelAfter(ReplyTimeout);
            var response = await (index % 2 == 0 ? v6 : v4).GetAsync(input.Target, timeout.Token);
            var key = response switch
            {
                null => "none",
                { Status: 200 } when response.Body.AsSpan().IndexOf("14:failure reason"u8) >= 0 => "200 (failure reason)",
                { Status: 200 } => "200 (served)",
                _ => response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            statuses[key] = statuses.GetValueOrDefault(key) + 1;
            var problem = Judge(input, response);
            if (problem is not null)
            {
                violations.Add($"#{index} ({input.Kind}) GET {input.Printable()}: {problem}");
            }
        }

        await TestContext.Out.WriteLineAsync(
            $"Sent {HttpRequests} requests (seed {Seed + 1}) over {v4.Connections + v6.Connections} connections; statuses: "
            + string.Join(", ", statuses.Select(s => $"{s.Key} ×{s.Value}")));
        violations.Should().BeEmpty("seed {0}: tracker paths answer 200 with bencode, other paths 404, malformed requests a 4xx, never a 5xx", Seed + 1);
        await AssertStillServesAsync();
    }

    private static string? Judge(HttpFuzzCase input, RawHttpResponse? response)
    {
        if (response is null)
        {
            return "the connection closed without a response";
        }

        if (response.Status >= 500)
        {
            return $"status {response.Status}";
        }

        if (response.Status == 200)
        {
            var body = response.Body;
            if (body.Length < 2 || body[0] != (byte)'d' || body[^1] != (byte)'e')
            {
                return $"200 whose body is not a bencoded dictionary: '{Encoding.Latin1.GetString(body.AsSpan(0, Math.Min(body.Length, 80)))}'";
            }
        }

        return input.Expect switch
        {
            HttpExpectation.TrackerReply when response.Status != 200 => $"status {response.Status}, expected 200",
            HttpExpectation.NotFound when response.Status != 404 => $"status {response.Status}, expected 404",
            _ when response.Status is not (200 or (>= 400 and < 500)) => $"status {response.Status}",
            _ => null,
        };
    }

    /// <summary>A normal UDP exchange on both families, a normal HTTP announce on both, and a listener that never faulted.</summary>
    private async Task AssertStillServesAsync()
    {
        foreach (var endpoint in new[] { _tracker.UdpV4, _tracker.UdpV6 })
        {
            var hash = TestData.NewHash();
            using var seeder = new UdpTrackerClient(endpoint);
            using var leecher = new UdpTrackerClient(endpoint);
            var seederId = await seeder.ConnectAsync();
            var reply = await seeder.RoundTripAsync(UdpTrackerClient.Announce(seederId, 11, hash, TestData.PeerId(901), 0, 2, 50, 6881));
            (ReadInt(reply, 0), ReadInt(reply, 4)).Should().Be((1, 11), "an announce reply to the seeder over {0}", endpoint);

            var leecherId = await leecher.ConnectAsync();
            reply = await leecher.RoundTripAsync(UdpTrackerClient.Announce(leecherId, 12, hash, TestData.PeerId(902), 100, 2, 50, 6882));
            (ReadInt(reply, 0), ReadInt(reply, 4), ReadInt(reply, 16)).Should().Be((1, 12, 1), "an announce reply with one seeder over {0}", endpoint);
            reply.Should().HaveCount(20 + (endpoint.AddressFamily == AddressFamily.InterNetwork ? 6 : 18), "the seeder is introduced");
        }

        using var http = new HttpClient { Timeout = ReplyTimeout };
        foreach (var endpoint in new[] { _tracker.HttpV4, _tracker.HttpV6 })
        {
            var hash = TestData.Escape(TestData.NewHash());
            var first = await http.GetAsync(new Uri($"http://{endpoint}/announce?info_hash={hash}&peer_id={TestData.Escape(TestData.PeerId(903))}&port=7001&left=0&event=started"));
            var second = await http.GetAsync(new Uri($"http://{endpoint}/announce?info_hash={hash}&peer_id={TestData.Escape(TestData.PeerId(904))}&port=7002&left=5&event=started"));
            first.StatusCode.Should().Be(HttpStatusCode.OK);
            second.StatusCode.Should().Be(HttpStatusCode.OK);
            var entry = endpoint.AddressFamily == AddressFamily.InterNetwork ? "5:peers6:" : "5:peers0:6:peers618:";
            Encoding.Latin1.GetString(await second.Content.ReadAsByteArrayAsync())
                .Should().StartWith("d8:completei1e").And.Contain(entry, "the first peer is introduced to the second over {0}", endpoint);
        }

        var udp = _tracker.Services.GetRequiredService<UdpTrackerService>();
        udp.Faults.Should().Be(0, "no datagram may make the listener fail");
        udp.IsListening.Should().BeTrue();
    }

    private static int ReadInt(byte[] data, int offset) => BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(offset));

    /// <summary>A client socket, its valid connection id, and the datagrams sent since its last barrier.</summary>
    private sealed class FuzzSocket(IPEndPoint server, SortedDictionary<string, int> replies)
    {
        private readonly Dictionary<int, (int Index, string Kind, byte[]? Datagram)> _sent = [];
        private readonly int _peerLength = server.AddressFamily == AddressFamily.InterNetwork ? 6 : 18;
        private int _barrier = -1;

        public UdpTrackerClient Client { get; } = new(server);

        public long ConnectionId { get; set; }

        public int Pending { get; private set; }

        public void Sent(int index, string kind, byte[] datagram)
        {
            Pending++;
            if (datagram.Length >= 16)
            {
                // Two requests with one transaction id: a reply to it cannot be told apart, so it is not checked.
                var transaction = ReadInt(datagram, 12);
                _sent[transaction] = _sent.ContainsKey(transaction) ? (index, kind, null) : (index, kind, datagram);
            }
        }

        /// <summary>Sends a connect and reads every reply up to its answer, checking each on the way.</summary>
        public async Task BarrierAsync(List<string> violations)
        {
            var transaction = --_barrier;
            await Client.SendAsync(UdpFuzzInputs.Connect(transaction));
            while (true)
            {
                var reply = await Client.ReceiveAsync(ReplyTimeout);
                if (reply is null)
                {
                    Assert.Fail($"No answer to a connect within {ReplyTimeout.TotalSeconds} s after datagrams up to #{_sent.Values.Select(s => s.Index).DefaultIfEmpty(-1).Max()} (seed {Seed}): the UDP listener stopped answering.");
                }

                if (reply!.Length == 16 && ReadInt(reply, 0) == 0 && ReadInt(reply, 4) == transaction)
                {
                    break;
                }

                var kind = reply.Length < 4 ? "runt" : ReadInt(reply, 0) switch
                {
                    0 => "connect",
                    1 => "announce",
                    2 => "scrape",
                    3 => "error",
                    _ => "unknown",
                };
                replies[kind] = replies.GetValueOrDefault(kind) + 1;
                var problem = Check(reply);
                if (problem is not null)
                {
                    violations.Add(problem);
                }
            }

            _sent.Clear();
            Pending = 0;
        }

        private string? Check(byte[] reply)
        {
            if (reply.Length < 8)
            {
                return $"a {reply.Length}-byte reply";
            }

            var action = ReadInt(reply, 0);
            if (!_sent.TryGetValue(ReadInt(reply, 4), out var request) || request.Datagram is null)
            {
                // A mutation changed the transaction id; only the shape can be checked.
                return action is >= 0 and <= 3 ? null : $"a reply with action {action}";
            }

            var what = $"#{request.Index} ({request.Kind}, {request.Datagram.Length} bytes: {Convert.ToHexString(request.Datagram.AsSpan(0, Math.Min(request.Datagram.Length, 40)))}…)";
            var id = BinaryPrimitives.ReadInt64BigEndian(request.Datagram);
            var proven = id == ConnectionId;
            return action switch
            {
                0 when id != UdpTrackerClient.ProtocolId => $"{what}: a connect reply to a packet without the protocol magic",
                0 when reply.Length != 16 => $"{what}: a {reply.Length}-byte connect reply",
                1 when !proven => $"{what}: an announce served without a valid connection id",
                1 when reply.Length < 20 || (reply.Length - 20) % _peerLength != 0 => $"{what}: a {reply.Length}-byte announce reply",
                2 when !proven => $"{what}: a scrape served without a valid connection id",
                2 when (reply.Length - 8) % 12 != 0 => $"{what}: a {reply.Length}-byte scrape reply",
                3 when !proven && reply.Length > request.Datagram.Length => $"{what}: a {reply.Length}-byte error to an unproven client, more than it sent",
                > 3 or < 0 => $"{what}: a reply with action {action}",
                _ => null,
            };
        }
    }
}
