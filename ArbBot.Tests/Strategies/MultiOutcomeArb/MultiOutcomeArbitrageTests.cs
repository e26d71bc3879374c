using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.MultiOutcomeArb;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Strategies.MultiOutcomeArb;

public sealed class MultiOutcomeArbitrageTests
{
    private const string KalshiFed = "KXFED-26DEC";
    private const string KalshiNonExclusive = "KXCPI-26NOV";
    private const string PolymarketFed = "fed-decision-december";
    private const string PolymarketAugmented = "time-poty-2026";
    private const string PolymarketFeeFree = "mls-cup-2026-winner";

    private readonly ManualTimeProvider _time = new();
    private readonly InstrumentRegistry _registry = new();
    private readonly MarketDataHub _hub;
    private readonly RecordingSink _sink = new();
    private readonly MultiOutcomeArbitrage _strategy;
    private readonly Market[] _kalshiFed;
    private readonly Market[] _kalshiCpi;
    private readonly Market[] _polyFed;
    private readonly Market[] _polyPoty;
    private readonly Market[] _polyMls;

    public MultiOutcomeArbitrageTests()
    {
        _registry.AddEvent(new VenueEvent(VenueId.Kalshi, KalshiFed, "Fed decision in Dec 2026", "Economics", MutuallyExclusive: true, NegRisk: false, Augmented: false));
        _registry.AddEvent(new VenueEvent(VenueId.Kalshi, KalshiNonExclusive, "CPI in Nov 2026", "Economics", MutuallyExclusive: false, NegRisk: false, Augmented: false));
        _registry.AddEvent(new VenueEvent(VenueId.Polymarket, PolymarketFed, "Fed decision in December?", "Economy", MutuallyExclusive: true, NegRisk: true, Augmented: false));
        _registry.AddEvent(new VenueEvent(VenueId.Polymarket, PolymarketFeeFree, "MLS Cup 2026 Winner", "Sports", MutuallyExclusive: true, NegRisk: true, Augmented: false));
        _registry.AddEvent(new VenueEvent(VenueId.Polymarket, PolymarketAugmented, "Time 2026 Person of the Year", "Culture", MutuallyExclusive: true, NegRisk: true, Augmented: true));
        _kalshiFed = [.. new[] { "Cut", "Hold", "Hike" }.Select(o => AddMarket(VenueId.Kalshi, KalshiFed, o, KalshiFeeModel.Quadratic))];
        _kalshiCpi = [.. new[] { "T0.2", "T0.3" }.Select(o => AddMarket(VenueId.Kalshi, KalshiNonExclusive, o, KalshiFeeModel.Quadratic))];
        // The V2 crypto fee terms (rate 0.25, exponent 2), so Polymarket's fee rule is exercised too.
        _polyFed = [.. new[] { "Cut", "Hold", "Hike" }.Select(o => AddMarket(VenueId.Polymarket, PolymarketFed, o, PolymarketFeeModel.Parameters(0.25m, 2)))];
        _polyMls = [.. new[] { "Miami", "LAFC", "Columbus" }.Select(o => AddMarket(VenueId.Polymarket, PolymarketFeeFree, o, FeeParameters.None))];
        _polyPoty = [.. new[] { "Trump", "Huang", "Other" }.Select(o => AddMarket(VenueId.Polymarket, PolymarketAugmented, o, FeeParameters.None))];
        _hub = new MarketDataHub(_registry, _time);
        _strategy = new MultiOutcomeArbitrage(_hub, new KalshiFeeModel(), new PolymarketFeeModel(), new RiskLimits { MinNetEdge = 0.001m },
            new MultiOutcomeSettings { MinNetEdge = 0.005m, KalshiExhaustiveEvents = [KalshiFed] }, _sink);
    }

    [Fact]
    public void Only_exclusive_events_are_watched_and_augmented_or_unflagged_events_never()
    {
        var events = _strategy.OfferRegisteredEvents();

        Assert.Equal([KalshiFed, PolymarketFed, PolymarketFeeFree], events.Select(e => e.Event.EventKey));
        var all = _strategy.Events.ToDictionary(e => e.Event.EventKey);
        Assert.False(all[PolymarketAugmented].Eligible);
        Assert.Contains("augmented", all[PolymarketAugmented].Reason, StringComparison.Ordinal);
        Assert.False(all[KalshiNonExclusive].Eligible);
        Assert.Contains("not mutually exclusive", all[KalshiNonExclusive].Reason, StringComparison.Ordinal);
        Assert.True(all[KalshiFed].YesSets && all[KalshiFed].NoSets);
    }

