using FediTracker.Protocol.Bencode;

namespace FediTracker.Protocol.Tests.Bencode;

/// <summary>
/// Seeded random and mutated inputs. Each input is checked against an independent reference validator, must never
/// make the parser throw, and when accepted must re-encode canonically.
/// </summary>
[TestFixture]
public sealed class BencodeFuzzTests
{
    private const string Alphabet = "ildeildeildeilde0123456789::::---x";

    private static readonly string[] Seeds =
    [
        "4:spam", "i3e", "i-3e", "i0e", "l4:spam4:eggse", "d3:cow3:moo4:spam4:eggse", "d4:spaml1:a1:bee", "0:",
        "d8:announce21:http://t.example/annc4:infod6:lengthi5e4:name5:a.bin12:piece lengthi16384e6:pieces20:0123456789abcdefghijee",
        "d8:completei10e10:incompletei2e8:intervali1800e5:peers12:abcdefghijkle",
        "li9223372036854775807ei-9223372036854775808ee",
        "d1:ad1:bd1:cleeee",
    ];

    [Test]
    public void Random_bytes_never_throw_and_agree_with_the_reference([Values(false, true)] bool strictKeyOrder)
    {
        var random = new Random(20240601);
        var accepted = 0;
        for (var i = 0; i < 3000; i++)
        {
            var input = new byte[random.Next(0, 40)];
            for (var j = 0; j < input.Length; j++)
            {
                input[j] = random.Next(4) == 0 ? (byte)random.Next(256) : (byte)Alphabet[random.Next(Alphabet.Length)];
            }

            accepted += Check(input, maxDepth: random.Next(2) == 0 ? 4 : BencodeReader.DefaultMaxDepth, strictKeyOrder) ? 1 : 0;
        }

        accepted.Should().BeGreaterThan(0, "some random inputs are valid bencode");
    }

    [Test]
    public void Mutated_documents_never_throw_and_agree_with_the_reference([Values(false, true)] bool strictKeyOrder)
    {
        var random = new Random(1234567);
        var documents = Seeds.Select(TestBytes.Of).Concat(Enumerable.Range(0, 50).Select(_ => BencodeSerializer.Encode(RandomValue(random, 0)))).ToList();
        var accepted = 0;
        var rejected = 0;
        for (var i = 0; i < 4000; i++)
        {
            var input = Mutate(random, documents[random.Next(documents.Count)]);
            if (Check(input, maxDepth: random.Next(3) == 0 ? 3 : BencodeReader.DefaultMaxDepth, strictKeyOrder))
            {
                accepted++;
            }
            else
            {
                rejected++;
            }
        }

        accepted.Should().BeGreaterThan(100);
        rejected.Should().BeGreaterThan(100);
    }

    [Test]
    public void Random_trees_round_trip_exactly()
    {
        var random = new Random(42);
        for (var i = 0; i < 500; i++)
        {
            var encoded = BencodeSerializer.Encode(RandomValue(random, 0));

            BencodeSerializer.TryParse(encoded, out var parsed, out var error, out var offset, strictKeyOrder: true)
                .Should().BeTrue($"{error} at {offset} in '{TestBytes.Show(encoded)}'");
            BencodeSerializer.Encode(parsed!).Should().Equal(encoded);
            ReferenceBencodeValidator.IsValid(encoded, BencodeReader.DefaultMaxDepth, strictKeyOrder: true).Should().BeTrue();
        }
    }

    // Returns whether the input was accepted.
    private static bool Check(byte[] input, int maxDepth, bool strictKeyOrder)
    {
        var shown = TestBytes.Show(input);
        bool ok;
        BencodeValue? value;
        BencodeError error;
        int offset;
        try
        {
            ok = BencodeSerializer.TryParse(input, out value, out error, out offset, maxDepth, strictKeyOrder);
        }
        catch (Exception exception)
        {
            Assert.Fail($"TryParse threw {exception.GetType().Name} for '{shown}': {exception.Message}");
            throw;
        }

        ok.Should().Be(ReferenceBencodeValidator.IsValid(input, maxDepth, strictKeyOrder), $"the reference decides '{shown}' (got {error} at {offset})");
        if (!ok)
        {
            value.Should().BeNull();
            error.Should().NotBe(BencodeError.None);
            offset.Should().BeInRange(0, input.Length, shown);
            if (error is not (BencodeError.DuplicateKey or BencodeError.UnsortedKey))
            {
                ReaderError(input, maxDepth).Should().Be((error, offset), $"the reader and the parser agree on '{shown}'");
            }

            return false;
        }

        error.Should().Be(BencodeError.None);
        offset.Should().Be(-1);
        ReaderError(input, maxDepth).Should().Be((BencodeError.None, -1));

        // The re-encoding is canonical: strictly valid, stable, and equal to the input when the input was canonical.
        var encoded = BencodeSerializer.Encode(value!);
        BencodeSerializer.TryParse(encoded, out var again, out _, out _, maxDepth, strictKeyOrder: true).Should().BeTrue(shown);
        BencodeSerializer.Encode(again!).Should().Equal(encoded);
        if (strictKeyOrder)
        {
            encoded.Should().Equal(input, "strictly valid input is canonical");
        }

        return true;
    }

    private static (BencodeError Error, int Offset) ReaderError(byte[] input, int maxDepth)
    {
        var reader = new BencodeReader(input, maxDepth);
        while (reader.TryReadToken(out _))
        {
        }

        return (reader.Error, reader.ErrorOffset);
    }

    private static byte[] Mutate(Random random, byte[] document)
    {
        var bytes = new List<byte>(document);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            var b = random.Next(3) == 0 ? (byte)random.Next(256) : (byte)Alphabet[random.Next(Alphabet.Length)];
            switch (random.Next(6))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = b;
                    break;
                case 1:
                    bytes.Insert(at, b);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveAt(at);
                    break;
                case 3 when bytes.Count > 0:
                    var length = random.Next(1, Math.Min(12, bytes.Count - at) + 1);
                    bytes.InsertRange(at, bytes.GetRange(at, length)); // duplicate a slice
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at); // truncate
                    break;
                default:
                    if (bytes.Count > 1)
                    {
                        var other = random.Next(bytes.Count);
                        (bytes[at], bytes[other]) = (bytes[other], bytes[at]);
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    private static BencodeValue RandomValue(Random random, int depth)
    {
        var kind = depth >= 5 ? random.Next(2) : random.Next(4);
        switch (kind)
        {
            case 0:
                return new BencodeInteger(random.Next(5) switch
                {
                    0 => long.MinValue,
                    1 => long.MaxValue,
                    2 => 0,
                    _ => random.NextInt64(long.MinValue, long.MaxValue),
                });
            case 1:
                var bytes = new byte[random.Next(0, 12)];
                random.NextBytes(bytes);
                return new BencodeString(bytes);
            case 2:
                var list = new BencodeList();
                for (var i = random.Next(0, 4); i > 0; i--)
                {
                    list.Add(RandomValue(random, depth + 1));
                }

                return list;
            default:
                var dictionary = new BencodeDictionary();
                for (var i = random.Next(0, 4); i > 0; i--)
                {
                    var key = new byte[random.Next(0, 4)];
                    for (var j = 0; j < key.Length; j++)
                    {
                        key[j] = (byte)random.Next(0x7E, 0x84); // a narrow range, across the signed/unsigned edge
                    }

                    dictionary.Set(key, RandomValue(random, depth + 1));
                }

                return dictionary;
        }
    }
}
