using System.Diagnostics;
using FediTracker.Core.Limits;
using FediTracker.Protocol;

namespace FediTracker.Core.Tests;

public sealed class AddressRateLimiterTests
{
    private static readonly PeerAddress A = PeerAddress.FromIPv4(0x0A000001);
    private static readonly PeerAddress B = PeerAddress.FromIPv4(0x0A000002);

    [Test]
    public void Allows_a_burst_then_refuses_until_time_passes()
    {
        var limiter = new AddressRateLimiter(ratePerSecond: 10, burst: 5);
        var now = 1_000 * Stopwatch.Frequency;

        Enumerable.Range(0, 5).Select(_ => limiter.TryAcquire(A, now)).ToList().Should().AllBeEquivalentTo(true);
        limiter.TryAcquire(A, now).Should().BeFalse();
        limiter.TryAcquire(B, now).Should().BeTrue("another address has its own bucket");

        limiter.TryAcquire(A, now + (Stopwatch.Frequency / 20)).Should().BeFalse("half a token has come back");
        limiter.TryAcquire(A, now + (Stopwatch.Frequency / 10)).Should().BeTrue("one token has come back");
        limiter.TryAcquire(A, now + (Stopwatch.Frequency / 10)).Should().BeFalse();
    }

    [Test]
    public void Sustains_the_configured_rate()
    {
        var limiter = new AddressRateLimiter(ratePerSecond: 100, burst: 1);
        var start = 5_000 * Stopwatch.Frequency;
        var allowed = 0;
        for (var ms = 0; ms < 10_000; ms++)
        {
            // Ten tries every millisecond for ten seconds: far over the rate.
            for (var k = 0; k < 10; k++)
            {
                allowed += limiter.TryAcquire(A, start + (ms * Stopwatch.Frequency / 1000)) ? 1 : 0;
            }
        }

        allowed.Should().BeInRange(999, 1001, "100 a second for 10 seconds");
    }

    [Test]
    public void IPv6_addresses_share_a_bucket_per_64()
    {
        var limiter = new AddressRateLimiter(ratePerSecond: 1, burst: 2);
        var now = 10 * Stopwatch.Frequency;
        var one = PeerAddress.FromIPAddress(System.Net.IPAddress.Parse("2001:db8:1:2::1"));
        var sameNet = PeerAddress.FromIPAddress(System.Net.IPAddress.Parse("2001:db8:1:2:ffff::9"));
        var otherNet = PeerAddress.FromIPAddress(System.Net.IPAddress.Parse("2001:db8:1:3::1"));

        limiter.TryAcquire(one, now).Should().BeTrue();
        limiter.TryAcquire(sameNet, now).Should().BeTrue();
        limiter.TryAcquire(one, now).Should().BeFalse("the /64 has used its burst");
        limiter.TryAcquire(otherNet, now).Should().BeTrue();
    }

    [Test]
    public void Zero_rate_turns_limiting_off()
    {
        var limiter = new AddressRateLimiter(ratePerSecond: 0, burst: 1);
        Enumerable.Range(0, 10_000).All(_ => limiter.TryAcquire(A)).Should().BeTrue();
        limiter.Count.Should().Be(0);
    }

    [Test]
    public void Idle_addresses_are_forgotten()
    {
        var limiter = new AddressRateLimiter(ratePerSecond: 10, burst: 10);
        var now = 100 * Stopwatch.Frequency;
        limiter.TryAcquire(A, now);
        limiter.TryAcquire(B, now + Stopwatch.Frequency);
        limiter.Count.Should().Be(2);

        limiter.RemoveIdle(now + Stopwatch.Frequency).Should().Be(1, "A has refilled after a second, B has not");
        limiter.Count.Should().Be(1);
    }

    [Test]
    public async Task Concurrent_callers_never_get_more_than_the_burst()
    {
        var limiter = new AddressRateLimiter(ratePerSecond: 0.001, burst: 1_000);
        var now = 100 * Stopwatch.Frequency;
        var granted = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                if (limiter.TryAcquire(A, now))
                {
                    Interlocked.Increment(ref granted);
                }
            }
        })));

        granted.Should().Be(1_000);
    }
}