    [Fact]
    public void A_yes_set_below_a_dollar_after_kalshi_fees_is_found_at_the_thinnest_size()
    {
        _strategy.OfferRegisteredEvents();

        // YES asks .20 + .45 + .30 = .95, 100 contracts each before a level too dear to use.
        // Kalshi taker fee per fill = ceil-to-cent(0.07 × C × p(1−p)); at 100 contracts:
        //   .20: 0.07 × 100 × .16   = 1.12   → 1.12
        //   .45: 0.07 × 100 × .2475 = 1.7325 → 1.74
        //   .30: 0.07 × 100 × .21   = 1.47   → 1.47      total 4.33
        // profit = 100 × $1 − 95 − 4.33 = 0.67, i.e. 0.0067 per set (the 100th set adds 0.01 > 0.005).
        YesAsks(_kalshiFed, (0.20m, 100m), (0.45m, 100m), (0.30m, 100m));

        var opportunity = Assert.Single(_sink.Opportunities);
        Assert.Equal((MultiOutcomeArbitrage.StrategyName, (long?)null, "Kalshi:" + KalshiFed, 1m), (opportunity.Strategy, opportunity.PairId, opportunity.EventKey, opportunity.PayoutPerSet));
        Assert.Equal((100m, 0.05m, 4.33m, 0.0067m, 0.67m), (opportunity.Quantity, opportunity.GrossEdgePerSet, opportunity.TotalCosts, opportunity.NetEdgePerSet, opportunity.ExpectedProfit));
        Assert.Equal(_kalshiFed.Select(m => m.Yes), opportunity.Legs.Select(l => l.Instrument));
        Assert.Equal([1.12m, 1.74m, 1.47m], opportunity.Legs.Select(l => l.Fee));
        Assert.Equal([P(0.20m), P(0.45m), P(0.30m)], opportunity.Legs.Select(l => l.WorstPrice));
        Assert.All(opportunity.Legs, l => Assert.Equal((Side.Buy, VenueId.Kalshi), (l.Side, l.Venue)));
        Assert.Contains("YES set of Kalshi event \"Fed decision in Dec 2026\"", opportunity.Reason, StringComparison.Ordinal);
        Assert.Contains("Cut ≤ 0.2, Hold ≤ 0.45, Hike ≤ 0.3", opportunity.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0067, true)]
    [InlineData(0.0068, false)]
    public void The_yes_set_trades_at_the_minimum_edge_and_not_a_hair_above(decimal minimumEdge, bool found)
    {
        // The marginal set earns 1 − .95 − (.0112 + .017325 + .0147) = .006775 before rounding; after rounding .0067.
        _strategy.Settings = _strategy.Settings with { MinNetEdge = minimumEdge };
        _strategy.OfferRegisteredEvents();

        YesAsks(_kalshiFed, (0.20m, 100m), (0.45m, 100m), (0.30m, 100m));

        Assert.Equal(found, _sink.Opportunities.Count == 1);
    }

