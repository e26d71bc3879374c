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

public sealed class CrossVenueArbitrageTests
{
    private const long PairId = 7;

    private readonly ManualTimeProvider _time = new();
    private readonly InstrumentRegistry _registry = new();
    private readonly MarketDataHub _hub;
    private readonly Market _kalshi;
    private readonly Market _polymarket;
    private readonly RecordingSink _sink = new();
    private readonly CrossVenueArbitrage _strategy;

    public CrossVenueArbitrageTests()
    {
        _kalshi = _registry.AddMarket(NewMarket(VenueId.Kalshi, "KX-RATE", KalshiFeeModel.Quadratic), "KX-RATE:yes", "KX-RATE:no");
        _polymarket = _registry.AddMarket(NewMarket(VenueId.Polymarket, "0xrate", FeeParameters.None), "tok-yes", "tok-no");
        _hub = new MarketDataHub(_registry, _time);
        _strategy = new CrossVenueArbitrage(_hub, new KalshiFeeModel(), new PolymarketFeeModel(), new RiskLimits(), _sink);
    }

    [Fact]
    public void Kalshi_yes_and_polymarket_no_below_a_dollar_after_fees_produce_an_opportunity()
    {
        Assert.Equal(PairRegistration.Active, _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes)));
        NoEdgeBooks();
        _time.Advance(TimeSpan.FromMilliseconds(300));

        Asks(_polymarket.No, (0.50m, 15m), (0.53m, 30m));

        var opportunity = Assert.Single(_sink.Opportunities);
        Assert.Equal(CrossVenueArbitrage.StrategyName, opportunity.Strategy);
        Assert.Equal(PairId, opportunity.PairId);
        Assert.Equal(1, opportunity.Id);
        Assert.Equal(OpportunityDecision.Detected, opportunity.Decision);
        Assert.Equal(_time.GetUtcNow(), opportunity.DetectedAt);
        // Kalshi YES .40 × 10 then .42: the same books as the sizer's multi-level case, so 20 sets earning 1.30.
        Assert.Equal(20m, opportunity.Quantity);
        Assert.Equal(1.30m, opportunity.ExpectedProfit);
        Assert.Equal(0.065m, opportunity.NetEdgePerSet);
        var kalshiLeg = opportunity.Legs[0];
        Assert.Equal((_kalshi.Yes, VenueId.Kalshi, Side.Buy, P(0.42m), 0.41m, 0.35m, P(0.40m), 20m),
            (kalshiLeg.Instrument, kalshiLeg.Venue, kalshiLeg.Side, kalshiLeg.WorstPrice, kalshiLeg.AveragePrice, kalshiLeg.Fee, kalshiLeg.TopOfBook, kalshiLeg.DepthWithinWorst));
        // The Kalshi book was last updated 300 ms before detection; the Polymarket book just now.
        Assert.Equal(TimeSpan.FromMilliseconds(300), kalshiLeg.BookAge);
        Assert.Equal(_hub.TryGetBook(_kalshi.Yes)!.Version, kalshiLeg.BookVersion);
        var polymarketLeg = opportunity.Legs[1];
        Assert.Equal((_polymarket.No, VenueId.Polymarket, P(0.53m), P(0.50m), TimeSpan.Zero),
            (polymarketLeg.Instrument, polymarketLeg.Venue, polymarketLeg.WorstPrice, polymarketLeg.TopOfBook, polymarketLeg.BookAge));
        Assert.Equal(_hub.TryGetBook(_polymarket.No)!.Version, polymarketLeg.BookVersion);
        Assert.Contains("Kalshi YES ≤ 0.42 + Polymarket NO ≤ 0.53", opportunity.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_sets_of_a_pair_are_evaluated()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        NoEdgeBooks();

        // Second set: Kalshi NO .60 + Polymarket YES .35.
        Asks(_polymarket.Yes, (0.35m, 10m));
        // First set: Kalshi YES .40 + Polymarket NO .50.
        Asks(_polymarket.No, (0.50m, 10m));

        Assert.Equal(2, _sink.Opportunities.Count);
        Assert.Equal([_kalshi.No, _polymarket.Yes], _sink.Opportunities[0].Legs.Select(l => l.Instrument));
        Assert.Equal([_kalshi.Yes, _polymarket.No], _sink.Opportunities[1].Legs.Select(l => l.Instrument));
        Assert.Equal([1L, 2L], _sink.Opportunities.Select(o => o.Id));
    }

    [Fact]
    public void A_kalshi_book_change_evaluates_the_set_it_belongs_to()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        NoEdgeBooks();
        Asks(_polymarket.Yes, (0.35m, 10m));
        _sink.Opportunities.Clear();

        // Kalshi NO gets cheaper: the (Kalshi NO, Polymarket YES) set widens and is reported again.
        Asks(_kalshi.No, (0.55m, 10m));

        var opportunity = Assert.Single(_sink.Opportunities);
        Assert.Equal([_kalshi.No, _polymarket.Yes], opportunity.Legs.Select(l => l.Instrument));
        Assert.Equal(P(0.55m), opportunity.Legs[0].WorstPrice);
    }

    [Fact]
    public void Yes_no_mapping_buys_yes_on_both_venues_and_no_on_both()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesNo));
        Asks(_kalshi.Yes, (0.40m, 10m));
        Asks(_kalshi.No, (0.62m, 10m));
        Asks(_polymarket.No, (0.50m, 10m));
        Assert.Empty(_sink.Opportunities);

        Asks(_polymarket.Yes, (0.50m, 10m));
        Asks(_polymarket.No, (0.30m, 10m));

        Assert.Equal(2, _sink.Opportunities.Count);
        Assert.Equal([_kalshi.Yes, _polymarket.Yes], _sink.Opportunities[0].Legs.Select(l => l.Instrument));
        Assert.Equal([_kalshi.No, _polymarket.No], _sink.Opportunities[1].Legs.Select(l => l.Instrument));
    }

    [Fact]
    public void Asks_summing_to_a_dollar_or_more_produce_nothing()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        NoEdgeBooks();

        Asks(_polymarket.No, (0.60m, 100m));
        Asks(_kalshi.Yes, (0.40m, 100m));

        Assert.Empty(_sink.Opportunities);
        var spread = _strategy.SnapshotSpreads()[0];
        Assert.Equal((ArbSetState.NoEdge, 1.00m, 0m), (spread.State, spread.AskSum, spread.GrossEdge));
    }

    [Fact]
    public void A_book_marked_stale_is_never_traded()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        NoEdgeBooks();
        _hub.Apply(BookEvent.Stale(_kalshi.Yes, StaleReason.SequenceGap));

        Asks(_polymarket.No, (0.50m, 10m));

        Assert.Empty(_sink.Opportunities);
        Assert.Equal(ArbSetState.StaleBook, _strategy.SnapshotSpreads()[0].State);
    }

    [Fact]
    public void A_book_older_than_the_maximum_age_is_never_traded()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        NoEdgeBooks();
        _time.Advance(new RiskLimits().MaxBookAge + TimeSpan.FromMilliseconds(1));

        Asks(_polymarket.No, (0.50m, 10m));

        Assert.Empty(_sink.Opportunities);
        Assert.Equal(ArbSetState.StaleBook, _strategy.SnapshotSpreads()[0].State);

        // Once the old book updates, the set is evaluated again.
        Asks(_kalshi.Yes, (0.40m, 10m));
        Assert.Single(_sink.Opportunities);
    }

    [Fact]
    public void A_missing_book_is_never_traded()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));

        Asks(_polymarket.No, (0.10m, 10m));

        Assert.Empty(_sink.Opportunities);
        Assert.Equal(ArbSetState.MissingBook, _strategy.SnapshotSpreads()[0].State);
    }

    [Fact]
    public void A_paused_pair_is_not_watched()
    {
        Assert.Equal(PairRegistration.NotApproved, _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes) with { Status = PairStatus.Paused }));
        NoEdgeBooks();

        Asks(_polymarket.No, (0.50m, 10m));

        Assert.Empty(_sink.Opportunities);
        Assert.Equal(0, _strategy.PairCount);
    }

    [Fact]
    public void Pausing_an_approved_pair_stops_its_opportunities_and_approving_it_again_resumes_them()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        NoEdgeBooks();
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes) with { Status = PairStatus.Paused });

        Asks(_polymarket.No, (0.50m, 10m));
        Assert.Empty(_sink.Opportunities);

        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        Asks(_polymarket.No, (0.50m, 11m));
        Assert.Single(_sink.Opportunities);
    }

    [Fact]
    public void A_removed_pair_produces_nothing()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        NoEdgeBooks();

        Assert.True(_strategy.RemovePair(PairId));
        Asks(_polymarket.No, (0.50m, 10m));

        Assert.Empty(_sink.Opportunities);
        Assert.Empty(_strategy.SnapshotSpreads());
    }

    [Fact]
    public void A_pair_whose_market_is_unknown_is_refused()
    {
        var registration = _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes) with { PolymarketMarketKey = "0xnope" });

        Assert.Equal(PairRegistration.UnknownPolymarketMarket, registration);
        Assert.Equal(0, _strategy.PairCount);
    }

    [Fact]
    public void Unchanged_books_do_not_report_the_same_opportunity_again()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        NoEdgeBooks();
        Asks(_polymarket.No, (0.50m, 10m));
        Assert.Single(_sink.Opportunities);

        // Re-notifications without a change, and changes to books of the other set only.
        _hub.Notify(_hub.TryGetBook(_kalshi.Yes)!);
        _hub.Notify(_hub.TryGetBook(_polymarket.No)!);
        _hub.Apply(BookEvent.Heartbeat(_polymarket.No));
        Asks(_kalshi.No, (0.70m, 10m));
        Assert.Single(_sink.Opportunities);

        Asks(_polymarket.No, (0.50m, 12m));
        Assert.Equal(2, _sink.Opportunities.Count);
        Assert.Equal(2, _sink.Opportunities[1].Id);
    }

    /// <summary>
    /// The sets' state is kept by slot and moved when pairs come and go: what a pair last saw (its versions, so no repeat
    /// of a found opportunity, and its spread figures and evaluation time) must move with it.
    /// </summary>
    [Fact]
    public void Adding_and_removing_other_pairs_keeps_what_a_pair_last_saw()
    {
        var other = _registry.AddMarket(NewMarket(VenueId.Polymarket, "0xother", FeeParameters.None), "other-yes", "other-no");
        var earlier = new MarketPair(3, _kalshi.MarketKey, other.MarketKey, PairMapping.YesNo, PairStatus.Approved, 90, [], [], _time.GetUtcNow(), _time.GetUtcNow(), "admin");
        Assert.Equal(PairRegistration.Active, _strategy.AddOrUpdatePair(earlier));
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        NoEdgeBooks();
        Asks(_polymarket.No, (0.50m, 10m));
        Assert.Single(_sink.Opportunities);
        var seen = _strategy.SnapshotSpreads().Where(s => s.PairId == PairId).ToArray();

        // The pair before it goes (its slots move down), then another comes after it; after each, the pair's books are
        // notified again unchanged.
        _time.Advance(TimeSpan.FromMilliseconds(40));
        Assert.True(_strategy.RemovePair(earlier.Id));
        AssertNothingNew();
        _strategy.AddOrUpdatePair(earlier with { Id = 9 });
        AssertNothingNew();
        // And a real change of its book is still seen, and shown on its own set.
        Asks(_polymarket.No, (0.50m, 12m));
        Assert.Equal(2, _sink.Opportunities.Count);
        var spreads = _strategy.SnapshotSpreads().Where(s => s.PairId == PairId).ToArray();
        Assert.Equal(
            [(0, _kalshi.Yes, _polymarket.No, ArbSetState.Edge, P(0.50m)), (1, _kalshi.No, _polymarket.Yes, ArbSetState.NoEdge, P(0.50m))],
            spreads.Select(s => (s.SetIndex, s.Kalshi, s.Polymarket, s.State, s.PolymarketAsk)).ToArray());
        Assert.Equal(_time.GetUtcNow().UtcTicks, spreads[0].EvaluatedUtcTicks);

        void AssertNothingNew()
        {
            _hub.Notify(_hub.TryGetBook(_kalshi.Yes)!);
            _hub.Notify(_hub.TryGetBook(_polymarket.No)!);
            _hub.Notify(_hub.TryGetBook(_kalshi.No)!);
            Assert.Single(_sink.Opportunities);
            Assert.Equal(seen, _strategy.SnapshotSpreads().Where(s => s.PairId == PairId).ToArray());
            // A change of the second set's Kalshi book (still no edge there) shows on the second set only, as its own.
            _time.Advance(TimeSpan.FromMilliseconds(10));
            var ask = _hub.TryGetBook(_kalshi.No)!.BestAsk.Price == P(0.60m) ? 0.61m : 0.60m;
            Asks(_kalshi.No, (ask, 10m));
            var spreads = _strategy.SnapshotSpreads().Where(s => s.PairId == PairId).ToArray();
            Assert.Equal(seen[0], spreads[0]);
            Assert.Equal((1, _kalshi.No, _polymarket.Yes, ArbSetState.NoEdge, P(ask), P(0.50m), _time.GetUtcNow().UtcTicks),
                (spreads[1].SetIndex, spreads[1].Kalshi, spreads[1].Polymarket, spreads[1].State, spreads[1].KalshiAsk, spreads[1].PolymarketAsk, spreads[1].EvaluatedUtcTicks));
            seen[1] = spreads[1];
        }
    }

    [Fact]
    public void Spreads_show_top_of_book_figures_for_both_sets()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        NoEdgeBooks();
        Asks(_polymarket.No, (0.47m, 9m));
        Asks(_kalshi.Yes, (0.50m, 4m));

        var spreads = new ArbSetSpread[4];
        var count = _strategy.CopySpreads(spreads);

        Assert.Equal(2, count);
        // 4 sets at .50 + .47: Kalshi fee .07 on 4 contracts is .0175 per set.
        Assert.Equal(new ArbSetSpread(PairId, 0, _kalshi.Yes, _polymarket.No, ArbSetState.Edge, P(0.50m), P(0.47m), 0.97m, 0.03m, 0.0125m, 4m, _time.GetUtcNow().UtcTicks), spreads[0]);
        Assert.Equal((PairId, 1, _kalshi.No, _polymarket.Yes, ArbSetState.NoEdge, 1.10m), (spreads[1].PairId, spreads[1].SetIndex, spreads[1].Kalshi, spreads[1].Polymarket, spreads[1].State, spreads[1].AskSum));
    }

    [Fact]
    public void Changing_limits_applies_to_unchanged_books_on_their_next_notification()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        NoEdgeBooks();
        // .40 + .57: .03 gross − .0168 Kalshi fee rate = .0132, below a minimum of .02.
        _strategy.Limits = new RiskLimits { MinNetEdge = 0.02m };
        Asks(_polymarket.No, (0.57m, 10m));
        Assert.Empty(_sink.Opportunities);

        _strategy.Limits = new RiskLimits { MinNetEdge = 0.01m };
        _hub.Notify(_hub.TryGetBook(_polymarket.No)!);

        Assert.Single(_sink.Opportunities);
    }

    [Fact]
    public void A_size_cut_by_the_max_trade_size_says_so_in_its_reason()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        NoEdgeBooks();
        // Top of book .40 + .50 = .90 a set: $5 allows 5 sets where the books hold 20.
        _strategy.Limits = new RiskLimits { MaxTradeSize = 5m };

        Asks(_polymarket.No, (0.50m, 15m), (0.53m, 30m));

        var opportunity = Assert.Single(_sink.Opportunities);
        Assert.Equal(5m, opportunity.Quantity);
        Assert.EndsWith("; capped at 5 sets by the max trade size 5.00", opportunity.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edge_the_max_trade_size_leaves_below_the_minimum_order_still_goes_to_the_gate_at_the_minimum()
    {
        var registry = new InstrumentRegistry();
        var kalshi = registry.AddMarket(NewMarket(VenueId.Kalshi, "KX-MIN", KalshiFeeModel.Quadratic), "KX-MIN:yes", "KX-MIN:no");
        var polymarket = registry.AddMarket(NewMarket(VenueId.Polymarket, "0xmin", FeeParameters.None, minOrderSize: 5m), "min-yes", "min-no");
        var hub = new MarketDataHub(registry, _time);
        var sink = new RecordingSink();
        // $1 fits one set at .90; Polymarket's minimum order is 5 shares.
        var strategy = new CrossVenueArbitrage(hub, new KalshiFeeModel(), new PolymarketFeeModel(), new RiskLimits { MaxTradeSize = 1m }, sink);
        strategy.AddOrUpdatePair(new MarketPair(PairId, kalshi.MarketKey, polymarket.MarketKey, PairMapping.YesYes, PairStatus.Approved, 95, [], [],
            _time.GetUtcNow(), _time.GetUtcNow(), "admin"));
        void Asks(InstrumentId instrument, decimal price, decimal size) =>
            hub.Apply(BookEvent.Snapshot(instrument, [], [new BookLevel(P(price), size)]));
        Asks(kalshi.Yes, 0.40m, 20m);
        Asks(kalshi.No, 0.62m, 20m);
        Asks(polymarket.Yes, 0.50m, 20m);

        Asks(polymarket.No, 0.50m, 20m);

        // The gate, not the strategy, refuses it: by the max trade size rule, on the record.
        var opportunity = Assert.Single(sink.Opportunities);
        Assert.Equal(5m, opportunity.Quantity);

        // Without an edge, nothing goes anywhere.
        Asks(polymarket.No, 0.61m, 20m);
        Assert.Single(sink.Opportunities);
    }

    [Fact]
    public void Evaluating_books_without_an_opportunity_does_not_allocate()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        // First set: a gross edge at the top that fees eat (.01 − .0168), so sizing runs in full. Second set: asks ≥ $1.
        Asks(_kalshi.Yes, (0.40m, 10m), (0.45m, 10m));
        Asks(_kalshi.No, (0.62m, 10m));
        Asks(_polymarket.Yes, (0.45m, 10m));
        Asks(_polymarket.No, (0.59m, 10m), (0.60m, 10m));
        var books = new[] { _kalshi.Yes, _kalshi.No, _polymarket.Yes, _polymarket.No }.Select(id => _hub.TryGetBook(id)!).ToArray();
        var now = _time.GetUtcNow().UtcTicks;
        Churn(books, now, 100);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Churn(books, now, 10_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Empty(_sink.Opportunities);
        Assert.All(_strategy.SnapshotSpreads(), s => Assert.Equal(ArbSetState.NoEdge, s.State));
    }

    [Fact]
    public void Best_asks_costing_a_dollar_or_more_in_whole_units_never_hide_a_set_the_decimal_sizing_would_trade()
    {
        // The strategy stops at "Kalshi ask units + Polymarket ask units ≥ 10,000" without pricing anything. Over random
        // ladders and both venues' fee terms (including a zero fixed cost and a negative minimum edge, the loosest
        // possible), the exact decimal path must agree that nothing can be traded and that the top has no edge.
        var random = new Random(20261121);
        var kalshiFees = new KalshiFeeModel();
        var polymarketFees = new PolymarketFeeModel();
        FeeParameters[] kalshiTerms = [KalshiFeeModel.Quadratic, KalshiFeeModel.QuadraticWithMakerFees, FeeParameters.None];
        FeeParameters[] polymarketTerms = [FeeParameters.None, PolymarketFeeModel.Parameters(0.02m, 1), PolymarketFeeModel.Parameters(0.25m, 2)];
        var checkedNoEdge = 0;
        for (var round = 0; round < 20_000; round++)
        {
            var kalshi = new ArbLegTerms(kalshiFees, kalshiTerms[random.Next(kalshiTerms.Length)], 1m);
            var polymarket = new ArbLegTerms(polymarketFees, polymarketTerms[random.Next(polymarketTerms.Length)], random.Next(2) == 0 ? 1m : 5m);
            var kAsks = Ladder(random);
            var pAsks = Ladder(random);
            var integerSaysNoEdge = kAsks[0].Price.Units + pAsks[0].Price.Units >= Price.Scale;
            var fixedCost = random.Next(3) * 0.005m;
            var minEdge = random.Next(3) - 1 + 0m;
            var sizing = ArbSetSizer.Size(kAsks, pAsks, kalshi, polymarket, fixedCost, minEdge * 0.01m, 10_000m);
            var top = ArbSetSizer.TopOfBook(kAsks[0], pAsks[0], kalshi, polymarket, fixedCost);
            // Exact, not merely conservative: the same answer as the decimal gross edge.
            Assert.Equal(top.GrossEdge <= 0m, integerSaysNoEdge);
            if (!integerSaysNoEdge) continue;
            checkedNoEdge++;
            Assert.False(sizing.Found, $"round {round}: {sizing.Describe()}");
            Assert.True(top.NetEdge <= top.GrossEdge, $"round {round}: fees raised the edge ({top})");
        }
        Assert.True(checkedNoEdge > 5_000, $"only {checkedNoEdge} books without an edge were checked");
    }

    [Fact]
    public void Spread_figures_worked_out_at_snapshot_time_are_those_of_the_last_asks_seen()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        NoEdgeBooks();
        var seenAt = _time.GetUtcNow();
        // Priced later: the figures belong to the asks and time of the last evaluation, not to the snapshot.
        _time.Advance(TimeSpan.FromSeconds(2));
        var kalshiTerms = ArbLegTerms.For(_kalshi, new KalshiFeeModel());
        var polymarketTerms = ArbLegTerms.For(_polymarket, new PolymarketFeeModel());

        var spreads = _strategy.SnapshotSpreads();

        var first = spreads.Single(s => s.SetIndex == 0);
        var expected = ArbSetSizer.TopOfBook(new BookLevel(P(0.40m), 10m), new BookLevel(P(0.70m), 10m), kalshiTerms, polymarketTerms, new RiskLimits().FixedCostPerSet);
        Assert.Equal(
            new ArbSetSpread(PairId, 0, _kalshi.Yes, _polymarket.No, ArbSetState.NoEdge, P(0.40m), P(0.70m), expected.AskSum, expected.GrossEdge, expected.NetEdge,
                expected.Size, seenAt.UtcTicks),
            first);
        // A book going stale keeps the last figures, now worked out, and only changes the state.
        Asks(_polymarket.Yes, (0.55m, 4m));
        _hub.TryGetBook(_kalshi.No)!.MarkStale(StaleReason.Disconnected);
        _strategy.OnBookUpdated(_hub.TryGetBook(_kalshi.No)!);
        var second = _strategy.SnapshotSpreads().Single(s => s.SetIndex == 1);
        var secondTop = ArbSetSizer.TopOfBook(new BookLevel(P(0.60m), 10m), new BookLevel(P(0.55m), 4m), kalshiTerms, polymarketTerms, new RiskLimits().FixedCostPerSet);
        Assert.Equal((ArbSetState.StaleBook, P(0.55m), secondTop.NetEdge, 4m), (second.State, second.PolymarketAsk, second.NetEdge, second.SizeAvailable));
    }

    [Fact]
    public void A_persisting_edge_found_again_after_a_change_outside_its_ladders_is_the_same_opportunity_until_the_limits_change()
    {
        _strategy.AddOrUpdatePair(Pair(PairMapping.YesYes));
        NoEdgeBooks();
        Asks(_polymarket.No, (0.50m, 15m), (0.53m, 30m));
        var first = Assert.Single(_sink.Opportunities);

        // A level far above what can be part of a set changes: the book's version moves, the answer must not.
        var kalshiYes = _hub.TryGetBook(_kalshi.Yes)!;
        kalshiYes.SetLevel(BookSide.Ask, P(0.90m), 3m, 0, _time.GetUtcNow().UtcTicks);
        _strategy.OnBookUpdated(kalshiYes);

        Assert.Equal(2, _sink.Opportunities.Count);
        Assert.Equal(first with { Id = 2, Legs = _sink.Opportunities[1].Legs }, _sink.Opportunities[1]);
        Assert.Equal(first.Legs.Select(l => (l.WorstPrice, l.AveragePrice, l.Fee, l.DepthWithinWorst)),
            _sink.Opportunities[1].Legs.Select(l => (l.WorstPrice, l.AveragePrice, l.Fee, l.DepthWithinWorst)));

        // New limits: the same ladders are sized again under them (a minimum edge this one cannot clear).
        _strategy.Limits = new RiskLimits { MinNetEdge = 0.2m };
        kalshiYes.SetLevel(BookSide.Ask, P(0.90m), 4m, 0, _time.GetUtcNow().UtcTicks);
        _strategy.OnBookUpdated(kalshiYes);
        Assert.Equal(2, _sink.Opportunities.Count);
    }

    private static BookLevel[] Ladder(Random random)
    {
        var levels = new BookLevel[1 + random.Next(4)];
        var units = 1 + random.Next(9_990);
        for (var i = 0; i < levels.Length && units < Price.Scale; i++)
        {
            levels[i] = new BookLevel(Price.FromUnits(units), random.Next(1, 500) + (random.Next(2) == 0 ? 0m : 0.5m));
            units += 1 + random.Next(300);
        }
        return [.. levels.Where(l => l.Size > 0m)];
    }

    private void Churn(OrderBook[] books, long now, int rounds)
    {
        for (var i = 0; i < rounds; i++)
        {
            var book = books[i % books.Length];
            // A size change deep in the book: the version moves, so every evaluation runs in full.
            book.SetLevel(BookSide.Ask, P(0.90m), 1 + (i & 1), 0, now);
            _strategy.OnBookUpdated(book);
        }
    }

    /// <summary>Books where neither set has an edge: Kalshi YES .40/.42/.45 vs Polymarket NO .70; Kalshi NO .60 vs Polymarket YES .50.</summary>
    private void NoEdgeBooks()
    {
        Asks(_kalshi.Yes, (0.40m, 10m), (0.42m, 10m), (0.45m, 20m));
        Asks(_kalshi.No, (0.60m, 10m));
        Asks(_polymarket.Yes, (0.50m, 10m));
        Asks(_polymarket.No, (0.70m, 10m));
    }

    private void Asks(InstrumentId instrument, params (decimal Price, decimal Size)[] levels) =>
        _hub.Apply(BookEvent.Snapshot(instrument, [], levels.Select(l => new BookLevel(P(l.Price), l.Size)).ToArray()));

    private MarketPair Pair(PairMapping mapping) => new(PairId, _kalshi.MarketKey, _polymarket.MarketKey, mapping, PairStatus.Approved, 95, [], [],
        _time.GetUtcNow(), _time.GetUtcNow(), "admin");

    internal static Market NewMarket(VenueId venue, string key, FeeParameters fees, decimal minOrderSize = 1m) => new(
        venue,
        key,
        EventKey: "E-" + key,
        Title: key,
        Rules: "",
        SettlementSource: "",
        CloseTime: new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
        TickSize.Cent,
        MinOrderSize: minOrderSize,
        OutcomeLabel: "Yes",
        fees);

    private static Price P(decimal price) => Price.FromDecimal(price);

    private sealed class RecordingSink : IOpportunitySink
    {
        public List<Opportunity> Opportunities { get; } = [];

        public void OnOpportunity(Opportunity opportunity) => Opportunities.Add(opportunity);
    }
}
