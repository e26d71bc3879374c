using ArbBot.Engine.Core;

namespace ArbBot.Engine.Venues.Polymarket;

/// <summary>
/// The feed's own copy of one token's book, as the venue last described it (exact decimals), so the feed can check
/// what the venue says about its top of book, compare with REST, and spot ghost books — without reading the hub's
/// books from another thread. Owned by one shard's loop; not thread-safe.
/// </summary>
public sealed class PolymarketBookMirror(string tokenId, Market market, bool isYes)
{
    /// <summary>The lowest price a ghost book bids at or below.</summary>
    public const decimal GhostBid = 0.01m;

    /// <summary>The highest price a ghost book asks at or above.</summary>
    public const decimal GhostAsk = 0.99m;

    private readonly SortedDictionary<decimal, decimal> _bids = [];
    private readonly SortedDictionary<decimal, decimal> _asks = [];

    public string TokenId { get; } = tokenId;

    /// <summary>The market the token belongs to (replaced when its tick size changes).</summary>
    public Market Market { get; set; } = market;

    public bool IsYes { get; } = isYes;

    public InstrumentId Instrument => IsYes ? Market.Yes : Market.No;

    /// <summary>The venue timestamp (unix ms) of the newest book or change applied; older messages are dropped.</summary>
    public long LastTimestampMs { get; set; }

    /// <summary>True while the book is not trustworthy: updates are dropped until a full book arrives.</summary>
    public bool AwaitingBook { get; set; } = true;

    /// <summary>True once the market resolved: the token is no longer streamed.</summary>
    public bool Resolved { get; set; }

    public decimal? BestBid => _bids.Count == 0 ? null : _bids.Keys.Max();

    public decimal? BestAsk => _asks.Count == 0 ? null : _asks.Keys.Min();

    /// <summary>A book that cannot be real on a trading market: nothing between a 0.01 bid and a 0.99 ask.</summary>
    public static bool IsGhost(PolymarketBookMessage book)
    {
        ArgumentNullException.ThrowIfNull(book);
        var bids = book.Bids.Where(l => l.Size > 0m).ToList();
        var asks = book.Asks.Where(l => l.Size > 0m).ToList();
        if (bids.Count == 0 || asks.Count == 0) return false;
        return bids.Max(l => l.Price) <= GhostBid && asks.Min(l => l.Price) >= GhostAsk;
    }

    /// <summary>Replaces the whole book.</summary>
    public void Replace(PolymarketBookMessage book)
    {
        ArgumentNullException.ThrowIfNull(book);
        _bids.Clear();
        _asks.Clear();
        foreach (var l in book.Bids) Set(_bids, l.Price, l.Size);
        foreach (var l in book.Asks) Set(_asks, l.Price, l.Size);
        LastTimestampMs = book.TimestampMs;
        AwaitingBook = false;
    }

    /// <summary>Sets one level's absolute size (0 removes it).</summary>
    public void Set(Side side, decimal price, decimal size) => Set(side == Side.Buy ? _bids : _asks, price, size);

    /// <summary>Empties the book (the market closed).</summary>
    public void Clear()
    {
        _bids.Clear();
        _asks.Clear();
    }

    /// <summary>True when the venue's stated best bid and ask agree with this book (an empty side may be stated as 0, or 1 for asks).</summary>
    public bool TopMatches(decimal? bestBid, decimal? bestAsk)
    {
        if (bestBid is { } bid && bid != (BestBid ?? 0m)) return false;
        if (bestAsk is { } ask && !(BestAsk is { } mine ? ask == mine : ask is 0m or 1m)) return false;
        return true;
    }

    /// <summary>True when <paramref name="book"/> holds exactly the levels of this book.</summary>
    public bool SameLevels(PolymarketBookMessage book)
    {
        ArgumentNullException.ThrowIfNull(book);
        return Same(_bids, book.Bids) && Same(_asks, book.Asks);
    }

    /// <summary>The levels as the hub's book wants them.</summary>
    public (MarketData.BookLevel[] Bids, MarketData.BookLevel[] Asks) Levels() =>
        ([.. _bids.Select(l => new MarketData.BookLevel(Price.FromDecimal(l.Key), l.Value))], [.. _asks.Select(l => new MarketData.BookLevel(Price.FromDecimal(l.Key), l.Value))]);

    private static bool Same(SortedDictionary<decimal, decimal> mine, IReadOnlyList<PolymarketLevel> theirs)
    {
        var levels = theirs.Where(l => l.Size > 0m).ToList();
        if (levels.Count != mine.Count) return false;
        return levels.All(l => mine.TryGetValue(l.Price, out var size) && size == l.Size);
    }

    private static void Set(SortedDictionary<decimal, decimal> side, decimal price, decimal size)
    {
        if (size <= 0m) side.Remove(price);
        else side[price] = size;
    }
}
