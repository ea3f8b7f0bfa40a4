using System.Text;
using FediTracker.Protocol.Bencode;
using FediTracker.Protocol.Torrents;

namespace FediTracker.Protocol.Tests.Torrents;

[TestFixture]
public sealed class TorrentMetainfoTests
{
    // SHA-1("hello"), the one piece of a 5-byte file.
    private const string HelloPiece = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d";

    [Test]
    public void Hashes_a_hand_built_v1_torrent_s_info_dictionary()
    {
        // Expected: /usr/bin/python3 -c 'import hashlib; print(hashlib.sha1(INFO).hexdigest())' over the info bytes below.
        var data = Concat("d8:announce30:http://127.0.0.1:6969/announce4:infod6:lengthi5e4:name5:a.txt12:piece lengthi16384e6:pieces20:", Convert.FromHexString(HelloPiece), "ee");

        Parse(data).InfoHashV1!.Value.ToHex().Should().Be("de3edc1dfa1958affac1dbdc8f34d4d6dac43f00");
        var torrent = Parse(data);
        torrent.Version.Should().Be(TorrentVersion.V1);
        torrent.InfoHashV2Full.Should().BeNull();
        torrent.InfoHashV2.Should().BeNull();
        torrent.Name.Should().Be("a.txt");
        torrent.TotalLength.Should().Be(5);
        torrent.PieceLength.Should().Be(16384);
        torrent.PieceCount.Should().Be(1);
        torrent.IsPrivate.Should().BeFalse();
        torrent.Announce.Should().Be("http://127.0.0.1:6969/announce");
        torrent.AnnounceList.Should().BeEmpty();
        torrent.UrlList.Should().BeEmpty();
    }

    [Test]
    public void Hashes_the_info_bytes_as_they_are_even_with_unsorted_keys()
    {
        // 'name' before 'length': a re-encoding would sort them and change the hash. Expected from hashlib over these bytes.
        var data = Concat("d4:infod4:name5:a.txt6:lengthi5e12:piece lengthi16384e6:pieces20:", Convert.FromHexString(HelloPiece), "ee");

        Parse(data).InfoHashV1!.Value.ToHex().Should().Be("210756f19887e95426cc44f12a7b47081e620771");
    }

    [Test]
    public void Reads_a_multi_file_v1_torrent_without_counting_padding_files()
    {
        var info = new BencodeDictionary
        {
            ["name"] = new BencodeString("album"),
            ["piece length"] = new BencodeInteger(16384),
            ["files"] = new BencodeList(
                File(10000, "one.ogg"),
                new BencodeDictionary { ["length"] = new BencodeInteger(6384), ["path"] = new BencodeList(new BencodeString(".pad"), new BencodeString("6384")), ["attr"] = new BencodeString("p") },
                File(20000, "sub", "two.ogg")),
            ["pieces"] = new BencodeString(new byte[3 * 20]), // 36768 bytes with padding: 3 pieces
        };

        var torrent = Parse(Document(info));

        torrent.TotalLength.Should().Be(30000);
        torrent.FileCount.Should().Be(2);
        torrent.PieceCount.Should().Be(3);
    }

    [Test]
    public void Reads_a_v2_file_tree_with_directories_and_an_empty_file()
    {
        var info = new BencodeDictionary
        {
            ["name"] = new BencodeString("album"),
            ["piece length"] = new BencodeInteger(65536),
            ["meta version"] = new BencodeInteger(2),
            ["file tree"] = new BencodeDictionary
            {
                ["one.ogg"] = V2File(1000),
                ["empty"] = V2File(0),
                ["sub"] = new BencodeDictionary { ["two.ogg"] = V2File(65536), ["three.ogg"] = V2File(1) },
            },
        };

        var torrent = Parse(Document(info));

        torrent.Version.Should().Be(TorrentVersion.V2);
        torrent.InfoHashV1.Should().BeNull();
        torrent.InfoHashV2Full.Should().NotBeNull();
        torrent.TotalLength.Should().Be(66537);
        torrent.FileCount.Should().Be(4);
        torrent.PieceCount.Should().Be(3);
    }

