using System.ComponentModel.DataAnnotations;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues;
using ArbBot.Engine.Venues.Simulated;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Venues.Simulated;

public sealed class SimulatedMarketDataFeedTests
{
    [Fact]
    public async Task Same_seed_gives_the_same_event_stream()
    {
        var a = await SimulatorHarness.CreateAsync(seed: 7);
        var b = await SimulatorHarness.CreateAsync(seed: 7);

        Assert.Equal(Record(a, 300), Record(b, 300));
    }

    [Fact]
    public async Task Different_seed_gives_a_different_stream()
    {
        var a = await SimulatorHarness.CreateAsync(seed: 7);
        var b = await SimulatorHarness.CreateAsync(seed: 8);

        Assert.NotEqual(Record(a, 50), Record(b, 50));
    }

    [Fact]
    public async Task A_venue_stream_does_not_depend_on_when_the_other_venue_steps()
    {
        var alone = await SimulatorHarness.CreateAsync(seed: 11);
        var together = await SimulatorHarness.CreateAsync(seed: 11);
        var expected = new List<string>();
        var actual = new List<string>();
        expected.AddRange(alone.Kalshi.MarketData.Snapshot().Select(SimulatorHarness.Describe));
        actual.AddRange(together.Kalshi.MarketData.Snapshot().Select(SimulatorHarness.Describe));
        for (var i = 0; i < 200; i++) expected.AddRange(alone.Kalshi.MarketData.Step().Select(SimulatorHarness.Describe));

        // The other venue runs ahead on its own thread, as it may in the app.
        var other = Task.Run(() =>
        {
            for (var i = 0; i < 150; i++) together.Polymarket.MarketData.Step();
        });
        for (var i = 0; i < 200; i++) actual.AddRange(together.Kalshi.MarketData.Step().Select(SimulatorHarness.Describe));
        await other;

        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Books_are_never_crossed_and_stay_on_the_grid_within_one_tick_of_the_bounds()
    {
        var sim = await SimulatorHarness.CreateAsync(seed: 3);
        sim.ApplySnapshots();
        for (var step = 0; step < 600; step++)
        {
            foreach (var instrument in sim.Registry.Instruments)
            {
                var book = sim.Book(instrument.Id);
                Assert.False(book.IsCrossed, $"{instrument} crossed at step {step}");
                Assert.InRange(book.Depth(BookSide.Bid), 1, 10);
                Assert.InRange(book.Depth(BookSide.Ask), 1, 10);
                foreach (var side in new[] { BookSide.Bid, BookSide.Ask })
                {
                    for (var i = 0; i < book.Depth(side); i++)
                    {
                        var level = book.Level(side, i);
                        Assert.True(level.Price.IsOnGrid(instrument.TickSize), $"{instrument} {level.Price} off the {instrument.TickSize} grid");
                        Assert.InRange(level.Price.Units, instrument.TickSize.MinPrice.Units, instrument.TickSize.MaxPrice.Units);
                        Assert.True(level.Size > 0m);
                    }
                }
            }
            sim.StepBoth();
        }
    }

    [Fact]
    public async Task Spreads_are_one_to_three_ticks_and_sizes_are_realistic()
    {
        var sim = await SimulatorHarness.CreateAsync(seed: 5);
        sim.ApplySnapshots();
        var sizes = new List<decimal>();
        for (var step = 0; step < 100; step++)
        {
            sim.StepBoth();
            foreach (var instrument in sim.Registry.Instruments)
            {
                var book = sim.Book(instrument.Id);
                var spreadTicks = (book.BestAsk.Price.Units - book.BestBid.Price.Units) / instrument.TickSize.Units;
                Assert.InRange(spreadTicks, 1, 3);
                sizes.Add(book.BestBid.Size);
            }
        }
        Assert.True(sizes.Min() >= 1m);
        Assert.Contains(sizes, s => s < 100m);
        Assert.Contains(sizes, s => s > 1000m);
    }

    [Fact]
    public async Task Yes_and_no_books_mirror_each_other()
    {
        var sim = await SimulatorHarness.CreateAsync(seed: 9);
        sim.ApplySnapshots();
        for (var step = 0; step < 200; step++)
        {
            sim.StepBoth();
            foreach (var market in sim.Registry.Markets)
            {
                var yes = sim.Book(market.Yes);
                var no = sim.Book(market.No);
                Assert.Equal(Levels(yes, BookSide.Ask).Select(l => l with { Price = l.Price.Complement }), Levels(no, BookSide.Bid));
                Assert.Equal(Levels(yes, BookSide.Bid).Select(l => l with { Price = l.Price.Complement }), Levels(no, BookSide.Ask));
            }
        }
    }

    [Fact]
    public async Task Venues_track_the_same_fair_value_yet_dislocate_by_more_than_two_cents_at_times()
    {
        var sim = await SimulatorHarness.CreateAsync(seed: 21);
        sim.ApplySnapshots();
        int close = 0, total = 0, dislocated = 0, wide = 0;
        for (var step = 0; step < 3000; step++)
        {
            sim.StepBoth();
            foreach (var match in sim.World.Catalog.GroundTruthMatches)
            {
                var k = sim.Book(sim.Market(VenueId.Kalshi, match.KalshiMarketKey).Yes).Mid!.Value;
                var polymarket = sim.Market(VenueId.Polymarket, match.PolymarketMarketKey);
                var p = sim.Book(match.YesIsNo ? polymarket.No : polymarket.Yes).Mid!.Value;
                var gap = Math.Abs(k - p);
                total++;
                if (gap <= 0.03m) close++;
                if (gap > 0.02m) dislocated++;
                if (gap > 0.035m) wide++;
            }
        }
        Assert.True(close > total * 0.9, $"only {close} of {total} mids within 3 cents");
        Assert.True(dislocated > 0, "no cross-venue gap above 2 cents in 3000 steps");
        // Venue noise and spreads alone seldom open 3.5 cents; the injected dislocations (2.5–5 cents) do.
        Assert.True(wide > 0, "no cross-venue gap above 3.5 cents in 3000 steps");
    }

    [Fact]
    public async Task Multi_outcome_fair_values_sum_to_one()
    {
        var sim = await SimulatorHarness.CreateAsync(seed: 4);
        var values = new double[sim.World.Catalog.OutcomeCount];
        var groups = sim.World.Catalog.Groups.Where(g => g.IsMultiOutcome).ToArray();
        Assert.True(groups.Length >= 2);
        for (long step = 0; step < 5000; step += 7)
        {
            sim.World.CopyFairValues(step, values);
            foreach (var g in groups)
            {
                Assert.Equal(1.0, values.AsSpan(g.FirstOutcome, g.Count).ToArray().Sum(), 9);
            }
            Assert.All(values, v => Assert.InRange(v, 0.0, 1.0));
        }
    }

    [Fact]
    public async Task Fair_values_move_but_stay_bounded()
    {
        var sim = await SimulatorHarness.CreateAsync(seed: 4);
        var first = sim.World.FairValue(0, 0);
        var seen = Enumerable.Range(0, 20_000).Select(s => sim.World.FairValue(s, 0)).ToArray();
        Assert.Contains(seen, v => Math.Abs(v - first) > 0.01);
        Assert.All(seen, v => Assert.InRange(v, 0.005, 0.995));
    }

    [Fact]
    public async Task Steps_mostly_send_level_changes_after_one_snapshot_per_instrument()
    {
        var sim = await SimulatorHarness.CreateAsync(seed: 6);
        var snapshot = sim.Kalshi.MarketData.Snapshot();
        Assert.All(snapshot, e => Assert.Equal(BookEventKind.Snapshot, e.Kind));
        Assert.Equal(sim.Kalshi.MarketData.Markets.Count * 2, snapshot.Count);
        var kinds = Enumerable.Range(0, 50).SelectMany(_ => sim.Kalshi.MarketData.Step().Select(e => e.Kind).ToArray()).ToArray();
        Assert.NotEmpty(kinds);
        Assert.All(kinds, k => Assert.Equal(BookEventKind.SetLevel, k));
    }

    [Fact]
    public async Task Books_driven_through_the_hub_are_fresh_and_uncrossed_for_every_instrument()
    {
        var sim = await SimulatorHarness.CreateAsync(seed: 13);
        sim.ApplySnapshots();
        for (var i = 0; i < 20; i++) sim.StepBoth();

        Assert.Equal(sim.Registry.Count, sim.Hub.Books.Count());
        foreach (var instrument in sim.Registry.Instruments)
        {
            var book = sim.Book(instrument.Id);
            Assert.False(book.IsStale, $"{instrument} is stale ({book.StaleReason})");
            Assert.True(book.HasBid && book.HasAsk, $"{instrument} has an empty side");
            Assert.True(book.BestBid.Price < book.BestAsk.Price, $"{instrument} bid {book.BestBid.Price} >= ask {book.BestAsk.Price}");
        }
    }

    [Fact]
    public async Task Running_feeds_follow_the_injected_clock_into_the_hub()
    {
        var sim = await SimulatorHarness.CreateAsync(seed: 17);
        using var cts = new CancellationTokenSource();
        var feeds = new IMarketDataFeed[] { sim.Kalshi.MarketData, sim.Polymarket.MarketData };
        Assert.All(feeds, f => Assert.Equal(FeedState.Stopped, f.State));
        var runs = feeds.Select(f => Task.Run(() => f.RunAsync(sim.Hub, cts.Token))).ToArray();

        await WaitUntil(() => feeds.All(f => f.State == FeedState.Live));
        sim.Time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => sim.Kalshi.MarketData.CurrentStep == 10 && sim.Polymarket.MarketData.CurrentStep == 10);
        await WaitUntil(() => feeds.All(f => f.LastMessageUtcTicks == sim.Time.GetUtcNow().UtcTicks));

        cts.Cancel();
        await Task.WhenAll(runs);
        Assert.All(feeds, f => Assert.Equal(FeedState.Stopped, f.State));

        // The hub saw snapshots and then ten steps of changes from each venue.
        sim.Hub.DrainPending();
        foreach (var instrument in sim.Registry.Instruments)
        {
            var book = sim.Book(instrument.Id);
            Assert.False(book.IsStale);
            Assert.False(book.IsCrossed);
        }
    }

