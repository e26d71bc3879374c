using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Venues;
using ArbBot.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Tests.Events;

/// <summary>
/// What the engine journal stores for each kind of record, column by column, and what it tells its listeners: the engine's
/// own objects on the calling thread (<see cref="EngineJournal.Published"/>), the saved rows after the commit
/// (<see cref="RecordWriter.Committed"/>), in the order they were journaled.
/// </summary>
public sealed class EngineJournalTests
{
    private static readonly DateTimeOffset Detected = new(2026, 11, 21, 12, 0, 0, 123, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset Sent = Detected.AddMilliseconds(1.5);
    private static readonly DateTimeOffset Answered = Detected.AddMilliseconds(9.25);

    [Fact]
    public async Task Every_kind_of_record_is_stored_with_the_values_the_engine_reported()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var registry = new InstrumentRegistry();
        var (kalshi, polymarket) = Markets(registry);
        var writer = new RecordWriter(database, TimeProvider.System, NullLogger<RecordWriter>.Instance) { GatherDelay = TimeSpan.Zero };
        var committed = new List<object>();
        writer.Committed += rows => { lock (committed) committed.AddRange(rows); };
        await writer.StartAsync(CancellationToken.None);
        var journal = new EngineJournal(writer, registry, NullLogger<EngineJournal>.Instance);
        var published = new List<object>();
        journal.Published += published.Add;

        var opportunity = new Opportunity(41, "cross-venue", 7, Detected,
            [
                new OpportunityLeg(kalshi.Yes, VenueId.Kalshi, Side.Buy, Price.FromUnits(4_700), 0.4693m, 0.0175m, Price.FromUnits(4_600), 120m, 1_234, TimeSpan.FromMilliseconds(3.2)),
                new OpportunityLeg(polymarket.No, VenueId.Polymarket, Side.Buy, Price.FromUnits(5_100), 0.5088m, 0m, Price.FromUnits(5_050), 85.5m, 987, TimeSpan.FromTicks(117_001)),
            ],
            10m, 0.0219m, 0.0175m, 0.0044m, 0.044m, OpportunityDecision.Taken, "Taken \"at\" full size ✓");
        var submitted = new OrderTransition("o41-l0", 41, 7, OrderRole.FirstLeg, VenueId.Kalshi, kalshi.Yes, Side.Buy, Price.FromUnits(4_700), 10m,
            TimeInForce.Ioc, OrderStatus.New, OrderStatus.Submitted, 0m, null, Answered, Sent);
        var filled = new OrderTransition("o41-l0", 41, 7, OrderRole.FirstLeg, VenueId.Kalshi, kalshi.Yes, Side.Buy, Price.FromUnits(4_700), 10m,
            TimeInForce.Ioc, OrderStatus.Submitted, OrderStatus.Filled, 10m, "all of it", Answered.AddMilliseconds(2));
        var fill = new Fill("f41", "o41-l0", "v41", VenueId.Kalshi, kalshi.Yes, Side.Buy, Price.FromUnits(4_693), 10m, 0.0175m, Liquidity.Taker, Answered.AddMilliseconds(1));
        var outcome = new ExecutionOutcome(41, 7, "cross-venue", ExecutionOutcomeKind.Hedged, 10m, 10m, 0m, 9.781m, 0.0175m, 0.044m, 0.0425m,
            Detected, Answered.AddMilliseconds(3), TimeSpan.FromMilliseconds(11.8), "Hedged 10 sets; locked 0.0425");
        var riskEvent = new RiskEvent(Detected, RiskRule.PairCooldown, RiskVerdict.Reject, 42, 7, "Rejected by the pair cooldown");

        journal.OnOpportunity(opportunity);
        journal.OnOrderTransition(submitted);
        journal.OnFill(fill, 41, 7);
        journal.OnOrderTransition(filled);
        journal.OnExecutionCompleted(outcome);
        journal.OnRiskEvent(riskEvent);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await writer.FlushAsync(timeout.Token);
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal<object>([opportunity, submitted, fill, filled, outcome, riskEvent], published);
        await using var db = database.CreateDbContext();

        var storedOpportunity = await db.Opportunities.SingleAsync();
        Assert.Equal((41L, "cross-venue", 7L, Detected.UtcDateTime), (storedOpportunity.Id, storedOpportunity.Strategy, storedOpportunity.PairId.GetValueOrDefault(), storedOpportunity.DetectedUtc));
        Assert.Equal((10m, 0.0219m, 0.0175m, 0.0044m, 0.044m), (storedOpportunity.Quantity, storedOpportunity.GrossEdgePerSet, storedOpportunity.TotalCosts, storedOpportunity.NetEdgePerSet, storedOpportunity.ExpectedProfit));
        Assert.Equal(("Taken", "Taken \"at\" full size ✓"), (storedOpportunity.Decision, storedOpportunity.Reason));
        Assert.Equal(
            """[{"venue":"Kalshi","symbol":"KXJRNL-26:yes","side":"Buy","worstPrice":0.47,"averagePrice":0.4693,"fee":0.0175,"topOfBook":0.46,"depthWithinWorst":120,"bookVersion":1234,"bookAgeMs":3.2},"""
            + """{"venue":"Polymarket","symbol":"jrnl-26:no","side":"Buy","worstPrice":0.51,"averagePrice":0.5088,"fee":0,"topOfBook":0.505,"depthWithinWorst":85.5,"bookVersion":987,"bookAgeMs":11.7001}]""",
            storedOpportunity.LegsJson);

        var order = await db.Orders.SingleAsync();
        Assert.Equal(("o41-l0", 41L, 7L, "FirstLeg", "Kalshi", "KXJRNL-26:yes", "Buy"),
            (order.ClientOrderId, order.OpportunityId.GetValueOrDefault(), order.PairId.GetValueOrDefault(), order.Role, order.Venue, order.Symbol, order.Side));
        Assert.Equal((0.47m, 10m, "Ioc", "Filled", 10m, "all of it"), (order.LimitPrice, order.Quantity, order.TimeInForce, order.Status, order.FilledQuantity, order.Reason));
        // Created when it was sent (the first transition's SentAt), updated at the last transition.
        Assert.Equal((Sent.UtcDateTime, Answered.AddMilliseconds(2).UtcDateTime), (order.CreatedUtc, order.UpdatedUtc));

        var transitions = await db.OrderTransitions.OrderBy(t => t.Id).ToListAsync();
        Assert.Equal(
            [("o41-l0", "New", "Submitted", 0m, (string?)null, Answered.UtcDateTime), ("o41-l0", "Submitted", "Filled", 10m, "all of it", Answered.AddMilliseconds(2).UtcDateTime)],
            transitions.Select(t => (t.ClientOrderId, t.FromStatus, t.ToStatus, t.FilledQuantity, t.Reason, t.AtUtc)));

        var storedFill = await db.Fills.SingleAsync();
        Assert.Equal(("f41", "o41-l0", 41L, 7L, "Kalshi", "KXJRNL-26:yes", "Buy"),
            (storedFill.FillId, storedFill.ClientOrderId, storedFill.OpportunityId.GetValueOrDefault(), storedFill.PairId.GetValueOrDefault(), storedFill.Venue, storedFill.Symbol, storedFill.Side));
        Assert.Equal((0.4693m, 10m, 0.0175m, "Taker", Answered.AddMilliseconds(1).UtcDateTime), (storedFill.Price, storedFill.Quantity, storedFill.Fee, storedFill.Liquidity, storedFill.AtUtc));

        var execution = await db.Executions.SingleAsync();
        Assert.Equal((41L, 7L, "cross-venue", "Hedged", 10m, 10m, 0m), (execution.OpportunityId, execution.PairId.GetValueOrDefault(), execution.Strategy, execution.Kind, execution.PlannedQuantity, execution.HedgedQuantity, execution.ResidualQuantity));
        Assert.Equal((9.781m, 0.0175m, 0.044m, 0.0425m), (execution.NetCashOut, execution.Fees, execution.ExpectedProfit, execution.LockedProfit));
        Assert.Equal((Detected.UtcDateTime, Answered.AddMilliseconds(3).UtcDateTime, 11.8, "Hedged 10 sets; locked 0.0425"),
            (execution.DetectedUtc, execution.CompletedUtc, execution.DetectionToLastFillMs, execution.Summary));

        var storedRisk = await db.RiskEvents.SingleAsync();
        Assert.Equal((Detected.UtcDateTime, "PairCooldown", "Reject", 42L, 7L, "Rejected by the pair cooldown"),
            (storedRisk.AtUtc, storedRisk.Rule, storedRisk.Verdict, storedRisk.OpportunityId.GetValueOrDefault(), storedRisk.PairId.GetValueOrDefault(), storedRisk.Detail));

        // Listeners of committed rows hear every inserted row in the order it was journaled, and each batch's latest order
        // states after its inserts (how the rows fall into batches depends on timing).
        Assert.Equal(
            [typeof(OpportunityRow), typeof(OrderTransitionRow), typeof(FillRow), typeof(OrderTransitionRow), typeof(ExecutionRow), typeof(RiskEventRow)],
            committed.Where(r => r is not OrderRow).Select(r => r.GetType()));
        Assert.Equal("Filled", committed.OfType<OrderRow>().Last().Status);
    }