    [Test]
    public void Reads_url_list_as_a_single_string_and_announce_list_tiers()
    {
        var root = BuiltTree(TorrentVersion.V1, 100);
        root["url-list"] = new BencodeString("https://media.example/a");
        root["announce-list"] = new BencodeList(new BencodeList(new BencodeString("http://a/announce"), new BencodeString("http://b/announce")), new BencodeList(new BencodeString("udp://c:1")));

        var torrent = Parse(BencodeSerializer.Encode(root));

        torrent.UrlList.Should().Equal("https://media.example/a");
        torrent.AnnounceList.Should().HaveCount(2);
        torrent.AnnounceList[0].Should().Equal("http://a/announce", "http://b/announce");
        torrent.AnnounceList[1].Should().Equal("udp://c:1");
        MagnetLink.Create(torrent).Should().Contain("&tr=http%3A%2F%2Fa%2Fannounce&tr=http%3A%2F%2Fb%2Fannounce&tr=udp%3A%2F%2Fc%3A1&ws=https%3A%2F%2Fmedia.example%2Fa");
    }

    [Test]
    public void Private_is_set_only_by_the_value_1()
    {
        var root = BuiltTree(TorrentVersion.V1, 100);
        Info(root)["private"] = new BencodeInteger(0);

        Parse(BencodeSerializer.Encode(root)).IsPrivate.Should().BeFalse();
    }

    [Test]
    public async Task A_magnet_link_names_both_hashes_of_a_hybrid_torrent()
    {
        var result = await TorrentBuilder.BuildAsync(new MemoryStream(new byte[100]), new TorrentBuildOptions
        {
            Name = "a b.webm",
            PieceLength = 16384,
            Announce = new Uri("http://127.0.0.1:6969/announce"),
        });
        var torrent = Parse(result.Metainfo.ToArray());

        MagnetLink.Create(torrent).Should().Be(
            $"magnet:?xt=urn:btih:{result.InfoHashV1}&xt=urn:btmh:1220{result.InfoHashV2Full}&dn=a%20b.webm&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce");
    }

