using System.Net;
using System.Text;

namespace FediTracker.Protocol.Tests;

public sealed class PeerAddressTests
{
    [TestCase("::")]
    [TestCase("::1")]
    [TestCase("2001:db8::1")]
    [TestCase("2001:db8:0:1:1:1:1:1")]
    [TestCase("2001:0:0:1::1")]
    [TestCase("fe80::")]
    [TestCase("1:0:0:2::3")]
    [TestCase("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    [TestCase("1:2:3:4:5:6:7:8")]
    public void Formats_ipv6_as_rfc5952(string text)
    {
        var address = PeerAddress.FromIPAddress(IPAddress.Parse(text));
        Format(address).Should().Be(text);
    }

    [Test]
    public void Formats_random_ipv6_addresses_as_the_runtime_does()
    {
        var random = new Random(5952);
        var bytes = new byte[16];
        for (var i = 0; i < 2000; i++)
        {
            random.NextBytes(bytes);
            // Zero some groups so that runs of zeros of every length occur.
            for (var g = 0; g < 8; g++)
            {
                if (random.Next(3) == 0)
                {
                    bytes[2 * g] = 0;
                    bytes[(2 * g) + 1] = 0;
                }
            }

            if (bytes.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0)
            {
                continue; // IPv4-mapped and IPv4-compatible forms have their own text
            }

            var expected = new IPAddress(bytes).ToString();
            Format(PeerAddress.FromIPv6(bytes)).Should().Be(expected);
        }
    }

    [TestCase("127.0.0.1")]
    [TestCase("10.0.0.255")]
    [TestCase("0.0.0.0")]
    [TestCase("255.255.255.255")]
    public void Formats_ipv4_as_a_dotted_quad(string text)
    {
        var address = PeerAddress.FromIPAddress(IPAddress.Parse(text));
        address.IsIPv4.Should().BeTrue();
        Format(address).Should().Be(text);
        address.ToString().Should().Be(text);
    }

    [Test]
    public void An_ipv4_mapped_ipv6_address_is_ipv4()
    {
        var address = PeerAddress.FromIPAddress(IPAddress.Parse("::ffff:192.0.2.7"));
        address.IsIPv4.Should().BeTrue();
        address.Should().Be(PeerAddress.FromIPAddress(IPAddress.Parse("192.0.2.7")));
    }

    [Test]
    public void Formatting_allocates_nothing()
    {
        var address = PeerAddress.FromIPAddress(IPAddress.Parse("2001:db8:85a3::8a2e:370:7334"));
        Span<byte> buffer = stackalloc byte[64];
        address.TryFormat(buffer, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            address.TryFormat(buffer, out _);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Test]
    public void Formatting_reports_a_short_buffer()
    {
        var address = PeerAddress.FromIPAddress(IPAddress.Parse("2001:db8:85a3::8a2e:370:7334"));
        address.TryFormat(new byte[10], out _).Should().BeFalse();
        PeerAddress.FromIPv4(0x7F000001).TryFormat(new byte[5], out _).Should().BeFalse();
    }

    private static string Format(PeerAddress address)
    {
        var buffer = new byte[64];
        address.TryFormat(buffer, out var n).Should().BeTrue();
        return Encoding.ASCII.GetString(buffer, 0, n);
    }
}
