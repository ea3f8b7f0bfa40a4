using System.Runtime.CompilerServices;
using FediTracker.Core.Swarms;
using FediTracker.Protocol;
using static FediTracker.Core.Tests.Swarms.TestPeers;

namespace FediTracker.Core.Tests.Swarms;

/// <summary>
/// The compact peer list behind <see cref="MemorySwarmStore"/>: the partition of seeders and leechers, the index that
/// appears above <see cref="PeerList{TKey}.IndexThreshold"/> peers and goes again below half of it, swap-removes,
/// expiry and growth. Every test checks the whole list against what it should hold (<see cref="Verify"/>).
/// </summary>
[TestFixture]
public sealed class PeerListTests
{
    private const int Threshold = PeerList<V4Key>.IndexThreshold;

    [Test]
    public void Ipv4_peer_record_is_32_bytes()
    {
        Unsafe.SizeOf<PeerRecord<V4Key>>().Should().Be(32, "8-byte key, 4-byte last-seen and the 20-byte peer id, no padding");
        Unsafe.SizeOf<PeerRecord<V6Key>>().Should().BeLessThanOrEqualTo(48);
    }

    [Test]
    public void Small_list_has_no_index_and_a_list_above_the_threshold_has_one()
    {
        var list = default(PeerList<V4Key>);
        var model = new Dictionary<V4Key, bool>();
        for (var i = 0; i < Threshold; i++)
        {
            Add(ref list, model, i, seeder: i % 3 == 0, now: 0);
        }

        list.IndexCapacity.Should().Be(0, $"{Threshold} peers are found by a scan");
        Verify(list, model);

        Add(ref list, model, Threshold, seeder: false, now: 0);

        list.IndexCapacity.Should().BeGreaterThanOrEqualTo(2 * (Threshold + 1));
        Verify(list, model);
    }

    [Test]
    public void Index_goes_when_the_list_falls_below_half_the_threshold_and_lookups_stay_right_on_the_way()
    {
        var list = default(PeerList<V4Key>);
        var model = new Dictionary<V4Key, bool>();
        for (var i = 0; i < 3 * Threshold; i++)
        {
            Add(ref list, model, i, seeder: i % 4 != 0, now: 0);
        }

        list.IndexCapacity.Should().BeGreaterThan(0);
        for (var i = 0; i < 3 * Threshold - (Threshold / 2); i++)
        {
            // From the front, the middle and the back in turn, seeders and leechers alike.
            var n = (i * 37) % (3 * Threshold);
            while (!model.ContainsKey(Key(n)))
            {
                n = (n + 1) % (3 * Threshold);
            }

            list.Remove(Key(n)).Should().Be(model[Key(n)] ? PriorState.Seeder : PriorState.Leecher);
            model.Remove(Key(n));
            Verify(list, model);
            if (list.Count >= Threshold / 2)
            {
                list.IndexCapacity.Should().BeGreaterThan(0, $"the index stays down to {Threshold / 2} peers ({list.Count} now)");
            }
        }

        list.Count.Should().Be(Threshold / 2);
        list.Remove(model.Keys.First());
        list.IndexCapacity.Should().Be(0, "below half the threshold the list is scanned again");
    }

    [Test]
    public void Class_changes_move_peers_across_the_border_and_keep_counts(
        [Values(8, 100)] int size)
    {
        var list = default(PeerList<V4Key>);
        var model = new Dictionary<V4Key, bool>();
        for (var i = 0; i < size; i++)
        {
            Add(ref list, model, i, seeder: i % 2 == 0, now: 0);
        }

        // Every peer changes class once, then half of them change back.
        for (var i = 0; i < size; i++)
        {
            var prior = list.Upsert(Key(i), Id(i, 1), !model[Key(i)], 1, out var position);
            prior.Should().Be(model[Key(i)] ? PriorState.Seeder : PriorState.Leecher);
            model[Key(i)] = !model[Key(i)];
            (position < list.Seeders).Should().Be(model[Key(i)], "the position returned is in the peer's new class");
            list.Peers[position].Key.Should().Be(Key(i));
            Verify(list, model);
        }

        for (var i = 0; i < size; i += 2)
        {
            list.Upsert(Key(i), Id(i, 2), !model[Key(i)], 2, out _);
            model[Key(i)] = !model[Key(i)];
        }

        Verify(list, model);
        list.Seeders.Should().Be(model.Values.Count(s => s));
        list.Leechers.Should().Be(model.Values.Count(s => !s));
    }

