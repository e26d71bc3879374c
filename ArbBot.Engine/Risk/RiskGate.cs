using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Strategies;

namespace ArbBot.Engine.Risk;

/// <summary>
/// The one gate every opportunity passes before execution: accepts it, accepts it at a smaller whole number of sets, or
/// rejects it, naming the <see cref="RiskRule"/>. Runs on the market-data hub's thread.
/// </summary>
/// <remarks>
/// <para>
/// Hard stops come first, in this order: kill switch, global pause, pair paused, order in flight, pair cooldown (for a
/// multi-outcome set without a pair: order in flight and cooldown of its event, under <see cref="Opportunity.EventKey"/>),
/// circuit breaker, daily loss, drawdown, stale data, minimum net edge, maximum open positions. Then the sizing rules,
/// which shrink the quantity rather than reject while at least the minimum order still fits: maximum trade size,
/// maximum position per market, maximum total exposure, venue balance.
/// </para>
/// <para>
/// Every rejection and every resize is reported to the <see cref="IEngineJournal"/> given to the constructor as a
/// <see cref="RiskEvent"/> — one per rule that shrank the size, so the record shows each limit that bit. The returned
/// decision names the rejecting rule, or for a resize the last rule that shrank the size.
/// </para>
/// <para>
/// Money is measured at each leg's <see cref="OpportunityLeg.WorstPrice"/> — the order's limit, the most a fill can
/// cost — and fees at the leg's fee per contract at the detected size. A resize keeps the legs' limits; the caller may
/// re-run the strategy's sizing with the new quantity as its cap to get exact fees and edge.
/// </para>
/// </remarks>
public sealed class RiskGate
{
    private readonly TimeProvider _time;
    private readonly IEngineJournal _journal;
    private readonly InstrumentRegistry? _registry;

    /// <param name="time">The engine clock (cooldowns, breaker window, book age since detection).</param>
    /// <param name="journal">Receives a <see cref="RiskEvent"/> for every rejection and resize.</param>
    /// <param name="registry">When given, resizes respect each leg market's <see cref="Market.MinOrderSize"/>; else one contract.</param>
    public RiskGate(TimeProvider time, IEngineJournal journal, InstrumentRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(journal);
        _time = time;
        _journal = journal;
        _registry = registry;
    }

    /// <summary>
    /// Asked with a rejection's pair, event and rule before its words are written: true when nothing of it would be
    /// recorded (its risk event and the rejected opportunity both thinned) and the caller has counted it as such. The
    /// gate then writes no words and reports no risk event, and returns a rejection without detail
    /// (<see cref="RiskDecision.Settled"/>). Null (the default): every rejection is written and reported. Hub thread.
    /// </summary>
    /// <remarks>
    /// A persisting opportunity on a pair that cannot trade is found and rejected on every book change; its words (numbers
    /// formatted into a sentence, a risk event) were made for each of them and dropped by the thinning almost every time.
    /// </remarks>
    public Func<long?, string?, RiskRule, bool>? SettlesUnrecorded { get; set; }

