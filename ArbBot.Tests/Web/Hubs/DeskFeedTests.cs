using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Events;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Tests.Fixtures;
using ArbBot.Web.Hubs;

namespace ArbBot.Tests.Web.Hubs;

public sealed class DeskFeedTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly InstrumentRegistry _registry = new();
    private readonly InstrumentId _kalshiYes;
    private readonly InstrumentId _polymarketNo;

    public DeskFeedTests()
    {
        _kalshiYes = _registry.AddMarket(NewMarket(VenueId.Kalshi, "KX"), "KX:yes", "KX:no").Yes;
        _polymarketNo = _registry.AddMarket(NewMarket(VenueId.Polymarket, "0xpm"), "tok-yes", "tok-no").No;
    }

    [Fact]
    public void A_batch_carries_what_was_collected_since_the_previous_one_and_its_full_form_the_whole_state()
    {
        var feed = new DeskFeed(_registry, _time);
        feed.Collect(Opportunity(1));
        feed.Collect(Opportunity(2));
        feed.Collect(Outcome(1, ExecutionOutcomeKind.Hedged));
        feed.Collect(new RiskEvent(_time.GetUtcNow(), RiskRule.MaxTradeSize, RiskVerdict.Resize, 2, 7, "resized to 10"));

        var first = feed.Emit(Snapshot(paused: true))!.Delta;

        Assert.Equal([1L, 2L], first.Opportunities.Select(o => o.Id));
        Assert.Equal(["KX:yes", "tok-no"], first.Opportunities[0].Legs.Select(l => l.Symbol));
        Assert.Equal("Hedged", Assert.Single(first.Trades).Kind);
        Assert.Equal("MaxTradeSize", Assert.Single(first.RiskEvents).Rule);
        var spread = Assert.Single(first.Spreads);
        Assert.Equal((7L, "YES Kalshi + NO Polymarket", 0.97m), (spread.PairId, spread.Set, spread.AskSum!.Value));
        Assert.True(first.RiskState!.Controls.TradingPaused);

        _time.Advance(TimeSpan.FromMilliseconds(250));
        var emission = feed.Emit(Snapshot(paused: true))!;
        var second = emission.Delta;
        Assert.Empty(second.Opportunities);
        Assert.Empty(second.Trades);
        Assert.Empty(second.RiskEvents);
        // Nothing changed: the delta carries no spread and no risk state; the full form states both.
        Assert.Empty(second.Spreads);
        Assert.Null(second.RiskState);
        Assert.Equal((false, first.Sequence), (second.Full, second.BaseSequence));
        Assert.Single(emission.Full.Spreads);
        Assert.True(emission.Full.RiskState!.Controls.TradingPaused);
        Assert.Equal((true, (long?)null, first.Sequence + 1), (emission.Full.Full, emission.Full.BaseSequence, emission.Full.Sequence));
    }

    [Fact]
    public void Order_steps_and_fills_are_not_pushed()
    {
        var feed = new DeskFeed(_registry, _time);
        feed.Collect(new UnhedgedExposure(7, _kalshiYes, 0m, "closed"));
        feed.Collect("anything else");

        var batch = feed.Emit(Snapshot())!.Delta;

        Assert.Empty(batch.Opportunities);
        Assert.Empty(batch.Trades);
        Assert.Empty(batch.RiskEvents);
    }

    [Fact]
    public void A_refresh_sooner_than_the_minimum_interval_emits_nothing_and_its_events_wait_for_the_next_batch()
    {
        var feed = new DeskFeed(_registry, _time, minInterval: TimeSpan.FromMilliseconds(100));
        Assert.NotNull(feed.Emit(Snapshot()));

        feed.Collect(Opportunity(5));
        _time.Advance(TimeSpan.FromMilliseconds(60));
        Assert.Null(feed.Emit(Snapshot()));

        _time.Advance(TimeSpan.FromMilliseconds(40));
        var next = feed.Emit(Snapshot())!.Delta;
        Assert.Equal(5L, Assert.Single(next.Opportunities).Id);
    }

    [Fact]
    public void However_often_it_is_asked_the_feed_emits_at_most_ten_batches_a_second()
    {
        var feed = new DeskFeed(_registry, _time);
        var emitted = 0;
        for (var tick = 0; tick < 1000; tick++)
        {
            feed.Collect(Opportunity(tick + 1));
            if (feed.Emit(Snapshot()) is not null) emitted++;
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(10, emitted);
    }

    [Fact]
    public void A_full_queue_drops_the_oldest_events_and_says_how_many()
    {
        var feed = new DeskFeed(_registry, _time, capacity: 3);
        for (var id = 1; id <= 5; id++) feed.Collect(Opportunity(id));
        for (var id = 1; id <= 4; id++) feed.Collect(Outcome(id, ExecutionOutcomeKind.Hedged));

        var batch = feed.Emit(Snapshot())!.Delta;

        Assert.Equal([3L, 4L, 5L], batch.Opportunities.Select(o => o.Id));
        Assert.Equal([2L, 3L, 4L], batch.Trades.Select(t => t.OpportunityId));
        Assert.Equal((2, 1, 0), (batch.Dropped.Opportunities, batch.Dropped.Trades, batch.Dropped.RiskEvents));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, feed.Emit(Snapshot())!.Delta.Dropped.Opportunities);
    }

    [Fact]
    public void A_reader_that_falls_behind_loses_the_oldest_batches_not_the_newest()
    {
        var feed = new DeskFeed(_registry, _time);
        for (var i = 0; i < 10; i++)
        {
            feed.Emit(Snapshot());
            _time.Advance(TimeSpan.FromMilliseconds(250));
        }

        var waiting = new List<DeskFeedEmission>();
        while (feed.Batches.TryRead(out var batch)) waiting.Add(batch);

        Assert.Equal([7L, 8L, 9L, 10L], waiting.Select(b => b.Sequence));
        Assert.Equal(6, feed.DroppedBatches);
    }

    [Fact]
    public void Risk_state_carries_the_breaker_and_exposure_as_the_desk_counts_them()
    {
        var feed = new DeskFeed(_registry, _time);

        var two = feed.Emit(Snapshot() with { BreakerFailures = 2, TotalExposure = 1_234.5m })!.Full.RiskState!;
        Assert.Equal((2, 3, false), (two.Breaker.FailuresInWindow, two.Breaker.FailureLimit, two.Breaker.Tripped));
        Assert.Equal((1_234.5m, new RiskLimits().MaxTotalExposure), (two.Portfolio.Exposure, two.Portfolio.MaxTotalExposure));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(feed.Emit(Snapshot() with { BreakerFailures = 3 })!.Delta.RiskState!.Breaker.Tripped);
    }

    private DeskSnapshot Snapshot(bool paused = false)
    {
        var controls = new ControlState(paused, paused ? "test" : null, false, null, new RiskLimits());
        return DeskSnapshot.Empty(controls, _time) with
        {
            Spreads = [new ArbSetSpread(7, 0, _kalshiYes, _polymarketNo, ArbSetState.NoEdge, Price.FromDecimal(0.45m), Price.FromDecimal(0.52m),
                0.97m, 0.03m, 0.005m, 40m, _time.GetUtcNow().UtcTicks)],
        };
    }

    private Opportunity Opportunity(long id) => new(id, "cross-venue", 7, _time.GetUtcNow(),
        [
            new OpportunityLeg(_kalshiYes, VenueId.Kalshi, Side.Buy, Price.FromDecimal(0.45m), 0.45m, 0.1m, Price.FromDecimal(0.45m), 40m, 1, TimeSpan.Zero),
            new OpportunityLeg(_polymarketNo, VenueId.Polymarket, Side.Buy, Price.FromDecimal(0.52m), 0.52m, 0m, Price.FromDecimal(0.52m), 40m, 1, TimeSpan.Zero),
        ],
        10m, 0.03m, 0.1m, 0.02m, 0.2m, OpportunityDecision.Taken, "taken");

    private ExecutionOutcome Outcome(long opportunityId, ExecutionOutcomeKind kind) => new(
        opportunityId, 7, "cross-venue", kind, 10m, kind == ExecutionOutcomeKind.Hedged ? 10m : 0m, kind == ExecutionOutcomeKind.Residual ? 2m : 0m,
        9.7m, 0.1m, 0.2m, 0.2m, _time.GetUtcNow(), _time.GetUtcNow(), TimeSpan.FromMilliseconds(40), "summary");

    private static Market NewMarket(VenueId venue, string key) => new(
        venue, key, "E", key, "", "", new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), TickSize.Cent, 1m, "Yes", FeeParameters.None);
}
