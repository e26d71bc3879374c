using ArbBot.Engine.Core;

namespace ArbBot.Tests.Core;

public sealed class RecentIdRingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Lookups_agree_with_a_dictionary_through_random_adds_forgets_growth_and_long_ids(int seed)
    {
        var random = new Random(seed);
        var ring = new RecentIdRing<long>(initialSlots: 4);
        var model = new Dictionary<string, (long Sequence, long Time, long Value)>(StringComparer.Ordinal);
        var order = new Queue<string>();
        // Few distinct ids, so adds, hits and misses all happen; some longer than the inline width, some sharing prefixes.
        string Id() => random.Next(4) switch
        {
            0 => $"o{random.Next(600)}-l{random.Next(3)}-a1",
            1 => $"trade-{random.Next(600):D5}-" + new string('x', RecentIdRing<long>.InlineChars),
            2 => new string('k', random.Next(0, RecentIdRing<long>.InlineChars + 2)),
            _ => Guid.NewGuid().ToString(),
        };

        for (var step = 0; step < 20_000; step++)
        {
            var id = Id();
            var roll = random.Next(10);
            if (roll < 6)
            {
                var found = ring.TryFind(id, out var sequence);
                Assert.Equal(model.ContainsKey(id), found);
                if (!found)
                {
                    var time = random.NextInt64(1_000_000);
                    var value = random.NextInt64();
                    var added = ring.Add(id, time, value);
                    model[id] = (added, time, value);
                    order.Enqueue(id);
                }
                else
                {
                    Assert.Equal(model[id].Sequence, sequence);
                    Assert.Equal(model[id].Time, ring.TimeOf(sequence));
                    Assert.Equal(model[id].Value, ring.ValueOf(sequence));
                    Assert.Equal(id, ring.IdOf(sequence));
                    // Changed in place.
                    ring.ValueOf(sequence) = model[id].Value + 1;
                    model[id] = model[id] with { Value = model[id].Value + 1 };
                }
            }
            else if (roll < 9 && order.Count > 0)
            {
                var oldest = order.Dequeue();
                Assert.Equal(model[oldest].Sequence, ring.Oldest);
                ring.ForgetOldest();
                model.Remove(oldest);
                Assert.False(ring.TryFind(oldest, out _));
            }
            else
            {
                Assert.Equal(model.ContainsKey(id), ring.TryFind(id, out _));
            }
            Assert.Equal(model.Count, ring.Count);
        }

        // Everything still remembered is found under its own sequence, with its own time and value.
        foreach (var (id, (sequence, time, value)) in model)
        {
            Assert.True(ring.TryFind(id, out var found), id);
            Assert.Equal((sequence, time, value), (found, ring.TimeOf(found), ring.ValueOf(found)));
        }
    }

    [Fact]
    public void A_steady_count_keeps_its_slots_however_many_ids_pass_through()
    {
        var ring = new RecentIdRing<long>(initialSlots: 8);
        for (var i = 0; i < 100_000; i++)
        {
            ring.Add($"fill-{i}", i, i);
            if (ring.Count > 100) ring.ForgetOldest();
        }

        Assert.Equal(100, ring.Count);
        Assert.True(ring.AllocatedSlots <= 128, $"{ring.AllocatedSlots} slots for 100 ids");
        Assert.True(ring.TryFind("fill-99999", out var last));
        Assert.Equal(99_999, ring.ValueOf(last));
        Assert.False(ring.TryFind("fill-99899", out _));
        Assert.True(ring.TryFind("fill-99900", out _));
    }

    [Fact]
    public void Reading_a_forgotten_sequence_is_refused()
    {
        var ring = new RecentIdRing<long>();
        var first = ring.Add("a", 1, 1);
        ring.Add("b", 2, 2);
        ring.ForgetOldest();

        Assert.Throws<ArgumentOutOfRangeException>(() => ring.TimeOf(first));
        Assert.Equal("b", ring.IdOf(first + 1));
    }
}
