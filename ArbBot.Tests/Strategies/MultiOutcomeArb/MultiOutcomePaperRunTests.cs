using ArbBot.Engine.Events;
using ArbBot.Engine.Strategies.MultiOutcomeArb;
using ArbBot.Tests.Fixtures;
using Xunit.Abstractions;

namespace ArbBot.Tests.Strategies.MultiOutcomeArb;

/// <summary>
/// The whole paper desk on the simulator (deterministic per seed), with every multi-outcome event watched and the two
/// simulated Kalshi events that are truly exhaustive listed as such: sets are found, pass the risk gate, execute and are
/// recorded like cross-venue arbitrage.
/// </summary>
public sealed class MultiOutcomePaperRunTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(20261121)]
    [InlineData(7)]
    public async Task Ten_minutes_of_simulated_market_find_and_execute_multi_outcome_sets(int seed)
    {
        var harness = await PaperDeskHarness.CreateAsync(seed);
        var watched = harness.WatchMultiOutcomeEvents(new MultiOutcomeSettings { KalshiExhaustiveEvents = ["KXFEDDECISION-26DEC", "KXMLSCUP-26"] });

        harness.Run(TimeSpan.FromMinutes(10));

        var found = harness.Journal.Opportunities.Where(o => o.Strategy == MultiOutcomeArbitrage.StrategyName).ToList();
        var outcomes = harness.Journal.Outcomes.Where(o => o.Strategy == MultiOutcomeArbitrage.StrategyName).ToList();
        var stats = harness.Desk.Executor.Stats;
        var executed = outcomes.Count(o => o.Executed);
        var hedged = outcomes.Count(o => o.Kind == ExecutionOutcomeKind.Hedged);
        output.WriteLine($"seed {seed}: {watched.Count} events watched ({string.Join(", ", watched.Select(e => $"{e.Event.Venue}:{e.Event.EventKey}"))})");
        output.WriteLine($"opportunity records {found.Count} ({string.Join(", ", found.GroupBy(o => o.Decision).Select(g => $"{g.Key} {g.Count()}"))}), " +
            $"YES sets {found.Count(o => o.PayoutPerSet == 1m)}, NO sets {found.Count(o => o.PayoutPerSet > 1m)}");
        output.WriteLine($"executions {outcomes.Count}: {string.Join(", ", outcomes.GroupBy(o => o.Kind).Select(g => $"{g.Key} {g.Count()}"))}; " +
            $"hedged within slippage {hedged} of {executed} executed ({(executed == 0 ? 0 : 100.0 * hedged / executed):0.#}%); " +
            $"locked {outcomes.Sum(o => o.LockedProfit):0.00}, fees {outcomes.Sum(o => o.Fees):0.00}; residual contracts {outcomes.Sum(o => o.ResidualQuantity):0.##}");
        output.WriteLine($"executor stats: attempted {stats.Attempted}, executed {stats.Executed}, hedged {stats.HedgedWithinSlippage}, unwound {stats.Unwound}, residual {stats.Residual}");
        foreach (var o in outcomes.Where(o => o.Kind != ExecutionOutcomeKind.Hedged)) output.WriteLine($"  {o.Kind}: {o.Summary}");
        foreach (var holding in harness.Desk.Portfolio.Snapshot().Events) output.WriteLine($"  holding {holding}");

        // Fed and MLS Cup on both venues; never Polymarket's augmented Person of the Year.
        Assert.Equal(4, watched.Count);
        Assert.DoesNotContain(found, o => o.EventKey!.Contains("person-of-the-year", StringComparison.Ordinal));
        Assert.True(executed >= 10, $"only {executed} multi-outcome sets executed in ten minutes");
        Assert.True(hedged >= 0.8 * executed, $"{hedged} of {executed} hedged within slippage");
        Assert.True(outcomes.Count(o => o.Kind == ExecutionOutcomeKind.Residual) <= 0.05 * executed + 1, "too many residuals");
        Assert.All(outcomes.Where(o => o.Kind == ExecutionOutcomeKind.Hedged), o => Assert.True(o.LockedProfit > 0m, o.Summary));
        Assert.All(found, o => Assert.Null(o.PairId));
        // Every execution was recorded with its opportunity.
        Assert.All(outcomes, o => Assert.Contains(found, f => f.Id == o.OpportunityId));
        Assert.True(harness.Desk.Portfolio.Snapshot().Events.Sum(h => h.SetsHeld) > 0m);
    }
}
