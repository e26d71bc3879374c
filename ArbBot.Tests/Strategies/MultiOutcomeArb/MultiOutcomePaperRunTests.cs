using ArbBot.Engine.Events;
using ArbBot.Engine.Strategies.MultiOutcomeArb;
using ArbBot.Tests.Fixtures;
using Xunit.Abstractions;

namespace ArbBot.Tests.Strategies.MultiOutcomeArb;

public sealed class MultiOutcomePaperRunTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(20261121)]
    public async Task Ten_minutes_of_simulated_market_find_and_execute_multi_outcome_sets(int seed)
    {
        var harness = await PaperDeskHarness.CreateAsync(seed);
        var watched = harness.WatchMultiOutcomeEvents(new MultiOutcomeSettings { KalshiExhaustiveEvents = ["KXFEDDECISION-26DEC", "KXMLSCUP-26"] });
        foreach (var e in watched) output.WriteLine($"{e.Event.Venue} {e.Event.EventKey}: {e.Reason}");

        harness.Run(TimeSpan.FromMinutes(10));

        var found = harness.Journal.Opportunities.Where(o => o.Strategy == MultiOutcomeArbitrage.StrategyName).ToList();
        var outcomes = harness.Journal.Outcomes.Where(o => o.Strategy == MultiOutcomeArbitrage.StrategyName).ToList();
        output.WriteLine($"opportunities {found.Count} ({string.Join(", ", found.GroupBy(o => o.Decision).Select(g => $"{g.Key} {g.Count()}"))}); executions {outcomes.Count} ({string.Join(", ", outcomes.GroupBy(o => o.Kind).Select(g => $"{g.Key} {g.Count()}"))})");
        foreach (var o in found.Take(5)) output.WriteLine(o.Reason);
        foreach (var o in outcomes) output.WriteLine($"{o.Kind}: {o.Summary}");
        foreach (var bad in outcomes.Where(o => o.Kind is ExecutionOutcomeKind.Residual or ExecutionOutcomeKind.Unwound))
        {
            output.WriteLine(found.Last(o => o.Id == bad.OpportunityId).Reason);
            foreach (var t in harness.Journal.Transitions.Where(t => t.OpportunityId == bad.OpportunityId)) output.WriteLine($"  {t.ClientOrderId} {t.Instrument} {t.Side} {t.LimitPrice} {t.Quantity} {t.From}->{t.To} filled {t.FilledQuantity} {t.Reason} at {t.At:HH:mm:ss.fff}");
        }
        Assert.NotEmpty(outcomes);
    }
}