    [Fact]
    public void A_no_set_below_n_minus_one_after_polymarket_fees_is_found()
    {
        _strategy.Settings = _strategy.Settings with { MinNetEdge = 0.01m };
        _strategy.OfferRegisteredEvents();

        // NO asks .80 + .55 + .60 = 1.95 for a set paying 2 (three outcomes, at most one YES), 50 shares each.
        // Polymarket V2 taker fee = C × 0.25 × (p(1−p))², floored to $0.00001; at 50 shares:
        //   .80: 50 × .25 × .16²   = 0.32
        //   .55: 50 × .25 × .2475² = 0.765703125 → 0.76570
        //   .60: 50 × .25 × .24²   = 0.72                     total 1.80570
        // profit = 50 × 2 − 97.5 − 1.8057 = 0.6943, i.e. 0.013886 per set.
        NoAsks(_polyFed, (0.80m, 50m), (0.55m, 50m), (0.60m, 50m));

        var opportunity = Assert.Single(_sink.Opportunities);
        Assert.Equal(("Polymarket:" + PolymarketFed, 2m, 50m), (opportunity.EventKey, opportunity.PayoutPerSet, opportunity.Quantity));
        Assert.Equal((0.05m, 1.8057m, 0.013886m, 0.6943m), (opportunity.GrossEdgePerSet, opportunity.TotalCosts, opportunity.NetEdgePerSet, opportunity.ExpectedProfit));
        Assert.Equal(_polyFed.Select(m => m.No), opportunity.Legs.Select(l => l.Instrument));
        Assert.Contains("NO set of Polymarket event", opportunity.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_no_set_a_hair_short_of_the_minimum_edge_is_not_traded()
    {
        // The same books: the marginal set earns 2 − 1.95 − (.0064 + .0153140625 + .0144) = .0138859375 < .0139.
        _strategy.Settings = _strategy.Settings with { MinNetEdge = 0.0139m };
        _strategy.OfferRegisteredEvents();

        NoAsks(_polyFed, (0.80m, 50m), (0.55m, 50m), (0.60m, 50m));

        Assert.Empty(_sink.Opportunities);
    }

    [Fact]
    public void The_risk_limits_minimum_edge_is_a_floor_under_the_strategy_setting()
    {
        _strategy.Limits = _strategy.Limits with { MinNetEdge = 0.01m };
        _strategy.OfferRegisteredEvents();

        YesAsks(_kalshiFed, (0.20m, 100m), (0.45m, 100m), (0.30m, 100m));

        Assert.Empty(_sink.Opportunities);
    }

    [Fact]
    public void An_augmented_event_is_never_traded_however_cheap_its_outcomes()
    {
        _strategy.OfferRegisteredEvents();

        // Trump + Huang + "Other" at .60 would be a 40-cent "edge": false, since names can still be added.
        YesAsks(_polyPoty, (0.20m, 1000m), (0.20m, 1000m), (0.20m, 1000m));

        Assert.Empty(_sink.Opportunities);
    }

    [Fact]
    public void A_non_exclusive_kalshi_event_is_never_traded()
    {
        _strategy.OfferRegisteredEvents();

        YesAsks(_kalshiCpi, (0.30m, 1000m), (0.30m, 1000m));
        NoAsks(_kalshiCpi, (0.30m, 1000m), (0.30m, 1000m));

        Assert.Empty(_sink.Opportunities);
    }

    [Fact]
    public void A_kalshi_event_not_checked_as_exhaustive_trades_no_sets_only()
    {
        _strategy.Settings = _strategy.Settings with { KalshiExhaustiveEvents = [] };
        _strategy.OfferRegisteredEvents();

        YesAsks(_kalshiFed, (0.20m, 100m), (0.40m, 100m), (0.30m, 100m));
        Assert.Empty(_sink.Opportunities);

        // NO .75 + .55 + .60 = 1.90 for 2: still certain, since at most one outcome is YES.
        NoAsks(_kalshiFed, (0.75m, 10m), (0.55m, 10m), (0.60m, 10m));
        var opportunity = Assert.Single(_sink.Opportunities);
        Assert.Equal((2m, 10m), (opportunity.PayoutPerSet, opportunity.Quantity));
    }

    [Fact]
    public void Size_follows_the_thinnest_book_on_the_venue_quantity_step()
    {
        _strategy.OfferRegisteredEvents();

        // Fee-free YES .30 × 3 = .90: LAFC's 12.345 shares are the thinnest; Polymarket trades hundredths.
        YesAsks(_polyMls, (0.30m, 1000m), (0.30m, 12.345m), (0.30m, 500m));

        var opportunity = Assert.Single(_sink.Opportunities);
        Assert.Equal(12.34m, opportunity.Quantity);

        // On Kalshi (whole contracts) 12.5 contracts make 12 sets.
        _sink.Opportunities.Clear();
        _time.Advance(TimeSpan.FromSeconds(1));
        YesAsks(_kalshiFed, (0.10m, 12.5m), (0.10m, 40m), (0.10m, 40m));
        Assert.Equal(12m, Assert.Single(_sink.Opportunities).Quantity);
    }

    [Fact]
    public void A_thinnest_book_below_the_minimum_order_gives_no_opportunity()
    {
        _strategy.OfferRegisteredEvents();

        // Polymarket's minimum order is 5 shares; only 4.99 sets are offered.
        YesAsks(_polyMls, (0.30m, 1000m), (0.30m, 4.99m), (0.30m, 500m));

        Assert.Empty(_sink.Opportunities);
    }

    [Fact]
    public void The_maximum_trade_size_caps_the_sets()
    {
        _strategy.Limits = _strategy.Limits with { MaxTradeSize = 9m };
        _strategy.OfferRegisteredEvents();

        // $9 at .90 a set: 10 sets.
        YesAsks(_polyMls, (0.30m, 1000m), (0.30m, 1000m), (0.30m, 1000m));

        Assert.Equal(10m, Assert.Single(_sink.Opportunities).Quantity);
    }

    [Fact]
    public void A_missing_book_blocks_the_set_until_it_arrives()
    {
        _strategy.OfferRegisteredEvents();

        Asks(_kalshiFed[0].Yes, (0.20m, 100m));
        Asks(_kalshiFed[1].Yes, (0.45m, 100m));
        Assert.Empty(_sink.Opportunities);

        Asks(_kalshiFed[2].Yes, (0.30m, 100m));
        Assert.Single(_sink.Opportunities);
    }

    [Fact]
    public void A_stale_or_old_book_blocks_the_set()
    {
        _strategy.OfferRegisteredEvents();
        YesAsks(_kalshiFed, (0.20m, 100m), (0.45m, 50m), (0.30m, 100m));
        _sink.Opportunities.Clear();

        // The Hike book is marked stale (a sequence gap): a change elsewhere finds nothing to trade.
        Apply(BookEvent.Stale(_kalshiFed[2].Yes, StaleReason.SequenceGap));
        Asks(_kalshiFed[1].Yes, (0.45m, 100m));
        Assert.Empty(_sink.Opportunities);

        // Fresh again, then too old: the other books' last updates are older than the maximum book age.
        Asks(_kalshiFed[2].Yes, (0.30m, 100m));
        Assert.Single(_sink.Opportunities);
        _sink.Opportunities.Clear();
        _time.Advance(_strategy.Limits.MaxBookAge + TimeSpan.FromMilliseconds(1));
        Asks(_kalshiFed[1].Yes, (0.44m, 100m));
        Assert.Empty(_sink.Opportunities);
    }

    [Fact]
    public void Switched_off_nothing_is_found()
    {
        _strategy.Settings = _strategy.Settings with { Enabled = false };
        _strategy.OfferRegisteredEvents();

        YesAsks(_kalshiFed, (0.20m, 100m), (0.45m, 100m), (0.30m, 100m));

        Assert.Empty(_sink.Opportunities);
    }

    [Fact]
    public void A_burst_of_updates_is_priced_once_at_its_end()
    {
        _strategy.OfferRegisteredEvents();
        YesAsks(_kalshiFed, (0.30m, 100m), (0.40m, 100m), (0.40m, 100m));

        // News moves probability from Hold to Cut; the venue publishes Hold first. Half-way the asks sum to .90 with
        // nothing to trade; at the end of the burst they sum to 1.10.
        _hub.TryPost(BookEvent.Snapshot(_kalshiFed[1].Yes, [], [new BookLevel(P(0.20m), 100m)]));
        _hub.TryPost(BookEvent.Snapshot(_kalshiFed[0].Yes, [], [new BookLevel(P(0.50m), 100m)]));
        _hub.DrainPending();

        Assert.Empty(_sink.Opportunities);
    }

    [Fact]
    public void A_persisting_edge_is_offered_again_as_sized_and_re_sized_when_any_ladder_or_the_limits_change()
    {
        _strategy.OfferRegisteredEvents();
        YesAsks(_kalshiFed, (0.10m, 100m), (0.45m, 100m), (0.30m, 100m));
        var first = Assert.Single(_sink.Opportunities);

        // A bid change leaves the ladders alone: the same edge, sized the same.
        Apply(BookEvent.SetLevel(_kalshiFed[1].Yes, BookSide.Bid, P(0.40m), 10m));
        Assert.Equal(2, _sink.Opportunities.Count);
        Assert.Equal((first.Quantity, first.NetEdgePerSet, first.Reason), (_sink.Opportunities[1].Quantity, _sink.Opportunities[1].NetEdgePerSet, _sink.Opportunities[1].Reason));

        // The thinnest outcome's best level shrinks: fewer sets.
        Apply(BookEvent.SetLevel(_kalshiFed[0].Yes, BookSide.Ask, P(0.10m), 60m));
        Assert.Equal(60m, _sink.Opportunities[^1].Quantity);

        // A level deeper in a ladder, still cheap enough to be part of a set, changes the sizing too.
        Apply(BookEvent.SetLevel(_kalshiFed[0].Yes, BookSide.Ask, P(0.12m), 40m));
        Assert.Equal(100m, _sink.Opportunities[^1].Quantity);
        Assert.Contains("Cut ≤ 0.12", _sink.Opportunities[^1].Reason, StringComparison.Ordinal);

        // New limits (a new object, even with the book unchanged): sized under them ($17 buys 20 sets at .85).
        _strategy.Limits = _strategy.Limits with { MaxTradeSize = 17m };
        Apply(BookEvent.SetLevel(_kalshiFed[1].Yes, BookSide.Bid, P(0.41m), 10m));
        Assert.Equal(20m, _sink.Opportunities[^1].Quantity);

        // A NO-set change in between does not disturb the YES set's remembered sizing and fills.
        NoAsks(_kalshiFed, (0.70m, 5m), (0.55m, 5m), (0.60m, 5m));
        var no = _sink.Opportunities[^1];
        Assert.Equal(_kalshiFed.Select(m => m.No), no.Legs.Select(l => l.Instrument));
        Apply(BookEvent.SetLevel(_kalshiFed[2].Yes, BookSide.Bid, P(0.25m), 10m));
        var yes = _sink.Opportunities[^1];
        Assert.Equal(_kalshiFed.Select(m => m.Yes), yes.Legs.Select(l => l.Instrument));
        Assert.Equal(20m, yes.Quantity);
        Assert.Equal([P(0.10m), P(0.45m), P(0.30m)], yes.Legs.Select(l => l.WorstPrice));
    }

    [Fact]
    public void A_set_with_no_gross_edge_is_priced_again_once_a_best_ask_moves()
    {
        _strategy.OfferRegisteredEvents();
        YesAsks(_kalshiFed, (0.40m, 100m), (0.45m, 100m), (0.30m, 100m));
        Assert.Empty(_sink.Opportunities);

        // Changes that leave every best ask where it was (bids, a deeper ask) find nothing, as before.
        Apply(BookEvent.SetLevel(_kalshiFed[0].Yes, BookSide.Bid, P(0.35m), 10m));
        Apply(BookEvent.SetLevel(_kalshiFed[0].Yes, BookSide.Ask, P(0.50m), 10m));
        Assert.Empty(_sink.Opportunities);

        // The best ask moves: the set is priced again and the edge found.
        Apply(BookEvent.SetLevel(_kalshiFed[0].Yes, BookSide.Ask, P(0.20m), 100m));
        Assert.Single(_sink.Opportunities);
    }

    [Fact]
    public void Settings_outside_their_ranges_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => _strategy.Settings = new MultiOutcomeSettings { MinNetEdge = 0m });
        Assert.Contains("MinNetEdge must be between 0.001 and 0.5", error.Message, StringComparison.Ordinal);
    }

