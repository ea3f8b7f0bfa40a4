using System.Security.Cryptography;
using System.Text;
using FediTracker.Core.Registry;
using FediTracker.Protocol;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Core.Tests.Registry;

[TestFixture]
public sealed class AccessListTests
{
    private static readonly byte[] Passkey = Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef01234567");

    [Test]
    public void New_list_knows_nothing()
    {
        var list = new AccessList();

        list.Version.Should().Be(0);
        list.Count.Should().Be(0);
        list.PasskeyCount.Should().Be(0);
        list.Get(NewInfoHash()).Should().Be(AccessState.Unknown);
        list.IsValidPasskey(Passkey).Should().BeFalse();
    }

    [Test]
    public void Apply_sets_each_hash_state_and_moves_to_the_batch_version()
    {
        var list = new AccessList();
        var active = NewInfoHash();
        var suspended = NewInfoHash();
        var revoked = NewInfoHash();

        list.Apply(Batch(3, Hash(1, active, AccessState.Active), Hash(2, suspended, AccessState.Suspended), Hash(3, revoked, AccessState.Revoked)));

        list.Version.Should().Be(3);
        list.Count.Should().Be(3);
        list.Get(active).Should().Be(AccessState.Active);
        list.Get(suspended).Should().Be(AccessState.Suspended);
        list.Get(revoked).Should().Be(AccessState.Revoked);
        list.Get(NewInfoHash()).Should().Be(AccessState.Unknown);
    }

    [Test]
    public void Later_change_of_the_same_hash_replaces_the_earlier_one()
    {
        var list = new AccessList();
        var hash = NewInfoHash();

        list.Apply(Batch(2, Hash(1, hash, AccessState.Active), Hash(2, hash, AccessState.Revoked)));
        list.Get(hash).Should().Be(AccessState.Revoked);

        list.Apply(Batch(3, Hash(3, hash, AccessState.Active)));
        list.Get(hash).Should().Be(AccessState.Active);
        list.Count.Should().Be(1);
    }

    [Test]
    public void Apply_skips_entries_at_or_below_the_version_already_applied()
    {
        var list = new AccessList();
        var hash = NewInfoHash();
        var other = NewInfoHash();
        list.Apply(Batch(5, Hash(5, hash, AccessState.Revoked)));

        // A replayed or stale batch (a second reader, a notice that arrived late) must not undo a revocation.
        list.Apply(Batch(5, Hash(4, hash, AccessState.Active), Hash(5, hash, AccessState.Active), Hash(3, other, AccessState.Active)));

        list.Get(hash).Should().Be(AccessState.Revoked);
        list.Get(other).Should().Be(AccessState.Unknown);
        list.Version.Should().Be(5);

        // A batch mixing old and new entries applies the new ones only.
        list.Apply(Batch(7, Hash(5, hash, AccessState.Active), Hash(7, other, AccessState.Suspended)));
        list.Get(hash).Should().Be(AccessState.Revoked);
        list.Get(other).Should().Be(AccessState.Suspended);
        list.Version.Should().Be(7);
    }

    [Test]
    public void Version_never_goes_back()
    {
        var list = new AccessList();
        list.Apply(Batch(10));

        list.Apply(Batch(4));

        list.Version.Should().Be(10, "an empty batch still moves the version forward, and an older one never moves it back");
    }

    [Test]
    public void Unknown_removes_the_hash()
    {
        var list = new AccessList();
        var hash = NewInfoHash();
        var kept = NewInfoHash();
        list.Apply(Batch(2, Hash(1, hash, AccessState.Revoked), Hash(2, kept, AccessState.Active)));

        list.Apply(Batch(3, Hash(3, hash, AccessState.Unknown)));

        list.Get(hash).Should().Be(AccessState.Unknown);
        list.Count.Should().Be(1, "a forgotten hash takes no room");
        list.Get(kept).Should().Be(AccessState.Active);
        list.Apply(Batch(4, Hash(4, NewInfoHash(), AccessState.Unknown)));
        list.Count.Should().Be(1, "forgetting a hash never seen is harmless");
    }

