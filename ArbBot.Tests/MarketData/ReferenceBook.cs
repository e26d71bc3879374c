using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;

namespace ArbBot.Tests.MarketData;

/// <summary>
/// A deliberately naive L2 book (two sorted dictionaries keyed by price units) that states what
/// <see cref="OrderBook"/> must compute, without any of its array tricks, so the two can be compared op by op.
/// </summary>
internal sealed class ReferenceBook
{
    private readonly SortedDictionary<int, decimal> _bids = [];
    private readonly SortedDictionary<int, decimal> _asks = [];

    public void Snapshot(IEnumerable<BookLevel> bids, IEnumerable<BookLevel> asks)
    {
        _bids.Clear();
        _asks.Clear();
        foreach (var level in bids) Set(BookSide.Bid, level.Price, level.Size);
        foreach (var level in asks) Set(BookSide.Ask, level.Price, level.Size);
    }

    public void Set(BookSide side, Price price, decimal size)
    {
        var levels = SideOf(side);
        if (size > 0m) levels[price.Units] = size;
        else levels.Remove(price.Units);
    }

    public void Add(BookSide side, Price price, decimal delta)
    {
        var levels = SideOf(side);
        var size = levels.GetValueOrDefault(price.Units) + delta;
        if (size > 0m) levels[price.Units] = size;
        else levels.Remove(price.Units);
    }

    public int Depth(BookSide side) => SideOf(side).Count;

    /// <summary>Levels best first: bids descending, asks ascending.</summary>
    public IReadOnlyList<BookLevel> Levels(BookSide side)
    {
        var ordered = side == BookSide.Bid ? _bids.Reverse() : _asks;
        return ordered.Select(kv => new BookLevel(Price.FromUnits(kv.Key), kv.Value)).ToList();
    }

    public BookLevel? Best(BookSide side) => Depth(side) > 0 ? Levels(side)[0] : null;

    public bool IsCrossed => Best(BookSide.Bid) is { } bid && Best(BookSide.Ask) is { } ask && bid.Price >= ask.Price;

    public decimal? Mid => Best(BookSide.Bid) is { } bid && Best(BookSide.Ask) is { } ask ? (bid.Price.Value + ask.Price.Value) / 2m : null;

    public DepthWalk Walk(Side takerSide, decimal size, Price limit)
    {
        decimal filled = 0m, cost = 0m;
        var worst = Price.Zero;
        foreach (var level in Levels(takerSide == Side.Buy ? BookSide.Ask : BookSide.Bid))
        {
            if (filled >= size) break;
            var tooExpensive = takerSide == Side.Buy ? level.Price > limit : level.Price < limit;
            if (tooExpensive) break;
            var take = Math.Min(level.Size, size - filled);
            filled += take;
            cost += take * level.Price.Value;
            worst = level.Price;
        }
        return new DepthWalk(filled, cost, worst);
    }

    public decimal SizeWithin(BookSide side, Price limit) =>
        Levels(side).Where(l => side == BookSide.Bid ? l.Price >= limit : l.Price <= limit).Sum(l => l.Size);

    private SortedDictionary<int, decimal> SideOf(BookSide side) => side == BookSide.Bid ? _bids : _asks;
}
