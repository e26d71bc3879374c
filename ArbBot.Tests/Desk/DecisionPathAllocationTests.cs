using ArbBot.Engine.Execution;
using ArbBot.Engine.Strategies;
using ArbBot.Tests.Fixtures;
using Xunit.Abstractions;

namespace ArbBot.Tests.Desk;

/// <summary>
/// What the hub's thread allocates between a strategy handing the desk an opportunity and the first order reaching the
/// gateway, on a warm desk. Bytes allocated by one thread are an exact count (the same code on the same run allocates
/// the same), unlike its timings, so the bound here is deterministic.
/// </summary>
public sealed class DecisionPathAllocationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_taken_opportunity_reaches_the_gateway_allocating_only_the_execution_and_its_first_order()
    {
        var harness = await PaperDeskHarness.CreateAsync(7);
        // Sized for the whole run before it starts: adding within capacity allocates nothing inside the measured steps.
        var steps = new List<(long OpportunityId, long Bytes)>(capacity: 100_000);
        long foundId = -1, foundBytes = 0;
        harness.Desk.Engine.Deciding = o =>
        {
            foundId = o.Id;
            foundBytes = GC.GetAllocatedBytesForCurrentThread();
        };
        foreach (var route in harness.Desk.Routes.Values)
        {
            ((PaperOrderGateway)route.Paper).Submitting = _ =>
            {
                var bytes = GC.GetAllocatedBytesForCurrentThread() - foundBytes;
                // Only an order placed within the decision on the opportunity just found (a first leg); later legs and
                // hedges leave on fills.
                if (foundId >= 0) steps.Add((foundId, bytes));
                foundId = -1;
            };
        }
        harness.ApproveSuggestedTruePairs();
        harness.WatchMultiOutcomeEvents();

        harness.Run(TimeSpan.FromMinutes(10));

        // Taken at the size found (a resize writes the gate's words and a risk event on the way, by design).
        var taken = harness.Journal.Opportunities.Where(o => o.Decision == OpportunityDecision.Taken).Select(o => o.Id).ToHashSet();
        // The first executions run methods for the first time (type set-up, first-call stubs): warm ones only.
        var warm = steps.Where(s => taken.Contains(s.OpportunityId)).Skip(5).Select(s => s.Bytes).Order().ToList();
        output.WriteLine($"{warm.Count} warm steps: {string.Join(", ", warm)} B");
        Assert.True(warm.Count >= 15, $"only {warm.Count} warm taken opportunities placed an order");
        var median = warm[warm.Count / 2];
        // The execution's own objects (legs, their order lists, the send order) and the first order (its id, request and
        // tracking record): ~0.8 KB for two legs. Before: ~1.3 KB more of work that is not needed before the order leaves
        // (the order's timeout timer, the executor's statistics record, the decided copy of the opportunity, the circuit
        // breaker's LINQ count).
        Assert.True(median <= 900, $"a warm found → submitted step allocates {median} B at the median");
    }
}