    [Test]
    public void Passkey_digest_is_added_and_removed_by_the_feed()
    {
        var list = new AccessList();
        var digest = SHA256.HashData(Passkey);

        list.Apply(Batch(1, PasskeyChange(1, digest, valid: true)));

        list.PasskeyCount.Should().Be(1);
        list.Count.Should().Be(0, "a passkey entry is not a hash");
        list.IsValidPasskey(Passkey).Should().BeTrue();

        list.Apply(Batch(2, PasskeyChange(2, digest, valid: false)));

        list.PasskeyCount.Should().Be(0);
        list.IsValidPasskey(Passkey).Should().BeFalse();
        list.Apply(Batch(2, PasskeyChange(1, digest, valid: true)));
        list.IsValidPasskey(Passkey).Should().BeFalse("an old entry replayed does not bring a deleted passkey back");
    }

    [Test]
    public void Passkey_digest_of_the_wrong_length_is_ignored()
    {
        var list = new AccessList();

        list.Apply(Batch(2, PasskeyChange(1, new byte[20], valid: true), PasskeyChange(2, [], valid: true)));

        list.PasskeyCount.Should().Be(0);
        list.Version.Should().Be(2);
    }

    [Test]
    public void IsValidPasskey_accepts_the_right_key_and_refuses_wrong_empty_and_oversize_ones()
    {
        var list = new AccessList();
        var longest = Enumerable.Repeat((byte)'k', 256).ToArray();
        var oversize = Enumerable.Repeat((byte)'k', 257).ToArray();
        list.Apply(Batch(3, PasskeyChange(1, SHA256.HashData(Passkey), valid: true), PasskeyChange(2, SHA256.HashData(longest), valid: true), PasskeyChange(3, SHA256.HashData(oversize), valid: true)));

        list.IsValidPasskey(Passkey).Should().BeTrue();
        list.IsValidPasskey(longest).Should().BeTrue("256 bytes is the longest passkey looked at");
        list.IsValidPasskey(oversize).Should().BeFalse("a key over 256 bytes is refused before it is hashed, even when its digest is known");
        list.IsValidPasskey([]).Should().BeFalse();
        list.IsValidPasskey(ReadOnlySpan<byte>.Empty).Should().BeFalse();
        list.IsValidPasskey(Passkey.AsSpan(0, Passkey.Length - 1)).Should().BeFalse();
        var wrong = (byte[])Passkey.Clone();
        wrong[^1] ^= 1;
        list.IsValidPasskey(wrong).Should().BeFalse();
        list.IsValidPasskey(SHA256.HashData(Passkey)).Should().BeFalse("the digest itself is not the passkey");
    }

    [Test]
    public void IsValidPasskey_and_Get_allocate_nothing()
    {
        var list = new AccessList();
        var hash = NewInfoHash();
        list.Apply(Batch(2, PasskeyChange(1, SHA256.HashData(Passkey), valid: true), Hash(2, hash, AccessState.Active)));
        var wrong = new byte[40];
        var oversize = new byte[300];
        var results = 0;
        for (var i = 0; i < 100; i++)
        {
            results += Check(list, hash, wrong, oversize);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            results += Check(list, hash, wrong, oversize);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        results.Should().Be(10_100 * 2);
        allocated.Should().Be(0, "the per-announce checks run on the hot path");

        static int Check(AccessList list, InfoHash hash, byte[] wrong, byte[] oversize) =>
            (list.IsValidPasskey(Passkey) ? 1 : 0) + (list.IsValidPasskey(wrong) ? 1 : 0) + (list.IsValidPasskey(oversize) ? 1 : 0)
            + (list.IsValidPasskey([]) ? 1 : 0) + (list.Get(hash) == AccessState.Active ? 1 : 0);
    }

    [Test]
    public void Apply_rejects_a_missing_batch()
    {
        FluentActions.Invoking(() => new AccessList().Apply(null!)).Should().Throw<ArgumentNullException>();
    }

    internal static AccessChangeBatch Batch(long lastVersion, params AccessChange[] changes) => new(changes, lastVersion);

    internal static AccessChange Hash(long version, InfoHash hash, AccessState state) => new(version, hash, state);

    private static AccessChange PasskeyChange(long version, byte[] digest, bool valid) => new(version, default, AccessState.Unknown, digest, valid);
}
