using ArbBot.Engine.Events;
using ArbBot.Engine.Strategies;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Strategies.SpikeHunter;

using Hunter = ArbBot.Engine.Strategies.SpikeHunter.SpikeHunter;

public sealed class SpikeHunterReplayTests
{
    [Fact]
    public async Task On_a_simulated_market_the_hunter_enters_on_news_spikes_exits_and_explains_each_trade()
    {
        // Seed 1's world has news jumps in its first ten minutes (SimulatedWorld: about one per outcome group every 5 min).
        var harness = await PaperDeskHarness.CreateAsync(seed: 1);
        harness.Desk.SpikeHunter.Controls.Apply(new ArbBot.Engine.Strategies.SpikeHunter.SpikeHunterSettings { Enabled = true });
        harness.Run(TimeSpan.FromMinutes(10));

        var journal = harness.Journal;
        var entries = journal.Opportunities.Where(o => o.Strategy == Hunter.StrategyName && o.Decision is OpportunityDecision.Taken or OpportunityDecision.Resized).ToList();
        var closed = journal.Outcomes.Where(o => o.Strategy == Hunter.StrategyName && o.Kind == ExecutionOutcomeKind.Closed).ToList();
        Assert.NotEmpty(entries);
        Assert.True(closed.Count >= 3, $"expected several closed spike trades, got {closed.Count}");
        foreach (var trade in closed)
        {
            // Each summary says why it entered (the four layers) and why it exited.
            Assert.Contains("CUSUM", trade.Summary, StringComparison.Ordinal);
            Assert.Contains("band", trade.Summary, StringComparison.Ordinal);
            Assert.Contains("samples", trade.Summary, StringComparison.Ordinal);
            Assert.Contains("top 5 asks", trade.Summary, StringComparison.Ordinal);
            Assert.Matches("on (take-profit|stop loss|trailing stop|maximum holding time)", trade.Summary);
            Assert.Null(trade.PairId);
            var entry = Assert.Single(entries, e => e.Id == trade.OpportunityId);
            var instrument = Assert.Single(entry.Legs).Instrument;
            // Bought and sold the same contracts: the fills of the trade net to zero on its instrument.
            var fills = journal.Fills.Where(f => f.OpportunityId == trade.OpportunityId).Select(f => f.Fill).ToList();
            Assert.All(fills, f => Assert.Equal(instrument, f.Instrument));
            Assert.Equal(0m, fills.Sum(f => f.Side == ArbBot.Engine.Core.Side.Buy ? f.Quantity : -f.Quantity));
            Assert.All(journal.Transitions.Where(t => t.OpportunityId == trade.OpportunityId), t => Assert.Equal(OrderRole.Single, t.Role));
        }
        // The record of wins and losses behind Kelly counts exactly the closed trades.
        var kelly = harness.Desk.SpikeHunter.Kelly;
        Assert.Equal(closed.Count, kelly.Wins + kelly.Losses);
        Assert.Equal(closed.Count(c => c.LockedProfit > 0m), kelly.Wins);
    }
}
