using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;

namespace ArbBot.Tests.MarketData;

public sealed class OrderBookSnapshotTests
{
    private static BookLevel L(int units, decimal size) => new(Price.FromUnits(units), size);

    private static (BookLevel[] Bids, BookLevel[] Asks) Read(OrderBook book)
    {
        var bids = new BookLevel[book.BidDepth];
        var asks = new BookLevel[book.AskDepth];
        book.CopyLevels(BookSide.Bid, bids);
        book.CopyLevels(BookSide.Ask, asks);
        return (bids, asks);
    }

    [Fact]
    public void A_snapshot_gives_the_same_book_whether_its_levels_come_best_first_worst_first_or_shuffled()
    {
        BookLevel[] bids = [L(4_500, 10m), L(4_400, 0m), L(4_300, 7m), L(4_200, 1.5m)];
        BookLevel[] asks = [L(4_600, 3m), L(4_700, 8m), L(4_800, 0m), L(4_900, 2m)];
        var expected = (Bids: new[] { L(4_500, 10m), L(4_300, 7m), L(4_200, 1.5m) }, Asks: new[] { L(4_600, 3m), L(4_700, 8m), L(4_900, 2m) });

        foreach (var (b, a) in new[] { (bids, asks), (bids.Reverse().ToArray(), asks.Reverse().ToArray()), ([bids[2], bids[0], bids[3], bids[1]], [asks[3], asks[0], asks[2], asks[1]]) })
        {
            var book = new OrderBook(new InstrumentId(0), TickSize.Cent);
            book.ApplySnapshot([L(100, 1m)], [L(9_900, 1m)], 1, 0);
            book.ApplySnapshot(b, a, 2, 0);
            var (readBids, readAsks) = Read(book);
            Assert.Equal(expected.Bids, readBids);
            Assert.Equal(expected.Asks, readAsks);
        }
    }

    [Fact]
    public void A_price_repeated_in_a_snapshot_keeps_its_last_size()
    {
        var book = new OrderBook(new InstrumentId(0), TickSize.Cent);

        book.ApplySnapshot([L(4_500, 10m), L(4_400, 1m), L(4_500, 4m)], [L(4_600, 3m), L(4_600, 0m)], 1, 0);

        var (bids, asks) = Read(book);
        Assert.Equal([L(4_500, 4m), L(4_400, 1m)], bids);
        Assert.Empty(asks);
    }

    [Fact]
    public void A_snapshot_deeper_than_any_before_grows_the_book()
    {
        var book = new OrderBook(new InstrumentId(0), TickSize.Cent);
        var bids = Enumerable.Range(1, 60).Select(i => L(5_000 - i * 10, i)).ToArray();

        book.ApplySnapshot(bids, [], 1, 0);

        Assert.Equal(60, book.BidDepth);
        Assert.Equal(L(4_990, 1m), book.BestBid);
        Assert.Equal(L(4_400, 60m), book.Level(BookSide.Bid, 59));
    }
}
