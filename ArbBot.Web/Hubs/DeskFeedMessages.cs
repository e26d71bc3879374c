using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Events;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Web.Api;

namespace ArbBot.Web.Hubs;

/// <summary>
/// One push to hub clients (client method <c>DeskUpdate</c>). Two kinds, told apart by <see cref="Full"/>:
/// <list type="bullet">
/// <item>a full batch (on connect, on reconnect, and whenever the client missed a batch): every watched arb set's spread
/// and the risk state; a client replaces what it holds with it;</item>
/// <item>a delta (<see cref="Full"/> false) applies on top of batch <see cref="BaseSequence"/> and carries only what
/// changed since: spreads that changed (replace by pair id and set index), spreads gone (<see cref="RemovedSpreads"/>),
/// the risk state only when it changed (null otherwise).</item>
/// </list>
/// Both carry the events since the previous batch. Prices and money are decimals (dollars; probabilities in [0, 1]).
/// </summary>
/// <param name="Sequence">1, 2, 3… for the life of the server; a client that skipped one gets a full batch next.</param>
/// <param name="Full">True when this batch states everything; false for a delta on top of <see cref="BaseSequence"/>.</param>
/// <param name="BaseSequence">The batch a delta applies to (always <see cref="Sequence"/> − 1); null for a full batch.</param>
/// <param name="Spreads">Full: every watched arb set's spread as last evaluated. Delta: the ones that changed.</param>
/// <param name="RemovedSpreads">Delta only: arb sets no longer watched (pair paused or retired); empty in a full batch.</param>
/// <param name="Opportunities">Opportunities found since the previous batch, with what became of them.</param>
/// <param name="Trades">Executions that ended since the previous batch (hedged, unwound, residual, not filled).</param>
/// <param name="RiskEvents">Risk gate rejections and resizes since the previous batch.</param>
/// <param name="RiskState">Full: always. Delta: only when it changed since the base batch, null otherwise.</param>
/// <param name="Dropped">What was lost because the feed fell behind (0 normally).</param>
public sealed record DeskFeedBatch(
    long Sequence,
    bool Full,
    long? BaseSequence,
    DateTimeOffset At,
    IReadOnlyList<PairSpreadMessage> Spreads,
    IReadOnlyList<SpreadKey> RemovedSpreads,
    IReadOnlyList<OpportunityMessage> Opportunities,
    IReadOnlyList<TradeMessage> Trades,
    IReadOnlyList<RiskEventMessage> RiskEvents,
    RiskStateMessage? RiskState,
    DroppedCounts Dropped);

/// <summary>Names one arb set: the pair and which of its two sets.</summary>
public readonly record struct SpreadKey(long PairId, int SetIndex);

/// <summary>Items dropped since the previous batch because more arrived than a batch holds; batches dropped since start.</summary>
public sealed record DroppedCounts(int Opportunities, int Trades, int RiskEvents, long Batches);

/// <summary>One arb set of an approved pair: both venues' best asks, gross and net edge, size available.</summary>
public sealed record PairSpreadMessage(
    long PairId, int SetIndex, string Set, string State, decimal? KalshiAsk, decimal? PolymarketAsk, decimal? AskSum, decimal? GrossEdge,
    decimal? NetEdge, decimal SizeAvailable)
{
    /// <summary>The arb set this spread belongs to (what a delta replaces it by).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public SpreadKey Key => new(PairId, SetIndex);

    /// <summary>
    /// The set's message now (the same figures as <see cref="DeskApi.SpreadView"/>): <paramref name="previous"/> itself when
    /// nothing in it changed, so a refresh allocates only for the sets that moved.
    /// </summary>
    public static PairSpreadMessage From(ArbSetSpread spread, InstrumentRegistry registry, PairSpreadMessage? previous = null)
    {
        var priced = DeskApi.SpreadView.IsPriced(spread);
        decimal? kalshiAsk = priced ? spread.KalshiAsk.Value : null, polymarketAsk = priced ? spread.PolymarketAsk.Value : null;
        decimal? askSum = priced ? spread.AskSum : null, grossEdge = priced ? spread.GrossEdge : null, netEdge = priced ? spread.NetEdge : null;
        var state = spread.State.ToString();
        if (previous is not null && previous.PairId == spread.PairId && previous.SetIndex == spread.SetIndex && previous.State == state
            && previous.KalshiAsk == kalshiAsk && previous.PolymarketAsk == polymarketAsk && previous.AskSum == askSum && previous.GrossEdge == grossEdge
            && previous.NetEdge == netEdge && previous.SizeAvailable == spread.SizeAvailable
            && previous.Set == DeskApi.SpreadView.SetLabel(spread, registry))
        {
            return previous;
        }
        return new PairSpreadMessage(spread.PairId, spread.SetIndex, DeskApi.SpreadView.SetLabel(spread, registry), state, kalshiAsk, polymarketAsk,
            askSum, grossEdge, netEdge, spread.SizeAvailable);
    }
}

