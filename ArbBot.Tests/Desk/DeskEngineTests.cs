using ArbBot.Engine.Control;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Desk;

public sealed class DeskEngineTests
{
    [Fact]
    public async Task With_the_kill_switch_engaged_nothing_executes_and_repeated_rejections_are_thinned_not_dropped()
    {
        var harness = await PaperDeskHarness.CreateAsync(7);
        harness.Controls.Apply(harness.Controls.State with { KillSwitchEngaged = true, KillSwitchReason = "test" });
        harness.ApproveSuggestedTruePairs();

        harness.Run(TimeSpan.FromMinutes(2));

        Assert.Equal(0, harness.Desk.Executor.Stats.Attempted);
        var rejected = harness.Journal.Opportunities.Where(o => o.Decision == OpportunityDecision.Rejected).ToList();
        Assert.NotEmpty(rejected);
        Assert.All(rejected, o => Assert.StartsWith("Rejected by KillSwitch", o.Reason, StringComparison.Ordinal));
        // At most one record per pair per 10 s of the same rule: two minutes give at most 12 per pair.
        Assert.All(rejected.GroupBy(o => o.PairId), g => Assert.InRange(g.Count(), 1, 12));
        Assert.Contains(rejected, o => o.Reason.Contains("similar since the last record", StringComparison.Ordinal));
        var killEvents = harness.Journal.RiskEvents.Where(e => e.Rule == RiskRule.KillSwitch).ToList();
        Assert.All(killEvents.GroupBy(e => e.PairId), g => Assert.InRange(g.Count(), 1, 12));
    }

    [Fact]
    public async Task A_rejection_is_settled_without_building_the_opportunity_only_while_both_its_records_would_be_thinned()
    {
        var harness = await PaperDeskHarness.CreateAsync(7);
        harness.ApproveSuggestedTruePairs();
        var engine = harness.Desk.Engine;
        var pairId = engine.Pairs.Keys.First();
        harness.Controls.Apply(harness.Controls.State with { KillSwitchEngaged = true, KillSwitchReason = "test" });

        // Nothing recorded yet for this pair and rule: the opportunity must be built, so its rejection is written in words.
        Assert.False(engine.SettledWithoutBuilding(pairId, null));
        engine.OnOpportunity(Rejectable(harness, pairId, id: 1));
        Assert.Single(harness.Journal.Opportunities, o => o.PairId == pairId && o.Decision == OpportunityDecision.Rejected);

        // Within the thinning interval both records would be skipped: settled unbuilt, and counted as the full path counts.
        Assert.True(engine.SettledWithoutBuilding(pairId, null));
        Assert.True(engine.SettledWithoutBuilding(pairId, null));
        Assert.Single(harness.Journal.Opportunities, o => o.PairId == pairId);
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(engine.SettledWithoutBuilding(pairId, null));
        engine.OnOpportunity(Rejectable(harness, pairId, id: 2));
        var second = harness.Journal.Opportunities.Last(o => o.PairId == pairId);
        Assert.EndsWith("(+2 similar since the last record)", second.Reason, StringComparison.Ordinal);
        Assert.EndsWith("(+2 similar since the last record)", harness.Journal.RiskEvents.Last(e => e.PairId == pairId).Detail, StringComparison.Ordinal);

        // Once the reason clears, nothing is settled unseen: the next opportunity reaches the gate.
        Assert.True(engine.SettledWithoutBuilding(pairId, null));
        harness.Controls.Apply(harness.Controls.State with { KillSwitchEngaged = false, KillSwitchReason = null });
        Assert.False(engine.SettledWithoutBuilding(pairId, null));
    }

    [Fact]
    public async Task A_repeated_rejection_by_a_rule_of_the_opportunity_itself_is_settled_unworded_and_counted_in_the_next_record()
    {
        var harness = await PaperDeskHarness.CreateAsync(7);
        harness.ApproveSuggestedTruePairs();
        var engine = harness.Desk.Engine;
        var pairId = engine.Pairs.Keys.First();
        // Net edge below the minimum: a rule of the opportunity, not of its pair, so it is only known once it is built.
        Opportunity Thin(long id) => new(id, "cross-venue", pairId, harness.Time.GetUtcNow(), [], 10m, 0.001m, 0m, 0.001m, 0.01m,
            OpportunityDecision.Detected, "test");
        Assert.False(engine.SettledWithoutBuilding(pairId, null));

        engine.OnOpportunity(Thin(1));
        var first = Assert.Single(harness.Journal.Opportunities, o => o.PairId == pairId);
        Assert.Equal("Rejected by MinNetEdge: net edge 0.0010/set below minimum 0.01", first.Reason);
        Assert.Equal("net edge 0.0010/set below minimum 0.01", Assert.Single(harness.Journal.RiskEvents, e => e.PairId == pairId).Detail);

        // Within the thinning interval the gate settles them before writing a word: no record of either kind ...
        engine.OnOpportunity(Thin(2));
        engine.OnOpportunity(Thin(3));
        Assert.Single(harness.Journal.Opportunities, o => o.PairId == pairId);
        Assert.Single(harness.Journal.RiskEvents, e => e.PairId == pairId);

        // ... but each is counted, in both records' "+N similar", as when they were worded and thinned.
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        engine.OnOpportunity(Thin(4));
        var second = harness.Journal.Opportunities.Last(o => o.PairId == pairId);
        Assert.Equal(4, second.Id);
        Assert.Equal("Rejected by MinNetEdge: net edge 0.0010/set below minimum 0.01 (+2 similar since the last record)", second.Reason);
        Assert.Equal("net edge 0.0010/set below minimum 0.01 (+2 similar since the last record)", harness.Journal.RiskEvents.Last(e => e.PairId == pairId).Detail);
    }

