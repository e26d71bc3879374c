using ArbBot.Engine.Core;
using ArbBot.Engine.Strategies;

namespace ArbBot.Engine.Risk;

/// <summary>Every rule the risk gate applies; a rejection or resize names one.</summary>
public enum RiskRule : byte
{
    None = 0,
    MinNetEdge,
    MaxTradeSize,
    MaxPositionPerMarket,
    MaxOpenPositions,
    DailyLossLimit,
    MaxDrawdown,
    PairCooldown,
    CircuitBreaker,
    StaleData,
    VenueBalance,
    GlobalPause,
    PairPaused,
    KillSwitch,
    /// <summary>An order of the same pair has no known outcome yet; nothing more goes to that pair until it has.</summary>
    OrderInFlight,
    /// <summary>All open positions together would cost more than the total exposure limit.</summary>
    MaxTotalExposure,
}

public enum RiskVerdict : byte
{
    Accept,
    Resize,
    Reject,
}

/// <summary>The gate's answer: accept, accept at a smaller <see cref="Quantity"/>, or reject, naming the rule.</summary>
public readonly record struct RiskDecision(RiskVerdict Verdict, RiskRule Rule, decimal Quantity, string? Detail)
{
    public static RiskDecision Accept(decimal quantity) => new(RiskVerdict.Accept, RiskRule.None, quantity, null);
    public static RiskDecision Resize(RiskRule rule, decimal quantity, string detail) => new(RiskVerdict.Resize, rule, quantity, detail);
    public static RiskDecision Reject(RiskRule rule, string detail) => new(RiskVerdict.Reject, rule, 0m, detail);

    /// <summary>
    /// A rejection settled without words or records: <see cref="RiskGate.SettlesUnrecorded"/> said both of its records
    /// would be thinned, and counted it. <see cref="Detail"/> is null.
    /// </summary>
    public static RiskDecision Settled(RiskRule rule) => new(RiskVerdict.Reject, rule, 0m, null);

    /// <summary>A rejection made by <see cref="Settled"/>: nothing of it is to be recorded (a real rejection always has words).</summary>
    public bool IsSettled => Verdict == RiskVerdict.Reject && Detail is null;
}

/// <summary>
/// The limits every order intent is checked against; live-editable from the dashboard and API, persisted and audited.
/// Money in dollars; edges in dollars per set (per contract of each leg).
/// </summary>
public sealed record RiskLimits
{
    /// <summary>Smallest net edge per set (after all fees and fixed costs) worth trading. 0.001–0.5, default 0.01.</summary>
    public decimal MinNetEdge { get; init; } = 0.01m;
    /// <summary>Largest notional of one trade (all legs). 1–1,000,000, default 500.</summary>
    public decimal MaxTradeSize { get; init; } = 500m;
    /// <summary>Largest cost held in one market (both its outcomes). 1–10,000,000, default 2,000.</summary>
    public decimal MaxPositionPerMarket { get; init; } = 2_000m;
    /// <summary>Most markets with an open position at once. 1–10,000, default 50.</summary>
    public int MaxOpenPositions { get; init; } = 50;
    /// <summary>Largest cost of every open position together, all venues, at average cost. 1–100,000,000, default 10,000.</summary>
    public decimal MaxTotalExposure { get; init; } = 10_000m;
    /// <summary>Trading stops for the day once today's PnL falls this far below zero. 1–1,000,000, default 100.</summary>
    public decimal DailyLossLimit { get; init; } = 100m;
    /// <summary>Trading stops once equity falls this far below its peak. 1–10,000,000, default 250.</summary>
    public decimal MaxDrawdown { get; init; } = 250m;
    /// <summary>Quiet time after a trade on a pair before the next. 0–1 h, default 2 s.</summary>
    public TimeSpan PairCooldown { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Failed executions within <see cref="CircuitBreakerWindow"/> that trip the breaker. 1–1,000, default 3.</summary>
    public int CircuitBreakerFailures { get; init; } = 3;
    /// <summary>The breaker's window. 1 s–1 day, default 10 min.</summary>
    public TimeSpan CircuitBreakerWindow { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>A book older than this is stale for trading. 100 ms–10 min, default 5 s.</summary>
    public TimeSpan MaxBookAge { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How much worse than planned (per contract) the second leg may fill. 0–0.2, default 0.02.</summary>
    public decimal SlippageTolerance { get; init; } = 0.02m;
    /// <summary>Largest loss per set accepted to complete a hedge before unwinding instead. 0–0.5, default 0.03.</summary>
    public decimal MaxHedgeLoss { get; init; } = 0.03m;
    /// <summary>How long an order may go without a final state before it is cancelled. 100 ms–5 min, default 5 s.</summary>
    public TimeSpan OrderTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Fixed cost per set per trade (e.g. transfer or gas), in dollars. 0–1, default 0.</summary>
    public decimal FixedCostPerSet { get; init; }
}

/// <summary>The engine state the risk gate reads. Implemented on the hub's thread; every member is a cheap read.</summary>
public interface IRiskContext
{
    bool TradingPaused { get; }
    bool KillSwitchEngaged { get; }
    bool IsPairPaused(long pairId);
    /// <summary>True while an order of the pair has been sent without a known outcome.</summary>
    bool HasOrderInFlight(long pairId);
    /// <summary>When the pair last started an execution, or null.</summary>
    DateTimeOffset? LastTradeAt(long pairId);
    /// <summary>True while an order of a set of the event (a multi-outcome <see cref="Opportunity.EventKey"/>) has no known outcome.</summary>
    bool HasOrderInFlight(string eventKey);
    /// <summary>When a set of the event last started an execution, or null.</summary>
    DateTimeOffset? LastTradeAt(string eventKey);
    /// <summary>Cost currently held in the market an instrument belongs to (both outcomes), in dollars.</summary>
    decimal PositionCostInMarket(InstrumentId instrument);
    /// <summary>True when the market an instrument belongs to already has an open position.</summary>
    bool HasPositionInMarket(InstrumentId instrument);
    int OpenPositionCount { get; }
    /// <summary>Cost of every open position together, all venues, at average cost, in dollars.</summary>
    decimal TotalExposure { get; }
    /// <summary>Today's realized plus unrealized PnL (resets at midnight in the configured time zone).</summary>
    decimal DailyPnl { get; }
    /// <summary>Peak equity minus current equity, ≥ 0.</summary>
    decimal Drawdown { get; }
    /// <summary>Failed executions at or after <paramref name="since"/>.</summary>
    int FailedExecutionsSince(DateTimeOffset since);
    /// <summary>Cash available to spend on a venue.</summary>
    decimal AvailableBalance(VenueId venue);
}

/// <summary>A rejection or resize by the gate, or a state change such as the breaker tripping; recorded and shown.</summary>
public sealed record RiskEvent(
    DateTimeOffset At,
    RiskRule Rule,
    RiskVerdict Verdict,
    long? OpportunityId,
    long? PairId,
    string Detail)
{
    /// <summary>The event of a multi-outcome set the decision was about, else null.</summary>
    public string? EventKey { get; init; }
}
