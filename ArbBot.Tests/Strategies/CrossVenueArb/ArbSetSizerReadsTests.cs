using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;

namespace ArbBot.Tests.Strategies.CrossVenueArb;

/// <summary>
/// The sizer reports how much of each ladder its answer read; the cross-venue sizing memo re-uses an answer while those
/// levels are unchanged. So any ladders that agree on the levels read (and on the length, when the end was read) must
/// get the very same answer, figure for figure and digit for digit.
/// </summary>
public sealed class ArbSetSizerReadsTests
{
    private static readonly ArbLegTerms[] KalshiTerms =
    [
        new(new KalshiFeeModel(), KalshiFeeModel.Quadratic, 1m),
        new(new KalshiFeeModel(), FeeParameters.None, 1m),
    ];

    private static readonly ArbLegTerms[] PolymarketTerms =
    [
        new(new PolymarketFeeModel(), PolymarketFeeModel.Parameters(0.25m, 2), 1m),
        new(new PolymarketFeeModel(), PolymarketFeeModel.Parameters(0.04m, 1), 5m),
        new(new PolymarketFeeModel(), FeeParameters.None, 1m),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Ladders_that_differ_only_past_the_levels_read_get_the_same_answer(int seed)
    {
        var random = new Random(seed);
        int changedPastReads = 0, found = 0;
        for (var trial = 0; trial < 20_000; trial++)
        {
            var kalshi = KalshiTerms[random.Next(KalshiTerms.Length)];
            var polymarket = PolymarketTerms[random.Next(PolymarketTerms.Length)];
            var k = Ladder(random, 3_500 + random.Next(2_000), integerSizes: true);
            var p = Ladder(random, 3_500 + random.Next(2_000), integerSizes: random.Next(2) == 0);
            var minEdge = random.Next(4) * 0.005m;
            var cap = random.Next(3) == 0 ? 1_000m : random.Next(1, 300);
            var fixedCost = random.Next(3) == 0 ? 0.002m : 0m;

            var reads = new LadderReads();
            var answer = ArbSetSizer.Size(k, p, kalshi, polymarket, fixedCost, minEdge, cap, ref reads);
            if (answer.Found) found++;
            var k2 = ChangedPast(random, k, reads.Kalshi);
            var p2 = ChangedPast(random, p, reads.Polymarket);
            if (k2.Length != k.Length || p2.Length != p.Length || !k2.SequenceEqual(k) || !p2.SequenceEqual(p)) changedPastReads++;

            var again = ArbSetSizer.Size(k2, p2, kalshi, polymarket, fixedCost, minEdge, cap);
            Assert.Equal(Describe(answer), Describe(again));
        }

        Assert.True(changedPastReads > 5_000, $"most trials should change levels the answer did not read; changed {changedPastReads}");
        Assert.True(found > 2_000, $"many trials should find an edge; found {found}");
    }

    /// <summary>Ascending asks from <paramref name="startUnits"/>, one to eight levels.</summary>
    private static BookLevel[] Ladder(Random random, int startUnits, bool integerSizes)
    {
        var levels = new BookLevel[1 + random.Next(8)];
        var units = startUnits;
        for (var i = 0; i < levels.Length; i++)
        {
            levels[i] = new BookLevel(Price.FromUnits(units), Size(random, integerSizes));
            units += 100 * (1 + random.Next(3));
        }
        return levels;
    }

    private static decimal Size(Random random, bool integerSizes) =>
        integerSizes ? random.Next(1, 200) : random.Next(1, 20_000) / 100m;

    /// <summary>The same levels up to those read; past them, other sizes, levels dropped or added (not when the end was read).</summary>
    private static BookLevel[] ChangedPast(Random random, BookLevel[] ladder, LadderRead read)
    {
        if (read.ReachedEnd) return ladder;
        var kept = ladder.AsSpan(0, read.Levels).ToArray();
        var extra = random.Next(5);
        var result = new List<BookLevel>(kept);
        var units = kept[^1].Price.Units;
        for (var i = 0; i < extra; i++)
        {
            units += 100 * (1 + random.Next(3));
            if (units >= Price.Scale) break;
            result.Add(new BookLevel(Price.FromUnits(units), Size(random, integerSizes: random.Next(2) == 0)));
        }
        return [.. result];
    }

    private static string Describe(in ArbSizing s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.Outcome} q={s.Quantity} k=({Fill(s.Kalshi)}) p=({Fill(s.Polymarket)}) gross={s.GrossEdgePerSet} costs={s.TotalCosts} net={s.NetEdgePerSet} " +
        $"profit={s.ExpectedProfit} best={s.KalshiBestAsk}+{s.PolymarketBestAsk} edgeSeen={s.EdgeSeen} min={s.MinimumEdge} sizeSeen={s.SizeSeen} minSize={s.MinimumSize}");

    private static string Fill(in ArbLegFill f) => string.Create(CultureInfo.InvariantCulture,
        $"{f.WorstPrice} {f.Cost} {f.AveragePrice} {f.Fee} {f.DepthWithinWorst}");
}
