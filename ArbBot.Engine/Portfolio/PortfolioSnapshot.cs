using ArbBot.Engine.Core;

namespace ArbBot.Engine.Portfolio;

/// <summary>One instrument's position at a moment.</summary>
/// <param name="Quantity">Contracts held (negative only if more was sold than bought).</param>
/// <param name="AverageCost">Average price paid per contract still held, fees excluded.</param>
/// <param name="FeesPaid">Every fee paid trading this instrument.</param>
/// <param name="RealizedPnl">Gains and losses on reductions, fees excluded.</param>
/// <param name="Mark">The price the position is marked at (the book's mid, or the last known), or null when flat.</param>
/// <param name="UnrealizedPnl">(Mark − average cost) × quantity.</param>
public sealed record PositionSnapshot(
    InstrumentId Instrument,
    VenueId Venue,
    string Symbol,
    string MarketKey,
    bool IsYes,
    decimal Quantity,
    decimal AverageCost,
    decimal FeesPaid,
    decimal RealizedPnl,
    decimal? Mark,
    decimal UnrealizedPnl);

/// <summary>What a pair holds in complete sets.</summary>
/// <param name="SetsHeld">Complete sets (each pays $1 at settlement whatever happens).</param>
/// <param name="Cost">What those sets cost at average prices, fees excluded.</param>
/// <param name="LockedProfit">Settlement payout of the sets minus their cost and their share of fees.</param>
public sealed record PairHolding(long PairId, decimal SetsHeld, decimal Cost, decimal LockedProfit);

/// <summary>What a multi-outcome event holds in complete sets (YES sets pay $1, NO sets N − 1, whatever happens).</summary>
/// <param name="EventKey">The event ("Polymarket:fed-decision-in-december-2026").</param>
/// <param name="SetsHeld">Complete sets, YES and NO together.</param>
/// <param name="Cost">What those sets cost at average prices, fees excluded.</param>
/// <param name="LockedProfit">Settlement payout of the sets minus their cost and their share of fees.</param>
public sealed record EventHolding(string EventKey, decimal SetsHeld, decimal Cost, decimal LockedProfit);

/// <summary>The whole portfolio at a moment, immutable, for the dashboard and the API.</summary>
/// <param name="RealizedPnl">Gains on reductions minus every fee paid.</param>
/// <param name="UnrealizedPnl">Open positions marked to mid against their average cost.</param>
/// <param name="Equity">Cash on every venue plus open positions at their marks.</param>
/// <param name="DailyPnl">Equity now minus equity at the last midnight in the configured zone.</param>
/// <param name="Drawdown">Peak equity minus equity, ≥ 0.</param>
public sealed record PortfolioSnapshot(
    DateTimeOffset At,
    IReadOnlyList<PositionSnapshot> Positions,
    IReadOnlyList<PairHolding> Pairs,
    IReadOnlyDictionary<VenueId, decimal> Cash,
    decimal RealizedPnl,
    decimal UnrealizedPnl,
    decimal FeesPaid,
    decimal Equity,
    decimal DailyPnl,
    decimal PeakEquity,
    decimal Drawdown,
    int OpenPositionCount)
{
    /// <summary>Complete sets held per multi-outcome event.</summary>
    public IReadOnlyList<EventHolding> Events { get; init; } = [];
}
