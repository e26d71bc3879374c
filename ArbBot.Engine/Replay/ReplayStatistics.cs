using ArbBot.Engine.Events;

namespace ArbBot.Engine.Replay;

/// <summary>One point of a replay's PnL curve: the desk's PnL (equity minus starting equity) at a replay-clock time.</summary>
public sealed record PnlPoint(DateTimeOffset At, decimal Pnl);

/// <summary>How the executions of a replay ended.</summary>
public sealed record HedgeStatistics(int HedgedWithinSlippage, int HedgedBeyondSlippage, int Unwound, int Residual, int NotFilled, int Closed)
{
    /// <summary>Executions that took a position (everything but not filled).</summary>
    public int Traded => HedgedWithinSlippage + HedgedBeyondSlippage + Unwound + Residual + Closed;
}

/// <summary>One trade of a replay (an execution that filled something).</summary>
public sealed record ReplayTrade(long OpportunityId, long? PairId, string Strategy, string Kind, decimal Quantity, decimal Profit, DateTimeOffset CompletedAt, string Summary);

/// <summary>
/// The performance of a replay: the PnL curve, trades, hit rate, hedge statistics, maximum drawdown and Sharpe ratio.
/// </summary>
/// <remarks>
/// <para>Hit rate: trades whose profit (locked profit of a hedged or unwound set, realized PnL of a closed single leg)
/// is above zero, over all trades; executions that filled nothing are not trades.</para>
/// <para>Maximum drawdown: the largest fall of the PnL curve from its running peak (the curve starts at 0), in dollars.</para>
/// <para>Sharpe: from the curve's per-interval returns r_i = (PnL_i − PnL_{i−1}) / starting equity over equal intervals
/// of replay time, mean(r) / sample standard deviation(r) × √(intervals per year), a year being 365 days of 24 h
/// (prediction markets trade around the clock), no risk-free rate. Null with fewer than two intervals or no variation.</para>
/// </remarks>
public sealed record ReplayStatisticsReport(
    decimal FinalPnl,
    decimal MaxDrawdown,
    double? Sharpe,
    double HitRate,
    int Trades,
    int Wins,
    HedgeStatistics Hedges,
    TimeSpan CurveInterval,
    IReadOnlyList<PnlPoint> Curve,
    IReadOnlyList<ReplayTrade> TradeList)
{
    /// <summary>Computes the report from a curve sampled every <paramref name="interval"/> and the executions' outcomes.</summary>
    public static ReplayStatisticsReport Compute(IReadOnlyList<PnlPoint> curve, TimeSpan interval, decimal startingEquity, IReadOnlyList<ExecutionOutcome> outcomes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        var trades = outcomes.Where(o => o.Kind != ExecutionOutcomeKind.NotFilled)
            .Select(o => new ReplayTrade(o.OpportunityId, o.PairId, o.Strategy, o.Kind.ToString(), o.HedgedQuantity + o.ResidualQuantity, o.LockedProfit, o.CompletedAt, o.Summary))
            .ToList();
        var wins = trades.Count(t => t.Profit > 0);
        var hedges = new HedgeStatistics(
            outcomes.Count(o => o.Kind == ExecutionOutcomeKind.Hedged),
            outcomes.Count(o => o.Kind == ExecutionOutcomeKind.HedgedBeyondSlippage),
            outcomes.Count(o => o.Kind == ExecutionOutcomeKind.Unwound),
            outcomes.Count(o => o.Kind == ExecutionOutcomeKind.Residual),
            outcomes.Count(o => o.Kind == ExecutionOutcomeKind.NotFilled),
            outcomes.Count(o => o.Kind == ExecutionOutcomeKind.Closed));
        return new ReplayStatisticsReport(curve.Count > 0 ? curve[^1].Pnl : 0m, MaxDrawdownOf(curve), SharpeOf(curve, interval, startingEquity),
            trades.Count == 0 ? 0 : (double)wins / trades.Count, trades.Count, wins, hedges, interval, curve, trades);
    }

    /// <summary>The largest fall from the running peak (starting at 0).</summary>
    public static decimal MaxDrawdownOf(IReadOnlyList<PnlPoint> curve)
    {
        decimal peak = 0, worst = 0;
        foreach (var point in curve)
        {
            peak = Math.Max(peak, point.Pnl);
            worst = Math.Max(worst, peak - point.Pnl);
        }
        return worst;
    }

    /// <summary>Annualized Sharpe ratio of per-interval returns (see the type's remarks), or null when undefined.</summary>
    public static double? SharpeOf(IReadOnlyList<PnlPoint> curve, TimeSpan interval, decimal startingEquity)
    {
        if (curve.Count < 3 || startingEquity <= 0) return null;
        var returns = new double[curve.Count - 1];
        for (var i = 1; i < curve.Count; i++) returns[i - 1] = (double)((curve[i].Pnl - curve[i - 1].Pnl) / startingEquity);
        var mean = returns.Average();
        var variance = returns.Sum(r => (r - mean) * (r - mean)) / (returns.Length - 1);
        if (variance <= 0) return null;
        var perYear = TimeSpan.FromDays(365) / interval;
        return mean / Math.Sqrt(variance) * Math.Sqrt(perYear);
    }
}
