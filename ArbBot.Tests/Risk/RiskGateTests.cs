using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Risk;

public sealed class RiskGateTests
{
    private const long PairId = 7;

    private readonly ManualTimeProvider _time = new();
    private readonly FakeRiskContext _context = new();
    private readonly RecordingJournal _journal = new();
    private readonly InstrumentRegistry _registry = new();
    private readonly RiskLimits _limits = new();
    private readonly RiskGate _gate;
    private readonly InstrumentId _kalshiYes;
    private readonly InstrumentId _polymarketNo;

    public RiskGateTests()
    {
        _kalshiYes = _registry.AddMarket(NewMarket(VenueId.Kalshi, "KX", 1m), "KX:yes", "KX:no").Yes;
        // Polymarket's minimum order of 5 contracts bounds how far a resize may go.
        _polymarketNo = _registry.AddMarket(NewMarket(VenueId.Polymarket, "0xpm", 5m), "tok-yes", "tok-no").No;
        _gate = new RiskGate(_time, _journal, _registry);
    }

    [Fact]
    public void A_healthy_opportunity_is_accepted_in_full_without_a_risk_event()
    {
        var decision = _gate.Check(Opportunity(), _limits, _context);

        Assert.Equal(RiskDecision.Accept(100m), decision);
        Assert.Empty(_journal.RiskEvents);
    }

    [Fact]
    public void Kill_switch_rejects_before_every_other_rule()
    {
        _context.KillSwitchEngaged = true;
        _context.TradingPaused = true;
        _context.PausedPairs.Add(PairId);

        AssertRejected(RiskRule.KillSwitch, _gate.Check(Opportunity(netEdge: 0m), _limits, _context));
    }

    [Fact]
    public void Global_pause_rejects()
    {
        _context.TradingPaused = true;

        AssertRejected(RiskRule.GlobalPause, _gate.Check(Opportunity(), _limits, _context));
    }

    [Fact]
    public void A_paused_pair_is_rejected()
    {
        _context.PausedPairs.Add(PairId);

        AssertRejected(RiskRule.PairPaused, _gate.Check(Opportunity(), _limits, _context));
    }

    [Fact]
    public void An_order_in_flight_on_the_pair_rejects()
    {
        _context.PairsInFlight.Add(PairId);

        AssertRejected(RiskRule.OrderInFlight, _gate.Check(Opportunity(), _limits, _context));
    }

    [Fact]
    public void A_pair_inside_its_cooldown_is_rejected_and_accepted_once_it_has_passed()
    {
        _context.LastTrades[PairId] = _time.GetUtcNow();
        _time.Advance(_limits.PairCooldown - TimeSpan.FromMilliseconds(1));
        AssertRejected(RiskRule.PairCooldown, _gate.Check(Opportunity(), _limits, _context));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(RiskVerdict.Accept, _gate.Check(Opportunity(), _limits, _context).Verdict);
    }

    [Fact]
    public void A_multi_outcome_set_is_kept_apart_per_event_by_order_in_flight_and_cooldown()
    {
        const string Fed = "Polymarket:fed-decision";
        var set = Opportunity() with { PairId = null, EventKey = Fed };
        // Another event's order in flight and a paused pair do not hold this event up.
        _context.EventsInFlight.Add("Polymarket:mls-cup");
        _context.PausedPairs.Add(PairId);
        Assert.Equal(RiskVerdict.Accept, _gate.Check(set, _limits, _context).Verdict);

        _context.EventsInFlight.Add(Fed);
        AssertRejected(RiskRule.OrderInFlight, _gate.Check(set, _limits, _context));
        Assert.Equal(Fed, _journal.RiskEvents[^1].EventKey);

        _context.EventsInFlight.Remove(Fed);
        _context.EventLastTrades[Fed] = _time.GetUtcNow();
        _time.Advance(_limits.PairCooldown - TimeSpan.FromMilliseconds(1));
        AssertRejected(RiskRule.PairCooldown, _gate.Check(set, _limits, _context));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(RiskVerdict.Accept, _gate.Check(set, _limits, _context).Verdict);
    }

