using System.Text;

namespace FediTracker.LoadTest;

/// <summary>
/// The shared, read-only part of the workload: the info-hashes, the skewed torrent sampler and the request mix.
/// Everything is derived from the seed, so two runs (and the whitelist written for opentracker) agree.
/// </summary>
internal sealed class Workload
{
    private const int SamplerBits = 20;

    private readonly int[] _sampler = new int[1 << SamplerBits];
    private readonly double _seeders;
    private readonly uint _scrapeThreshold;
    private readonly uint _startedThreshold;
    private readonly uint _stoppedThreshold;

    public Workload(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Torrents = options.Torrents;
        Hashes = GenerateHashes(options.Seed, options.Torrents);
        EncodedHashes = PercentEncodeAll(Hashes);
        FillSampler(_sampler, options.Torrents, options.Skew);
        _seeders = options.Seeders;
        _scrapeThreshold = options.ScrapeEvery == 0 ? 0 : (uint)(uint.MaxValue / (options.ScrapeEvery + 1.0));
        _startedThreshold = (uint)(uint.MaxValue * options.Started);
        _stoppedThreshold = _startedThreshold + (uint)(uint.MaxValue * options.Stopped);
    }

    public LoadOptions Options { get; }

    public int Torrents { get; }

    /// <summary>20 bytes per torrent.</summary>
    public byte[] Hashes { get; }

    /// <summary>60 bytes per torrent: every byte as %XX, ready for a query string.</summary>
    public byte[] EncodedHashes { get; }

    public ReadOnlySpan<byte> Hash(int torrent) => Hashes.AsSpan(torrent * 20, 20);

    public ReadOnlySpan<byte> EncodedHash(int torrent) => EncodedHashes.AsSpan(torrent * 60, 60);

    /// <summary>A torrent, drawn with weight exp(-skew * i / n).</summary>
    public int SampleTorrent(ref FastRandom random) => _sampler[(int)(random.Next() >> (64 - SamplerBits))];

    /// <summary>Whether this peer is a seeder (left=0) of this torrent: fixed per pair, so peers do not flip.</summary>
    public bool IsSeeder(int globalPeer, int torrent) =>
        FastRandom.Mix(((ulong)(uint)globalPeer << 32) ^ (uint)torrent ^ Options.Seed) < (ulong)(_seeders * ulong.MaxValue);

    /// <summary>Picks the next request: a scrape about once per <c>--scrape-every</c> announces, else an announce.</summary>
    public RequestChoice Choose(ref FastRandom random, PeerSet peers, Span<int> scrapeTorrents)
    {
        var roll = (uint)random.Next();
        if (roll < _scrapeThreshold)
        {
            var count = 1 + random.Below(Math.Min(Options.ScrapeMax, scrapeTorrents.Length));
            for (var i = 0; i < count; i++)
            {
                scrapeTorrents[i] = SampleTorrent(ref random);
            }

            return new RequestChoice(RequestKind.Scrape, 0, 0, 0, false, count);
        }

        var torrent = SampleTorrent(ref random);
        var peer = random.Below(peers.Count);
        var eventRoll = (uint)random.Next();
        var udpEvent = eventRoll < _startedThreshold ? 2 : eventRoll < _stoppedThreshold ? 3 : 0;
        return new RequestChoice(RequestKind.Announce, torrent, peer, udpEvent, IsSeeder(peers.GlobalIndex(peer), torrent), 0);
    }

    /// <summary>
    /// 20 pseudo-random bytes per torrent, a pure function of (seed, index): the first n hashes are the same for any
    /// count, so a whitelist written for 100 000 torrents covers a run over 10 000.
    /// </summary>
    public static byte[] GenerateHashes(ulong seed, int count)
    {
        var hashes = new byte[count * 20];
        for (var i = 0; i < count; i++)
        {
            var hash = hashes.AsSpan(i * 20, 20);
            var a = FastRandom.Mix((seed * 0x100000001B3UL) ^ ((ulong)i << 1));
            var b = FastRandom.Mix(a);
            var c = FastRandom.Mix(b);
            BitConverter.TryWriteBytes(hash, a);
            BitConverter.TryWriteBytes(hash[8..], b);
            BitConverter.TryWriteBytes(hash[16..], (uint)c);
        }

        return hashes;
    }

    /// <summary>Writes the first <paramref name="count"/> hashes as lower-case hex, one per line.</summary>
    public static void WriteHashes(string path, ulong seed, int count)
    {
        var hashes = GenerateHashes(seed, count);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        writer.NewLine = "\n";
        for (var i = 0; i < count; i++)
        {
            writer.WriteLine(Convert.ToHexStringLower(hashes, i * 20, 20));
        }
    }

    /// <summary>A peer id in Azureus style with random bytes after the prefix, fixed per global peer number.</summary>
    public static void WritePeerId(ulong seed, long globalPeer, Span<byte> destination)
    {
        "-FL0001-"u8.CopyTo(destination);
        var a = FastRandom.Mix((ulong)globalPeer ^ (seed << 40) ^ 0x5EED);
        var b = FastRandom.Mix(a);
        BitConverter.TryWriteBytes(destination[8..16], a);
        BitConverter.TryWriteBytes(destination[16..20], (uint)b);
    }

    /// <summary>Every byte as %XX (upper-case hex), as clients encode binary query values.</summary>
    public static byte[] PercentEncodeAll(ReadOnlySpan<byte> raw)
    {
        var encoded = new byte[raw.Length * 3];
        for (var i = 0; i < raw.Length; i++)
        {
            encoded[i * 3] = (byte)'%';
            encoded[(i * 3) + 1] = HexDigit(raw[i] >> 4);
            encoded[(i * 3) + 2] = HexDigit(raw[i] & 0xF);
        }

        return encoded;
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'A' + value - 10);

    private static void FillSampler(int[] sampler, int torrents, double skew)
    {
        // Inverse CDF of the exponential distribution truncated to [0, 1), evaluated at evenly spaced quantiles.
        var tail = skew == 0 ? 0 : 1 - Math.Exp(-skew);
        for (var j = 0; j < sampler.Length; j++)
        {
            var u = (j + 0.5) / sampler.Length;
            var x = skew == 0 ? u : -Math.Log(1 - (u * tail)) / skew;
            sampler[j] = Math.Min((int)(x * torrents), torrents - 1);
        }
    }
}
