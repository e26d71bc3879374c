namespace ArbBot.Engine.Execution;

/// <summary>What the arbitrage executor has done since start, for the dashboard and GET /api/stats/execution.</summary>
/// <param name="Attempted">Executions started (including those still running).</param>
/// <param name="Executed">Completed executions in which any order filled.</param>
/// <param name="HedgedWithinSlippage">Every leg matched by the first and second orders, within the slippage tolerance.</param>
/// <param name="HedgedBeyondSlippage">Every leg matched, but only after hedge retries beyond the slippage tolerance.</param>
/// <param name="Unwound">The legs could not be matched and the excess was sold back.</param>
/// <param name="Residual">An unhedged position was left.</param>
/// <param name="NotFilled">The first leg missed; nothing bought.</param>
/// <param name="Failures">Executions that count toward the circuit breaker (unwound or residual).</param>
/// <param name="AverageDetectionToLastFill">Mean time from detection to the last fill over executed executions, or null before the first.</param>
/// <param name="Profitable">Executed executions that ended with a profit: locked profit (after fees and any unwind loss) above zero.</param>
public sealed record ExecutionStats(
    int Attempted,
    int Executed,
    int HedgedWithinSlippage,
    int HedgedBeyondSlippage,
    int Unwound,
    int Residual,
    int NotFilled,
    int Failures,
    TimeSpan? AverageDetectionToLastFill,
    int Profitable = 0)
{
    /// <summary>Share of executed executions that ended with a profit, or null before the first.</summary>
    public double? WinRate => Executed == 0 ? null : (double)Profitable / Executed;

    /// <summary>Nothing attempted yet.</summary>
    public static ExecutionStats Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, null);
}

/// <summary>Contracts of one instrument bought for a pair and left without their complement.</summary>
public sealed record UnhedgedPosition(long? PairId, ArbBot.Engine.Core.InstrumentId Instrument, decimal Quantity);