    [Fact]
    public void Circuit_breaker_trips_at_the_failure_count_within_its_window()
    {
        _context.Failures.Add(_time.GetUtcNow() - _limits.CircuitBreakerWindow - TimeSpan.FromSeconds(1));
        _context.Failures.Add(_time.GetUtcNow() - TimeSpan.FromMinutes(1));
        _context.Failures.Add(_time.GetUtcNow());
        // Two of three failures are inside the window: one short.
        Assert.Equal(RiskVerdict.Accept, _gate.Check(Opportunity(), _limits, _context).Verdict);

        _context.Failures.Add(_time.GetUtcNow());
        AssertRejected(RiskRule.CircuitBreaker, _gate.Check(Opportunity(), _limits, _context));
    }

    [Fact]
    public void A_leg_book_older_than_the_maximum_age_is_stale_data()
    {
        var opportunity = Opportunity(polymarketBookAge: _limits.MaxBookAge + TimeSpan.FromMilliseconds(1));

        AssertRejected(RiskRule.StaleData, _gate.Check(opportunity, _limits, _context));
    }

    [Fact]
    public void Time_since_detection_counts_toward_book_age()
    {
        var opportunity = Opportunity(polymarketBookAge: _limits.MaxBookAge - TimeSpan.FromMilliseconds(10));
        _time.Advance(TimeSpan.FromMilliseconds(20));

        AssertRejected(RiskRule.StaleData, _gate.Check(opportunity, _limits, _context));
    }

    [Fact]
    public void Daily_loss_at_the_limit_rejects()
    {
        _context.DailyPnl = -_limits.DailyLossLimit + 0.01m;
        Assert.Equal(RiskVerdict.Accept, _gate.Check(Opportunity(), _limits, _context).Verdict);

        _context.DailyPnl = -_limits.DailyLossLimit;
        AssertRejected(RiskRule.DailyLossLimit, _gate.Check(Opportunity(), _limits, _context));
    }

    [Fact]
    public void Drawdown_at_the_limit_rejects()
    {
        _context.Drawdown = _limits.MaxDrawdown - 0.01m;
        Assert.Equal(RiskVerdict.Accept, _gate.Check(Opportunity(), _limits, _context).Verdict);

        _context.Drawdown = _limits.MaxDrawdown;
        AssertRejected(RiskRule.MaxDrawdown, _gate.Check(Opportunity(), _limits, _context));
    }

    [Fact]
    public void Net_edge_below_the_minimum_rejects()
    {
        AssertRejected(RiskRule.MinNetEdge, _gate.Check(Opportunity(netEdge: _limits.MinNetEdge - 0.0001m), _limits, _context));
        Assert.Equal(RiskVerdict.Accept, _gate.Check(Opportunity(netEdge: _limits.MinNetEdge), _limits, _context).Verdict);
    }

    [Fact]
    public void A_new_market_beyond_the_open_position_limit_rejects_but_markets_already_held_do_not()
    {
        var limits = _limits with { MaxOpenPositions = 3 };
        _context.OpenPositionCount = 2;
        _context.MarketsHeld.Add(_kalshiYes);
        Assert.Equal(RiskVerdict.Accept, _gate.Check(Opportunity(), limits, _context).Verdict);

        _context.MarketsHeld.Clear();
        // Two new markets on top of two open positions would make four.
        AssertRejected(RiskRule.MaxOpenPositions, _gate.Check(Opportunity(), limits, _context));

        _context.OpenPositionCount = 3;
        _context.MarketsHeld.Add(_kalshiYes);
        _context.MarketsHeld.Add(_polymarketNo);
        Assert.Equal(RiskVerdict.Accept, _gate.Check(Opportunity(), limits, _context).Verdict);
    }

