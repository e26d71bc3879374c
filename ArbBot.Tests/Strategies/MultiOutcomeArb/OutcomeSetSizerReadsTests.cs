using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Engine.Strategies.MultiOutcomeArb;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;

namespace ArbBot.Tests.Strategies.MultiOutcomeArb;

/// <summary>
/// The outcome-set sizer reports how much of each leg's ladder its answer read; the multi-outcome sizing memo re-uses an
/// answer while those levels are unchanged. So ladders that agree on the levels read (and on the length, when the end
/// was read) must get the very same answer and fills, digit for digit.
/// </summary>
public sealed class OutcomeSetSizerReadsTests
{
    private static readonly ArbLegTerms[] Terms =
    [
        new(new KalshiFeeModel(), KalshiFeeModel.Quadratic, 1m),
        new(new KalshiFeeModel(), FeeParameters.None, 1m),
        new(new PolymarketFeeModel(), PolymarketFeeModel.Parameters(0.25m, 2), 1m),
        new(new PolymarketFeeModel(), FeeParameters.None, 5m),
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
            var legs = 2 + random.Next(4);
            var yes = random.Next(2) == 0;
            var payout = yes ? 1m : legs - 1;
            var step = random.Next(2) == 0 ? 1m : 0.01m;
            var terms = Enumerable.Range(0, legs).Select(_ => Terms[random.Next(Terms.Length)]).ToArray();
            // Best asks summing a little under or over the payout.
            var share = (int)(payout * Price.Scale / legs);
            var ladders = Enumerable.Range(0, legs).Select(_ => Ladder(random, share - 150 + random.Next(200), step)).ToArray();
            var depths = ladders.Select(l => l.Length).ToArray();
            var minEdge = random.Next(4) * 0.005m;
            var cap = random.Next(3) == 0 ? 1_000m : random.Next(1, 300);

            var sizer = new OutcomeSetSizer(legs);
            var sizing = sizer.Size(ladders, depths, terms, payout, step, 0m, minEdge, cap);
            var answer = Describe(sizer, sizing);
            if (sizing.Found) found++;
            var reads = sizer.Reads.ToArray();
            var changed = ladders.Select((l, i) => ChangedPast(random, l, reads[i], step)).ToArray();
            if (changed.Where((l, i) => l.Length != ladders[i].Length || !l.SequenceEqual(ladders[i])).Any()) changedPastReads++;

            var other = new OutcomeSetSizer(legs);
            var again = Describe(other, other.Size(changed, [.. changed.Select(l => l.Length)], terms, payout, step, 0m, minEdge, cap));
            Assert.Equal(answer, again);
        }

        Assert.True(changedPastReads > 5_000, $"most trials should change levels the answer did not read; changed {changedPastReads}");
        Assert.True(found > 1_000, $"many trials should find an edge; found {found}");
    }

    private static BookLevel[] Ladder(Random random, int startUnits, decimal step)
    {
        var levels = new BookLevel[1 + random.Next(6)];
        var units = Math.Max(100, startUnits);
        for (var i = 0; i < levels.Length && units < Price.Scale; i++)
        {
            levels[i] = new BookLevel(Price.FromUnits(units), Size(random, step));
            units += 100 * (1 + random.Next(3));
        }
        return [.. levels.Where(l => l.Size > 0m)];
    }

    private static decimal Size(Random random, decimal step) => step == 1m ? random.Next(1, 200) : random.Next(1, 20_000) / 100m;

    private static BookLevel[] ChangedPast(Random random, BookLevel[] ladder, LadderRead read, decimal step)
    {
        if (read.ReachedEnd) return ladder;
        var result = new List<BookLevel>(ladder.AsSpan(0, read.Levels).ToArray());
        var units = result[^1].Price.Units;
        var extra = random.Next(5);
        for (var i = 0; i < extra; i++)
        {
            units += 100 * (1 + random.Next(3));
            if (units >= Price.Scale) break;
            result.Add(new BookLevel(Price.FromUnits(units), Size(random, step)));
        }
        return [.. result];
    }

    private static string Describe(OutcomeSetSizer sizer, in OutcomeSetSizing s)
    {
        var fills = s.Found ? string.Join(" | ", sizer.Fills.ToArray().Select(f => string.Create(CultureInfo.InvariantCulture,
            $"{f.WorstPrice} {f.Cost} {f.AveragePrice} {f.Fee} {f.DepthWithinWorst}"))) : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{s.Outcome} q={s.Quantity} payout={s.PayoutPerSet} best={s.BestAskSum} gross={s.GrossEdgePerSet} costs={s.TotalCosts} net={s.NetEdgePerSet} " +
            $"profit={s.ExpectedProfit} edgeSeen={s.EdgeSeen} min={s.MinimumEdge} sizeSeen={s.SizeSeen} minSize={s.MinimumSize} {fills}");
    }
}
