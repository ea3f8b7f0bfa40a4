using System.Buffers.Binary;
using System.Net;
using FediTracker.Protocol.Udp;

namespace FediTracker.Protocol.Tests.Udp;

public sealed class ConnectionIdIssuerTests
{
    // 1_700_000_040 is a multiple of 120: the first second of a slot.
    private const long SlotStart = 1_700_000_040;

    private static readonly byte[] Key = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
    private static readonly PeerEndpoint Client = Endpoint("203.0.113.7", 6881);

    [Test]
    public void Issued_id_validates_for_the_same_client_in_the_same_slot()
    {
        var issuer = new ConnectionIdIssuer(Key);
        var id = issuer.Issue(Client, SlotStart);

        issuer.Validate(id, Client, SlotStart).Should().BeTrue();
        issuer.Validate(id, Client, SlotStart + 119).Should().BeTrue();
    }

    [Test]
    public void Issued_id_validates_in_the_next_slot()
    {
        var issuer = new ConnectionIdIssuer(Key);
        var id = issuer.Issue(Client, SlotStart);

        issuer.Validate(id, Client, SlotStart + 120).Should().BeTrue();
        issuer.Validate(id, Client, SlotStart + 239).Should().BeTrue();
    }

    [Test]
    public void Issued_id_fails_two_slots_later()
    {
        var issuer = new ConnectionIdIssuer(Key);
        var id = issuer.Issue(Client, SlotStart + 119);

        issuer.Validate(id, Client, SlotStart + 240).Should().BeFalse();
        issuer.Validate(id, Client, SlotStart + 10_000).Should().BeFalse();
    }

    [Test]
    public void Issued_id_lives_at_least_two_minutes_and_less_than_four_whatever_the_second_of_issue()
    {
        var issuer = new ConnectionIdIssuer(Key);
        for (var offset = 0; offset < 120; offset++)
        {
            var issuedAt = SlotStart + offset;
            var id = issuer.Issue(Client, issuedAt);

            issuer.Validate(id, Client, issuedAt + 120).Should().BeTrue($"issued {offset} s into the slot, checked 2 min later");
            issuer.Validate(id, Client, issuedAt + 240).Should().BeFalse($"issued {offset} s into the slot, checked 4 min later");
        }
    }

    [Test]
    public void Issued_id_fails_in_an_earlier_slot()
    {
        var issuer = new ConnectionIdIssuer(Key);
        var id = issuer.Issue(Client, SlotStart);

        issuer.Validate(id, Client, SlotStart - 1).Should().BeFalse();
    }

    [Test]
    public void Slots_are_120_seconds_before_1970_too()
    {
        var issuer = new ConnectionIdIssuer(Key);
        var id = issuer.Issue(Client, -1); // slot -1: seconds -120..-1

        issuer.Validate(id, Client, -120).Should().BeTrue();
        issuer.Validate(id, Client, 119).Should().BeTrue();
        issuer.Validate(id, Client, 120).Should().BeFalse();
        issuer.Validate(id, Client, -121).Should().BeFalse();
    }

    [TestCase("203.0.113.8", (ushort)6881)]
    [TestCase("::ffff:203.0.113.6", (ushort)6881)]
    [TestCase("2001:db8::cb00:7107", (ushort)6881)] // 203.0.113.7's bits, but an IPv6 address
    [TestCase("::cb00:7107", (ushort)6881)]
    public void Issued_id_fails_for_another_client(string address, ushort port)
    {
        var issuer = new ConnectionIdIssuer(Key);
        var id = issuer.Issue(Client, SlotStart);

        issuer.Validate(id, Endpoint(address, port), SlotStart).Should().BeFalse();
    }

    [Test]
    public void Another_source_port_of_the_same_address_is_the_same_client()
    {
        // libtorrent shares one connection id between all its sessions and sockets, whose ports differ.
        var issuer = new ConnectionIdIssuer(Key);
        var id = issuer.Issue(Client, SlotStart);

        issuer.Validate(id, Endpoint("203.0.113.7", 51413), SlotStart).Should().BeTrue();
    }