    [Fact]
    public void Max_trade_size_resizes_to_the_whole_sets_that_fit_at_limit_prices()
    {
        // Limits .42 + .53 = .95 per set: $47.60 fits 50.1 sets.
        var decision = _gate.Check(Opportunity(), _limits with { MaxTradeSize = 47.60m }, _context);

        Assert.Equal((RiskVerdict.Resize, RiskRule.MaxTradeSize, 50m), (decision.Verdict, decision.Rule, decision.Quantity));
        var riskEvent = Assert.Single(_journal.RiskEvents);
        Assert.Equal((RiskRule.MaxTradeSize, RiskVerdict.Resize, 1L, (long?)PairId, _time.GetUtcNow()),
            (riskEvent.Rule, riskEvent.Verdict, riskEvent.OpportunityId, riskEvent.PairId, riskEvent.At));
    }

    [Fact]
    public void Total_exposure_resizes_to_the_sets_that_fit_beside_what_is_already_held()
    {
        // $9,952.50 already held under a $10,000 limit leaves $47.50: 50 sets at .95 at limit prices.
        _context.TotalExposure = 9_952.50m;
        var decision = _gate.Check(Opportunity(), _limits with { MaxTotalExposure = 10_000m }, _context);

        Assert.Equal((RiskVerdict.Resize, RiskRule.MaxTotalExposure, 50m), (decision.Verdict, decision.Rule, decision.Quantity));
        Assert.Contains("total exposure limit 10000.00", decision.Detail, StringComparison.Ordinal);

        _context.TotalExposure = 10_000m;
        AssertRejected(RiskRule.MaxTotalExposure, _gate.Check(Opportunity(), _limits with { MaxTotalExposure = 10_000m }, _context));
    }

    [Fact]
    public void Max_trade_size_rejects_when_fewer_sets_than_the_market_minimum_fit()
    {
        // 4.75 / .95 = 5 sets fit (Polymarket's minimum); 4.74 fits 4.99.
        Assert.Equal(5m, _gate.Check(Opportunity(), _limits with { MaxTradeSize = 4.75m }, _context).Quantity);

        AssertRejected(RiskRule.MaxTradeSize, _gate.Check(Opportunity(), _limits with { MaxTradeSize = 4.74m }, _context));
    }

    [Fact]
    public void Max_position_per_market_resizes_to_the_room_left_in_the_market()
    {
        // 2,000 − 1,979 = 21 of room at .42 per Kalshi contract: 50 sets.
        _context.PositionCosts[_kalshiYes] = 1_979m;

        var decision = _gate.Check(Opportunity(), _limits, _context);

        Assert.Equal((RiskVerdict.Resize, RiskRule.MaxPositionPerMarket, 50m), (decision.Verdict, decision.Rule, decision.Quantity));
        Assert.Single(_journal.RiskEvents);
    }

    [Fact]
    public void Max_position_per_market_rejects_a_market_already_full()
    {
        _context.PositionCosts[_polymarketNo] = 1_999.9m;

        AssertRejected(RiskRule.MaxPositionPerMarket, _gate.Check(Opportunity(), _limits, _context));
    }

    [Fact]
    public void Venue_balance_resizes_to_what_the_balance_pays_for_including_fees()
    {
        // Kalshi leg: .42 limit + .0035 fee per set (.35 over 100) = .4235 per set; 21.175 pays for 50.
        _context.Balances[VenueId.Kalshi] = 21.175m;

        var decision = _gate.Check(Opportunity(), _limits, _context);

        Assert.Equal((RiskVerdict.Resize, RiskRule.VenueBalance, 50m), (decision.Verdict, decision.Rule, decision.Quantity));
    }

    [Fact]
    public void Venue_balance_rejects_when_it_cannot_pay_for_the_minimum_order()
    {
        _context.Balances[VenueId.Polymarket] = 2m;

        AssertRejected(RiskRule.VenueBalance, _gate.Check(Opportunity(), _limits, _context));
    }

    [Fact]
    public void Several_sizing_rules_each_report_their_resize_and_the_smallest_size_wins()
    {
        _context.Balances[VenueId.Kalshi] = 21.175m;

        var decision = _gate.Check(Opportunity(), _limits with { MaxTradeSize = 76m }, _context);

        // Trade size allows 80, the Kalshi balance 50.
        Assert.Equal((RiskVerdict.Resize, RiskRule.VenueBalance, 50m), (decision.Verdict, decision.Rule, decision.Quantity));
        Assert.Equal([RiskRule.MaxTradeSize, RiskRule.VenueBalance], _journal.RiskEvents.Select(e => e.Rule));
    }

