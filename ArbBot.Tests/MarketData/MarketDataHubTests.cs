using System.Diagnostics;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.MarketData;

public sealed class MarketDataHubTests
{
    private static readonly TimeSpan BoundedWait = TimeSpan.FromSeconds(10);

    private readonly ManualTimeProvider _time = new();
    private readonly InstrumentRegistry _registry = new();
    private readonly InstrumentId _a;
    private readonly InstrumentId _b;

    public MarketDataHubTests()
    {
        var market = _registry.AddMarket(NewMarket("A"), "A:yes", "A:no");
        _a = market.Yes;
        _b = market.No;
    }

    [Fact]
    public void Listeners_of_one_instrument_hear_only_that_instrument()
    {
        var hub = NewHub();
        var onA = new RecordingListener();
        var onB = new RecordingListener();
        hub.Subscribe(_a, onA);
        hub.Subscribe(_b, onB);

        hub.Apply(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), 1m));
        hub.Apply(BookEvent.SetLevel(_a, BookSide.Bid, P(0.41m), 1m));
        hub.Apply(BookEvent.SetLevel(_b, BookSide.Ask, P(0.60m), 1m));

        Assert.Equal([_a, _a], onA.Instruments);
        Assert.Equal([_b], onB.Instruments);
    }

    [Fact]
    public void SubscribeAll_hears_every_instrument()
    {
        var hub = NewHub();
        var all = new RecordingListener();
        hub.SubscribeAll(all);

        hub.Apply(BookEvent.SetLevel(_b, BookSide.Bid, P(0.40m), 1m));
        hub.Apply(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), 1m));

        Assert.Equal([_b, _a], all.Instruments);
    }

    [Fact]
    public void Unsubscribe_stops_both_instrument_and_all_subscriptions()
    {
        var hub = NewHub();
        var listener = new RecordingListener();
        var other = new RecordingListener();
        hub.Subscribe(_a, listener);
        hub.SubscribeAll(listener);
        hub.Subscribe(_a, other);
        hub.Apply(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), 1m));
        Assert.Equal(2, listener.Instruments.Count);

        hub.Unsubscribe(listener);
        hub.Apply(BookEvent.SetLevel(_a, BookSide.Bid, P(0.41m), 1m));

        Assert.Equal(2, listener.Instruments.Count);
        Assert.Equal([_a, _a], other.Instruments);
    }

    [Fact]
    public void Each_event_kind_changes_the_book_as_documented()
    {
        var hub = NewHub();

        hub.Apply(BookEvent.Snapshot(_a, [new(P(0.40m), 10)], [new(P(0.60m), 10)], sequence: 5, venueUtcTicks: 42));
        var book = hub.TryGetBook(_a)!;
        Assert.Equal(StaleReason.None, book.StaleReason);
        Assert.Equal(5, book.Sequence);
        Assert.Equal(_time.GetUtcNow().UtcTicks, book.LastUpdateUtcTicks);
        Assert.Equal(42, book.VenueTimestampUtcTicks);
        Assert.Equal(TickSize.Cent, book.TickSize);

        hub.Apply(BookEvent.AddLevel(_a, BookSide.Bid, P(0.40m), -4m, sequence: 6));
        Assert.Equal(new BookLevel(P(0.40m), 6), book.BestBid);

        hub.Apply(BookEvent.TickSizeChange(_a, TickSize.DeciCent));
        Assert.Equal(TickSize.DeciCent, book.TickSize);

        hub.Apply(BookEvent.Stale(_a, StaleReason.Age));
        Assert.Equal(StaleReason.Age, book.StaleReason);

        _time.Advance(TimeSpan.FromSeconds(1));
        hub.Apply(BookEvent.Heartbeat(_a));
        Assert.Equal(StaleReason.None, book.StaleReason);
        Assert.Equal(_time.GetUtcNow().UtcTicks, book.LastUpdateUtcTicks);

        hub.Apply(BookEvent.Clear(_a, StaleReason.Disconnected));
        Assert.False(book.HasBid);
        Assert.Equal(StaleReason.Disconnected, book.StaleReason);
        Assert.Equal(6, hub.EventsApplied);
        Assert.Null(hub.TryGetBook(_b));
        Assert.Equal([book], hub.Books);
    }

    [Fact]
    public async Task RunAsync_applies_posted_events_in_order()
    {
        var hub = NewHub();
        var listener = new RecordingListener();
        hub.Subscribe(_a, listener);
        using var cts = new CancellationTokenSource();
        var run = Task.Run(() => hub.RunAsync(cts.Token));

        const int count = 500;
        for (var i = 1; i <= count; i++)
        {
            await hub.PostAsync(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), i, sequence: i), CancellationToken.None);
        }
        await WaitUntil(() => hub.EventsApplied == count, $"{count} events applied");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), listener.Sequences);
        Assert.Equal(new BookLevel(P(0.40m), count), hub.TryGetBook(_a)!.BestBid);
        Assert.Equal(0, hub.ErrorCount);
    }

    [Fact]
    public async Task Work_runs_on_the_hub_loop_in_order_with_book_events()
    {
        var hub = NewHub();
        var seen = new List<decimal>();
        using var cts = new CancellationTokenSource();
        var run = Task.Run(() => hub.RunAsync(cts.Token));

        for (var i = 1; i <= 50; i++)
        {
            await hub.PostAsync(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), i), CancellationToken.None);
            await hub.PostAsync(new DelegateWork(h => seen.Add(h.TryGetBook(_a)!.BestBid.Size)), CancellationToken.None);
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await hub.PostAsync(new DelegateWork(_ => done.SetResult()), CancellationToken.None);
        await done.Task.WaitAsync(BoundedWait);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        // Each work item sees exactly the events posted before it and none after.
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (decimal)i), seen);
    }

    [Fact]
    public async Task An_idle_hub_sleeps_and_wakes_for_the_next_event_on_its_own_thread()
    {
        var hub = NewHub();
        bool? onPoolThread = null;
        using var cts = new CancellationTokenSource();
        var run = hub.RunAsync(cts.Token);

        await WaitUntil(() => hub.Sleeps > 0, "the hub asleep on its empty queue");
        hub.Post(new DelegateWork(_ => onPoolThread = Thread.CurrentThread.IsThreadPoolThread));
        Assert.True(hub.TryPost(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), 1m, sequence: 1)));
        await WaitUntil(() => hub.EventsApplied == 1, "the event applied after the wake-up");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        // The loop has a thread of its own: no hop through the thread pool's queue per wake-up.
        Assert.False(onPoolThread);
    }

    [Fact]
    public async Task A_spinning_hub_applies_events_posted_while_it_spins_and_after_it_slept()
    {
        var hub = NewHub();
        hub.SpinBeforeSleep = TimeSpan.FromMilliseconds(5);
        var listener = new RecordingListener();
        hub.Subscribe(_a, listener);
        using var cts = new CancellationTokenSource();
        var run = hub.RunAsync(cts.Token);

        for (var i = 1; i <= 200; i++)
        {
            Assert.True(hub.TryPost(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), i, sequence: i)));
            // Each event finds the queue it left empty, mostly while the hub still spins.
            await WaitUntil(() => hub.EventsApplied == i, $"event {i} applied");
        }
        await WaitUntil(() => hub.Sleeps > 0, "the hub asleep once the spin ran out");
        Assert.True(hub.TryPost(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), 201, sequence: 201)));
        await WaitUntil(() => hub.EventsApplied == 201, "the event after the sleep applied");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(Enumerable.Range(1, 201).Select(i => (long)i), listener.Sequences);
        Assert.Throws<ArgumentOutOfRangeException>(() => hub.SpinBeforeSleep = TimeSpan.FromMilliseconds(-1));
    }

    [Fact]
    public async Task A_thread_placement_the_os_refuses_is_said_and_the_hub_runs_on_unplaced()
    {
        // Linux with fewer than 64 processors (so processor 63 does not exist); elsewhere there is nothing to refuse.
        if (!OperatingSystem.IsLinux() || Environment.ProcessorCount >= 64) return;
        var hub = NewHub();
        hub.ThreadPlacement = new HubThreadPlacement(Processor: 63, RealTimePriority: 0);
        using var cts = new CancellationTokenSource();
        var run = hub.RunAsync(cts.Token);

        Assert.True(hub.TryPost(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), 1m, sequence: 1)));
        await WaitUntil(() => hub.EventsApplied == 1, "the event applied by the unplaced hub");
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.Equal("pinning to processor 63 refused by the OS (errno 22); not pinned", hub.ThreadPlacementResult);
    }

    [Fact]
    public async Task A_hub_pinned_to_a_processor_runs_there()
    {
        // sched_setaffinity is Linux only.
        if (!OperatingSystem.IsLinux()) return;
        var hub = NewHub();
        var last = Environment.ProcessorCount - 1;
        hub.ThreadPlacement = new HubThreadPlacement(Processor: last, RealTimePriority: 0);
        string? allowed = null;
        using var cts = new CancellationTokenSource();
        var run = hub.RunAsync(cts.Token);

        // The kernel's own account of the hub thread's processors, read on that thread.
        hub.Post(new DelegateWork(_ => allowed = File.ReadAllLines("/proc/thread-self/status").Single(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))));
        await WaitUntil(() => allowed is not null, "the hub thread's allowed processors read");
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.Equal($"pinned to processor {last}", hub.ThreadPlacementResult);
        Assert.Equal($"Cpus_allowed_list:\t{last}", allowed);
    }

    [Fact]
    public async Task Complete_ends_a_sleeping_hub()
    {
        var hub = NewHub();
        var run = hub.RunAsync(CancellationToken.None);
        await WaitUntil(() => hub.Sleeps > 0, "the hub asleep on its empty queue");
        Assert.True(hub.TryPost(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), 1m)));

        hub.Complete();

        await run.WaitAsync(BoundedWait);
        Assert.Equal(1, hub.EventsApplied);
    }

    [Fact]
    public void DrainPending_applies_everything_queued_and_empties_the_queue()
    {
        var hub = NewHub();
        Assert.True(hub.TryPost(BookEvent.Snapshot(_a, [new(P(0.40m), 1)], [])));
        Assert.True(hub.TryPost(BookEvent.SetLevel(_a, BookSide.Bid, P(0.41m), 2m)));
        Assert.True(hub.TryPost(BookEvent.SetLevel(_b, BookSide.Ask, P(0.60m), 3m)));
        Assert.Equal(3, hub.QueueLength);

        Assert.Equal(3, hub.DrainPending());

        Assert.Equal(0, hub.QueueLength);
        Assert.Equal(new BookLevel(P(0.41m), 2m), hub.TryGetBook(_a)!.BestBid);
        Assert.Equal(new BookLevel(P(0.60m), 3m), hub.TryGetBook(_b)!.BestAsk);
        Assert.Equal(0, hub.DrainPending());
    }

    [Fact]
    public async Task A_full_queue_refuses_TryPost_and_makes_PostAsync_wait()
    {
        var hub = NewHub(capacity: 2);
        Assert.True(hub.TryPost(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), 1m)));
        Assert.True(hub.TryPost(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), 2m)));

        Assert.False(hub.TryPost(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), 99m)));
        var pending = hub.PostAsync(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), 3m), CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);

        var applied = hub.DrainPending();
        await pending.WaitAsync(BoundedWait);
        applied += hub.DrainPending();

        Assert.Equal(3, applied);
        // The refused event never arrived; the waiting one arrived last.
        Assert.Equal(new BookLevel(P(0.40m), 3m), hub.TryGetBook(_a)!.BestBid);
    }

    [Fact]
    public async Task A_waiting_PostAsync_can_be_cancelled()
    {
        var hub = NewHub(capacity: 1);
        Assert.True(hub.TryPost(BookEvent.Heartbeat(_a)));
        using var cts = new CancellationTokenSource();

        var pending = hub.PostAsync(BookEvent.Heartbeat(_a), cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Equal(1, hub.DrainPending());
    }

    [Fact]
    public void Apply_refuses_an_instrument_the_registry_does_not_know_with_a_clear_error()
    {
        var hub = NewHub();

        var error = Assert.Throws<KeyNotFoundException>(() => hub.Apply(BookEvent.SetLevel(new InstrumentId(99), BookSide.Bid, P(0.40m), 1m)));
        Assert.Contains("99", error.Message, StringComparison.Ordinal);
        Assert.Throws<KeyNotFoundException>(() => hub.Apply(BookEvent.SetLevel(new InstrumentId(-1), BookSide.Bid, P(0.40m), 1m)));
        Assert.Empty(hub.Books);
    }

    [Fact]
    public async Task The_loop_survives_bad_events_failing_work_and_failing_listeners()
    {
        var hub = NewHub();
        var healthy = new RecordingListener();
        hub.Subscribe(_a, new ThrowingListener());
        hub.Subscribe(_a, healthy);
        using var cts = new CancellationTokenSource();
        var run = Task.Run(() => hub.RunAsync(cts.Token));

        await hub.PostAsync(BookEvent.SetLevel(new InstrumentId(99), BookSide.Bid, P(0.40m), 1m), CancellationToken.None);
        await hub.PostAsync(new DelegateWork(_ => throw new InvalidOperationException("work failed")), CancellationToken.None);
        await hub.PostAsync(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), 1m, sequence: 1), CancellationToken.None);
        await hub.PostAsync(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), 2m, sequence: 2), CancellationToken.None);
        await WaitUntil(() => hub.EventsApplied == 2, "the two good events applied");
        await cts.CancelAsync();

        // Cancellation, not a fault from any of the bad inputs, is what ends the loop.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal([1L, 2L], healthy.Sequences);
        Assert.Equal(4, hub.ErrorCount);
    }

    [Fact]
    public void A_listener_failing_on_every_event_is_counted_every_time_but_logged_once_per_ten_seconds_with_the_count_in_between()
    {
        var logs = new CapturedLogs();
        var hub = new MarketDataHub(_registry, _time, 1_024, new Microsoft.Extensions.Logging.Logger<MarketDataHub>(logs));
        var healthy = new RecordingListener();
        hub.Subscribe(_a, new ThrowingListener());
        hub.Subscribe(_a, healthy);

        for (var i = 1; i <= 1_000; i++) hub.Apply(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), i, sequence: i));
        Assert.Equal(1_000, hub.ErrorCount);
        Assert.Equal(1_000, healthy.Sequences.Count);
        Assert.Single(logs.Lines, line => line.Contains("Book listener ThrowingListener failed", StringComparison.Ordinal));

        _time.Advance(TimeSpan.FromSeconds(10));
        hub.Apply(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), 5m, sequence: 1_001));
        var lines = logs.Lines.Where(line => line.Contains("Book listener ThrowingListener failed", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Contains("(999 more like it not logged since the last)", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void DrainPending_counts_failures_and_applies_the_rest()
    {
        var hub = NewHub();
        hub.TryPost(BookEvent.SetLevel(new InstrumentId(7), BookSide.Bid, P(0.40m), 1m));
        hub.TryPost(BookEvent.SetLevel(_b, BookSide.Bid, P(0.40m), 1m));

        Assert.Equal(1, hub.DrainPending());

        Assert.Equal(1, hub.ErrorCount);
        Assert.True(hub.TryGetBook(_b)!.HasBid);
    }

    [Fact]
    public async Task Complete_lets_RunAsync_finish_after_draining()
    {
        var hub = NewHub();
        hub.TryPost(BookEvent.SetLevel(_a, BookSide.Bid, P(0.40m), 1m));
        hub.TryPost(BookEvent.SetLevel(_a, BookSide.Bid, P(0.41m), 1m));
        hub.Complete();

        await hub.RunAsync(CancellationToken.None).WaitAsync(BoundedWait);

        Assert.Equal(2, hub.EventsApplied);
        Assert.False(hub.TryPost(BookEvent.Heartbeat(_a)));
    }

    private MarketDataHub NewHub(int capacity = 1_024) => new(_registry, _time, capacity);

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        // Real time bounds the wait only; nothing under test reads this clock.
        var elapsed = Stopwatch.StartNew();
        while (!condition())
        {
            if (elapsed.Elapsed > BoundedWait) Assert.Fail($"Timed out after {BoundedWait} waiting for: {what}");
            await Task.Delay(5);
        }
    }

    private static Price P(decimal value) => Price.FromDecimal(value);

    internal static Market NewMarket(string key) => new(
        VenueId.Polymarket,
        key,
        EventKey: "E",
        Title: key,
        Rules: "",
        SettlementSource: "",
        CloseTime: new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
        TickSize.Cent,
        MinOrderSize: 1m,
        OutcomeLabel: "Yes",
        FeeParameters.None);

    private sealed class RecordingListener : IBookListener
    {
        public List<InstrumentId> Instruments { get; } = [];
        public List<long> Sequences { get; } = [];

        public void OnBookUpdated(OrderBook book)
        {
            Instruments.Add(book.Instrument);
            Sequences.Add(book.Sequence);
        }
    }

    private sealed class ThrowingListener : IBookListener
    {
        public void OnBookUpdated(OrderBook book) => throw new InvalidOperationException("listener failed");
    }

    private sealed class DelegateWork(Action<MarketDataHub> action) : IHubWork
    {
        public void Execute(MarketDataHub hub) => action(hub);
    }
}
