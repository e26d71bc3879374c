using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;

namespace ArbBot.Tests.MarketData;

public sealed class OrderBookTests
{
    [Fact]
    public void Snapshot_sets_best_bid_and_ask_whatever_the_input_order()
    {
        var book = new OrderBook(new InstrumentId(0), TickSize.Cent);
        book.ApplySnapshot(
            [new(P(0.40m), 10), new(P(0.45m), 5), new(P(0.42m), 7)],
            [new(P(0.60m), 3), new(P(0.50m), 4)],
            sequence: 1, nowUtcTicks: 1);

        Assert.Equal(new BookLevel(P(0.45m), 5), book.BestBid);
        Assert.Equal(new BookLevel(P(0.50m), 4), book.BestAsk);
        Assert.False(book.IsStale);
    }

    [Fact]
    public void A_new_book_is_empty_and_stale_until_its_first_snapshot()
    {
        var book = NewBook();

        Assert.Equal(StaleReason.NoSnapshot, book.StaleReason);
        Assert.True(book.IsStale);
        Assert.False(book.HasBid);
        Assert.False(book.HasAsk);
        Assert.Equal(0, book.Depth(BookSide.Bid));
        Assert.Equal(0, book.Depth(BookSide.Ask));
        Assert.Null(book.Mid);
        Assert.False(book.IsCrossed);
        Assert.Equal(new DepthWalk(0m, 0m, Price.Zero), book.Walk(Side.Buy, 10m, Price.One));
        Assert.Equal(0m, book.Walk(Side.Sell, 10m, Price.Zero).AveragePrice);
        Assert.Equal(0m, book.SizeWithin(BookSide.Bid, Price.Zero));
        Assert.Equal(0, book.CopyLevels(BookSide.Ask, new BookLevel[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => book.Level(BookSide.Bid, 0));
    }

    [Fact]
    public void Level_beyond_the_depth_or_negative_throws()
    {
        var book = NewBook();
        book.ApplySnapshot([new(P(0.40m), 1)], [], 1, 1);

        Assert.Equal(new BookLevel(P(0.40m), 1), book.Level(BookSide.Bid, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => book.Level(BookSide.Bid, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => book.Level(BookSide.Bid, -1));
    }

    [Fact]
    public void Removing_a_level_that_does_not_exist_changes_no_levels()
    {
        var book = NewBook();
        book.ApplySnapshot([new(P(0.40m), 10)], [new(P(0.60m), 10)], 1, 1);

        book.SetLevel(BookSide.Bid, P(0.41m), 0m, 2, 2);
        book.AddToLevel(BookSide.Ask, P(0.59m), -5m, 3, 3);

        Assert.Equal(1, book.BidDepth);
        Assert.Equal(1, book.AskDepth);
        Assert.Equal(new BookLevel(P(0.40m), 10), book.BestBid);
        Assert.Equal(new BookLevel(P(0.60m), 10), book.BestAsk);
        Assert.Equal(3, book.Sequence);
    }

    [Fact]
    public void A_negative_delta_larger_than_the_size_removes_the_level()
    {
        var book = NewBook();
        book.ApplySnapshot([new(P(0.40m), 10), new(P(0.39m), 4)], [], 1, 1);

        book.AddToLevel(BookSide.Bid, P(0.40m), -25m, 2, 2);

        Assert.Equal(1, book.BidDepth);
        Assert.Equal(new BookLevel(P(0.39m), 4), book.BestBid);
    }

    [Fact]
    public void A_negative_absolute_size_removes_the_level()
    {
        var book = NewBook();
        book.ApplySnapshot([], [new(P(0.60m), 10), new(P(0.61m), 4)], 1, 1);

        book.SetLevel(BookSide.Ask, P(0.60m), -1m, 2, 2);

        Assert.Equal(new BookLevel(P(0.61m), 4), book.BestAsk);
        Assert.Equal(1, book.AskDepth);
    }

    [Fact]
    public void A_snapshot_with_a_repeated_price_keeps_the_last_size()
    {
        var book = NewBook();

        book.ApplySnapshot(
            [new(P(0.40m), 10), new(P(0.40m), 3)],
            [new(P(0.60m), 2), new(P(0.60m), 0), new(P(0.70m), 1)],
            1, 1);

        Assert.Equal([new BookLevel(P(0.40m), 3)], Levels(book, BookSide.Bid));
        // The last size for 0.60 was zero, so the level is gone rather than left at 2.
        Assert.Equal([new BookLevel(P(0.70m), 1)], Levels(book, BookSide.Ask));
    }

    [Fact]
    public void A_snapshot_drops_zero_and_negative_sizes()
    {
        var book = NewBook();

        book.ApplySnapshot([new(P(0.40m), 0), new(P(0.30m), 5), new(P(0.35m), -1)], [new(P(0.60m), 0)], 1, 1);

        Assert.Equal([new BookLevel(P(0.30m), 5)], Levels(book, BookSide.Bid));
        Assert.False(book.HasAsk);
    }

    [Fact]
    public void A_snapshot_replaces_every_previous_level_and_clears_any_stale_mark()
    {
        var book = NewBook();
        book.ApplySnapshot([new(P(0.40m), 10), new(P(0.39m), 1)], [new(P(0.60m), 10)], 1, 1);
        book.MarkStale(StaleReason.SequenceGap);

        book.ApplySnapshot([new(P(0.20m), 1)], [], 9, 5, venueUtcTicks: 77);

        Assert.Equal([new BookLevel(P(0.20m), 1)], Levels(book, BookSide.Bid));
        Assert.False(book.HasAsk);
        Assert.Equal(StaleReason.None, book.StaleReason);
        Assert.Equal(9, book.Sequence);
        Assert.Equal(5, book.LastUpdateUtcTicks);
        Assert.Equal(77, book.VenueTimestampUtcTicks);
    }

    [Fact]
    public void Clear_empties_both_sides_marks_the_reason_and_bumps_the_version()
    {
        var book = NewBook();
        book.ApplySnapshot([new(P(0.40m), 10)], [new(P(0.60m), 10)], 1, 1);
        var version = book.Version;

        book.Clear(StaleReason.Disconnected);

        Assert.False(book.HasBid);
        Assert.False(book.HasAsk);
        Assert.Equal(StaleReason.Disconnected, book.StaleReason);
        Assert.Equal(version + 1, book.Version);
    }

    [Fact]
    public void MarkStale_keeps_levels_and_bumps_the_version_only_when_the_reason_changes()
    {
        var book = NewBook();
        book.ApplySnapshot([new(P(0.40m), 10)], [], 1, 1);
        var version = book.Version;

        book.MarkStale(StaleReason.SequenceGap);
        book.MarkStale(StaleReason.SequenceGap);

        Assert.Equal(StaleReason.SequenceGap, book.StaleReason);
        Assert.Equal(version + 1, book.Version);
        Assert.Equal(new BookLevel(P(0.40m), 10), book.BestBid);
    }

    [Fact]
    public void A_stale_mark_or_clear_without_a_reason_is_refused()
    {
        var book = NewBook();
        book.ApplySnapshot([new(P(0.40m), 10)], [], 1, 1);
        book.MarkStale(StaleReason.SequenceGap);

        Assert.Throws<ArgumentOutOfRangeException>(() => book.MarkStale(StaleReason.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => book.Clear(StaleReason.None));
        Assert.Equal(StaleReason.SequenceGap, book.StaleReason);
        Assert.True(book.HasBid);
    }

    [Fact]
    public void An_update_clears_an_age_mark_but_not_a_sequence_gap()
    {
        var book = NewBook();
        book.ApplySnapshot([new(P(0.40m), 10)], [], 1, 1);

        book.MarkStale(StaleReason.Age);
        book.SetLevel(BookSide.Bid, P(0.41m), 1m, 2, 2);
        Assert.Equal(StaleReason.None, book.StaleReason);

        book.MarkStale(StaleReason.SequenceGap);
        book.AddToLevel(BookSide.Bid, P(0.41m), 1m, 3, 3);
        Assert.Equal(StaleReason.SequenceGap, book.StaleReason);
        Assert.Equal(3, book.LastUpdateUtcTicks);
    }

    [Fact]
    public void ConfirmFresh_clears_only_an_age_mark_and_always_refreshes_the_update_time()
    {
        var book = NewBook();
        book.ApplySnapshot([new(P(0.40m), 10)], [], 1, 1);
        book.MarkStale(StaleReason.Age);
        var version = book.Version;

        book.ConfirmFresh(50);
        Assert.Equal(StaleReason.None, book.StaleReason);
        Assert.Equal(50, book.LastUpdateUtcTicks);
        Assert.Equal(version + 1, book.Version);

        book.MarkStale(StaleReason.Disconnected);
        version = book.Version;
        book.ConfirmFresh(60);
        Assert.Equal(StaleReason.Disconnected, book.StaleReason);
        Assert.Equal(60, book.LastUpdateUtcTicks);
        Assert.Equal(version, book.Version);
    }

    [Fact]
    public void Every_level_update_bumps_the_version_and_records_times_and_sequence()
    {
        var book = NewBook();
        book.ApplySnapshot([], [], 1, 1);
        var version = book.Version;

        book.SetLevel(BookSide.Bid, P(0.40m), 1m, 2, 10, venueUtcTicks: 100);
        book.AddToLevel(BookSide.Ask, P(0.60m), 1m, 3, 20);

        Assert.Equal(version + 2, book.Version);
        Assert.Equal(3, book.Sequence);
        Assert.Equal(20, book.LastUpdateUtcTicks);
        // A venue without timestamps (0) must not erase the last one it did send.
        Assert.Equal(100, book.VenueTimestampUtcTicks);
    }

    [Fact]
    public void Walk_fills_best_first_and_stops_at_the_limit()
    {
        var book = NewBook();
        book.ApplySnapshot(
            [new(P(0.40m), 10), new(P(0.38m), 10)],
            [new(P(0.50m), 5), new(P(0.52m), 5), new(P(0.60m), 100)],
            1, 1);

        var buy = book.Walk(Side.Buy, 20m, P(0.55m));
        Assert.Equal(new DepthWalk(10m, 5m * 0.50m + 5m * 0.52m, P(0.52m)), buy);
        Assert.Equal(0.51m, buy.AveragePrice);

        var sell = book.Walk(Side.Sell, 12m, P(0.30m));
        Assert.Equal(new DepthWalk(12m, 10m * 0.40m + 2m * 0.38m, P(0.38m)), sell);
    }

    [Fact]
    public void SizeWithin_sums_levels_at_or_better_than_the_limit()
    {
        var book = NewBook();
        book.ApplySnapshot([new(P(0.40m), 10), new(P(0.38m), 7)], [new(P(0.50m), 5), new(P(0.52m), 3)], 1, 1);

        Assert.Equal(10m, book.SizeWithin(BookSide.Bid, P(0.39m)));
        Assert.Equal(17m, book.SizeWithin(BookSide.Bid, P(0.38m)));
        Assert.Equal(8m, book.SizeWithin(BookSide.Ask, P(0.52m)));
        Assert.Equal(0m, book.SizeWithin(BookSide.Ask, P(0.49m)));
    }

    [Fact]
    public void Mid_and_crossed_follow_the_top_of_book()
    {
        var book = NewBook();
        book.ApplySnapshot([new(P(0.40m), 1)], [new(P(0.50m), 1)], 1, 1);
        Assert.Equal(0.45m, book.Mid);
        Assert.False(book.IsCrossed);

        // A locked book (bid equals ask) is as untradeable as a crossed one.
        book.SetLevel(BookSide.Bid, P(0.50m), 1m, 2, 2);
        Assert.True(book.IsCrossed);
    }

    [Fact]
    public void Tick_size_can_change_while_levels_stay()
    {
        var book = NewBook();
        book.ApplySnapshot([new(P(0.405m), 1)], [], 1, 1);

        book.TickSize = TickSize.DeciCent;

        Assert.Equal(TickSize.DeciCent, book.TickSize);
        Assert.Equal(new BookLevel(P(0.405m), 1), book.BestBid);
    }

    private static OrderBook NewBook() => new(new InstrumentId(3), TickSize.Cent);

    private static BookLevel[] Levels(OrderBook book, BookSide side)
    {
        var levels = new BookLevel[book.Depth(side)];
        book.CopyLevels(side, levels);
        return levels;
    }

    private static Price P(decimal value) => Price.FromDecimal(value);
}