    [TestCase("", "empty")]
    [TestCase("i5e", "not a dictionary")]
    [TestCase("le", "not a dictionary")]
    [TestCase("de", "no 'info'")]
    [TestCase("d4:infoi1ee", "'info' is not a dictionary")]
    [TestCase("d4:infol1:aee", "'info' is not a dictionary")]
    [TestCase("d4:infod", "not valid bencode: it ends in the middle of a value at byte 8")]
    [TestCase("d4:info", "not valid bencode")]
    [TestCase("d4:infode", "not valid bencode")]
    [TestCase("d4:infodee4:junk", "not valid bencode: bytes after the end")]
    [TestCase("d4:infodee", "no 'name'")]
    [TestCase("d4:infod4:name0:ee", "'name' is empty")]
    [TestCase("d4:infod4:namei1eee", "'name' is not a string")]
    [TestCase("d4:infod4:name1:aee", "no 'piece length'")]
    [TestCase("d4:infod4:name1:a12:piece length1:xee", "'piece length' is not an integer")]
    [TestCase("d4:infod4:name1:a12:piece lengthi0eee", "piece length 0 is out of range")]
    [TestCase("d4:infod4:name1:a12:piece lengthi-16384eee", "out of range")]
    [TestCase("d4:infod4:name1:a12:piece lengthi4611686018427387904eee", "out of range")]
    [TestCase("d4:infod4:name1:a12:piece lengthi99999999999999999999eee", "an integer too large")]
    [TestCase("d4:infod4:name1:a12:piece lengthi16384eee", "neither 'pieces'")]
    [TestCase("d4:infod4:name1:a12:piece lengthi16384e6:pieces0:ee", "neither 'length'")]
    [TestCase("d4:infod5:filesle6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces0:ee", "both 'length'")]
    [TestCase("d4:infod6:lengthi-1e4:name1:a12:piece lengthi16384e6:pieces0:ee", "'length' is not a non-negative integer")]
    [TestCase("d4:infod6:lengthi4611686018427387904e4:name1:a12:piece lengthi16384e6:pieces0:ee", "'length' is not a non-negative integer in range")]
    [TestCase("d4:infod6:length1:54:name1:a12:piece lengthi16384e6:pieces0:ee", "'length' is not")]
    [TestCase("d4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces19:0123456789012345678ee", "'pieces' holds 19 bytes")]
    [TestCase("d4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:piecesi1eee", "'pieces' is not a string")]
    [TestCase("d4:infod6:lengthi0e4:name1:a12:piece lengthi16384e6:pieces0:ee", "total length is 0")]
    [TestCase("d4:infod5:filesi1e4:name1:a12:piece lengthi16384e6:pieces0:ee", "'files' is not a non-empty list")]
    [TestCase("d4:infod5:filesle4:name1:a12:piece lengthi16384e6:pieces0:ee", "'files' is not a non-empty list")]
    [TestCase("d4:infod5:filesli1ee4:name1:a12:piece lengthi16384e6:pieces0:ee", "Entry 0 of 'files' is not a dictionary")]
    [TestCase("d4:infod5:filesld4:pathl1:aeee4:name1:a12:piece lengthi16384e6:pieces0:ee", "Entry 0 of 'files' has no non-negative integer 'length'")]
    [TestCase("d4:infod5:filesld6:lengthi1eee4:name1:a12:piece lengthi16384e6:pieces0:ee", "has no non-empty list 'path'")]
    [TestCase("d4:infod5:filesld6:lengthi1e4:pathleee4:name1:a12:piece lengthi16384e6:pieces0:ee", "has no non-empty list 'path'")]
    [TestCase("d4:infod5:filesld6:lengthi1e4:pathli1eeee4:name1:a12:piece lengthi16384e6:pieces0:ee", "'path' element that is not a string")]
    [TestCase("d4:infod5:filesld6:lengthi4611686018427387903e4:pathl1:aeed6:lengthi4611686018427387903e4:pathl1:beee4:name1:a12:piece lengthi16384e6:pieces0:ee", "add up to more bytes")]
    [TestCase("d4:infod12:meta versioni1e4:name1:a12:piece lengthi16384eee", "meta version 1")]
    [TestCase("d4:infod12:meta version1:24:name1:a12:piece lengthi16384eee", "'meta version' is not an integer")]
    [TestCase("d4:infod12:meta versioni2e4:name1:a12:piece lengthi16384eee", "no 'file tree'")]
    [TestCase("d4:infod12:meta versioni2e4:name1:a12:piece lengthi8192eee", "must be a power of two of at least 16384")]
    [TestCase("d4:infod12:meta versioni2e4:name1:a12:piece lengthi49152eee", "must be a power of two")]
    [TestCase("d4:infod9:file treede12:meta versioni2e4:name1:a12:piece lengthi16384eee", "'file tree' is not a non-empty dictionary")]
    [TestCase("d4:infod9:file treeli1ee12:meta versioni2e4:name1:a12:piece lengthi16384eee", "'file tree' is not a non-empty dictionary")]
    [TestCase("d4:infod9:file treed1:ai1ee12:meta versioni2e4:name1:a12:piece lengthi16384eee", "entry 'a' is not a non-empty dictionary")]
    [TestCase("d4:infod9:file treed1:adee12:meta versioni2e4:name1:a12:piece lengthi16384eee", "entry 'a' is not a non-empty dictionary")]
    [TestCase("d4:infod9:file treed0:d0:d6:lengthi1eeee12:meta versioni2e4:name1:a12:piece lengthi16384eee", "empty name")]
    [TestCase("d4:infod9:file treed1:ad0:i1eee12:meta versioni2e4:name1:a12:piece lengthi16384eee", "file description that is not a dictionary")]
    [TestCase("d4:infod9:file treed1:ad0:d6:lengthi1ee1:bd0:d6:lengthi1eeeee12:meta versioni2e4:name1:a12:piece lengthi16384eee", "both a file and a directory")]
    [TestCase("d4:infod9:file treed1:ad0:deee12:meta versioni2e4:name1:a12:piece lengthi16384eee", "'a' has no non-negative integer 'length'")]
    [TestCase("d4:infod9:file treed1:ad0:d6:lengthi-1eeee12:meta versioni2e4:name1:a12:piece lengthi16384eee", "'a' has no non-negative integer 'length'")]
    [TestCase("d4:infod9:file treed1:ad0:d6:lengthi1eeee12:meta versioni2e4:name1:a12:piece lengthi16384eee", "'a' has no 32-byte 'pieces root'")]
    [TestCase("d4:infod9:file treed1:ad0:d6:lengthi1e11:pieces root3:abceee12:meta versioni2e4:name1:a12:piece lengthi16384eee", "no 32-byte 'pieces root'")]
    [TestCase("d4:infod9:file treed1:ad1:bd0:d6:lengthi0eeeee12:meta versioni2e4:name1:a12:piece lengthi16384eee", "total length is 0")]
    [TestCase("d8:announcei1e4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:01234567890123456789ee", "'announce' is not a UTF-8 string")]
    [TestCase("d8:announce1:\u00ff4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:01234567890123456789ee", "'announce' is not a UTF-8 string")]
    [TestCase("d13:announce-list1:a4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:01234567890123456789ee", "'announce-list' is not a list of lists")]
    [TestCase("d13:announce-listl1:ae4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:01234567890123456789ee", "'announce-list' is not a list of lists")]
    [TestCase("d13:announce-listlli1eee4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:01234567890123456789ee", "other than UTF-8 strings")]
    [TestCase("d4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:01234567890123456789e8:url-listi1ee", "'url-list' is neither a string nor a list")]
    [TestCase("d4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:01234567890123456789e8:url-listldeee", "'url-list' holds something other than UTF-8 strings")]
    [TestCase("d4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:01234567890123456789e8:url-list1:\u00ffe", "'url-list' is not UTF-8")]
    [TestCase("d4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:01234567890123456789e4:infodee", "appears twice")]
    [TestCase("d4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:01234567890123456789e7:privatei1ee", null)] // 'private' outside info means nothing
    [TestCase("d4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:012345678901234567897:private1:1ee", "'private' is not an integer")]
    [TestCase("d4:infod6:lengthi999999999999e4:name1:a12:piece lengthi16384e6:pieces20:01234567890123456789ee", "61035157 pieces of 16384 bytes for 999999999999 bytes need 1220703140")]
    public void Rejects_malformed_torrents_with_a_message(string latin1, string? expected)
    {
        var ok = TorrentMetainfo.TryParse(Encoding.Latin1.GetBytes(latin1), out var torrent, out var error);

        if (expected is null)
        {
            ok.Should().BeTrue(error);
            return;
        }

        ok.Should().BeFalse();
        torrent.Should().BeNull();
        error.Should().Contain(expected);
    }

