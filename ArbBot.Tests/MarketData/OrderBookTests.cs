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

    private static Price P(decimal value) => Price.FromDecimal(value);
}