    private Market AddMarket(VenueId venue, string eventKey, string outcome, FeeParameters fees)
    {
        var key = $"{eventKey}-{outcome}";
        var market = new Market(venue, key, eventKey, $"{outcome}?", "", "", new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), TickSize.Cent,
            venue == VenueId.Polymarket ? 5m : 1m, outcome, fees, QuantityStep: venue == VenueId.Polymarket ? 0.01m : 1m);
        return _registry.AddMarket(market, key + ":yes", key + ":no");
    }

    private void YesAsks(Market[] markets, params (decimal Price, decimal Size)[] best) => SetAsks(markets.Select(m => m.Yes).ToArray(), best);

    private void NoAsks(Market[] markets, params (decimal Price, decimal Size)[] best) => SetAsks(markets.Select(m => m.No).ToArray(), best);

    /// <summary>Each instrument gets its best level and a $0.99 level behind it (too dear for any set), applied as one burst.</summary>
    private void SetAsks(InstrumentId[] instruments, (decimal Price, decimal Size)[] best)
    {
        for (var i = 0; i < instruments.Length; i++)
        {
            _hub.TryPost(BookEvent.Snapshot(instruments[i], [], [new BookLevel(P(best[i].Price), best[i].Size), new BookLevel(P(0.99m), 1000m)]));
        }
        _hub.DrainPending();
    }

    private void Asks(InstrumentId instrument, params (decimal Price, decimal Size)[] levels) =>
        Apply(BookEvent.Snapshot(instrument, [], [.. levels.Select(l => new BookLevel(P(l.Price), l.Size))]));

    private void Apply(BookEvent e)
    {
        _hub.TryPost(e);
        _hub.DrainPending();
    }

    private static Price P(decimal price) => Price.FromDecimal(price);

    private sealed class RecordingSink : IOpportunitySink
    {
        public List<Opportunity> Opportunities { get; } = [];

        public void OnOpportunity(Opportunity opportunity) => Opportunities.Add(opportunity);
    }
}
