using ArbBot.Engine.Events;
using ArbBot.Engine.Replay;

namespace ArbBot.Tests.Replay;

public sealed class ReplayStatisticsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 14, 0, 0, TimeSpan.Zero);

    private static List<PnlPoint> Curve(params decimal[] pnl) => pnl.Select((p, i) => new PnlPoint(T0.AddMinutes(i), p)).ToList();

    private static ExecutionOutcome Outcome(long id, ExecutionOutcomeKind kind, decimal profit) =>
        new(id, 1, "cross-venue", kind, 10, kind == ExecutionOutcomeKind.NotFilled ? 0 : 10, kind == ExecutionOutcomeKind.Residual ? 3 : 0, 9, 0.1m, 0.5m, profit,
            T0, T0.AddSeconds(1), TimeSpan.FromMilliseconds(50), "test");

    [Fact]
    public void Max_drawdown_is_the_largest_fall_from_the_running_peak_starting_at_zero()
    {
        // Peaks 0, 5, 5, 5, 8, 8: falls 0, 0, 3, 7 (5 → −2), 0, 2 (8 → 6). Hand computed: 7.
        Assert.Equal(7m, ReplayStatisticsReport.MaxDrawdownOf(Curve(0, 5, 2, -2, 8, 6)));
        // A curve that only falls: from the starting 0 to −4.
        Assert.Equal(4m, ReplayStatisticsReport.MaxDrawdownOf(Curve(-1, -4, -3)));
        Assert.Equal(0m, ReplayStatisticsReport.MaxDrawdownOf(Curve(0, 1, 2, 3)));
    }

    [Fact]
    public void Sharpe_is_the_mean_over_the_sample_deviation_of_per_interval_returns_annualized_over_365_days()
    {
        // PnL 0, 10, 30, 20, 40 on equity 1,000: returns 0.01, 0.02, −0.01, 0.02; mean 0.01;
        // squared deviations 0, 0.0001, 0.0004, 0.0001 → sample variance 0.0006 / 3 = 0.0002, sd 0.0141421356;
        // per interval 0.7071067812; one-minute intervals: × √525,600 (724.98276) = 512.640.
        var sharpe = ReplayStatisticsReport.SharpeOf(Curve(0, 10, 30, 20, 40), TimeSpan.FromMinutes(1), 1_000m);
        Assert.NotNull(sharpe);
        Assert.Equal(0.01 / Math.Sqrt(0.0002) * Math.Sqrt(525_600), sharpe!.Value, 6);
        Assert.Equal(512.640, sharpe.Value, 2);
        // Undefined with no variation or too few intervals.
        Assert.Null(ReplayStatisticsReport.SharpeOf(Curve(0, 10, 20, 30), TimeSpan.FromMinutes(1), 1_000m));
        Assert.Null(ReplayStatisticsReport.SharpeOf(Curve(0, 10), TimeSpan.FromMinutes(1), 1_000m));
    }

    [Fact]
    public void Hit_rate_counts_profitable_trades_over_trades_and_hedge_statistics_count_each_ending()
    {
        var outcomes = new[]
        {
            Outcome(1, ExecutionOutcomeKind.Hedged, 1.5m),
            Outcome(2, ExecutionOutcomeKind.Hedged, 0.2m),
            Outcome(3, ExecutionOutcomeKind.HedgedBeyondSlippage, -0.1m),
            Outcome(4, ExecutionOutcomeKind.Unwound, -0.4m),
            Outcome(5, ExecutionOutcomeKind.Residual, 0m),
            Outcome(6, ExecutionOutcomeKind.NotFilled, 0m),
        };

        var report = ReplayStatisticsReport.Compute(Curve(0, 1, 2), TimeSpan.FromMinutes(1), 10_000m, outcomes);

        // Five trades (not filled is not a trade), two of them profitable: 2 / 5 = 0.4.
        Assert.Equal(5, report.Trades);
        Assert.Equal(2, report.Wins);
        Assert.Equal(0.4, report.HitRate, 10);
        Assert.Equal(new HedgeStatistics(2, 1, 1, 1, 1, 0), report.Hedges);
        Assert.Equal(2m, report.FinalPnl);
        Assert.Equal(5, report.TradeList.Count);
    }
}
