using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Venues;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Portfolio;

/// <summary>
/// The equity is kept incrementally (a fill or a mark re-values only what it can move); these drive random fills,
/// marks and sets through a portfolio and compare it after every step with a valuation from scratch, decimal for decimal
/// (scale included), and with the equity as it was defined before (every term added in one running decimal).
/// </summary>
public sealed class IncrementalEquityTests
{
    private const int Steps = 4_000;

    /// <param name="seed">The run's random seed.</param>
    /// <param name="longFees">
    /// Fees with 28 significant digits now and then (the venues' fee models round theirs to a few places): the cash then
    /// carries 28 digits and a running decimal total would round differently from one order to another.
    /// </param>
    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(17, false)]
    [InlineData(2026, false)]
    public void Equity_peak_drawdown_and_daily_pnl_after_every_fill_and_mark_equal_a_full_valuation_decimal_for_decimal(int seed, bool longFees)
    {
        var run = new RandomDesk(seed) { LongFees = longFees };
        var referencePeak = run.Portfolio.StartingEquity;
        var referenceDayStart = run.Portfolio.StartingEquity;
        for (var step = 0; step < Steps; step++)
        {
            var (action, notesPeak, rollsDay) = run.Step();
            var full = run.Portfolio.ComputeEquityInFull();
            if (rollsDay) referenceDayStart = full;
            if (notesPeak) referencePeak = Math.Max(referencePeak, full);
            var context = $"seed {seed}, step {step} ({action})";

            AssertIdentical(full, run.Portfolio.Equity, context);
            AssertIdentical(Math.Max(referencePeak, full), run.Portfolio.PeakEquity, context);
            AssertIdentical(Math.Max(referencePeak, full) - full, run.Portfolio.Drawdown, context);
            AssertIdentical(full - referenceDayStart, run.Portfolio.DailyPnl, context);
            // And the same figure the equity always was (one running decimal over the same terms, in the same order):
            // the identical value while every term has few places (every open position carries a mark with at most 5
            // places, the venues' fees are rounded), else within that running decimal's rounding.
            var previous = run.EquityAsBefore();
            if (longFees) Assert.True(Math.Abs(previous - full) <= 1e-20m, $"{context}: {full} against {previous} as before");
            else Assert.True(previous == full, $"{context}: {full} against {previous} as before");
        }
        // The runs exercised what they are meant to: averaging into 28-digit costs, sets taking contracts, marks.
        Assert.True(run.Portfolio.CompleteSets > 0m, "no complete set was held at the end");
        Assert.True(run.LongestAverageCostDigits >= 20, $"average costs reached only {run.LongestAverageCostDigits} digits");
    }

    [Fact]
    public void A_set_tracked_while_positions_are_open_takes_its_contracts_from_the_sets_after_it_in_the_valuation_order()
    {
        var run = new RandomDesk(seed: 5, trackUpFront: false);
        for (var step = 0; step < 600; step++)
        {
            run.Step();
            AssertIdentical(run.Portfolio.ComputeEquityInFull(), run.Portfolio.Equity, $"step {step}");
        }
        // Tracking every set now joins groups with positions already open in them.
        foreach (var track in run.SetsToTrack)
        {
            track();
            AssertIdentical(run.Portfolio.ComputeEquityInFull(), run.Portfolio.Equity, "after tracking a set");
        }
        Assert.True(run.Portfolio.CompleteSets > 0m);
    }

    /// <summary>
    /// The dashboard's refresh reads sums, holdings, position copies and marks that the portfolio keeps between fills and
    /// marks (and a mark is not computed again from a book that has not changed): after every step each must be what the
    /// snapshot's own positions and the books say now — a figure kept past a change would be off by that change.
    /// </summary>
    [Theory]
    [InlineData(4, true)]
    [InlineData(11, false)]
    [InlineData(2027, false)]
    public void Every_snapshot_figure_kept_between_refreshes_equals_one_computed_afresh_after_every_step(int seed, bool longFees)
    {
        var run = new RandomDesk(seed) { LongFees = longFees };
        var marksChecked = 0;
        for (var step = 0; step < Steps; step++)
        {
            var (action, _, _) = run.Step();
            var context = $"seed {seed}, step {step} ({action})";
            var snapshot = run.Portfolio.Snapshot();
            // The copy read off the hub (the dashboard's refresh since it left the hub) is the same snapshot, bit for bit.
            AssertSameSnapshot(snapshot, run.Portfolio.TryReadSnapshot(), context);
            var byId = snapshot.Positions.ToDictionary(p => p.Instrument.Value);
            foreach (var instrument in run.Instruments)
            {
                var quantity = byId.TryGetValue(instrument.Value, out var p) ? p.Quantity : 0m;
                Assert.True(quantity == run.Portfolio.QuantityOf(instrument), $"{context}: instrument {instrument.Value} shows {quantity}");
            }
            foreach (var p in snapshot.Positions)
            {
                AssertIdentical(p.Mark is { } mark ? (mark - p.AverageCost) * p.Quantity : 0m, p.UnrealizedPnl, $"{context}: unrealized of {p.Instrument.Value}");
                if (action == "marks" && p.Quantity != 0m && run.MidOf(p.Instrument) is { } mid)
                {
                    Assert.True(p.Mark == mid, $"{context}: {p.Instrument.Value} marked {p.Mark}, its book's mid is {mid}");
                    marksChecked++;
                }
            }
            // The sums run in another order here, so they may differ in the 28th digit; a figure kept past a fill or a
            // mark is off by far more.
            AssertClose(snapshot.Positions.Sum(p => p.RealizedPnl - p.FeesPaid), snapshot.RealizedPnl, $"{context}: realized");
            AssertClose(snapshot.Positions.Sum(p => p.FeesPaid), snapshot.FeesPaid, $"{context}: fees");
            AssertClose(snapshot.Positions.Sum(p => p.UnrealizedPnl), snapshot.UnrealizedPnl, $"{context}: unrealized");
            // Holdings: the same formula over the snapshot's positions gives the identical decimals.
            var expectedPairs = run.Remembered.Where(r => !r.IsEvent).GroupBy(r => long.Parse(r.Owner, System.Globalization.CultureInfo.InvariantCulture))
                .OrderBy(g => g.Key).Select(g => Holding(g, byId)).ToArray();
            Assert.Equal(expectedPairs.Length, snapshot.Pairs.Count);
            for (var k = 0; k < expectedPairs.Length; k++)
            {
                var (held, cost, locked) = expectedPairs[k];
                var actual = snapshot.Pairs[k];
                AssertIdentical(held, actual.SetsHeld, $"{context}: pair {actual.PairId} sets");
                AssertIdentical(cost, actual.Cost, $"{context}: pair {actual.PairId} cost");
                AssertIdentical(locked, actual.LockedProfit, $"{context}: pair {actual.PairId} locked");
            }
            var expectedEvents = run.Remembered.Where(r => r.IsEvent).GroupBy(r => r.Owner).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => Holding(g, byId)).ToArray();
            Assert.Equal(expectedEvents.Length, snapshot.Events.Count);
            for (var k = 0; k < expectedEvents.Length; k++)
            {
                var (held, cost, locked) = expectedEvents[k];
                var actual = snapshot.Events[k];
                AssertIdentical(held, actual.SetsHeld, $"{context}: event {actual.EventKey} sets");
                AssertIdentical(cost, actual.Cost, $"{context}: event {actual.EventKey} cost");
                AssertIdentical(locked, actual.LockedProfit, $"{context}: event {actual.EventKey} locked");
            }
        }
        Assert.True(marksChecked > 100, $"only {marksChecked} marks were checked against their books");
        Assert.True(run.Portfolio.CompleteSets > 0m, "no complete set was held at the end");
    }

    /// <summary>
    /// The dashboard's marks prepared off the hub and adopted by it — with books moving and fills landing between the two
    /// now and then — leave the portfolio exactly where marking on the hub at the moment of adopting leaves it: a twin desk
    /// driven by the same seed marks on the hub, and after every step every figure of the off-hub snapshot equals the
    /// twin's, decimal for decimal, and the equity a full valuation.
    /// </summary>
    [Theory]
    [InlineData(6, true)]
    [InlineData(12, false)]
    [InlineData(2028, true)]
    public void Marks_prepared_off_the_hub_and_adopted_later_leave_every_figure_as_marking_on_the_hub_then(int seed, bool longFees)
    {
        var onHub = new RandomDesk(seed) { LongFees = longFees, InterleaveMarks = true };
        var offHub = new RandomDesk(seed) { LongFees = longFees, InterleaveMarks = true, OffHubMarks = true };
        var interleaved = 0;
        for (var step = 0; step < Steps; step++)
        {
            var (action, _, _) = onHub.Step();
            var (twinAction, _, _) = offHub.Step();
            Assert.Equal(action, twinAction);
            if (action.StartsWith("marks after", StringComparison.Ordinal)) interleaved++;
            var context = $"seed {seed}, step {step} ({action})";
            var expected = onHub.Portfolio.Snapshot();
            // Read before anything on the hub's side of the twin rolls the day: Snapshot() does roll it.
            offHub.Portfolio.Snapshot();
            AssertSameSnapshot(expected, offHub.Portfolio.TryReadSnapshot(), context);
            AssertIdentical(offHub.Portfolio.ComputeEquityInFull(), offHub.Portfolio.Equity, context);
        }
        Assert.True(interleaved > 20, $"only {interleaved} marks had changes between preparing and adopting");
    }

    /// <summary>Every figure of two portfolio snapshots, decimal for decimal (scale included); the moment may differ.</summary>
    private static void AssertSameSnapshot(PortfolioSnapshot expected, PortfolioSnapshot? actual, string context)
    {
        Assert.True(actual is not null, $"{context}: no copy could be read");
        AssertIdentical(expected.RealizedPnl, actual.RealizedPnl, $"{context}: realized");
        AssertIdentical(expected.UnrealizedPnl, actual.UnrealizedPnl, $"{context}: unrealized");
        AssertIdentical(expected.FeesPaid, actual.FeesPaid, $"{context}: fees");
        AssertIdentical(expected.Equity, actual.Equity, $"{context}: equity");
        AssertIdentical(expected.DailyPnl, actual.DailyPnl, $"{context}: daily");
        AssertIdentical(expected.PeakEquity, actual.PeakEquity, $"{context}: peak");
        AssertIdentical(expected.Drawdown, actual.Drawdown, $"{context}: drawdown");
        Assert.Equal(expected.OpenPositionCount, actual.OpenPositionCount);
        Assert.Equal(expected.Cash.Keys, actual.Cash.Keys);
        foreach (var (venue, cash) in expected.Cash) AssertIdentical(cash, actual.Cash[venue], $"{context}: cash {venue}");
        Assert.Equal(expected.Positions.Count, actual.Positions.Count);
        for (var k = 0; k < expected.Positions.Count; k++)
        {
            var (e, a) = (expected.Positions[k], actual.Positions[k]);
            var where = $"{context}: position {e.Instrument.Value}";
            Assert.True(e.Instrument == a.Instrument && e.Venue == a.Venue && e.Symbol == a.Symbol && e.MarketKey == a.MarketKey && e.IsYes == a.IsYes, where);
            AssertIdentical(e.Quantity, a.Quantity, $"{where} quantity");
            AssertIdentical(e.AverageCost, a.AverageCost, $"{where} average cost");
            AssertIdentical(e.FeesPaid, a.FeesPaid, $"{where} fees");
            AssertIdentical(e.RealizedPnl, a.RealizedPnl, $"{where} realized");
            Assert.True(e.Mark.HasValue == a.Mark.HasValue, $"{where} mark {e.Mark} against {a.Mark}");
            if (e.Mark is { } mark) AssertIdentical(mark, a.Mark!.Value, $"{where} mark");
            AssertIdentical(e.UnrealizedPnl, a.UnrealizedPnl, $"{where} unrealized");
        }
        Assert.Equal(expected.Pairs.Count, actual.Pairs.Count);
        for (var k = 0; k < expected.Pairs.Count; k++)
        {
            var (e, a) = (expected.Pairs[k], actual.Pairs[k]);
            Assert.Equal(e.PairId, a.PairId);
            AssertIdentical(e.SetsHeld, a.SetsHeld, $"{context}: pair {e.PairId} sets");
            AssertIdentical(e.Cost, a.Cost, $"{context}: pair {e.PairId} cost");
            AssertIdentical(e.LockedProfit, a.LockedProfit, $"{context}: pair {e.PairId} locked");
        }
        Assert.Equal(expected.Events.Count, actual.Events.Count);
        for (var k = 0; k < expected.Events.Count; k++)
        {
            var (e, a) = (expected.Events[k], actual.Events[k]);
            Assert.Equal(e.EventKey, a.EventKey);
            AssertIdentical(e.SetsHeld, a.SetsHeld, $"{context}: event {e.EventKey} sets");
            AssertIdentical(e.Cost, a.Cost, $"{context}: event {e.EventKey} cost");
            AssertIdentical(e.LockedProfit, a.LockedProfit, $"{context}: event {e.EventKey} locked");
        }
    }

    /// <summary>A pair's or event's holding as the portfolio defines it (its sets in the order tracked).</summary>
    private static (decimal Held, decimal Cost, decimal Locked) Holding(
        IEnumerable<(string Owner, bool IsEvent, InstrumentId[] Instruments, decimal? Payout)> sets, Dictionary<int, PositionSnapshot> positions)
    {
        decimal held = 0m, cost = 0m, locked = 0m;
        foreach (var set in sets)
        {
            var count = set.Instruments.Min(i => Math.Max(0m, positions.TryGetValue(i.Value, out var p) ? p.Quantity : 0m));
            if (count <= 0m) continue;
            decimal setCost = 0m, fees = 0m;
            foreach (var instrument in set.Instruments)
            {
                var position = positions[instrument.Value];
                setCost += count * position.AverageCost;
                fees += position.FeesPaid * count / position.Quantity;
            }
            held += count;
            cost += setCost;
            locked += (set.Payout is { } payout ? count * payout : count) - setCost - fees;
        }
        return (held, cost, locked);
    }

    private static void AssertClose(decimal expected, decimal actual, string context) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-20m, $"{context}: expected {expected}, got {actual}");

    private static void AssertIdentical(decimal expected, decimal actual, string context)
    {
        Assert.True(decimal.GetBits(expected).SequenceEqual(decimal.GetBits(actual)), $"{context}: expected {expected} (scale {expected.Scale}), got {actual} (scale {actual.Scale})");
    }

    /// <summary>A portfolio on 8 Kalshi and 8 Polymarket markets, with pair sets and event sets sharing instruments, driven at random.</summary>
    private sealed class RandomDesk
    {
        private readonly Random _random;
        private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        private readonly InstrumentRegistry _registry = new();
        private readonly MarketDataHub _hub;
        private readonly List<Market> _markets = [];
        private readonly List<Fill> _fills = [];
        private int _fillId;

        public RandomDesk(int seed, bool trackUpFront = true)
        {
            _random = new Random(seed);
            _hub = new MarketDataHub(_registry, _time);
            for (var k = 0; k < 8; k++) _markets.Add(AddMarket(VenueId.Kalshi, $"K{k}", step: 1m));
            for (var k = 0; k < 8; k++) _markets.Add(AddMarket(VenueId.Polymarket, $"P{k}", step: 0.01m));
            Portfolio = new DeskPortfolio(_hub, new Dictionary<VenueId, decimal> { [VenueId.Kalshi] = 10_000m, [VenueId.Polymarket] = 7_500.25m }, TimeZoneInfo.Utc);
            var k0 = _markets[0];
            var k1 = _markets[1];
            var k2 = _markets[2];
            var p0 = _markets[8];
            var p1 = _markets[9];
            var p2 = _markets[10];
            var p3 = _markets[11];
            var p4 = _markets[12];
            // Pairs share instruments (K0 is paired with P0 and with P1; P1 also with K1), an event's NO set holds a
            // pair's leg, and events are tracked between pairs: the groups chain across pairs and events.
            SetsToTrack =
            [
                () => TrackPair(3, k0, p0),
                () => TrackPair(1, k0, p1),
                () => TrackEvent("EVT-P", [p1.No, p2.No, p3.No], payout: 2m),
                () => TrackEvent("EVT-P", [p1.Yes, p2.Yes, p3.Yes], payout: 1m),
                () => TrackPair(2, k1, p1),
                () => TrackEvent("EVT-K", [k2.Yes, _markets[3].Yes], payout: 1m),
                () => TrackPair(9, k2, p4),
                () => TrackPair(3, _markets[4], p4),
            ];
            if (trackUpFront)
            {
                // Half up front, the rest while trading.
                foreach (var track in SetsToTrack.Take(4)) track();
                _pending.AddRange(SetsToTrack.Skip(4));
            }
        }

        private readonly List<Action> _pending = [];

        public DeskPortfolio Portfolio { get; }

        public IReadOnlyList<Action> SetsToTrack { get; }

        public int LongestAverageCostDigits { get; private set; }

        public bool LongFees { get; init; }

        /// <summary>Marks as the dashboard's refresh sets them: prepared off the hub, adopted by it (<see cref="DeskPortfolio.ApplyMarks"/>).</summary>
        public bool OffHubMarks { get; init; }

        /// <summary>Books and fills now and then between preparing the marks and adopting them (or, on the hub, before marking).</summary>
        public bool InterleaveMarks { get; init; }

        /// <summary>One random step; says what it did, whether the portfolio noted its peak, and whether the test's read of daily PnL rolls the day.</summary>
        public (string Action, bool NotesPeak, bool RollsDay) Step()
        {
            var roll = _random.Next(100);
            if (roll < 2 && _pending.Count > 0)
            {
                _pending[0]();
                _pending.RemoveAt(0);
                return ("track a set", false, false);
            }
            if (roll < 4)
            {
                // Past midnight now and then: the next read of daily PnL starts the day from the equity then.
                _time.Advance(TimeSpan.FromHours(_random.Next(1, 30)));
                var rolled = _lastDay != Today();
                _lastDay = Today();
                return ("time passes", false, rolled);
            }
            if (roll < 14)
            {
                Book();
                return ("book", false, false);
            }
            if (roll < 20)
            {
                // Off the hub (the dashboard's refresh): the marks are prepared from a copy and the published tops of
                // book, and adopted by the hub later, after whatever it did meanwhile.
                var batch = OffHubMarks ? Portfolio.TryPrepareMarks(new DeskPortfolio.PortfolioView()) : null;
                Assert.True(batch is not null || !OffHubMarks, "nothing overlaps the copy here, so it must succeed");
                var meanwhile = InterleaveMarks && _random.Next(3) == 0 ? _random.Next(1, 4) : 0;
                for (var k = 0; k < meanwhile; k++)
                {
                    if (_random.Next(2) == 0)
                    {
                        Book();
                    }
                    else
                    {
                        var between = NewFill();
                        _fills.Add(between);
                        Assert.True(Portfolio.ApplyFill(between));
                    }
                }
                if (batch is not null) Portfolio.ApplyMarks(batch);
                else Portfolio.RecomputeUnrealized();
                return (meanwhile > 0 ? $"marks after {meanwhile} changes" : "marks", true, false);
            }
            if (roll < 22 && _fills.Count > 0)
            {
                // A venue resending a fill: booked once.
                Assert.False(Portfolio.ApplyFill(_fills[_random.Next(_fills.Count)]));
                return ("fill again", false, false);
            }
            var fill = NewFill();
            _fills.Add(fill);
            Assert.True(Portfolio.ApplyFill(fill));
            foreach (var position in Portfolio.Snapshot().Positions)
            {
                LongestAverageCostDigits = Math.Max(LongestAverageCostDigits, position.AverageCost.Scale);
            }
            return ($"{fill.Side} {fill.Quantity} of {fill.Instrument.Value} at {fill.Price.Value}", true, false);
        }

        private DateOnly _lastDay = new(2026, 11, 21);

        private DateOnly Today() => DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);

        private Fill NewFill()
        {
            var market = _markets[_random.Next(_markets.Count)];
            var instrument = _random.Next(2) == 0 ? market.Yes : market.No;
            var held = Portfolio.QuantityOf(instrument);
            // Mostly buys; sells of part, all, or more than held (a flip through zero); some fills hit the set's legs together.
            var side = held > 0m && _random.Next(3) == 0 ? Side.Sell : _random.Next(6) == 0 ? Side.Sell : Side.Buy;
            var step = market.QuantityStep;
            var quantity = Math.Max(step, _random.Next(6) switch
            {
                0 => Math.Abs(held),
                1 => Math.Round(Math.Abs(held) / 3m / step) * step,
                _ => _random.Next(1, step == 1m ? 40 : 4_000) * step,
            });
            var price = Price.FromUnits(_random.Next(1, 10_000));
            var fee = _random.Next(5) switch
            {
                0 => 0m,
                1 => Math.Round(quantity * 0.0175m, 2),
                2 => quantity * price.Value * (1m - price.Value) * 0.07m,
                3 when LongFees => quantity * price.Value / 70m,
                _ => 0.01m,
            };
            _fillId++;
            return new Fill($"f{_fillId}", $"o{_fillId}", null, market.Venue, instrument, side, price, quantity, fee, Liquidity.Taker, _time.GetUtcNow());
        }

        private void Book()
        {
            var market = _markets[_random.Next(_markets.Count)];
            var instrument = _random.Next(2) == 0 ? market.Yes : market.No;
            var bid = _random.Next(1, 9_999);
            var ask = _random.Next(bid + 1, 10_000);
            var bids = new[] { new BookLevel(Price.FromUnits(bid), 10m) };
            var asks = new[] { new BookLevel(Price.FromUnits(ask), 10m) };
            // An empty side now and then: the last mark stays.
            _hub.Apply(_random.Next(8) switch
            {
                0 => BookEvent.Snapshot(instrument, [], asks),
                1 => BookEvent.Snapshot(instrument, bids, []),
                _ => BookEvent.Snapshot(instrument, bids, asks),
            });
        }

        private Market AddMarket(VenueId venue, string key, decimal step) =>
            _registry.AddMarket(new Market(venue, key, "EVT", key, "rules", "source", new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero),
                TickSize.Cent, step, "Yes", new FeeParameters(0.007m, 0m, 1)), $"{key}:yes", $"{key}:no");

        private void TrackPair(long pairId, Market kalshi, Market polymarket)
        {
            Portfolio.TrackSet(pairId, [kalshi.Yes, polymarket.No]);
            Portfolio.TrackSet(pairId, [kalshi.No, polymarket.Yes]);
            Remember(pairId.ToString(System.Globalization.CultureInfo.InvariantCulture), [kalshi.Yes, polymarket.No], null);
            Remember(pairId.ToString(System.Globalization.CultureInfo.InvariantCulture), [kalshi.No, polymarket.Yes], null);
        }

        private void TrackEvent(string eventKey, InstrumentId[] instruments, decimal payout)
        {
            Portfolio.TrackEventSet(eventKey, instruments, payout);
            Remember(eventKey, instruments, payout);
        }

        private readonly List<(string Owner, bool IsEvent, InstrumentId[] Instruments, decimal? Payout)> _remembered = [];

        /// <summary>Every set tracked so far, in the order tracked.</summary>
        public IReadOnlyList<(string Owner, bool IsEvent, InstrumentId[] Instruments, decimal? Payout)> Remembered => _remembered;

        /// <summary>Both outcomes of every market.</summary>
        public IEnumerable<InstrumentId> Instruments => _markets.SelectMany(m => new[] { m.Yes, m.No });

        /// <summary>The mid of the instrument's book now, if it has both sides.</summary>
        public decimal? MidOf(InstrumentId instrument) => _hub.TryGetBook(instrument)?.Mid;

        private void Remember(string owner, InstrumentId[] instruments, decimal? payout) => _remembered.Add((owner, payout is not null, instruments, payout));

        /// <summary>
        /// The equity as it was computed before it was kept incrementally, from the portfolio's snapshot: cash, then pair
        /// sets (pairs in the order first tracked), then event sets, then each position's free rest, in one running decimal.
        /// </summary>
        public decimal EquityAsBefore()
        {
            var snapshot = Portfolio.Snapshot();
            var value = 0m;
            foreach (var cash in snapshot.Cash.Values) value += cash;
            var free = snapshot.Positions.ToDictionary(p => p.Instrument.Value, p => p.Quantity);
            foreach (var isEvent in new[] { false, true })
            {
                foreach (var owner in _remembered.Where(r => r.IsEvent == isEvent).Select(r => r.Owner).Distinct())
                {
                    foreach (var set in _remembered.Where(r => r.IsEvent == isEvent && r.Owner == owner))
                    {
                        var count = set.Instruments.Min(i => Math.Max(0m, free.GetValueOrDefault(i.Value)));
                        if (count <= 0m) continue;
                        value += isEvent ? count * set.Payout!.Value : count;
                        foreach (var instrument in set.Instruments) free[instrument.Value] -= count;
                    }
                }
            }
            foreach (var position in snapshot.Positions)
            {
                var quantity = free[position.Instrument.Value];
                if (quantity != 0m) value += quantity * (position.Mark ?? position.AverageCost);
            }
            return value;
        }
    }
}