    [Fact]
    public async Task Streaming_before_discovery_is_refused()
    {
        var world = new SimulatedWorld(new SimulatorOptions(), new ManualTimeProvider());
        var venue = new SimulatedVenue(VenueId.Kalshi, world, TickSize.Cent);
        Assert.Throws<InvalidOperationException>(() => venue.MarketData.Step());
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData(5)]
    [InlineData(20_000)]
    public void Step_interval_outside_ten_milliseconds_to_ten_seconds_is_rejected(int milliseconds)
    {
        var options = new SimulatorOptions { StepInterval = TimeSpan.FromMilliseconds(milliseconds) };
        Assert.Throws<ValidationException>(() => new SimulatedWorld(options, new ManualTimeProvider()));
    }

    private static List<string> Record(SimulatorHarness sim, int steps)
    {
        var events = new List<string>();
        events.AddRange(sim.Kalshi.MarketData.Snapshot().Select(SimulatorHarness.Describe));
        events.AddRange(sim.Polymarket.MarketData.Snapshot().Select(SimulatorHarness.Describe));
        for (var i = 0; i < steps; i++)
        {
            events.AddRange(sim.Kalshi.MarketData.Step().Select(SimulatorHarness.Describe));
            events.AddRange(sim.Polymarket.MarketData.Step().Select(SimulatorHarness.Describe));
        }
        return events;
    }

    private static BookLevel[] Levels(OrderBook book, BookSide side)
    {
        var levels = new BookLevel[book.Depth(side)];
        book.CopyLevels(side, levels);
        return levels;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the feeds");
            await Task.Delay(10);
        }
    }
}