    /// <summary>Checks <paramref name="opportunity"/> against every rule.</summary>
    public RiskDecision Check(Opportunity opportunity, RiskLimits limits, IRiskContext context)
    {
        ArgumentNullException.ThrowIfNull(opportunity);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(context);
        var now = _time.GetUtcNow();
        if (HardStop(opportunity, limits, context, now) is { } stop)
        {
            if (Settled(opportunity, stop.Rule)) return RiskDecision.Settled(stop.Rule);
            return Reject(opportunity, stop.Rule, StopDetail(stop, opportunity, limits, context, now), now);
        }

        var minimum = MinimumQuantity(opportunity);
        var sizing = new Sizing(decimal.Floor(opportunity.Quantity), minimum);
        // Each sizing rule in evaluation order. Most checks pass every rule: the words saying why a rule bit are only
        // written for a rule that does, so a passing check allocates nothing.
        var legs = opportunity.Legs;
        decimal perSet = 0m;
        for (var i = 0; i < legs.Count; i++) perSet += legs[i].WorstPrice.Value;
        if (perSet > 0m && !Limit(ref sizing, opportunity, limits.MaxTradeSize / perSet, new SizingRule(RiskRule.MaxTradeSize, -1, perSet, 0m), limits, now))
        {
            return sizing.Rejection.GetValueOrDefault();
        }
        for (var i = 0; i < legs.Count; i++)
        {
            var leg = legs[i];
            if (leg.WorstPrice.Units == 0) continue;
            var held = context.PositionCostInMarket(leg.Instrument);
            var room = limits.MaxPositionPerMarket - held;
            if (!Limit(ref sizing, opportunity, room / leg.WorstPrice.Value, new SizingRule(RiskRule.MaxPositionPerMarket, i, held, 0m), limits, now))
            {
                return sizing.Rejection.GetValueOrDefault();
            }
        }
        if (perSet > 0m)
        {
            var exposure = context.TotalExposure;
            if (!Limit(ref sizing, opportunity, (limits.MaxTotalExposure - exposure) / perSet, new SizingRule(RiskRule.MaxTotalExposure, -1, exposure, perSet), limits, now))
            {
                return sizing.Rejection.GetValueOrDefault();
            }
        }
        // Legs on the same venue draw on the same balance: each venue once, in the order its first leg appears.
        for (var v = 0; v < legs.Count; v++)
        {
            var venue = legs[v].Venue;
            var seen = false;
            for (var j = 0; j < v && !seen; j++) seen = legs[j].Venue == venue;
            if (seen) continue;
            decimal perSetOnVenue = 0m;
            for (var j = v; j < legs.Count; j++)
            {
                // Indexed: a foreach over the IReadOnlyList makes an enumerator object per venue per check.
                var leg = legs[j];
                if (leg.Venue != venue) continue;
                var feePerSet = opportunity.Quantity > 0m ? leg.Fee / opportunity.Quantity : 0m;
                perSetOnVenue += leg.WorstPrice.Value + feePerSet;
            }
            if (perSetOnVenue <= 0m) continue;
            var balance = context.AvailableBalance(venue);
            if (!Limit(ref sizing, opportunity, balance / perSetOnVenue, new SizingRule(RiskRule.VenueBalance, v, balance, perSetOnVenue), limits, now))
            {
                return sizing.Rejection.GetValueOrDefault();
            }
        }
        return sizing.ResizedBy == RiskRule.None
            ? RiskDecision.Accept(opportunity.Quantity)
            : RiskDecision.Resize(sizing.ResizedBy, sizing.Quantity, sizing.ResizeDetail!);
    }

    /// <summary>Where a check's sizing stands: the quantity so far and the last rule that shrank it, or the rejection.</summary>
    private struct Sizing(decimal quantity, decimal minimum)
    {
        public decimal Quantity = quantity;
        public readonly decimal Minimum = minimum;
        public RiskRule ResizedBy;
        public string? ResizeDetail;
        public RiskDecision? Rejection;
    }

    /// <summary>One sizing rule's figures, enough to say in words why it bit (only done when it does).</summary>
    private readonly record struct SizingRule(RiskRule Rule, int Leg, decimal First, decimal Second);

    /// <summary>Applies one rule's allowed quantity; false when it rejects (the rejection is in <paramref name="sizing"/>).</summary>
    private bool Limit(ref Sizing sizing, Opportunity o, decimal allowed, in SizingRule rule, RiskLimits limits, DateTimeOffset now)
    {
        var whole = decimal.Floor(Math.Max(0m, allowed));
        if (whole >= sizing.Quantity) return true;
        if (whole < sizing.Minimum && Settled(o, rule.Rule))
        {
            sizing.Rejection = RiskDecision.Settled(rule.Rule);
            return false;
        }
        var detail = Detail(o, rule, limits);
        if (whole < sizing.Minimum)
        {
            sizing.Rejection = Reject(o, rule.Rule, string.Create(CultureInfo.InvariantCulture, $"{detail}: {whole:0.##} sets fit, below the minimum of {sizing.Minimum:0.##}"), now);
            return false;
        }
        sizing.ResizeDetail = string.Create(CultureInfo.InvariantCulture, $"{detail}: resized from {sizing.Quantity:0.##} to {whole:0.##} sets");
        _journal.OnRiskEvent(new RiskEvent(now, rule.Rule, RiskVerdict.Resize, o.Id, o.PairId, sizing.ResizeDetail) { EventKey = o.EventKey });
        sizing.Quantity = whole;
        sizing.ResizedBy = rule.Rule;
        return true;
    }