public sealed record OpportunityLegMessage(string Venue, string Symbol, string Side, decimal WorstPrice, decimal AveragePrice, decimal Fee);

/// <summary>An opportunity and its decision (Taken, Resized, Rejected, Skipped) with the reason in words.</summary>
public sealed record OpportunityMessage(
    long Id, string Strategy, long? PairId, DateTimeOffset DetectedAt, decimal Quantity, decimal GrossEdgePerSet, decimal TotalCosts,
    decimal NetEdgePerSet, decimal ExpectedProfit, string Decision, string Reason, IReadOnlyList<OpportunityLegMessage> Legs)
{
    public static OpportunityMessage From(Opportunity o, InstrumentRegistry registry) => new(
        o.Id, o.Strategy, o.PairId, o.DetectedAt, o.Quantity, o.GrossEdgePerSet, o.TotalCosts, o.NetEdgePerSet, o.ExpectedProfit,
        o.Decision.ToString(), o.Reason,
        [.. o.Legs.Select(l => new OpportunityLegMessage(l.Venue.ToString(), registry[l.Instrument].Symbol, l.Side.ToString(), l.WorstPrice.Value,
            l.AveragePrice, l.Fee))]);
}

/// <summary>How one execution ended, with its numbers and a sentence (<see cref="Summary"/>).</summary>
public sealed record TradeMessage(
    long OpportunityId, long? PairId, string Strategy, string Kind, decimal PlannedQuantity, decimal HedgedQuantity, decimal ResidualQuantity,
    decimal NetCashOut, decimal Fees, decimal ExpectedProfit, decimal LockedProfit, DateTimeOffset DetectedAt, DateTimeOffset CompletedAt,
    double DetectionToLastFillMs, string Summary)
{
    public static TradeMessage From(ExecutionOutcome o) => new(
        o.OpportunityId, o.PairId, o.Strategy, o.Kind.ToString(), o.PlannedQuantity, o.HedgedQuantity, o.ResidualQuantity, o.NetCashOut, o.Fees,
        o.ExpectedProfit, o.LockedProfit, o.DetectedAt, o.CompletedAt, o.DetectionToLastFill.TotalMilliseconds, o.Summary);
}

public sealed record RiskEventMessage(DateTimeOffset At, string Rule, string Verdict, long? OpportunityId, long? PairId, string Detail)
{
    public static RiskEventMessage From(RiskEvent e) => new(e.At, e.Rule.ToString(), e.Verdict.ToString(), e.OpportunityId, e.PairId, e.Detail);
}

/// <summary>The desk's switches and limits, where the money stands against them, and the circuit breaker.</summary>
public sealed record RiskStateMessage(ControlState Controls, PortfolioRiskMessage Portfolio, BreakerMessage Breaker)
{
    /// <summary>The risk state as the desk's snapshot states it (the breaker counts what the risk gate counts).</summary>
    public static RiskStateMessage From(DeskSnapshot snapshot)
    {
        var failuresInWindow = snapshot.BreakerFailures;
        var p = snapshot.Portfolio;
        var limits = snapshot.Controls.Limits;
        return new RiskStateMessage(
            snapshot.Controls,
            new PortfolioRiskMessage(
                p.DailyPnl, limits.DailyLossLimit,
                snapshot.TotalExposure, limits.MaxTotalExposure,
                p.Drawdown, limits.MaxDrawdown, p.OpenPositionCount, limits.MaxOpenPositions, p.Equity, p.RealizedPnl, p.UnrealizedPnl,
                snapshot.Unhedged.Sum(u => Math.Abs(u.Quantity))),
            new BreakerMessage(failuresInWindow, limits.CircuitBreakerFailures, limits.CircuitBreakerWindow, snapshot.BreakerTripped));
    }
}

/// <param name="DailyPnl">Equity now minus equity at the day's start; trading stops at −<see cref="DailyLossLimit"/>.</param>
/// <param name="Exposure">What the open positions cost (contracts held × average price), in dollars; new trades are shrunk to keep it within <see cref="MaxTotalExposure"/>.</param>
/// <param name="Drawdown">Peak equity minus equity; trading stops at <see cref="MaxDrawdown"/>.</param>
/// <param name="UnhedgedContracts">Contracts bought for a pair and left without their complement (0 normally).</param>
public sealed record PortfolioRiskMessage(
    decimal DailyPnl, decimal DailyLossLimit, decimal Exposure, decimal MaxTotalExposure, decimal Drawdown, decimal MaxDrawdown, int OpenPositions, int MaxOpenPositions,
    decimal Equity, decimal RealizedPnl, decimal UnrealizedPnl, decimal UnhedgedContracts);

/// <summary>Failed executions (unwound or residual) in the breaker's window against its limit; tripped stops new trades.</summary>
public sealed record BreakerMessage(int FailuresInWindow, int FailureLimit, TimeSpan Window, bool Tripped);
