using System.Security.Cryptography;
using System.Text;
using FediTracker.Core.Registry;
using static FediTracker.Core.Tests.Registry.AccessListTests;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Core.Tests.Registry;

[TestFixture]
public sealed class AccessPolicyTests
{
    [TestCase(AccessMode.Registered, AccessState.Unknown, AccessDecision.NotRegistered)]
    [TestCase(AccessMode.Registered, AccessState.Active, AccessDecision.Allowed)]
    [TestCase(AccessMode.Registered, AccessState.Suspended, AccessDecision.Suspended)]
    [TestCase(AccessMode.Registered, AccessState.Revoked, AccessDecision.Revoked)]
    [TestCase(AccessMode.Open, AccessState.Unknown, AccessDecision.Allowed)]
    [TestCase(AccessMode.Open, AccessState.Active, AccessDecision.Allowed)]
    [TestCase(AccessMode.Open, AccessState.Suspended, AccessDecision.Suspended)]
    [TestCase(AccessMode.Open, AccessState.Revoked, AccessDecision.Revoked)]
    [TestCase(AccessMode.Private, AccessState.Unknown, AccessDecision.NotRegistered)]
    [TestCase(AccessMode.Private, AccessState.Active, AccessDecision.Allowed)]
    [TestCase(AccessMode.Private, AccessState.Suspended, AccessDecision.Suspended)]
    [TestCase(AccessMode.Private, AccessState.Revoked, AccessDecision.Revoked)]
    public void Check_decides_by_mode_and_state(AccessMode mode, AccessState state, AccessDecision expected)
    {
        var list = new AccessList();
        var hash = NewInfoHash();
        if (state != AccessState.Unknown)
        {
            list.Apply(Batch(1, Hash(1, hash, state)));
        }

        new AccessPolicy(mode, list).Check(hash).Should().Be(expected);
    }

    [Test]
    public void Check_follows_the_list_as_it_changes()
    {
        var list = new AccessList();
        var policy = new AccessPolicy(AccessMode.Registered, list);
        var hash = NewInfoHash();

        policy.Check(hash).Should().Be(AccessDecision.NotRegistered);
        list.Apply(Batch(1, Hash(1, hash, AccessState.Active)));
        policy.Check(hash).Should().Be(AccessDecision.Allowed);
        list.Apply(Batch(2, Hash(2, hash, AccessState.Revoked)));
        policy.Check(hash).Should().Be(AccessDecision.Revoked);
        list.Apply(Batch(3, Hash(3, hash, AccessState.Unknown)));
        policy.Check(hash).Should().Be(AccessDecision.NotRegistered);
    }

    [TestCase(AccessMode.Registered, false)]
    [TestCase(AccessMode.Open, false)]
    [TestCase(AccessMode.Private, true)]
    public void Only_private_mode_requires_a_passkey(AccessMode mode, bool required)
    {
        var policy = new AccessPolicy(mode, new AccessList());

        policy.RequiresPasskey.Should().Be(required);
        policy.AcceptsPasskey([]).Should().Be(!required, "outside private mode no passkey is needed");
        policy.AcceptsPasskey("whatever"u8).Should().Be(!required);
    }

    [Test]
    public void Private_mode_accepts_a_valid_passkey_only_until_it_is_deleted()
    {
        var list = new AccessList();
        var policy = new AccessPolicy(AccessMode.Private, list);
        var passkey = Encoding.ASCII.GetBytes("fedcba9876543210fedcba9876543210fedcba98");
        var digest = SHA256.HashData(passkey);

        policy.AcceptsPasskey(passkey).Should().BeFalse();
        list.Apply(Batch(1, new AccessChange(1, default, AccessState.Unknown, digest, PasskeyValid: true)));
        policy.AcceptsPasskey(passkey).Should().BeTrue();
        policy.AcceptsPasskey("fedcba9876543210fedcba9876543210fedcba99"u8).Should().BeFalse();
        list.Apply(Batch(2, new AccessChange(2, default, AccessState.Unknown, digest, PasskeyValid: false)));
        policy.AcceptsPasskey(passkey).Should().BeFalse();
    }

    [Test]
    public void Constructor_rejects_a_missing_list()
    {
        FluentActions.Invoking(() => new AccessPolicy(AccessMode.Open, null!)).Should().Throw<ArgumentNullException>();
    }
}