    [Test]
    public void Rejects_a_file_over_the_size_limit_before_parsing_it()
    {
        var data = BencodeSerializer.Encode(BuiltTree(TorrentVersion.V1, 100));

        TorrentMetainfo.TryParse(data, out _, out var error, maxBytes: data.Length - 1).Should().BeFalse();
        error.Should().Be($"The file is {data.Length} bytes long; the limit is {data.Length - 1} bytes.");
        TorrentMetainfo.TryParse(data, out _, out _, maxBytes: data.Length).Should().BeTrue();
    }

    [Test]
    public void Rejects_a_v2_file_longer_than_a_piece_without_its_piece_layer()
    {
        var root = BuiltTree(TorrentVersion.V2, 65537);
        root.Remove("piece layers");

        ParseError(BencodeSerializer.Encode(root)).Should().Contain("no 'piece layers' entry for the file 'media.webm'");
    }

    [Test]
    public void Rejects_piece_layers_that_are_not_a_dictionary()
    {
        var root = BuiltTree(TorrentVersion.V2, 65537);
        root["piece layers"] = new BencodeList();

        ParseError(BencodeSerializer.Encode(root)).Should().Contain("'piece layers' is not a dictionary");
    }

    [Test]
    public void Rejects_a_piece_layer_of_the_wrong_size()
    {
        var root = BuiltTree(TorrentVersion.V2, 65537);
        var layers = (BencodeDictionary)root["piece layers"];
        var key = layers.Keys.Single();
        layers.Set(key.Span, new BencodeString(new byte[3 * 32]));

        ParseError(BencodeSerializer.Encode(root)).Should().Contain("is not 5 hashes of 32 bytes");
    }

    [Test]
    public void Rejects_a_piece_layer_that_does_not_hash_to_the_pieces_root()
    {
        var root = BuiltTree(TorrentVersion.Hybrid, 65537);
        var layers = (BencodeDictionary)root["piece layers"];
        var key = layers.Keys.Single();
        var layer = ((BencodeString)layers[key]).Span.ToArray();
        layer[^1] ^= 1;
        layers.Set(key.Span, new BencodeString(layer));

        ParseError(BencodeSerializer.Encode(root)).Should().Contain("does not hash to its pieces root");
    }