    [Test]
    public void Random_operations_agree_with_a_dictionary_model_across_the_threshold()
    {
        var random = new Random(20261130);
        var list = default(PeerList<V4Key>);
        var model = new Dictionary<V4Key, bool>();
        var seen = new Dictionary<V4Key, int>();
        var sawIndex = false;
        var sawNoIndexAfterIndex = false;
        for (var step = 0; step < 20_000; step++)
        {
            // The population drifts between 0 and about 3x the threshold, so the index comes and goes many times.
            var phase = step / 2_000 % 2 == 0;
            var n = random.Next(3 * Threshold);
            var key = Key(n);
            var roll = random.Next(10);
            if (roll < (phase ? 6 : 3))
            {
                var seeder = random.Next(2) == 0;
                var prior = list.Upsert(key, Id(n, (byte)step), seeder, step, out var position);
                var expected = model.TryGetValue(key, out var was) ? (was ? PriorState.Seeder : PriorState.Leecher) : PriorState.New;
                prior.Should().Be(expected);
                list.Peers[position].Key.Should().Be(key);
                model[key] = seeder;
                seen[key] = step;
            }
            else if (roll < 9)
            {
                var expected = model.TryGetValue(key, out var was) ? (was ? PriorState.Seeder : PriorState.Leecher) : PriorState.New;
                list.Remove(key).Should().Be(expected);
                model.Remove(key);
                seen.Remove(key);
            }
            else
            {
                var cutoff = step - random.Next(200);
                var (seeders, leechers) = list.RemoveOlderThan(cutoff);
                var stale = seen.Where(p => p.Value < cutoff).Select(p => p.Key).ToList();
                seeders.Should().Be(stale.Count(k => model[k]));
                leechers.Should().Be(stale.Count(k => !model[k]));
                foreach (var k in stale)
                {
                    model.Remove(k);
                    seen.Remove(k);
                }
            }

            Verify(list, model);
            sawIndex |= list.IndexCapacity > 0;
            sawNoIndexAfterIndex |= sawIndex && list.IndexCapacity == 0 && list.Count > 0;
        }

        sawIndex.Should().BeTrue("the population went above the threshold");
        sawNoIndexAfterIndex.Should().BeTrue("and came back below half of it");
    }

    [Test]
    public void Expiry_sweep_with_an_index_keeps_the_fresh_peers_findable()
    {
        var list = default(PeerList<V4Key>);
        var model = new Dictionary<V4Key, bool>();
        for (var i = 0; i < 1000; i++)
        {
            Add(ref list, model, i, seeder: i % 4 == 0, now: i % 3 == 0 ? 10 : 0);
        }

        var (seeders, leechers) = list.RemoveOlderThan(5);

        var stale = model.Keys.Where(k => (int)(k.ToEndpoint().Address.V4 & 0xFFFFFF) % 3 != 0).ToList();
        seeders.Should().Be(stale.Count(k => model[k]));
        leechers.Should().Be(stale.Count(k => !model[k]));
        stale.ForEach(k => model.Remove(k));
        list.IndexCapacity.Should().BeGreaterThan(0);
        Verify(list, model);
        list.Capacity.Should().BeLessThan(1000, "a list two-thirds emptied gives memory back");

        list.RemoveOlderThan(11).Should().Be((model.Values.Count(s => s), model.Values.Count(s => !s)));
        list.Count.Should().Be(0);
        list.Capacity.Should().Be(0, "an empty list holds no array");
        list.IndexCapacity.Should().Be(0);
    }

    [Test]
    public void Peers_on_one_address_with_consecutive_ports_are_all_found()
    {
        var list = default(PeerList<V4Key>);
        var keys = new List<V4Key>();
        for (var port = 1; port <= 5000; port++)
        {
            var key = V4Key.From(V4(1, (ushort)port));
            keys.Add(key);
            list.Upsert(key, default, seeder: false, 0, out _).Should().Be(PriorState.New);
        }

        for (var i = 0; i < keys.Count; i++)
        {
            list.Peers[list.PositionOf(keys[i])].Key.Should().Be(keys[i]);
        }

        list.PositionOf(V4Key.From(V4(1, 5001))).Should().Be(-1);
        list.PositionOf(V4Key.From(V4(2, 1))).Should().Be(-1);
    }

    [Test]
    public void Small_lists_grow_by_two_and_give_memory_back_when_emptied()
    {
        var list = default(PeerList<V4Key>);
        var model = new Dictionary<V4Key, bool>();
        for (var i = 0; i < 10; i++)
        {
            Add(ref list, model, i, seeder: i % 4 != 0, now: 0);
        }

        list.Capacity.Should().Be(10, "up to 16 the array grows two slots at a time");
        for (var i = 0; i < 7; i++)
        {
            list.Remove(Key(i));
            model.Remove(Key(i));
        }

        Verify(list, model);
        list.Capacity.Should().BeLessThan(10);
        list.Capacity.Should().BeGreaterThanOrEqualTo(3);
    }

