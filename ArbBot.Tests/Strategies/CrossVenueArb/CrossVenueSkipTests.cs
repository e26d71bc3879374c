using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Strategies.CrossVenueArb;

/// <summary>
/// A change of one book evaluates only what it can change: the pair's other set is not read when its books are as its
/// last evaluation saw them and still young enough, and a set whose last evaluation found no gross edge is not read
/// again while the changed book's best ask is the one it saw. Both must find, and show on the dashboard (figures and
/// evaluation times), exactly what reading both books of both sets on every change does.
/// </summary>
public sealed class CrossVenueSkipTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_books_give_the_same_opportunities_and_spreads_as_evaluating_every_change(int seed) =>
        AssertSameAsEvaluatingEveryChange(seed, quiet: false);

    /// <summary>
    /// Mostly changes that leave a best ask alone (bids, deeper asks, heartbeats), best-ask size changes (same price,
    /// new size or the same size written with another scale), and asks that only now and then cross $1: the mix in
    /// which a set with no gross edge keeps its best asks for many changes and the best-ask skip is taken most.
    /// </summary>
    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Changes_that_leave_best_asks_alone_give_the_same_opportunities_and_spreads_as_evaluating_every_change(int seed) =>
        AssertSameAsEvaluatingEveryChange(seed, quiet: true);

    /// <summary>
    /// Pairs removed, paused, approved again and added while books change: the per-set state is kept by slot and moves
    /// when slots are given out again, and what moves (versions, ages, the best asks last seen) must keep the skips right.
    /// </summary>
    [Theory]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    public void Pairs_coming_and_going_while_books_change_give_the_same_opportunities_and_spreads_as_evaluating_every_change(int seed) =>
        AssertSameAsEvaluatingEveryChange(seed, quiet: seed % 2 == 0, churn: true);

    private static void AssertSameAsEvaluatingEveryChange(int seed, bool quiet, bool churn = false)
    {
        var skipping = new Desk(evaluateEveryChange: false);
        var full = new Desk(evaluateEveryChange: true);
        var random = new Random(seed);
        var instruments = skipping.Instruments;

        for (var step = 0; step < 20_000; step++)
        {
            var instrument = instruments[random.Next(instruments.Length)];
            var e = quiet ? QuietEvent(random, instrument) : BusyEvent(random, instrument);
            // Mostly milliseconds apart; now and then long enough for books to age past the maximum book age (5 s).
            var advance = random.Next(150) == 0 ? TimeSpan.FromSeconds(random.Next(3, 7)) : TimeSpan.FromMilliseconds(random.Next(0, 80));
            var limits = random.Next(2_000) == 0 ? skipping.Strategy.Limits with { MaxTradeSize = random.Next(5, 200) } : null;
            if (churn && random.Next(250) == 0)
            {
                var change = (Pair: 1 + random.Next(Desk.PairCount), Status: random.Next(3) == 0 ? PairStatus.Paused : PairStatus.Approved, Remove: random.Next(3) == 0);
                skipping.Change(change.Pair, change.Status, change.Remove);
                full.Change(change.Pair, change.Status, change.Remove);
            }
            skipping.Step(e, advance, limits);
            full.Step(e, advance, limits);
            if (step % (quiet ? 7 : 97) == 0) Assert.Equal(Shown(full.Strategy.SnapshotSpreads()), Shown(skipping.Strategy.SnapshotSpreads()));
        }

        Assert.True(full.Found.Count > 100, $"the random books should offer edges often; found {full.Found.Count}");
        Assert.Equal(full.Found, skipping.Found);
        Assert.Equal(Shown(full.Strategy.SnapshotSpreads()), Shown(skipping.Strategy.SnapshotSpreads()));
    }

    /// <summary>Spreads as the dashboard would show them: equal decimals of another scale (10 and 10.0) differ here.</summary>
    private static string[] Shown(ArbSetSpread[] spreads) => [.. spreads.Select(s => s.ToString())];

    private static BookEvent BusyEvent(Random random, InstrumentId instrument)
    {
        // Asks around 50 cents, so a Kalshi ask and a Polymarket ask cross $1 both ways.
        var price = Price.FromDecimal(Math.Clamp(Math.Round((decimal)(0.5 + (random.NextDouble() - 0.5) * 0.3), 2), 0.01m, 0.99m));
        return random.Next(100) switch
        {
            < 40 => BookEvent.SetLevel(instrument, BookSide.Ask, price, random.Next(4) == 0 ? 0m : random.Next(1, 300)),
            < 65 => BookEvent.SetLevel(instrument, BookSide.Bid, Price.FromDecimal(Math.Max(0.01m, price.Value - 0.05m)), random.Next(0, 300)),
            < 75 => BookEvent.AddLevel(instrument, BookSide.Ask, price, random.Next(1, 50)),
            < 85 => BookEvent.Snapshot(instrument, [new BookLevel(Price.FromDecimal(0.01m), 10m)],
                [new BookLevel(price, random.Next(1, 300)), new BookLevel(Price.FromDecimal(Math.Min(0.99m, price.Value + 0.03m)), 100m)]),
            < 92 => BookEvent.Heartbeat(instrument),
            < 96 => BookEvent.Stale(instrument, StaleReason.SequenceGap),
            _ => BookEvent.Clear(instrument, StaleReason.Disconnected),
        };
    }

    private static BookEvent QuietEvent(Random random, InstrumentId instrument)
    {
        // Best asks from 46 to 53 cents (two of them cross $1 only below 50 + 50), deeper asks above them.
        var best = Price.FromUnits(4_600 + 100 * random.Next(8));
        var deeper = Price.FromUnits(best.Units + 100 * (1 + random.Next(3)));
        return random.Next(1_000) switch
        {
            < 350 => BookEvent.SetLevel(instrument, BookSide.Bid, Price.FromUnits(4_000 + 100 * random.Next(5)), random.Next(0, 300)),
            < 550 => BookEvent.SetLevel(instrument, BookSide.Ask, deeper, random.Next(8) == 0 ? 0m : random.Next(1, 300)),
            < 620 => BookEvent.AddLevel(instrument, BookSide.Ask, deeper, random.Next(-20, 50)),
            < 760 => BookEvent.Heartbeat(instrument),
            // The same size at the best ask, sometimes written with another scale (10 vs 10.0).
            < 820 => BookEvent.SetLevel(instrument, BookSide.Ask, best, random.Next(2) == 0 ? 10m : 10.0m),
            < 900 => BookEvent.SetLevel(instrument, BookSide.Ask, best, random.Next(1, 300)),
            < 960 => BookEvent.SetLevel(instrument, BookSide.Ask, best, 0m),
            < 980 => BookEvent.Snapshot(instrument, [new BookLevel(Price.FromUnits(4_000), 10m)],
                [new BookLevel(best, random.Next(1, 300)), new BookLevel(deeper, 100m)]),
            < 990 => BookEvent.Stale(instrument, StaleReason.SequenceGap),
            _ => BookEvent.Clear(instrument, StaleReason.Disconnected),
        };
    }

    private sealed class Desk : IOpportunitySink
    {
        private readonly ManualTimeProvider _time = new();
        private readonly InstrumentRegistry _registry = new();
        private readonly MarketDataHub _hub;

        public Desk(bool evaluateEveryChange)
        {
            // One Kalshi market paired with two Polymarket markets (its books are in both pairs), and a second pair.
            var kalshiA = _registry.AddMarket(CrossVenueArbitrageTests.NewMarket(VenueId.Kalshi, "KX-A", KalshiFeeModel.Quadratic), "KX-A:yes", "KX-A:no");
            var kalshiB = _registry.AddMarket(CrossVenueArbitrageTests.NewMarket(VenueId.Kalshi, "KX-B", KalshiFeeModel.Quadratic), "KX-B:yes", "KX-B:no");
            var polyA = _registry.AddMarket(CrossVenueArbitrageTests.NewMarket(VenueId.Polymarket, "0xa", PolymarketFeeModel.Parameters(0.25m, 2)), "a-yes", "a-no");
            var polyA2 = _registry.AddMarket(CrossVenueArbitrageTests.NewMarket(VenueId.Polymarket, "0xa2", FeeParameters.None), "a2-yes", "a2-no");
            var polyB = _registry.AddMarket(CrossVenueArbitrageTests.NewMarket(VenueId.Polymarket, "0xb", FeeParameters.None), "b-yes", "b-no");
            Instruments = [.. new[] { kalshiA, kalshiB, polyA, polyA2, polyB }.SelectMany(m => new[] { m.Yes, m.No })];
            _hub = new MarketDataHub(_registry, _time);
            Strategy = new CrossVenueArbitrage(_hub, new KalshiFeeModel(), new PolymarketFeeModel(), new RiskLimits(), this) { EvaluateEveryChange = evaluateEveryChange };
            var at = _time.GetUtcNow();
            _pairs =
            [
                new MarketPair(1, kalshiA.MarketKey, polyA.MarketKey, PairMapping.YesYes, PairStatus.Approved, 95, [], [], at, at, "admin"),
                new MarketPair(2, kalshiA.MarketKey, polyA2.MarketKey, PairMapping.YesNo, PairStatus.Approved, 90, [], [], at, at, "admin"),
                new MarketPair(3, kalshiB.MarketKey, polyB.MarketKey, PairMapping.YesYes, PairStatus.Approved, 95, [], [], at, at, "admin"),
                // Watched only once a change adds it: the Kalshi B books then sit in two pairs.
                new MarketPair(4, kalshiB.MarketKey, polyA2.MarketKey, PairMapping.YesYes, PairStatus.Approved, 80, [], [], at, at, "admin"),
            ];
            foreach (var pair in _pairs[..3]) Assert.Equal(PairRegistration.Active, Strategy.AddOrUpdatePair(pair));
        }

        public const int PairCount = 4;

        private readonly MarketPair[] _pairs;

        /// <summary>Removes pair <paramref name="id"/>, or adds (or replaces) it with <paramref name="status"/>.</summary>
        public void Change(int id, PairStatus status, bool remove)
        {
            if (remove) Strategy.RemovePair(id);
            else Strategy.AddOrUpdatePair(_pairs[id - 1] with { Status = status });
        }

        public InstrumentId[] Instruments { get; }

        public CrossVenueArbitrage Strategy { get; }

        /// <summary>Every opportunity found, in words that carry all its figures.</summary>
        public List<string> Found { get; } = [];

        public void Step(BookEvent e, TimeSpan advance, RiskLimits? limits)
        {
            _time.Advance(advance);
            if (limits is not null) Strategy.Limits = limits;
            _hub.TryPost(e);
            _hub.DrainPending();
        }

        public void OnOpportunity(Opportunity opportunity) => Found.Add(string.Create(CultureInfo.InvariantCulture,
            $"{opportunity.Id} {opportunity.PairId} {opportunity.DetectedAt:O} q={opportunity.Quantity} net={opportunity.NetEdgePerSet} profit={opportunity.ExpectedProfit} " +
            $"{string.Join(" | ", opportunity.Legs.Select(l => $"{l.Instrument} {l.WorstPrice} {l.AveragePrice} {l.Fee} {l.DepthWithinWorst} v{l.BookVersion} {l.BookAge}"))} {opportunity.Reason}"));
    }
}
