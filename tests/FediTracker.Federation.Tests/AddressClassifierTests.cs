using System.Net;
using FediTracker.Federation.Fetching;

namespace FediTracker.Federation.Tests;

public class AddressClassifierTests
{
    [TestCase("93.184.216.34", AddressKind.Public)]
    [TestCase("2606:2800:220:1:248:1893:25c8:1946", AddressKind.Public)]
    [TestCase("127.0.0.1", AddressKind.Loopback)]
    [TestCase("127.255.0.9", AddressKind.Loopback)]
    [TestCase("::1", AddressKind.Loopback)]
    [TestCase("10.1.2.3", AddressKind.Private)]
    [TestCase("172.16.0.1", AddressKind.Private)]
    [TestCase("172.31.255.255", AddressKind.Private)]
    [TestCase("172.32.0.1", AddressKind.Public)]
    [TestCase("192.168.1.1", AddressKind.Private)]
    [TestCase("fc00::1", AddressKind.Private)]
    [TestCase("fd12:3456::1", AddressKind.Private)]
    [TestCase("fec0::1", AddressKind.Private)]
    [TestCase("100.64.0.1", AddressKind.SharedAddressSpace)]
    [TestCase("100.127.255.255", AddressKind.SharedAddressSpace)]
    [TestCase("100.128.0.1", AddressKind.Public)]
    [TestCase("169.254.169.254", AddressKind.LinkLocal)]
    [TestCase("fe80::1", AddressKind.LinkLocal)]
    [TestCase("224.0.0.1", AddressKind.Multicast)]
    [TestCase("ff02::1", AddressKind.Multicast)]
    [TestCase("0.0.0.0", AddressKind.Unspecified)]
    [TestCase("0.1.2.3", AddressKind.Unspecified)]
    [TestCase("::", AddressKind.Unspecified)]
    [TestCase("255.255.255.255", AddressKind.Reserved)]
    [TestCase("240.0.0.1", AddressKind.Reserved)]
    [TestCase("192.0.2.1", AddressKind.Reserved)]
    [TestCase("198.18.0.1", AddressKind.Reserved)]
    [TestCase("2001:db8::1", AddressKind.Reserved)]
    [TestCase("::ffff:127.0.0.1", AddressKind.Loopback)]
    [TestCase("::ffff:10.0.0.1", AddressKind.Private)]
    [TestCase("::ffff:169.254.169.254", AddressKind.LinkLocal)]
    [TestCase("::ffff:93.184.216.34", AddressKind.Public)]
    [TestCase("64:ff9b::7f00:1", AddressKind.Loopback)]
    [TestCase("2002:c0a8:0101::1", AddressKind.Private)]
    [TestCase("::7f00:1", AddressKind.Reserved)]
    public void Classifies(string address, AddressKind expected) =>
        AddressClassifier.Classify(IPAddress.Parse(address)).Should().Be(expected);
}