    [Fact]
    public void Hard_stops_are_checked_before_sizing()
    {
        _context.Balances[VenueId.Kalshi] = 0m;
        _context.TradingPaused = true;

        AssertRejected(RiskRule.GlobalPause, _gate.Check(Opportunity(), _limits, _context));
    }

    private void AssertRejected(RiskRule rule, RiskDecision decision)
    {
        Assert.Equal((RiskVerdict.Reject, rule, 0m), (decision.Verdict, decision.Rule, decision.Quantity));
        Assert.False(string.IsNullOrWhiteSpace(decision.Detail));
        var riskEvent = _journal.RiskEvents[^1];
        Assert.Equal((rule, RiskVerdict.Reject, decision.Detail), (riskEvent.Rule, riskEvent.Verdict, riskEvent.Detail));
    }

    /// <summary>100 sets: Kalshi YES up to .42 (fee .35), Polymarket NO up to .53 (no fee).</summary>
    [Fact]
    public void The_rule_rejecting_every_opportunity_of_a_pair_is_the_one_the_full_check_rejects_with_and_journals_nothing()
    {
        // Each state the desk can be in that rejects whatever the opportunity; the last leaves only rules that depend on it.
        Action[] states =
        [
            () => _context.DailyPnl = -_limits.DailyLossLimit + 1m,
            () => _context.Drawdown = _limits.MaxDrawdown,
            () => _context.DailyPnl = -_limits.DailyLossLimit,
            () => { for (var i = 0; i < _limits.CircuitBreakerFailures; i++) _context.Failures.Add(_time.GetUtcNow()); },
            () => _context.LastTrades[PairId] = _time.GetUtcNow(),
            () => _context.PairsInFlight.Add(PairId),
            () => _context.PausedPairs.Add(PairId),
            () => _context.TradingPaused = true,
            () => _context.KillSwitchEngaged = true,
        ];
        var seen = new List<RiskRule>();
        foreach (var apply in states)
        {
            apply();
            var before = _journal.RiskEvents.Count;
            var rule = _gate.RejectsEveryOpportunityOf(PairId, null, _limits, _context);
            Assert.Equal(before, _journal.RiskEvents.Count);
            var full = _gate.Check(Opportunity(), _limits, _context);
            Assert.Equal(full.Verdict == RiskVerdict.Reject ? full.Rule : RiskRule.None, rule);
            seen.Add(rule);
        }
        Assert.Equal(
            [RiskRule.None, RiskRule.MaxDrawdown, RiskRule.DailyLossLimit, RiskRule.CircuitBreaker, RiskRule.PairCooldown, RiskRule.OrderInFlight,
                RiskRule.PairPaused, RiskRule.GlobalPause, RiskRule.KillSwitch],
            seen);
        // Rules that depend on the opportunity are left to the full check.
        var fresh = new FakeRiskContext();
        Assert.Equal(RiskRule.None, _gate.RejectsEveryOpportunityOf(PairId, null, _limits, fresh));
        Assert.Equal(RiskRule.MinNetEdge, _gate.Check(Opportunity(netEdge: 0m), _limits, fresh).Rule);
    }

    [Fact]
    public void An_event_in_flight_or_cooling_down_rejects_every_opportunity_of_that_event_only()
    {
        _context.EventsInFlight.Add("Kalshi:E1");
        _context.EventLastTrades["Kalshi:E2"] = _time.GetUtcNow();

        Assert.Equal(RiskRule.OrderInFlight, _gate.RejectsEveryOpportunityOf(null, "Kalshi:E1", _limits, _context));
        Assert.Equal(RiskRule.PairCooldown, _gate.RejectsEveryOpportunityOf(null, "Kalshi:E2", _limits, _context));
        Assert.Equal(RiskRule.None, _gate.RejectsEveryOpportunityOf(null, "Kalshi:E3", _limits, _context));
        _time.Advance(_limits.PairCooldown);
        Assert.Equal(RiskRule.None, _gate.RejectsEveryOpportunityOf(null, "Kalshi:E2", _limits, _context));
    }

