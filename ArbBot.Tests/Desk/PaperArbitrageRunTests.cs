using ArbBot.Engine.Events;
using ArbBot.Tests.Fixtures;
using Xunit.Abstractions;

namespace ArbBot.Tests.Desk;

/// <summary>
/// The bar, on the simulator with every suggested true pair approved: over ten minutes of market, at least 95%
/// of executed arbitrages end fully hedged within slippage and at most 5% leave any unhedged residual.
/// </summary>
public sealed class PaperArbitrageRunTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(20261121)]
    [InlineData(7)]
    public async Task Ten_minutes_of_paper_arbitrage_end_hedged_within_slippage(int seed)
    {
        var harness = await PaperDeskHarness.CreateAsync(seed);
        // The bar is about hedging quality over ten full minutes: let complete sets use all the paper cash (each venue's
        // balance still limits) rather than stop trading halfway when the default total exposure limit is reached.
        harness.Controls.Apply(harness.Controls.State with
        {
            Limits = harness.Controls.Limits with { MaxTotalExposure = harness.Desk.Portfolio.StartingEquity },
        });
        var approved = harness.ApproveSuggestedTruePairs();

        harness.Run(TimeSpan.FromMinutes(10));

        var stats = harness.Desk.Executor.Stats;
        var outcomes = harness.Journal.Outcomes;
        output.WriteLine($"seed {seed}: {approved} pairs approved; attempted {stats.Attempted}, executed {stats.Executed}, hedged within slippage " +
            $"{stats.HedgedWithinSlippage}, beyond slippage {stats.HedgedBeyondSlippage}, unwound {stats.Unwound}, residual {stats.Residual}, " +
            $"not filled {stats.NotFilled}; average detection to last fill {stats.AverageDetectionToLastFill?.TotalMilliseconds:0.0} ms");
        output.WriteLine($"locked profit {outcomes.Sum(o => o.LockedProfit):0.00}, fees {outcomes.Sum(o => o.Fees):0.00}, " +
            $"realized PnL {harness.Desk.Portfolio.RealizedPnl:0.00}");
        foreach (var outcome in outcomes.Where(o => o.Kind != ExecutionOutcomeKind.Hedged).Take(10)) output.WriteLine($"  {outcome.Kind}: {outcome.Summary}");

        Assert.True(approved >= 20, $"only {approved} true pairs were suggested");
        Assert.True(stats.Executed >= 20, $"only {stats.Executed} arbitrages executed in ten minutes");
        Assert.True(stats.HedgedWithinSlippage >= 0.95 * stats.Executed, $"{stats.HedgedWithinSlippage} of {stats.Executed} hedged within slippage");
        Assert.True(stats.Residual <= 0.05 * stats.Executed, $"{stats.Residual} of {stats.Executed} left a residual");
        Assert.True(outcomes.Where(o => o.Kind == ExecutionOutcomeKind.Hedged).All(o => o.LockedProfit > 0), "a hedged arbitrage locked a loss");
    }
}