    [Test]
    public void Rejects_a_hybrid_whose_v1_and_v2_parts_disagree()
    {
        var root = BuiltTree(TorrentVersion.Hybrid, 100);
        var info = Info(root);
        info["length"] = new BencodeInteger(101);

        ParseError(BencodeSerializer.Encode(root)).Should().Contain("describe different content");
    }

    [Test]
    public void Never_throws_on_any_truncation_of_a_valid_torrent()
    {
        var data = BencodeSerializer.Encode(BuiltTree(TorrentVersion.Hybrid, 65537));
        data.Length.Should().BeLessThan(2000, "the loop below is bounded by the document's size");

        for (var length = 0; length < data.Length; length++)
        {
            TorrentMetainfo.TryParse(data.AsSpan(0, length), out var torrent, out var error).Should().BeFalse($"a prefix of {length} bytes is incomplete");
            torrent.Should().BeNull();
            error.Should().NotBeNullOrEmpty();
        }

        TorrentMetainfo.TryParse(data, out _, out _).Should().BeTrue();
    }

    [Test]
    public void Never_throws_on_random_corruption()
    {
        var original = BencodeSerializer.Encode(BuiltTree(TorrentVersion.Hybrid, 65537));
        var random = new Random(20261129);
        var accepted = 0;
        for (var round = 0; round < 3000; round++)
        {
            var data = (byte[])original.Clone();
            var changes = random.Next(1, 4);
            for (var i = 0; i < changes; i++)
            {
                data[random.Next(data.Length)] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => (byte)"0123456789ei:dl-"[random.Next(16)],
                    _ => (byte)(data[random.Next(data.Length)] ^ 1),
                };
            }

            var ok = TorrentMetainfo.TryParse(data, out var torrent, out var error);
            (ok ? torrent is not null && error is null : torrent is null && !string.IsNullOrEmpty(error)).Should().BeTrue();
            accepted += ok ? 1 : 0;
        }

        accepted.Should().BeLessThan(3000, "corruption must be noticed at least sometimes");
    }

    [Test]
    public void Rejects_a_non_positive_size_limit_as_a_programming_error()
    {
        var act = () => TorrentMetainfo.TryParse([], out _, out _, maxBytes: 0);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static TorrentMetainfo Parse(byte[] data)
    {
        TorrentMetainfo.TryParse(data, out var torrent, out var error).Should().BeTrue(error);
        return torrent!;
    }

    private static string ParseError(byte[] data)
    {
        TorrentMetainfo.TryParse(data, out var torrent, out var error).Should().BeFalse();
        torrent.Should().BeNull();
        return error!;
    }

    private static BencodeDictionary BuiltTree(TorrentVersion version, int size)
    {
        var result = TorrentBuilder.BuildAsync(new MemoryStream(TorrentTestData.Content(size)), new TorrentBuildOptions { Name = "media.webm", PieceLength = 16384, Version = version })
            .GetAwaiter().GetResult();
        BencodeSerializer.TryParse(result.Metainfo.Span, out var value, out _, out _).Should().BeTrue();
        return (BencodeDictionary)value!;
    }

    private static BencodeDictionary Info(BencodeDictionary root) => (BencodeDictionary)root["info"];

    private static byte[] Document(BencodeDictionary info) => BencodeSerializer.Encode(new BencodeDictionary { ["info"] = info });

    private static BencodeDictionary File(long length, params string[] path)
    {
        var list = new BencodeList();
        foreach (var part in path)
        {
            list.Add(new BencodeString(part));
        }

        return new BencodeDictionary { ["length"] = new BencodeInteger(length), ["path"] = list };
    }

    private static BencodeDictionary V2File(long length)
    {
        var file = new BencodeDictionary { ["length"] = new BencodeInteger(length) };
        if (length > 0)
        {
            file["pieces root"] = new BencodeString(new byte[32]);
        }

        return new BencodeDictionary { [""] = file };
    }

    private static byte[] Concat(string head, byte[] middle, string tail) =>
        [.. Encoding.Latin1.GetBytes(head), .. middle, .. Encoding.Latin1.GetBytes(tail)];
}
