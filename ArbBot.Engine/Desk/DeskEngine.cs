using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Engine.Strategies.MultiOutcomeArb;

namespace ArbBot.Engine.Desk;

/// <summary>
/// The decision loop on the hub's thread: every opportunity a strategy finds passes the risk gate, is journaled with
/// its decision and reason, and, when accepted, goes to the executor at the accepted size. It also answers the risk
/// gate's questions about the desk (<see cref="IRiskContext"/>) and keeps the set of traded pairs.
/// </summary>
public sealed class DeskEngine : IOpportunitySink, IRiskContext
{
    private readonly MarketDataHub _hub;
    private readonly InstrumentRegistry _registry;
    private readonly DeskControls _controls;
    private readonly RiskGate _gate;
    private readonly ArbitrageExecutor _executor;
    private readonly DeskPortfolio _portfolio;
    private readonly IEngineJournal _journal;
    private readonly Func<bool> _recordsBacklogged;
    private readonly TimeProvider _time;
    private readonly Dictionary<long, MarketPair> _pairs = [];
    private readonly RejectionThrottle _rejections;
    /// <summary>Thins the risk events the gate reports (apart from <see cref="_rejections"/>, which thins rejected opportunities).</summary>
    private readonly RejectionThrottle _riskEventRejections;
    private readonly Dictionary<string, IOpportunityExecutor> _executorsByStrategy = new(StringComparer.Ordinal);

    public DeskEngine(
        MarketDataHub hub,
        InstrumentRegistry registry,
        DeskControls controls,
        ArbitrageExecutor executor,
        DeskPortfolio portfolio,
        IEngineJournal journal,
        Func<bool> recordsBacklogged,
        TimeProvider time,
        Func<IOpportunitySink, CrossVenueArbitrage> createStrategy,
        Func<IOpportunitySink, MultiOutcomeArbitrage>? createMultiOutcome = null)
    {
        _hub = hub;
        _registry = registry;
        _controls = controls;
        _executor = executor;
        _portfolio = portfolio;
        _journal = journal;
        _recordsBacklogged = recordsBacklogged;
        _time = time;
        _rejections = new RejectionThrottle(time, TimeSpan.FromSeconds(10));
        // The gate reports every rejection; repeated ones for the same pair and rule are thinned before they are stored.
        _riskEventRejections = new RejectionThrottle(time, TimeSpan.FromSeconds(10));
        _gate = new RiskGate(time, new ThrottledRiskJournal(journal, _riskEventRejections), registry)
        {
            // A rejection neither throttle would record is counted in both and settled before its words are written.
            SettlesUnrecorded = (pairId, eventKey, rule) => RejectionThrottle.SuppressInBoth(_riskEventRejections, _rejections, pairId, eventKey, rule),
        };
        CrossVenue = createStrategy(this);
        controls.Changed += state => CrossVenue.Limits = state.Limits;
        if (createMultiOutcome is not null)
        {
            MultiOutcome = createMultiOutcome(this);
            controls.Changed += state => MultiOutcome.Limits = state.Limits;
            controls.MultiOutcomeChanged += settings =>
            {
                MultiOutcome.Settings = settings;
                TrackMultiOutcomeSets();
            };
        }
    }

    public CrossVenueArbitrage CrossVenue { get; }

    /// <summary>
    /// Sends accepted opportunities of <paramref name="strategy"/> to <paramref name="executor"/> instead of the arbitrage
    /// executor (single-leg strategies). Call while wiring, before the hub runs.
    /// </summary>
    public void UseExecutor(string strategy, IOpportunityExecutor executor) => _executorsByStrategy[strategy] = executor;

    /// <summary>Multi-outcome arbitrage inside one venue's exclusive events, or null when not wired.</summary>
    public MultiOutcomeArbitrage? MultiOutcome { get; }

    /// <summary>
    /// Starts watching every multi-outcome event the registry knows (call after discovery), and values the complete sets
    /// it may trade at their payout. Returns the events with a tradable set. Hub thread only.
    /// </summary>
    public IReadOnlyList<OutcomeSetEligibility> WatchMultiOutcomeEvents()
    {
        if (MultiOutcome is null) return [];
        var eligible = MultiOutcome.OfferRegisteredEvents();
        TrackMultiOutcomeSets();
        return eligible;
    }

    private void TrackMultiOutcomeSets()
    {
        foreach (var (eventKey, instruments, payout) in MultiOutcome!.TradableSets()) _portfolio.TrackEventSet(eventKey, instruments, payout);
    }