    private Opportunity Opportunity(decimal netEdge = 0.065m, TimeSpan? polymarketBookAge = null) => new(
        1,
        "cross-venue",
        PairId,
        _time.GetUtcNow(),
        [
            new OpportunityLeg(_kalshiYes, VenueId.Kalshi, Side.Buy, Price.FromDecimal(0.42m), 0.41m, 0.35m, Price.FromDecimal(0.40m), 120m, 3, TimeSpan.FromMilliseconds(100)),
            new OpportunityLeg(_polymarketNo, VenueId.Polymarket, Side.Buy, Price.FromDecimal(0.53m), 0.5075m, 0m, Price.FromDecimal(0.50m), 145m, 9, polymarketBookAge ?? TimeSpan.FromMilliseconds(50)),
        ],
        100m,
        0.0825m,
        0.35m,
        netEdge,
        netEdge * 100m,
        OpportunityDecision.Detected,
        "test");

    private static Market NewMarket(VenueId venue, string key, decimal minOrderSize) => new(
        venue, key, "E", key, "", "", new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), TickSize.Cent, minOrderSize, "Yes", FeeParameters.None);

    private sealed class FakeRiskContext : IRiskContext
    {
        public bool TradingPaused { get; set; }
        public bool KillSwitchEngaged { get; set; }
        public HashSet<long> PausedPairs { get; } = [];
        public HashSet<long> PairsInFlight { get; } = [];
        public Dictionary<long, DateTimeOffset> LastTrades { get; } = [];
        public HashSet<string> EventsInFlight { get; } = [];
        public Dictionary<string, DateTimeOffset> EventLastTrades { get; } = [];
        public Dictionary<InstrumentId, decimal> PositionCosts { get; } = [];
        public HashSet<InstrumentId> MarketsHeld { get; } = [];
        public int OpenPositionCount { get; set; }
        public decimal TotalExposure { get; set; }
        public decimal DailyPnl { get; set; }
        public decimal Drawdown { get; set; }
        public List<DateTimeOffset> Failures { get; } = [];
        public Dictionary<VenueId, decimal> Balances { get; } = new() { [VenueId.Kalshi] = 10_000m, [VenueId.Polymarket] = 10_000m };

        public bool IsPairPaused(long pairId) => PausedPairs.Contains(pairId);
        public bool HasOrderInFlight(long pairId) => PairsInFlight.Contains(pairId);
        public DateTimeOffset? LastTradeAt(long pairId) => LastTrades.TryGetValue(pairId, out var at) ? at : null;
        public bool HasOrderInFlight(string eventKey) => EventsInFlight.Contains(eventKey);
        public DateTimeOffset? LastTradeAt(string eventKey) => EventLastTrades.TryGetValue(eventKey, out var at) ? at : null;
        public decimal PositionCostInMarket(InstrumentId instrument) => PositionCosts.GetValueOrDefault(instrument);
        public bool HasPositionInMarket(InstrumentId instrument) => MarketsHeld.Contains(instrument);
        public int FailedExecutionsSince(DateTimeOffset since) => Failures.Count(f => f >= since);
        public decimal AvailableBalance(VenueId venue) => Balances[venue];
    }

    private sealed class RecordingJournal : IEngineJournal
    {
        public List<RiskEvent> RiskEvents { get; } = [];

        public void OnRiskEvent(RiskEvent riskEvent) => RiskEvents.Add(riskEvent);
        public void OnOpportunity(Opportunity opportunity) => throw new NotSupportedException("The gate reports only risk events.");
        public void OnOrderTransition(OrderTransition transition) => throw new NotSupportedException("The gate reports only risk events.");
        public void OnFill(Fill fill, long? opportunityId, long? pairId) => throw new NotSupportedException("The gate reports only risk events.");
        public void OnExecutionCompleted(ExecutionOutcome outcome) => throw new NotSupportedException("The gate reports only risk events.");
        public void OnUnhedgedExposure(long? pairId, InstrumentId instrument, decimal quantity, string detail) =>
            throw new NotSupportedException("The gate reports only risk events.");
    }
}