    private static string Detail(Opportunity o, in SizingRule rule, RiskLimits limits) => rule.Rule switch
    {
        RiskRule.MaxTradeSize => string.Create(CultureInfo.InvariantCulture, $"notional {rule.First * o.Quantity:0.00} at limit prices exceeds max trade size {limits.MaxTradeSize:0.00}"),
        RiskRule.MaxPositionPerMarket => string.Create(CultureInfo.InvariantCulture, $"{o.Legs[rule.Leg].Venue.DisplayName()} market of instrument {o.Legs[rule.Leg].Instrument} holds {rule.First:0.00}; with this leg it would exceed {limits.MaxPositionPerMarket:0.00}"),
        RiskRule.MaxTotalExposure => string.Create(CultureInfo.InvariantCulture, $"open positions cost {rule.First:0.00}; with this trade's {rule.Second * o.Quantity:0.00} they would exceed the total exposure limit {limits.MaxTotalExposure:0.00}"),
        RiskRule.VenueBalance => string.Create(CultureInfo.InvariantCulture, $"{o.Legs[rule.Leg].Venue.DisplayName()} balance {rule.First:0.00} does not cover {rule.Second * o.Quantity:0.00} of cost and fees"),
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule.Rule, "Not a sizing rule."),
    };

    /// <summary>
    /// The rule that rejects every opportunity of <paramref name="pairId"/> (or, for a set without a pair, of the event
    /// <paramref name="eventKey"/>) right now, whatever its legs, size and edge: the hard stops <see cref="Check"/> tries
    /// first, in its order (kill switch, pause, pair paused, order in flight, cooldown, circuit breaker, daily loss,
    /// drawdown). <see cref="RiskRule.None"/> when none applies. Journals nothing.
    /// </summary>
    public RiskRule RejectsEveryOpportunityOf(long? pairId, string? eventKey, RiskLimits limits, IRiskContext context)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(context);
        return ContextStop(pairId, eventKey, limits, context, _time.GetUtcNow());
    }

    private static RiskRule ContextStop(long? pairId, string? eventKey, RiskLimits limits, IRiskContext context, DateTimeOffset now)
    {
        if (context.KillSwitchEngaged) return RiskRule.KillSwitch;
        if (context.TradingPaused) return RiskRule.GlobalPause;
        if (pairId is { } pair)
        {
            if (context.IsPairPaused(pair)) return RiskRule.PairPaused;
            if (context.HasOrderInFlight(pair)) return RiskRule.OrderInFlight;
            if (context.LastTradeAt(pair) is { } last && last + limits.PairCooldown > now) return RiskRule.PairCooldown;
        }
        else if (eventKey is { } key)
        {
            if (context.HasOrderInFlight(key)) return RiskRule.OrderInFlight;
            if (context.LastTradeAt(key) is { } last && last + limits.PairCooldown > now) return RiskRule.PairCooldown;
        }
        if (context.FailedExecutionsSince(now - limits.CircuitBreakerWindow) >= limits.CircuitBreakerFailures) return RiskRule.CircuitBreaker;
        if (context.DailyPnl <= -limits.DailyLossLimit) return RiskRule.DailyLossLimit;
        if (context.Drawdown >= limits.MaxDrawdown) return RiskRule.MaxDrawdown;
        return RiskRule.None;
    }

    /// <summary>The words of a <see cref="ContextStop"/> rejection (written only when one is made).</summary>
    private static string ContextStopDetail(RiskRule rule, long? pairId, string? eventKey, RiskLimits limits, IRiskContext context, DateTimeOffset now) => rule switch
    {
        RiskRule.KillSwitch => "kill switch engaged",
        RiskRule.GlobalPause => "trading is paused",
        RiskRule.PairPaused => string.Create(CultureInfo.InvariantCulture, $"pair {pairId} is paused"),
        RiskRule.OrderInFlight when pairId is not null => string.Create(CultureInfo.InvariantCulture, $"pair {pairId} has an order without a known outcome"),
        RiskRule.OrderInFlight => string.Create(CultureInfo.InvariantCulture, $"event {eventKey} has an order without a known outcome"),
        RiskRule.PairCooldown when pairId is { } pair =>
            string.Create(CultureInfo.InvariantCulture, $"pair {pair} traded {(now - context.LastTradeAt(pair)!.Value).TotalSeconds:0.###} s ago, cooldown {limits.PairCooldown.TotalSeconds:0.###} s"),
        RiskRule.PairCooldown =>
            string.Create(CultureInfo.InvariantCulture, $"event {eventKey} traded {(now - context.LastTradeAt(eventKey!)!.Value).TotalSeconds:0.###} s ago, cooldown {limits.PairCooldown.TotalSeconds:0.###} s"),
        RiskRule.CircuitBreaker =>
            string.Create(CultureInfo.InvariantCulture, $"{context.FailedExecutionsSince(now - limits.CircuitBreakerWindow)} failed executions in the last {limits.CircuitBreakerWindow.TotalMinutes:0.##} min (limit {limits.CircuitBreakerFailures})"),
        RiskRule.DailyLossLimit => string.Create(CultureInfo.InvariantCulture, $"today's PnL {context.DailyPnl:0.00} reached the daily loss limit {limits.DailyLossLimit:0.00}"),
        RiskRule.MaxDrawdown => string.Create(CultureInfo.InvariantCulture, $"drawdown {context.Drawdown:0.00} reached the limit {limits.MaxDrawdown:0.00}"),
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Not a rule that rejects every opportunity."),
    };

    /// <summary>A hard stop's rule and the figures its words need (written only when the rejection is recorded).</summary>
    private readonly record struct Stop(RiskRule Rule, int Leg = -1, TimeSpan Age = default, int NewMarkets = 0);

    // The legs are read by index throughout: a foreach over the IReadOnlyList makes an enumerator object per loop per check.
    private static Stop? HardStop(Opportunity o, RiskLimits limits, IRiskContext context, DateTimeOffset now)
    {
        var stop = ContextStop(o.PairId, o.EventKey, limits, context, now);
        if (stop != RiskRule.None) return new Stop(stop);
        var legs = o.Legs;
        for (var i = 0; i < legs.Count; i++)
        {
            // The age now, not at detection: whoever calls the gate later must not make an old book look fresh.
            var age = legs[i].BookAge + (now > o.DetectedAt ? now - o.DetectedAt : TimeSpan.Zero);
            if (age > limits.MaxBookAge) return new Stop(RiskRule.StaleData, Leg: i, Age: age);
        }
        if (o.NetEdgePerSet < limits.MinNetEdge) return new Stop(RiskRule.MinNetEdge);
        var newMarkets = 0;
        for (var i = 0; i < legs.Count; i++)
        {
            if (!context.HasPositionInMarket(legs[i].Instrument)) newMarkets++;
        }
        // Counting every new market, not just "any": two new legs at max − 1 would end above the limit.
        if (newMarkets > 0 && context.OpenPositionCount + newMarkets > limits.MaxOpenPositions)
        {
            return new Stop(RiskRule.MaxOpenPositions, NewMarkets: newMarkets);
        }
        return null;
    }

    /// <summary>The words of a <see cref="HardStop"/> rejection.</summary>
    private static string StopDetail(in Stop stop, Opportunity o, RiskLimits limits, IRiskContext context, DateTimeOffset now)
    {
        switch (stop.Rule)
        {
            case RiskRule.StaleData:
                var leg = o.Legs[stop.Leg];
                return string.Create(CultureInfo.InvariantCulture, $"{leg.Venue.DisplayName()} book of instrument {leg.Instrument} is {stop.Age.TotalMilliseconds:0} ms old (limit {limits.MaxBookAge.TotalMilliseconds:0} ms)");
            case RiskRule.MinNetEdge:
                return string.Create(CultureInfo.InvariantCulture, $"net edge {o.NetEdgePerSet:0.0000}/set below minimum {limits.MinNetEdge:0.00##}");
            case RiskRule.MaxOpenPositions:
                return string.Create(CultureInfo.InvariantCulture, $"{context.OpenPositionCount} open positions + {stop.NewMarkets} new would exceed {limits.MaxOpenPositions}");
            default:
                return ContextStopDetail(stop.Rule, o.PairId, o.EventKey, limits, context, now);
        }
    }

    private bool Settled(Opportunity o, RiskRule rule) => SettlesUnrecorded is { } settles && settles(o.PairId, o.EventKey, rule);

    private decimal MinimumQuantity(Opportunity o)
    {
        var minimum = 1m;
        if (_registry is null) return minimum;
        var legs = o.Legs;
        for (var i = 0; i < legs.Count; i++)
        {
            var leg = legs[i];
            if ((uint)leg.Instrument.Value < (uint)_registry.Count)
            {
                minimum = Math.Max(minimum, decimal.Ceiling(_registry.MarketOf(leg.Instrument).MinOrderSize));
            }
        }
        return minimum;
    }

    private RiskDecision Reject(Opportunity o, RiskRule rule, string detail, DateTimeOffset now)
    {
        _journal.OnRiskEvent(new RiskEvent(now, rule, RiskVerdict.Reject, o.Id, o.PairId, detail) { EventKey = o.EventKey });
        return RiskDecision.Reject(rule, detail);
    }

}