    [Fact]
    public async Task An_order_created_before_this_run_of_the_journal_keeps_the_time_of_its_first_transition_seen()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var registry = new InstrumentRegistry();
        var (kalshi, _) = Markets(registry);
        var writer = new RecordWriter(database, TimeProvider.System, NullLogger<RecordWriter>.Instance) { GatherDelay = TimeSpan.Zero };
        await writer.StartAsync(CancellationToken.None);
        var journal = new EngineJournal(writer, registry, NullLogger<EngineJournal>.Instance);

        // No SentAt: created when first seen. After its final state the journal forgets it, so a reused id starts anew.
        foreach (var (from, to, at) in new[] { (OrderStatus.Submitted, OrderStatus.PartiallyFilled, Answered), (OrderStatus.PartiallyFilled, OrderStatus.Cancelled, Answered.AddSeconds(1)) })
        {
            journal.OnOrderTransition(new OrderTransition("o9", null, null, OrderRole.Single, VenueId.Kalshi, kalshi.Yes, Side.Sell, Price.FromUnits(3_300), 5m,
                TimeInForce.Gtc, from, to, 2m, null, at));
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await writer.FlushAsync(timeout.Token);
        await using (var db = database.CreateDbContext())
        {
            var order = await db.Orders.SingleAsync();
            Assert.Equal(("Cancelled", Answered.UtcDateTime, Answered.AddSeconds(1).UtcDateTime, (long?)null), (order.Status, order.CreatedUtc, order.UpdatedUtc, order.OpportunityId));
        }

        journal.OnOrderTransition(new OrderTransition("o9", null, null, OrderRole.Single, VenueId.Kalshi, kalshi.Yes, Side.Sell, Price.FromUnits(3_300), 5m,
            TimeInForce.Gtc, OrderStatus.New, OrderStatus.Submitted, 0m, null, Answered.AddSeconds(5)));
        await writer.FlushAsync(timeout.Token);
        await writer.StopAsync(CancellationToken.None);
        await using (var db = database.CreateDbContext())
        {
            var order = await db.Orders.SingleAsync();
            Assert.Equal(("Submitted", Answered.AddSeconds(5).UtcDateTime), (order.Status, order.CreatedUtc));
            Assert.Equal(3, await db.OrderTransitions.CountAsync());
        }
    }

    private static (Market Kalshi, Market Polymarket) Markets(InstrumentRegistry registry) => (
        registry.AddMarket(new Market(VenueId.Kalshi, "KXJRNL-26", "KXJRNL", "Journal?", "r", "s", DateTimeOffset.UnixEpoch, TickSize.Cent, 1m, "Yes", FeeParameters.None),
            "KXJRNL-26:yes", "KXJRNL-26:no"),
        registry.AddMarket(new Market(VenueId.Polymarket, "jrnl-26", "jrnl", "Journal?", "r", "s", DateTimeOffset.UnixEpoch, TickSize.Cent, 0.01m, "Yes", FeeParameters.None),
            "jrnl-26:yes", "jrnl-26:no"));
}