    [Test]
    public void Large_list_sample_has_no_repeats_never_the_announcer_and_only_leechers_for_a_seeder()
    {
        var list = default(PeerList<V4Key>);
        for (var i = 0; i < 100_000; i++)
        {
            list.Upsert(Key(i), Id(i, 0), seeder: i % 4 == 0, 0, out _);
        }

        var buffer = new PeerEntry[200];
        var random = new Random(7);
        for (var round = 0; round < 50; round++)
        {
            var n = random.Next(100_000);
            var seeder = n % 4 == 0;
            list.Upsert(Key(n), Id(n, 0), seeder, 1, out var self);

            var written = list.Select(self, seeder, buffer, (ulong)random.NextInt64());

            written.Should().Be(buffer.Length);
            var endpoints = buffer.Select(e => e.Endpoint).ToList();
            endpoints.Should().OnlyHaveUniqueItems();
            endpoints.Should().NotContain(Key(n).ToEndpoint());
            if (seeder)
            {
                endpoints.Should().OnlyContain(e => (e.Address.V4 & 0xFFFFFF) % 4 != 0, "a seeder gets leechers only");
            }
        }
    }

    [Test]
    public void Small_list_reply_is_everyone_else_when_the_buffer_is_large_enough()
    {
        var list = default(PeerList<V4Key>);
        for (var i = 0; i < 6; i++)
        {
            list.Upsert(Key(i), Id(i, 0), seeder: i < 2, 0, out _);
        }

        list.Upsert(Key(3), Id(3, 0), seeder: false, 1, out var self);
        var buffer = new PeerEntry[50];
        var written = list.Select(self, forSeeder: false, buffer, 12345);

        buffer.Take(written).Select(e => e.Endpoint).Should().BeEquivalentTo(new[] { 0, 1, 2, 4, 5 }.Select(i => Key(i).ToEndpoint()));
        buffer.Take(written).Should().OnlyContain(e => e.PeerId == IdFor(e.Endpoint, 0));
    }

    [Test]
    public void Ipv6_list_works_the_same_way_above_the_threshold()
    {
        var list = default(PeerList<V6Key>);
        for (var i = 0; i < 3 * Threshold; i++)
        {
            list.Upsert(V6Key.From(V6(i)), default, seeder: i % 2 == 0, 0, out _).Should().Be(PriorState.New);
        }

        list.IndexCapacity.Should().BeGreaterThan(0);
        for (var i = 0; i < 3 * Threshold; i += 2)
        {
            list.Remove(V6Key.From(V6(i))).Should().Be(PriorState.Seeder);
        }

        list.Seeders.Should().Be(0);
        list.Leechers.Should().Be(3 * Threshold / 2);
        for (var i = 1; i < 3 * Threshold; i += 2)
        {
            list.PositionOf(V6Key.From(V6(i))).Should().BeGreaterThanOrEqualTo(0);
        }
    }

    private static V4Key Key(int n) => V4Key.From(V4(n));

    private static PeerId Id(int n, byte version) => IdFor(V4(n), version);

    private static void Add(ref PeerList<V4Key> list, Dictionary<V4Key, bool> model, int n, bool seeder, int now)
    {
        list.Upsert(Key(n), Id(n, 0), seeder, now, out _).Should().Be(PriorState.New);
        model[Key(n)] = seeder;
    }

    // The list holds exactly the model's peers, each in its class's partition, and finds each where it is. Checked
    // without an assertion per peer (the random test calls this 20 000 times), then asserted once.
    private static void Verify(PeerList<V4Key> list, Dictionary<V4Key, bool> model)
    {
        string? problem = null;
        var peers = list.Peers;
        for (var p = 0; p < peers.Length && problem is null; p++)
        {
            var key = peers[p].Key;
            if (!model.TryGetValue(key, out var seeder))
            {
                problem = $"position {p} holds {key.ToEndpoint()}, which the model does not have";
            }
            else if ((p < list.Seeders) != seeder)
            {
                problem = $"position {p} holds a {(seeder ? "seeder" : "leecher")} on the wrong side of the border {list.Seeders}";
            }
            else if (list.PositionOf(key) != p)
            {
                problem = $"{key.ToEndpoint()} is at {p} but found at {list.PositionOf(key)}";
            }
        }

        problem.Should().BeNull();
        (list.Count, list.Seeders).Should().Be((model.Count, model.Values.Count(s => s)));
        if (list.Count > Threshold)
        {
            list.IndexCapacity.Should().BeGreaterThan(0);
        }
    }
}