    [Test]
    public void IPv4_mapped_source_is_the_same_client_as_IPv4()
    {
        var issuer = new ConnectionIdIssuer(Key);
        var id = issuer.Issue(Client, SlotStart);

        issuer.Validate(id, Endpoint("::ffff:203.0.113.7", 6881), SlotStart).Should().BeTrue();
    }

    [Test]
    public void IPv6_client_gets_an_id_that_validates()
    {
        var issuer = new ConnectionIdIssuer(Key);
        var client = Endpoint("2001:db8::42", 51413);
        var id = issuer.Issue(client, SlotStart);

        issuer.Validate(id, client, SlotStart + 130).Should().BeTrue();
        issuer.Validate(id, Endpoint("2001:db8::43", 51413), SlotStart).Should().BeFalse();
    }

    [TestCase(0)]
    [TestCase(17)]
    [TestCase(63)]
    public void Id_with_one_bit_flipped_fails(int bit)
    {
        var issuer = new ConnectionIdIssuer(Key);
        var id = issuer.Issue(Client, SlotStart);

        issuer.Validate(id ^ (1L << bit), Client, SlotStart).Should().BeFalse();
    }

    [Test]
    public void Another_key_gives_another_id_which_the_first_key_rejects()
    {
        var otherKey = (byte[])Key.Clone();
        otherKey[15] ^= 0x01;
        var issuer = new ConnectionIdIssuer(Key);
        var other = new ConnectionIdIssuer(otherKey);

        var id = issuer.Issue(Client, SlotStart);
        var otherId = other.Issue(Client, SlotStart);

        otherId.Should().NotBe(id);
        issuer.Validate(otherId, Client, SlotStart).Should().BeFalse();
        other.Validate(id, Client, SlotStart).Should().BeFalse();
    }

    [Test]
    public void Issuers_sharing_a_key_accept_each_others_ids()
    {
        var id = new ConnectionIdIssuer(Key).Issue(Client, SlotStart);

        new ConnectionIdIssuer((byte[])Key.Clone()).Validate(id, Client, SlotStart + 60).Should().BeTrue();
    }

    [Test]
    public void Ids_change_from_slot_to_slot()
    {
        var issuer = new ConnectionIdIssuer(Key);

        issuer.Issue(Client, SlotStart + 120).Should().NotBe(issuer.Issue(Client, SlotStart));
        issuer.Issue(Client, SlotStart + 119).Should().Be(issuer.Issue(Client, SlotStart));
    }

    [Test]
    public void Id_is_SipHash_of_slot_and_address()
    {
        // Pins the MAC input: slot (8 bytes, little-endian), then the address's 16-byte IPv6 form.
        Span<byte> input = stackalloc byte[24];
        BinaryPrimitives.WriteInt64LittleEndian(input, SlotStart / 120);
        IPAddress.Parse("::ffff:203.0.113.7").TryWriteBytes(input[8..], out _);

        var id = new ConnectionIdIssuer(Key).Issue(Client, SlotStart);

        id.Should().Be((long)SipHash24.Compute(Key, input));
    }

    [TestCase(0)]
    [TestCase(15)]
    [TestCase(17)]
    [TestCase(32)]
    public void Key_must_be_16_bytes(int length)
    {
        var create = () => new ConnectionIdIssuer(new byte[length]);

        create.Should().Throw<ArgumentException>();
    }

    [Test]
    public void CreateKey_gives_16_fresh_random_bytes()
    {
        var first = ConnectionIdIssuer.CreateKey();
        var second = ConnectionIdIssuer.CreateKey();

        first.Should().HaveCount(16);
        second.Should().HaveCount(16);
        first.Should().NotEqual(second);
    }

    [Test]
    public void Issue_and_Validate_allocate_nothing()
    {
        var issuer = new ConnectionIdIssuer(Key);
        var valid = 0;

        for (var round = 0; round < 2; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                var id = issuer.Issue(Client, SlotStart + i);
                if (issuer.Validate(id, Client, SlotStart + i + 100))
                {
                    valid++;
                }
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round == 1)
            {
                allocated.Should().Be(0);
            }
        }

        valid.Should().Be(2000);
    }

    private static PeerEndpoint Endpoint(string address, ushort port) =>
        new(PeerAddress.FromIPAddress(IPAddress.Parse(address)), port);
}
