using System.Text;
using FediTracker.Federation.Keys;

namespace FediTracker.Federation.Tests;

public class ActorKeyPairTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("feditracker-key-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Creates_a_2048_bit_key_on_first_start_readable_by_the_owner_only()
    {
        var path = Path.Combine(_directory, "nested", "actor-key.pem");

        using var key = ActorKeyPair.LoadOrCreate(path);

        key.KeySizeInBits.Should().Be(2048);
        File.ReadAllText(path).Should().StartWith("-----BEGIN PRIVATE KEY-----");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Directory.GetFiles(Path.GetDirectoryName(path)!).Should().ContainSingle("no temporary file is left behind");
    }

    [Test]
    public void Loads_the_same_key_on_the_next_start()
    {
        var path = Path.Combine(_directory, "actor-key.pem");
        using var first = ActorKeyPair.LoadOrCreate(path);

        using var second = ActorKeyPair.LoadOrCreate(path);

        second.PublicKeyPem.Should().Be(first.PublicKeyPem);
    }

    [Test]
    public void Publishes_a_public_key_that_verifies_its_signatures()
    {
        using var key = ActorKeyPair.Generate();
        var data = Encoding.UTF8.GetBytes("signing string");

        var signature = key.SignPkcs1Sha256(data);

        key.PublicKeyPem.Should().StartWith("-----BEGIN PUBLIC KEY-----");
        key.ToPublicKey("k", "a").VerifyPkcs1Sha256(data, signature).Should().BeTrue();
        key.ToPublicKey("k", "a").VerifyPkcs1Sha256(Encoding.UTF8.GetBytes("other"), signature).Should().BeFalse();
    }

    [Test]
    public void Refuses_a_public_key_where_a_private_key_is_needed() =>
        FluentActions.Invoking(() => ActorKeyPair.FromPrivateKeyPem(TestKeys.Rfc9421RsaPublic)).Should().Throw<ArgumentException>();

    [Test]
    public void Public_keys_of_unusable_sizes_or_kinds_are_refused()
    {
        ActorPublicKey.TryCreate("k", "a", "not a pem", out _).Should().BeFalse();
        ActorPublicKey.TryCreate("k", "a", TestKeys.CavagePublic, out var small).Should().BeTrue();
        small.KeySizeInBits.Should().Be(1024);
        using var ec = System.Security.Cryptography.ECDsa.Create();
        ActorPublicKey.TryCreate("k", "a", ec.ExportSubjectPublicKeyInfoPem(), out _).Should().BeFalse();
    }
}
