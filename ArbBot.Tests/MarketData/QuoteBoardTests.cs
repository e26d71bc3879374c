using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Tests.MarketData;

public sealed class QuoteBoardTests
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
    private readonly InstrumentRegistry _registry = new();
    private readonly MarketDataHub _hub;
    private readonly QuoteBoard _board;
    private readonly InstrumentId _yes;
    private readonly InstrumentId _no;

    public QuoteBoardTests()
    {
        var market = _registry.AddMarket(MarketDataHubTests.NewMarket("A"), "A:yes", "A:no");
        _yes = market.Yes;
        _no = market.No;
        _hub = new MarketDataHub(_registry, _time);
        _board = new QuoteBoard(_hub, _time, NullLogger<QuoteBoard>.Instance);
    }

    [Fact]
    public void A_changed_book_publishes_its_top_once_however_often_it_changed()
    {
        _hub.Apply(BookEvent.Snapshot(_yes, [new(P(0.40m), 10m), new(P(0.39m), 5m)], [new(P(0.45m), 7m)]));
        _hub.Apply(BookEvent.SetLevel(_yes, BookSide.Bid, P(0.40m), 12m));

        var quote = Assert.Single(_board.Collect());

        Assert.Equal(new Quote(_yes, 0.40m, 12m, 0.45m, 7m, StaleReason.None, _time.GetUtcNow()), quote);
        Assert.True(_board.TryGet(_yes, out var kept) && kept == quote);
        Assert.Empty(_board.Collect());
    }

    [Fact]
    public void Changes_below_the_top_publish_nothing()
    {
        _hub.Apply(BookEvent.Snapshot(_yes, [new(P(0.40m), 10m), new(P(0.39m), 5m)], [new(P(0.45m), 7m), new(P(0.46m), 3m)]));
        var first = Assert.Single(_board.Collect());

        _time.Advance(TimeSpan.FromSeconds(1));
        _hub.Apply(BookEvent.SetLevel(_yes, BookSide.Bid, P(0.39m), 50m));
        _hub.Apply(BookEvent.SetLevel(_yes, BookSide.Ask, P(0.46m), 1m));

        Assert.Empty(_board.Collect());
        Assert.True(_board.TryGet(_yes, out var kept) && kept == first);
    }

    [Fact]
    public void A_size_change_at_the_top_publishes_but_keeps_when_the_price_last_moved()
    {
        _hub.Apply(BookEvent.Snapshot(_yes, [new(P(0.40m), 10m)], [new(P(0.45m), 7m)]));
        var opened = _time.GetUtcNow();
        _board.Collect();

        _time.Advance(TimeSpan.FromSeconds(2));
        _hub.Apply(BookEvent.SetLevel(_yes, BookSide.Ask, P(0.45m), 9m));
        var resized = Assert.Single(_board.Collect());
        _time.Advance(TimeSpan.FromSeconds(3));
        _hub.Apply(BookEvent.SetLevel(_yes, BookSide.Ask, P(0.44m), 1m));
        var moved = Assert.Single(_board.Collect());

        Assert.Equal((9m, opened), (resized.AskSize, resized.LastChange));
        Assert.Equal((0.44m, 1m, _time.GetUtcNow()), (moved.Ask, moved.AskSize, moved.LastChange));
    }

    [Fact]
    public void A_book_going_stale_or_losing_a_side_publishes()
    {
        _hub.Apply(BookEvent.Snapshot(_yes, [new(P(0.40m), 10m)], [new(P(0.45m), 7m)]));
        _hub.Apply(BookEvent.Snapshot(_no, [new(P(0.55m), 10m)], [new(P(0.60m), 7m)]));
        Assert.Equal(2, _board.Collect().Count);

        _hub.Apply(BookEvent.Stale(_yes, StaleReason.SequenceGap));
        _hub.Apply(BookEvent.SetLevel(_no, BookSide.Ask, P(0.60m), 0m));
        var changed = _board.Collect().ToDictionary(q => q.Instrument);

        Assert.Equal(StaleReason.SequenceGap, changed[_yes].Stale);
        Assert.Equal((null, 0m), (changed[_no].Ask, changed[_no].AskSize));
    }

    [Fact]
    public void Copying_the_tops_on_the_hub_allocates_nothing()
    {
        var books = new List<InstrumentId>();
        for (var i = 0; i < 300; i++)
        {
            var market = _registry.AddMarket(MarketDataHubTests.NewMarket($"M{i}"), $"M{i}:yes", $"M{i}:no");
            books.Add(market.Yes);
            books.Add(market.No);
        }
        foreach (var book in books) _hub.Apply(BookEvent.Snapshot(book, [new(P(0.40m), 10m)], [new(P(0.45m), 7m)]));
        Assert.Equal(books.Count, _board.Collect().Count);
        foreach (var book in books) _hub.Apply(BookEvent.SetLevel(book, BookSide.Bid, P(0.41m), 3m));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var copied = _board.CopyTops();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(books.Count, copied);
        Assert.All(_board.Publish(copied), quote => Assert.Equal(0.41m, quote.Bid));
    }

    private static Price P(decimal value) => Price.FromDecimal(value);
}