    private static Opportunity Rejectable(PaperDeskHarness harness, long pairId, long id) => new(
        id, "cross-venue", pairId, harness.Time.GetUtcNow(), [], 10m, 0.05m, 0m, 0.05m, 0.5m, OpportunityDecision.Detected, "test");

    [Fact]
    public async Task A_resized_trade_is_recorded_at_the_size_executed()
    {
        var harness = await PaperDeskHarness.CreateAsync(7);
        // The strategy sizes within the trade-size limit itself; the per-market position limit is the gate's to apply.
        harness.Controls.Apply(harness.Controls.State with { Limits = new RiskLimits { MaxPositionPerMarket = 30m } });
        harness.ApproveSuggestedTruePairs();

        harness.Run(TimeSpan.FromMinutes(3));

        var resized = harness.Journal.Opportunities.Where(o => o.Decision == OpportunityDecision.Resized).ToList();
        Assert.NotEmpty(resized);
        Assert.All(resized, o =>
        {
            Assert.All(o.Legs, l => Assert.True(l.WorstPrice.Value * o.Quantity <= 30m, $"recorded size {o.Quantity} exceeds the limit"));
            Assert.Equal(o.NetEdgePerSet * o.Quantity, o.ExpectedProfit);
            Assert.Contains("by MaxPositionPerMarket", o.Reason, StringComparison.Ordinal);
        });
        var positions = harness.Desk.Portfolio.Snapshot().Positions;
        Assert.All(positions, p => Assert.True(p.Quantity * p.AverageCost <= 30m, $"{p.Symbol} holds {p.Quantity * p.AverageCost}"));
    }

    [Fact]
    public async Task The_first_leg_is_placed_within_the_decision_before_the_opportunity_is_recorded()
    {
        var harness = await PaperDeskHarness.CreateAsync(7);
        var log = new List<string>();
        harness.Desk.Engine.Deciding = o => log.Add($"found {o.Id}");
        foreach (var route in harness.Desk.Routes.Values)
        {
            ((PaperOrderGateway)route.Paper).Submitting = r => log.Add($"placed {r.ClientOrderId} recorded {harness.Journal.Opportunities.Count}");
        }
        harness.ApproveSuggestedTruePairs();

        harness.Run(TimeSpan.FromMinutes(2));

        var taken = harness.Journal.Opportunities.Where(o => o.Decision is OpportunityDecision.Taken or OpportunityDecision.Resized).ToList();
        Assert.NotEmpty(taken);
        foreach (var opportunity in taken)
        {
            var first = harness.Journal.Transitions.First(t => t.OpportunityId == opportunity.Id && t.Role == OrderRole.FirstLeg);
            var placed = log.FindIndex(l => l.StartsWith($"placed {first.ClientOrderId} ", StringComparison.Ordinal));
            // Placed during the desk's decision on the opportunity, synchronously: nothing else was decided in between ...
            Assert.True(placed > 0, $"first leg {first.ClientOrderId} never reached the paper gateway");
            Assert.Equal($"found {opportunity.Id}", log[placed - 1]);
            // ... and before the opportunity was written down: it is the next record.
            var recordedBefore = int.Parse(log[placed].Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(opportunity.Id, harness.Journal.Opportunities[recordedBefore].Id);
        }
        var firstTransitionOf = harness.Journal.Transitions.Select((t, i) => (t.OpportunityId, i)).GroupBy(x => x.OpportunityId).ToDictionary(g => g.Key!.Value, g => g.Min(x => x.i));
        Assert.All(taken, o => Assert.True(firstTransitionOf.ContainsKey(o.Id), $"opportunity {o.Id} sent no order"));
    }
}