    private IReadOnlyList<Recording.RecordedPair> _approvedPairs = [];

    /// <summary>The approved pairs, as an immutable list replaced on every change (read from any thread: the recorder writes them into its files).</summary>
    public IReadOnlyList<Recording.RecordedPair> ApprovedPairs => Volatile.Read(ref _approvedPairs);

    /// <summary>Pairs known to the engine (every status), by id. Hub thread only.</summary>
    public IReadOnlyDictionary<long, MarketPair> Pairs => _pairs;

    private MarketPair[] _pairsInIdOrder = [];

    /// <summary>
    /// Every pair known (every status) in id order, as an immutable array replaced on every change: the dashboard's
    /// refresh reads it from any thread instead of sorting the pairs on the hub's thread every 250 ms.
    /// </summary>
    public IReadOnlyList<MarketPair> PairsInIdOrder => Volatile.Read(ref _pairsInIdOrder);

    /// <summary>Adds or replaces a pair: approved pairs are traded, others are not. Hub thread only.</summary>
    public PairRegistration SetPair(MarketPair pair)
    {
        _pairs[pair.Id] = pair;
        Volatile.Write(ref _pairsInIdOrder, [.. _pairs.Values.OrderBy(p => p.Id)]);
        Volatile.Write(ref _approvedPairs, [.. _pairs.Values.Where(p => p.Status == PairStatus.Approved).OrderBy(p => p.Id)
            .Select(p => new Recording.RecordedPair(p.Id, p.KalshiMarketKey, p.PolymarketMarketKey, p.Mapping))]);
        var registration = CrossVenue.AddOrUpdatePair(pair);
        if (registration == PairRegistration.Active
            && _registry.TryGetMarket(VenueId.Kalshi, pair.KalshiMarketKey, out var kalshi)
            && _registry.TryGetMarket(VenueId.Polymarket, pair.PolymarketMarketKey, out var polymarket))
        {
            var (first, second) = ArbSet.Of(kalshi, polymarket, pair.Mapping);
            _portfolio.TrackSet(pair.Id, [first.Kalshi, first.Polymarket]);
            _portfolio.TrackSet(pair.Id, [second.Kalshi, second.Polymarket]);
        }
        return registration;
    }

    /// <summary>Where each decision's duration is recorded (metrics), or null.</summary>
    public Observability.LatencyHistogram? DecisionLatency { get; set; }

    /// <summary>
    /// Observability: called on the hub thread as each opportunity a strategy found reaches the desk, before the risk
    /// gate. The benchmark harness splits "book event in → order submitted" with it. Must be quick and must not throw;
    /// set while wiring, before the hub runs.
    /// </summary>
    public Action<Opportunity>? Deciding { get; set; }

