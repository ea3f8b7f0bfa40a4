using System.Buffers.Binary;
using Microsoft.Extensions.DependencyInjection;
using FediTracker.Server.Udp;

namespace FediTracker.Server.Tests;

/// <summary>
/// The UDP receive loop with <c>recvmmsg</c>/<c>sendmmsg</c> batches (Linux) and without: a burst sent faster than one
/// loop answers is queued, so the batched loop takes many datagrams per call; every one must get its own reply.
/// </summary>
public sealed class UdpBatchTests
{
    private const int Burst = 300;

    [TestCase(32)]
    [TestCase(1)]
    [TestCase(256)]
    public async Task A_burst_of_requests_gets_every_reply_once_with_its_own_transaction_id(int batch)
    {
        await using var tracker = await TestTracker.StartAsync("--Listen:UdpReceiveLoops", "1", "--Listen:UdpBatch", batch.ToString(System.Globalization.CultureInfo.InvariantCulture));
        tracker.Services.GetRequiredService<UdpTrackerService>().Batch.Should().Be(OperatingSystem.IsLinux() ? batch : 1);

        using var client = new UdpTrackerClient(tracker.UdpV4);
        client.ReceiveBufferSize = 1 << 20;
        var id = await client.ConnectAsync();
        var hash = TestData.NewHash();
        for (var i = 0; i < Burst; i++)
        {
            // Connects and announces alternate, so replies of two lengths share one batch.
            await client.SendAsync(i % 2 == 0
                ? Connect(10_000 + i)
                : UdpTrackerClient.Announce(id, 10_000 + i, hash, TestData.PeerId(i), left: 100, @event: 2, numWant: 5, port: (ushort)(7000 + i)));
        }

        var seen = new HashSet<int>();
        for (var i = 0; i < Burst; i++)
        {
            var reply = await client.ReceiveAsync(TimeSpan.FromSeconds(10));
            reply.Should().NotBeNull($"reply {i + 1} of {Burst}");
            var transaction = BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(4));
            seen.Add(transaction).Should().BeTrue($"transaction {transaction} is answered once");
            var action = BinaryPrimitives.ReadInt32BigEndian(reply);
            action.Should().Be(transaction % 2 == 0 ? 0 : 1, "a connect gets a connect reply and an announce an announce reply");
            reply!.Length.Should().Be(action == 0 ? 16 : 20 + (6 * Math.Min(5, (transaction - 10_000) / 2)), "each reply is its own request's");
        }

        seen.Should().HaveCount(Burst);
        (await client.ReceiveAsync(TimeSpan.FromMilliseconds(200))).Should().BeNull("nothing is answered twice");
    }

    [TestCase(32)]
    [TestCase(1)]
    public async Task A_datagram_longer_than_the_buffer_gets_no_reply_and_the_loop_goes_on(int batch)
    {
        await using var tracker = await TestTracker.StartAsync("--Listen:UdpReceiveLoops", "1", "--Listen:UdpBatch", batch.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var client = new UdpTrackerClient(tracker.UdpV4);

        var oversize = new byte[UdpDatagramContext.BufferSize + 500];
        Connect(77).CopyTo(oversize, 0);
        await client.SendAsync(oversize);
        var id = await client.ConnectAsync();

        id.Should().NotBe(0, "the loop answers the next datagram");
        tracker.Services.GetRequiredService<UdpTrackerService>().Faults.Should().Be(0);
        tracker.Services.GetRequiredService<UdpTrackerService>().IsListening.Should().BeTrue();
    }

    [Test]
    public void A_batch_outside_1_to_256_is_refused_at_start()
    {
        var act = () => FediTracker.Server.Hosting.TrackerHost.Build(["--Listen:UdpBatch", "0"]);

        act.Should().Throw<FediTracker.Server.Hosting.ConfigurationException>().Which.Errors.Should().Contain(e => e.Contains("Listen:UdpBatch", StringComparison.Ordinal));
    }

    [Test]
    public void The_native_message_header_has_the_LP64_layout_of_struct_mmsghdr()
    {
        System.Runtime.CompilerServices.Unsafe.SizeOf<MultiMessage.MessageHeader>().Should().Be(64);
        System.Runtime.InteropServices.Marshal.OffsetOf<MultiMessage.MessageHeader>(nameof(MultiMessage.MessageHeader.Flags)).Should().Be(48);
        System.Runtime.InteropServices.Marshal.OffsetOf<MultiMessage.MessageHeader>(nameof(MultiMessage.MessageHeader.Length)).Should().Be(56);
        System.Runtime.CompilerServices.Unsafe.SizeOf<MultiMessage.IoVector>().Should().Be(16);
    }

    private static byte[] Connect(int transaction)
    {
        var request = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(request, UdpTrackerClient.ProtocolId);
        BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(12), transaction);
        return request;
    }
}
