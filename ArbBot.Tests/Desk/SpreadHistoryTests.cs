using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Events;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Desk;

public sealed class SpreadHistoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _time = new(Start);
    private long _evaluations;

    [Fact]
    public void Each_re_evaluated_pair_gets_one_sample_per_snapshot_with_both_sets_figures()
    {
        var history = new SpreadHistory();

        history.Record(Snapshot(Spread(7, 0, net: 0.012m), Spread(7, 1, net: -0.03m), Spread(9, 0, net: 0.001m), Spread(9, 1, net: 0.002m)));

        var seven = history.Get(7)!;
        var sample = Assert.Single(seven.Samples);
        Assert.Equal(Start, sample.At);
        Assert.Equal(new SetEdgeSample(0.022m, 0.012m, 40m), sample.First);
        Assert.Equal(new SetEdgeSample(-0.02m, -0.03m, 40m), sample.Second);
        Assert.Single(history.Get(9)!.Samples);
        Assert.Equal([7L, 9L], history.PairIds());
    }

    [Fact]
    public void A_pair_not_re_evaluated_since_its_last_sample_is_not_sampled_again()
    {
        var history = new SpreadHistory();
        var first = Spread(1, 0, net: 0.01m);
        var second = Spread(1, 1, net: 0.02m);

        history.Record(Snapshot(first, second));
        _time.Advance(TimeSpan.FromMilliseconds(250));
        history.Record(Snapshot(first, second));
        _time.Advance(TimeSpan.FromMilliseconds(250));
        history.Record(Snapshot(first, Spread(1, 1, net: 0.03m)));

        Assert.Equal([0.02m, 0.03m], history.Get(1)!.Samples.Select(s => s.Second!.Value.NetEdge));
    }

    [Fact]
    public void Sets_without_priced_books_are_gaps_and_never_evaluated_pairs_are_not_recorded()
    {
        var history = new SpreadHistory();

        history.Record(Snapshot(Spread(1, 0, net: 0.01m, state: ArbSetState.StaleBook), Spread(1, 1, net: 0.01m),
            Spread(2, 0, net: 0m, state: ArbSetState.NotEvaluated, evaluated: false), Spread(2, 1, net: 0m, state: ArbSetState.NotEvaluated, evaluated: false)));

        var sample = Assert.Single(history.Get(1)!.Samples);
        Assert.Null(sample.First);
        Assert.NotNull(sample.Second);
        Assert.Null(history.Get(2));
    }

    [Fact]
    public void Samples_per_pair_are_bounded_keeping_the_newest_in_order()
    {
        var history = new SpreadHistory(samplesPerPair: 5);

        for (var i = 1; i <= 12; i++)
        {
            history.Record(Snapshot(Spread(1, 0, net: i / 1000m), Spread(1, 1, net: 0m)));
            _time.Advance(TimeSpan.FromMilliseconds(250));
        }

        var samples = history.Get(1)!.Samples;
        Assert.Equal([0.008m, 0.009m, 0.010m, 0.011m, 0.012m], samples.Select(s => s.First!.Value.NetEdge));
        Assert.Equal(samples.OrderBy(s => s.At), samples);
        Assert.Equal(samples.OrderBy(s => s.Sequence), samples);
    }

    [Fact]
    public void Since_returns_only_what_was_recorded_after_the_readers_cursor()
    {
        var history = new SpreadHistory(samplesPerPair: 100);
        history.Record(Snapshot(Spread(1, 0, net: 0.01m), Spread(1, 1, net: 0m)));
        var cursor = history.Get(1)!.LastSequence;

        _time.Advance(TimeSpan.FromMilliseconds(250));
        history.OnPublished(Opportunity(1, 41, OpportunityDecision.Taken, 0.015m));
        history.Record(Snapshot(Spread(1, 0, net: 0.02m), Spread(1, 1, net: 0m)));
        _time.Advance(TimeSpan.FromMilliseconds(250));
        history.Record(Snapshot(Spread(1, 0, net: 0.03m), Spread(1, 1, net: 0m)));

        var update = history.Since(1, cursor)!;
        Assert.Equal([0.02m, 0.03m], update.Samples.Select(s => s.First!.Value.NetEdge));
        Assert.Equal(41, Assert.Single(update.Markers).OpportunityId);
        Assert.Empty(history.Since(1, update.LastSequence)!.Samples);
        Assert.Empty(history.Since(1, update.LastSequence)!.Markers);
    }

    [Fact]
    public void Opportunities_and_trades_become_markers_in_the_order_they_happened()
    {
        var history = new SpreadHistory();

        history.OnPublished(Opportunity(3, 10, OpportunityDecision.Taken, 0.02m));
        history.OnPublished(Opportunity(3, 11, OpportunityDecision.Resized, 0.018m));
        history.OnPublished(Opportunity(3, 12, OpportunityDecision.Rejected, 0.011m, "Rejected by DailyLoss: daily loss limit reached"));
        history.OnPublished(Outcome(3, 10, ExecutionOutcomeKind.Hedged, hedged: 20m, locked: 0.30m));
        history.OnPublished(Outcome(3, 11, ExecutionOutcomeKind.NotFilled, hedged: 0m, locked: 0m, planned: 10m, expected: 0.18m));
        // Not about a pair, or not a marker at all: ignored.
        history.OnPublished(Opportunity(null, 13, OpportunityDecision.Taken, 0.05m));
        history.OnPublished(new RiskEvent(Start, RiskRule.DailyLossLimit, RiskVerdict.Reject, 12, 3, "daily loss"));
        history.Record(Snapshot());

        var markers = history.Get(3)!.Markers;
        Assert.Equal([SpreadMarkerKind.Taken, SpreadMarkerKind.Resized, SpreadMarkerKind.Rejected, SpreadMarkerKind.Trade, SpreadMarkerKind.Trade],
            markers.Select(m => m.Kind));
        Assert.Equal([10L, 11L, 12L, 10L, 11L], markers.Select(m => m.OpportunityId));
        Assert.Equal("Rejected by DailyLoss: daily loss limit reached", markers[2].Description);
        Assert.Equal(ExecutionOutcomeKind.Hedged, markers[3].Outcome);
        Assert.Equal(0.015m, markers[3].NetEdgePerSet);
        Assert.Equal(20m, markers[3].Quantity);
        Assert.Equal(0.018m, markers[4].NetEdgePerSet);
        Assert.Equal(12, history.LastOpportunity(3)!.OpportunityId);
        Assert.Equal([3L], history.PairIds());
    }

    [Fact]
    public void Markers_wait_for_the_next_record_so_the_hub_thread_only_enqueues()
    {
        var history = new SpreadHistory();

        history.OnPublished(Opportunity(3, 10, OpportunityDecision.Taken, 0.02m));

        Assert.Null(history.Get(3));
        history.Record(Snapshot());
        Assert.Single(history.Get(3)!.Markers);
    }

    [Fact]
    public void Markers_per_pair_are_bounded_keeping_the_newest()
    {
        var history = new SpreadHistory(markersPerPair: 3);

        for (var id = 1; id <= 8; id++) history.OnPublished(Opportunity(1, id, OpportunityDecision.Taken, 0.01m));
        history.Record(Snapshot());

        Assert.Equal([6L, 7L, 8L], history.Get(1)!.Markers.Select(m => m.OpportunityId));
    }

    [Fact]
    public void Events_beyond_the_pending_limit_are_dropped_and_counted()
    {
        var history = new SpreadHistory(markersPerPair: 100, maxPendingEvents: 4);

        for (var id = 1; id <= 6; id++) history.OnPublished(Opportunity(1, id, OpportunityDecision.Taken, 0.01m));
        history.Record(Snapshot());
        history.OnPublished(Opportunity(1, 7, OpportunityDecision.Taken, 0.01m));
        history.Record(Snapshot());

        Assert.Equal([1L, 2L, 3L, 4L, 7L], history.Get(1)!.Markers.Select(m => m.OpportunityId));
        Assert.Equal(2, history.DroppedEvents);
    }

    [Fact]
    public void Beyond_the_pair_limit_a_new_pair_takes_the_place_of_the_pair_silent_longest_once_it_has_been_silent_a_minute()
    {
        var history = new SpreadHistory(maxPairs: 2);

        history.Record(Snapshot(Spread(1, 0, 0.01m), Spread(1, 1, 0.01m), Spread(2, 0, 0.01m), Spread(2, 1, 0.01m)));
        _time.Advance(TimeSpan.FromSeconds(30));
        // Pair 1 keeps trading; pair 2 was paused and is no longer in the snapshots.
        history.Record(Snapshot(Spread(1, 0, 0.02m), Spread(1, 1, 0.02m)));
        _time.Advance(TimeSpan.FromSeconds(1));
        history.Record(Snapshot(Spread(1, 0, 0.03m), Spread(1, 1, 0.03m), Spread(3, 0, 0.01m), Spread(3, 1, 0.01m)));

        // Silent for 31 s only: pair 2 keeps its place.
        Assert.Equal([1L, 2L], history.PairIds());
        Assert.Equal(1, history.PairsNotKept);

        _time.Advance(TimeSpan.FromSeconds(30));
        history.Record(Snapshot(Spread(1, 0, 0.04m), Spread(1, 1, 0.04m), Spread(3, 0, 0.02m), Spread(3, 1, 0.02m)));

        Assert.Equal([1L, 3L], history.PairIds());
        Assert.Equal(0, history.PairsNotKept);
        Assert.Null(history.Get(2));
        Assert.Equal(4, history.Get(1)!.Samples.Count);
        Assert.Equal([0.02m], history.Get(3)!.Samples.Select(s => s.First!.Value.NetEdge));
    }

    [Fact]
    public void More_busy_pairs_than_places_leave_the_kept_pairs_whole_history_instead_of_forgetting_them_in_turn()
    {
        var history = new SpreadHistory(maxPairs: 2);

        for (var i = 0; i < 10; i++)
        {
            history.Record(Snapshot(Spread(1, 0, 0.01m), Spread(1, 1, 0m), Spread(2, 0, 0.01m), Spread(2, 1, 0m), Spread(3, 0, 0.01m), Spread(3, 1, 0m)));
            _time.Advance(TimeSpan.FromMilliseconds(250));
        }

        Assert.Equal([1L, 2L], history.PairIds());
        Assert.Equal(1, history.PairsNotKept);
        Assert.Equal(10, history.Get(1)!.Samples.Count);
        Assert.Equal(10, history.Get(2)!.Samples.Count);
    }

    [Fact]
    public void A_pair_whose_chart_is_opened_takes_the_place_of_the_busy_pair_nobody_reads()
    {
        var history = new SpreadHistory(maxPairs: 2);
        history.Record(Snapshot(Spread(1, 0, 0.01m), Spread(1, 1, 0m), Spread(2, 0, 0.01m), Spread(2, 1, 0m), Spread(3, 0, 0.01m), Spread(3, 1, 0m)));
        _time.Advance(TimeSpan.FromMilliseconds(250));
        history.OnPublished(Opportunity(3, 7, OpportunityDecision.Taken, 0.01m));

        // Someone watches pair 1's chart, and opens pair 3's, which has no history yet.
        Assert.NotNull(history.Get(1));
        Assert.Null(history.Get(3));
        history.Record(Snapshot(Spread(1, 0, 0.02m), Spread(1, 1, 0m), Spread(2, 0, 0.02m), Spread(2, 1, 0m), Spread(3, 0, 0.02m), Spread(3, 1, 0m)));

        Assert.Equal([1L, 3L], history.PairIds());
        var three = history.Get(3)!;
        Assert.Equal([7L], three.Markers.Select(m => m.OpportunityId));
        Assert.Equal([0.02m], three.Samples.Select(s => s.First!.Value.NetEdge));
        Assert.Equal(2, history.Get(1)!.Samples.Count);
    }

    [Fact]
    public void Recording_a_busy_desk_allocates_nothing_once_the_kept_pairs_buffers_have_grown()
    {
        // 500 pairs re-evaluated between every snapshot, 64 places: the app's refresh under load, four times a second.
        var history = new SpreadHistory(samplesPerPair: 16, maxPairs: 64);
        var snapshots = new DeskSnapshot[60];
        for (var i = 0; i < snapshots.Length; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            snapshots[i] = Snapshot([.. Enumerable.Range(1, 500).SelectMany(pair => new[] { Spread(pair, 0, i / 1000m), Spread(pair, 1, 0m) })]);
        }
        for (var i = 0; i < 40; i++) history.Record(snapshots[i]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 40; i < snapshots.Length; i++) history.Record(snapshots[i]);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(64, history.PairIds().Count);
        Assert.Equal(436, history.PairsNotKept);
        Assert.Equal(16, history.Get(1)!.Samples.Count);
    }

    [Fact]
    public void A_place_that_changes_hands_keeps_its_buffers()
    {
        var history = new SpreadHistory(samplesPerPair: 16, maxPairs: 2);
        for (var i = 0; i < 20; i++)
        {
            history.Record(Snapshot(Spread(1, 0, 0.01m), Spread(1, 1, 0m), Spread(2, 0, 0.01m), Spread(2, 1, 0m)));
            _time.Advance(TimeSpan.FromMilliseconds(250));
        }
        // Pairs 1 and 2 were retired two minutes ago; 3 and 4 take their places.
        _time.Advance(TimeSpan.FromMinutes(2));
        var later = new DeskSnapshot[20];
        for (var i = 0; i < later.Length; i++)
        {
            later[i] = Snapshot(Spread(3, 0, 0.01m), Spread(3, 1, 0m), Spread(4, 0, 0.01m), Spread(4, 1, 0m));
            _time.Advance(TimeSpan.FromMilliseconds(250));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var snapshot in later) history.Record(snapshot);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal([3L, 4L], history.PairIds());
        Assert.Equal(16, history.Get(3)!.Samples.Count);
    }

    [Fact]
    public void A_copy_read_earlier_is_not_changed_by_later_records()
    {
        var history = new SpreadHistory(samplesPerPair: 2);
        history.Record(Snapshot(Spread(1, 0, 0.01m), Spread(1, 1, 0m)));
        var before = history.Get(1)!;

        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            history.Record(Snapshot(Spread(1, 0, 0.05m), Spread(1, 1, 0m)));
        }

        Assert.Equal(0.01m, Assert.Single(before.Samples).First!.Value.NetEdge);
    }

    [Fact]
    public async Task Readers_and_the_hub_thread_can_run_while_snapshots_are_recorded()
    {
        var history = new SpreadHistory(samplesPerPair: 50, markersPerPair: 50);
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var reader = Task.Run(() =>
        {
            long cursor = 0;
            while (!stop.IsCancellationRequested)
            {
                var update = history.Since(1, cursor);
                if (update is null) continue;
                // What a reader gets is always in recording order, whatever it raced with.
                if (update.Samples.Zip(update.Samples.Skip(1)).Any(p => p.First.Sequence >= p.Second.Sequence)) Interlocked.Increment(ref failures);
                cursor = update.LastSequence;
            }
        });
        var hub = Task.Run(() =>
        {
            for (var id = 1; id <= 2000; id++) history.OnPublished(Opportunity(1, id, OpportunityDecision.Taken, 0.01m));
        });
        for (var i = 1; i <= 2000; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            history.Record(Snapshot(Spread(1, 0, i / 100000m), Spread(1, 1, 0m)));
        }
        await hub;
        history.Record(Snapshot());
        stop.Cancel();
        await reader;

        Assert.Equal(0, failures);
        Assert.Equal(50, history.Get(1)!.Samples.Count);
        Assert.Equal(Enumerable.Range(1951, 50).Select(i => (long)i), history.Get(1)!.Markers.Select(m => m.OpportunityId));
    }

    private DeskSnapshot Snapshot(params ArbSetSpread[] spreads) =>
        DeskSnapshot.Empty(new ControlState(false, null, false, null, new RiskLimits()), _time) with { Spreads = spreads };

    private ArbSetSpread Spread(long pairId, int set, decimal net, ArbSetState state = ArbSetState.NoEdge, bool evaluated = true) =>
        new(pairId, set, new InstrumentId(1), new InstrumentId(2), state, Price.FromDecimal(0.48m), Price.FromDecimal(0.49m),
            0.97m, net + 0.01m, net, 40m, evaluated ? _time.GetUtcNow().UtcTicks + Interlocked.Increment(ref _evaluations) : 0);

    private Opportunity Opportunity(long? pairId, long id, OpportunityDecision decision, decimal net, string reason = "found") =>
        new(id, CrossVenueArbitrage.StrategyName, pairId, _time.GetUtcNow(), [], 10m, net + 0.01m, 0.1m, net, net * 10m, decision, reason);

    private ExecutionOutcome Outcome(long pairId, long opportunityId, ExecutionOutcomeKind kind, decimal hedged, decimal locked, decimal planned = 20m, decimal expected = 0.4m) =>
        new(opportunityId, pairId, CrossVenueArbitrage.StrategyName, kind, planned, hedged, 0m, 9.5m, 0.1m, expected, locked,
            _time.GetUtcNow(), _time.GetUtcNow(), TimeSpan.FromMilliseconds(60), "summary");
}