    public void OnOpportunity(Opportunity opportunity)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Deciding?.Invoke(opportunity);
        try
        {
            Decide(opportunity);
        }
        finally
        {
            DecisionLatency?.Observe(System.Diagnostics.Stopwatch.GetTimestamp() - started);
        }
    }

    /// <inheritdoc />
    public bool SettledWithoutBuilding(long? pairId, string? eventKey)
    {
        var latency = DecisionLatency;
        var started = latency is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
        var rule = _gate.RejectsEveryOpportunityOf(pairId, eventKey, _controls.Limits, this);
        if (rule == RiskRule.None) return false;
        // Settled here only when neither record would be written: the gate's risk event and the rejected opportunity
        // are each thinned to one per (pair or event, rule) and interval. Otherwise the full path writes them, words
        // and "+N similar" counts included. When settled, the rejection is counted against both, as the full path
        // counts a rejection it does not record.
        if (!RejectionThrottle.SuppressInBoth(_riskEventRejections, _rejections, pairId, eventKey, rule)) return false;
        latency?.Observe(System.Diagnostics.Stopwatch.GetTimestamp() - started);
        return true;
    }

    private void Decide(Opportunity opportunity)
    {
        var decision = _gate.Check(opportunity, _controls.Limits, this);
        switch (decision.Verdict)
        {
            case RiskVerdict.Reject:
                // Settled by the gate (no detail): both records would have been thinned, and it was counted in both.
                if (decision.IsSettled) return;
                if (_rejections.ShouldRecord(opportunity.PairId, opportunity.EventKey, decision.Rule, out var suppressed))
                {
                    _journal.OnOpportunity(opportunity with
                    {
                        Decision = OpportunityDecision.Rejected,
                        Reason = $"Rejected by {decision.Rule}: {decision.Detail}{Suppressed(suppressed)}",
                    });
                }
                return;
            default:
                Execute(opportunity, decision);
                return;
        }
    }

    /// <summary>The opportunity as decided: taken, or resized with the gate's words added to its reason.</summary>
    private static Opportunity Decided(Opportunity found, in RiskDecision decision) => decision.Verdict == RiskVerdict.Resize
        ? found with
        {
            Decision = OpportunityDecision.Resized,
            Reason = $"{found.Reason}; resized from {found.Quantity} to {decision.Quantity} by {decision.Rule}: {decision.Detail}",
        }
        : found with { Decision = OpportunityDecision.Taken };

    private void Execute(Opportunity found, RiskDecision decision)
    {
        // The first leg leaves before the decision is written down: the record (a row with its legs as JSON, the
        // dashboard's handlers) costs more than the order itself, and a price moves on while it is written. Executors
        // journal nothing while placing (transitions and fills reach the hub later), so the records keep their order:
        // the opportunity, then its refusal or its orders.
        var quantity = decision.Quantity;
        bool executed;
        string? refusal;
        Opportunity opportunity;
        if (_executorsByStrategy.TryGetValue(found.Strategy, out var custom))
        {
            opportunity = Decided(found, decision);
            executed = custom.TryExecute(opportunity, quantity, out refusal);
        }
        else
        {
            // The arbitrage executor reads the legs, sizes, edges and keys of what was found, never its decision or
            // reason: it gets the opportunity as found, and the decided copy (a new record; for a resize, a sentence with
            // the gate's words) is made once the first leg has left.
            executed = _executor.TryExecute(found, quantity, out refusal);
            opportunity = Decided(found, decision);
        }
        // The record states what is being done: at a smaller size, the quantity, costs and profit scale with it (the
        // per-set edges stay). The executor keeps the opportunity as found: its legs' fees belong to the found size.
        _journal.OnOpportunity(quantity == opportunity.Quantity ? opportunity : opportunity with
        {
            Quantity = quantity,
            TotalCosts = opportunity.Quantity == 0m ? 0m : opportunity.TotalCosts * quantity / opportunity.Quantity,
            ExpectedProfit = opportunity.NetEdgePerSet * quantity,
        });
        if (!executed)
        {
            _journal.OnRiskEvent(new RiskEvent(_time.GetUtcNow(), RiskRule.OrderInFlight, RiskVerdict.Reject, opportunity.Id, opportunity.PairId,
                $"Not executed: {refusal}")
            { EventKey = opportunity.EventKey });
        }
    }

    private static string Suppressed(int count) => count == 0 ? "" : $" (+{count} similar since the last record)";

    // IRiskContext: cheap reads of engine state on the hub's thread.

    /// <summary>Paused by an admin, or automatically while records cannot be saved (nothing trades unrecorded).</summary>
    public bool TradingPaused => _controls.TradingPaused || _recordsBacklogged();

    public bool KillSwitchEngaged => _controls.KillSwitchEngaged;

    public bool IsPairPaused(long pairId) => !_pairs.TryGetValue(pairId, out var pair) || pair.Status != PairStatus.Approved;

    public bool HasOrderInFlight(long pairId) => _executor.HasOrderInFlight(pairId) || _executor.IsExecuting(pairId);

    public DateTimeOffset? LastTradeAt(long pairId) => _executor.LastTradeAt(pairId);

    public bool HasOrderInFlight(string eventKey) => _executor.HasOrderInFlight(eventKey) || _executor.IsExecuting(eventKey);

    public DateTimeOffset? LastTradeAt(string eventKey) => _executor.LastTradeAt(eventKey);

    public decimal PositionCostInMarket(InstrumentId instrument) => _portfolio.PositionCostInMarket(instrument);

    public bool HasPositionInMarket(InstrumentId instrument) => _portfolio.HasPositionInMarket(instrument);

    public int OpenPositionCount => _portfolio.OpenPositionCount;

    public decimal TotalExposure => _portfolio.TotalExposure;

    public decimal DailyPnl => _portfolio.DailyPnl;

    public decimal Drawdown => _portfolio.Drawdown;

    public int FailedExecutionsSince(DateTimeOffset since) => _executor.FailedExecutionsSince(since);

    public decimal AvailableBalance(VenueId venue) => _portfolio.AvailableBalance(venue);

    /// <summary>Forwards everything, but thins repeated risk events of the same pair by the same rule.</summary>
    private sealed class ThrottledRiskJournal(IEngineJournal inner, RejectionThrottle throttle) : IEngineJournal
    {
        public void OnOpportunity(Opportunity opportunity) => inner.OnOpportunity(opportunity);
        public void OnOrderTransition(OrderTransition transition) => inner.OnOrderTransition(transition);
        public void OnFill(Fill fill, long? opportunityId, long? pairId) => inner.OnFill(fill, opportunityId, pairId);
        public void OnExecutionCompleted(ExecutionOutcome outcome) => inner.OnExecutionCompleted(outcome);
        public void OnUnhedgedExposure(long? pairId, InstrumentId instrument, decimal quantity, string detail) =>
            inner.OnUnhedgedExposure(pairId, instrument, quantity, detail);

        public void OnRiskEvent(RiskEvent riskEvent)
        {
            // A persisting opportunity is checked on every book change; one record per pair, rule and interval is enough.
            if (throttle.ShouldRecord(riskEvent.PairId, riskEvent.EventKey, riskEvent.Rule, out var suppressed))
            {
                inner.OnRiskEvent(suppressed == 0 ? riskEvent : riskEvent with { Detail = riskEvent.Detail + Suppressed(suppressed) });
            }
        }
    }
}

