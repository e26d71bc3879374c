using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;

namespace ArbBot.Engine.Events;

/// <summary>Why an order was sent within an execution.</summary>
public enum OrderRole : byte
{
    /// <summary>The first leg: the one more likely to fail.</summary>
    FirstLeg,
    /// <summary>A later leg, sized to what the first leg filled.</summary>
    SecondLeg,
    /// <summary>A retry of a leg that filled short, at a worse price within the maximum hedge loss.</summary>
    Hedge,
    /// <summary>Selling back what a filled leg bought beyond what the other legs matched.</summary>
    Unwind,
    /// <summary>An order of a single-leg strategy (spike hunter) or an exit.</summary>
    Single,
}

/// <summary>
/// One step of an order's state machine (new → submitted → partially filled → filled / cancelled / rejected / expired).
/// <see cref="SentAt"/> is when the order left for the venue (null when unknown): with the first answer's time it gives
/// the venue's response latency.
/// </summary>
public sealed record OrderTransition(
    string ClientOrderId,
    long? OpportunityId,
    long? PairId,
    OrderRole Role,
    VenueId Venue,
    InstrumentId Instrument,
    Side Side,
    Price LimitPrice,
    decimal Quantity,
    TimeInForce TimeInForce,
    OrderStatus From,
    OrderStatus To,
    decimal FilledQuantity,
    string? Reason,
    DateTimeOffset At,
    DateTimeOffset? SentAt = null);

/// <summary>How an execution ended.</summary>
public enum ExecutionOutcomeKind : byte
{
    /// <summary>Every leg filled the same quantity within the slippage tolerance: the sets are locked in.</summary>
    Hedged,
    /// <summary>Every leg filled the same quantity, but completing the hedge cost more than the slippage tolerance.</summary>
    HedgedBeyondSlippage,
    /// <summary>The legs could not be matched; the excess was sold back, leaving no unhedged position (a small loss taken).</summary>
    Unwound,
    /// <summary>Nothing filled: the first leg missed; no position was taken.</summary>
    NotFilled,
    /// <summary>An unhedged position remains (could neither hedge nor unwind in time). Alerted.</summary>
    Residual,
    /// <summary>A single-leg position (spike hunter) was opened and closed again; <see cref="ExecutionOutcome.LockedProfit"/> is its realized PnL.</summary>
    Closed,
}

/// <summary>The end of one execution of an opportunity, with its numbers and a sentence a person can read.</summary>
public sealed record ExecutionOutcome(
    long OpportunityId,
    long? PairId,
    string Strategy,
    ExecutionOutcomeKind Kind,
    decimal PlannedQuantity,
    /// <summary>Complete sets held at the end (every leg filled this much, net of unwinds).</summary>
    decimal HedgedQuantity,
    /// <summary>Contracts left unhedged at the end (0 unless <see cref="ExecutionOutcomeKind.Residual"/>).</summary>
    decimal ResidualQuantity,
    /// <summary>Money spent buying minus money received selling, across every order of the execution.</summary>
    decimal NetCashOut,
    decimal Fees,
    decimal ExpectedProfit,
    /// <summary>What the hedged sets will pay at settlement minus everything they cost (after unwind losses).</summary>
    decimal LockedProfit,
    DateTimeOffset DetectedAt,
    DateTimeOffset CompletedAt,
    /// <summary>From detection to the last fill (or to completion when nothing filled).</summary>
    TimeSpan DetectionToLastFill,
    string Summary)
{
    /// <summary>True when an order of the execution filled at all.</summary>
    public bool Executed => Kind != ExecutionOutcomeKind.NotFilled;

    /// <summary>Counts toward the circuit breaker.</summary>
    public bool IsFailure => Kind is ExecutionOutcomeKind.Residual or ExecutionOutcomeKind.Unwound;
}

/// <summary>
/// Where the engine reports what it did: persisted off the hot path and pushed to the dashboard. Called on the hub's
/// thread; implementations only enqueue and never block.
/// </summary>
public interface IEngineJournal
{
    void OnOpportunity(Opportunity opportunity);

    void OnOrderTransition(OrderTransition transition);

    void OnFill(Fill fill, long? opportunityId, long? pairId);

    void OnRiskEvent(RiskEvent riskEvent);

    void OnExecutionCompleted(ExecutionOutcome outcome);

    /// <summary>An unhedged position appeared or changed on a pair (0 when it is gone). Loud: shown and alerted.</summary>
    void OnUnhedgedExposure(long? pairId, InstrumentId instrument, decimal quantity, string detail);
}
