using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ArbBot.Tests.MarketData;

public sealed class StaleBookMonitorTests
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(250);

    private readonly ManualTimeProvider _time = new();
    private readonly InstrumentRegistry _registry = new();
    private readonly MarketDataHub _hub;
    private readonly StaleBookMonitor _monitor;
    private readonly InstrumentId _a;
    private readonly InstrumentId _b;
    private readonly CountingListener _listener = new();

    public StaleBookMonitorTests()
    {
        var market = _registry.AddMarket(MarketDataHubTests.NewMarket("A"), "A:yes", "A:no");
        _a = market.Yes;
        _b = market.No;
        _hub = new MarketDataHub(_registry, _time);
        _monitor = new StaleBookMonitor(
            _hub,
            Options.Create(new MarketDataOptions { StaleAfter = StaleAfter, SweepInterval = SweepInterval }),
            _time,
            NullLogger<StaleBookMonitor>.Instance);
        _hub.SubscribeAll(_listener);
    }

    [Fact]
    public void A_book_goes_stale_for_age_only_once_it_is_older_than_StaleAfter()
    {
        Snapshot(_a);

        _time.Advance(StaleAfter);
        Assert.Equal(0, _monitor.Sweep(_hub));
        Assert.False(Book(_a).IsStale);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _monitor.Sweep(_hub));
        Assert.Equal(StaleReason.Age, Book(_a).StaleReason);
        // Levels stay for display; only trust is withdrawn.
        Assert.True(Book(_a).HasBid);
    }

    [Fact]
    public void Listeners_hear_once_when_a_book_goes_stale_however_many_sweeps_follow()
    {
        Snapshot(_a);
        var before = _listener.Count(_a);

        _time.Advance(StaleAfter + TimeSpan.FromSeconds(1));
        _monitor.Sweep(_hub);
        _time.Advance(TimeSpan.FromSeconds(5));
        _monitor.Sweep(_hub);
        _monitor.Sweep(_hub);

        Assert.Equal(before + 1, _listener.Count(_a));
        Assert.Equal(StaleReason.Age, _listener.LastReason);
    }

    [Fact]
    public void Only_books_that_went_quiet_are_marked()
    {
        Snapshot(_a);
        Snapshot(_b);
        _time.Advance(StaleAfter);
        _hub.Apply(BookEvent.SetLevel(_b, BookSide.Bid, P(0.41m), 1m));
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, _monitor.Sweep(_hub));

        Assert.Equal(StaleReason.Age, Book(_a).StaleReason);
        Assert.Equal(StaleReason.None, Book(_b).StaleReason);
    }

    [Fact]
    public void A_fresh_update_clears_the_age_mark_and_restarts_the_clock()
    {
        Snapshot(_a);
        _time.Advance(StaleAfter + TimeSpan.FromSeconds(1));
        _monitor.Sweep(_hub);
        Assert.True(Book(_a).IsStale);

        _hub.Apply(BookEvent.AddLevel(_a, BookSide.Bid, P(0.40m), 1m));
        Assert.False(Book(_a).IsStale);

        _time.Advance(StaleAfter);
        Assert.Equal(0, _monitor.Sweep(_hub));
        Assert.False(Book(_a).IsStale);
    }

    [Fact]
    public void A_heartbeat_also_keeps_a_quiet_book_fresh()
    {
        Snapshot(_a);
        _time.Advance(StaleAfter);
        _hub.Apply(BookEvent.Heartbeat(_a));
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(0, _monitor.Sweep(_hub));
        Assert.False(Book(_a).IsStale);
    }

    [Fact]
    public void A_book_stale_for_another_reason_keeps_that_reason_and_is_not_notified()
    {
        Snapshot(_a);
        _hub.Apply(BookEvent.Stale(_a, StaleReason.SequenceGap));
        var before = _listener.Count(_a);

        _time.Advance(StaleAfter + TimeSpan.FromSeconds(1));
        Assert.Equal(0, _monitor.Sweep(_hub));

        Assert.Equal(StaleReason.SequenceGap, Book(_a).StaleReason);
        Assert.Equal(before, _listener.Count(_a));
    }

    [Fact]
    public async Task The_running_monitor_sweeps_through_the_hub_on_its_timer()
    {
        Snapshot(_a);
        await _monitor.StartAsync(CancellationToken.None);
        try
        {
            _time.Advance(StaleAfter + TimeSpan.FromMilliseconds(1));
            // The service's loop resumes on the thread pool after each tick; keep ticking until it has queued a sweep.
            var elapsed = Stopwatch.StartNew();
            while (_hub.QueueLength == 0)
            {
                Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(10), "the monitor never posted a sweep");
                _time.Advance(SweepInterval);
                await Task.Delay(5);
            }
            Assert.False(Book(_a).IsStale);

            _hub.DrainPending();

            Assert.Equal(StaleReason.Age, Book(_a).StaleReason);
        }
        finally
        {
            await _monitor.StopAsync(CancellationToken.None);
        }
        Assert.Equal(TaskStatus.RanToCompletion, _monitor.ExecuteTask!.Status);
    }

    [Fact]
    public void Options_default_to_five_seconds_and_250_ms_and_are_valid()
    {
        var options = new MarketDataOptions();

        Assert.Equal(TimeSpan.FromSeconds(5), options.StaleAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.SweepInterval);
        Assert.Empty(Validate(options));
    }

    [Theory]
    [InlineData("00:00:00.099", "00:00:00.250", nameof(MarketDataOptions.StaleAfter))]
    [InlineData("00:10:00.001", "00:00:00.250", nameof(MarketDataOptions.StaleAfter))]
    [InlineData("00:00:05", "00:00:00", nameof(MarketDataOptions.SweepInterval))]
    [InlineData("00:00:05", "00:01:01", nameof(MarketDataOptions.SweepInterval))]
    public void Options_outside_their_ranges_are_refused(string staleAfter, string sweepInterval, string member)
    {
        var options = new MarketDataOptions
        {
            StaleAfter = TimeSpan.Parse(staleAfter, System.Globalization.CultureInfo.InvariantCulture),
            SweepInterval = TimeSpan.Parse(sweepInterval, System.Globalization.CultureInfo.InvariantCulture),
        };

        var result = Assert.Single(Validate(options));
        Assert.Equal([member], result.MemberNames);
    }

    [Theory]
    [InlineData("00:00:00.100", "00:00:00.010")]
    [InlineData("00:10:00", "00:01:00")]
    public void Options_at_the_ends_of_their_ranges_are_accepted(string staleAfter, string sweepInterval)
    {
        var options = new MarketDataOptions
        {
            StaleAfter = TimeSpan.Parse(staleAfter, System.Globalization.CultureInfo.InvariantCulture),
            SweepInterval = TimeSpan.Parse(sweepInterval, System.Globalization.CultureInfo.InvariantCulture),
        };

        Assert.Empty(Validate(options));
    }

    private static List<ValidationResult> Validate(MarketDataOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    private void Snapshot(InstrumentId id) =>
        _hub.Apply(BookEvent.Snapshot(id, [new(P(0.40m), 10)], [new(P(0.60m), 10)]));

    private OrderBook Book(InstrumentId id) => _hub.TryGetBook(id)!;

    private static Price P(decimal value) => Price.FromDecimal(value);

    private sealed class CountingListener : IBookListener
    {
        private readonly Dictionary<InstrumentId, int> _counts = [];

        public StaleReason LastReason { get; private set; }

        public int Count(InstrumentId id) => _counts.GetValueOrDefault(id);

        public void OnBookUpdated(OrderBook book)
        {
            _counts[book.Instrument] = Count(book.Instrument) + 1;
            LastReason = book.StaleReason;
        }
    }
}