/// <summary>
/// Decides which repeated risk decisions are worth a record: the first of a (pair or event, rule) and then one per
/// interval, with the number skipped in between. A paused desk would otherwise store the same rejection many times a second.
/// </summary>
public sealed class RejectionThrottle(TimeProvider time, TimeSpan interval)
{
    private readonly Dictionary<(long?, string?, RiskRule), (DateTimeOffset Last, int Suppressed)> _seen = [];
    private readonly TimeProvider _time = time;
    private readonly TimeSpan _interval = interval;

    /// <summary>
    /// When neither throttle would record this rejection now (<see cref="WouldRecord"/> false for both), counts it as
    /// suppressed in both, as <see cref="ShouldRecord(long?, string?, RiskRule, out int)"/> would, and returns true;
    /// otherwise changes nothing and returns false. One look-up per throttle instead of a check and a count in each.
    /// </summary>
    public static bool SuppressInBoth(RejectionThrottle first, RejectionThrottle second, long? pairId, string? eventKey, RiskRule rule)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var key = (pairId, eventKey, rule);
        ref var a = ref CollectionsMarshal.GetValueRefOrNullRef(first._seen, key);
        if (Unsafe.IsNullRef(ref a) || first._time.GetUtcNow() - a.Last >= first._interval) return false;
        ref var b = ref CollectionsMarshal.GetValueRefOrNullRef(second._seen, key);
        if (Unsafe.IsNullRef(ref b) || second._time.GetUtcNow() - b.Last >= second._interval) return false;
        // Neither dictionary changed shape since its look-up, so both references still point at their entries.
        a.Suppressed++;
        b.Suppressed++;
        return true;
    }

    /// <summary>True when <see cref="ShouldRecord(long?, string?, RiskRule, out int)"/> would say so now; counts nothing.</summary>
    public bool WouldRecord(long? pairId, string? eventKey, RiskRule rule) =>
        !(_seen.TryGetValue((pairId, eventKey, rule), out var entry) && _time.GetUtcNow() - entry.Last < _interval);

    /// <summary>True when this rejection should be recorded; counts it as suppressed otherwise.</summary>
    public bool ShouldRecord(long? pairId, RiskRule rule, out int suppressedSinceLast) => ShouldRecord(pairId, null, rule, out suppressedSinceLast);

    /// <summary>As <see cref="ShouldRecord(long?, RiskRule, out int)"/>, kept apart per multi-outcome event too.</summary>
    public bool ShouldRecord(long? pairId, string? eventKey, RiskRule rule, out int suppressedSinceLast)
    {
        var now = _time.GetUtcNow();
        var key = (pairId, eventKey, rule);
        if (_seen.TryGetValue(key, out var entry) && now - entry.Last < _interval)
        {
            _seen[key] = (entry.Last, entry.Suppressed + 1);
            suppressedSinceLast = 0;
            return false;
        }
        suppressedSinceLast = entry.Suppressed;
        _seen[key] = (now, 0);
        return true;
    }
}
