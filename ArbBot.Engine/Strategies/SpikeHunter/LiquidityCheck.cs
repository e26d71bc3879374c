using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;

namespace ArbBot.Engine.Strategies.SpikeHunter;

/// <summary>Why the liquidity layer failed a book, if it did.</summary>
public enum LiquidityShortfall : byte
{
    None,
    StaleBook,
    NoTwoSidedQuote,
    SpreadTooWide,
    TooLittleDepth,
}

/// <summary>
/// What the liquidity layer saw on the book it would buy from. <paramref name="Limit"/> is the maximum spread or the
/// minimum depth the book failed (0 when it passed or had no quote).
/// </summary>
/// <remarks>
/// The failure is kept as a kind and the limit it missed, and worded only when <see cref="Failure"/> is read: the
/// hunter evaluates this on every leaning market in every pass on the hub's thread, and most fail, so a sentence built
/// per evaluation was a string per market per second.
/// </remarks>
public readonly record struct LiquidityReading(bool Passed, decimal Spread, decimal AskDepthUsd, LiquidityShortfall Shortfall = LiquidityShortfall.None, decimal Limit = 0m)
{
    /// <summary>Why it failed, in words ("spread 0.03 above 0.02"), or null when it passed.</summary>
    public string? Failure => Shortfall switch
    {
        LiquidityShortfall.None => null,
        LiquidityShortfall.StaleBook => "the book is stale",
        LiquidityShortfall.NoTwoSidedQuote => "the book has no two-sided quote",
        LiquidityShortfall.SpreadTooWide => string.Create(CultureInfo.InvariantCulture, $"spread {Spread:0.00##} above {Limit:0.00##}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"ask depth ${AskDepthUsd:0.00} in the top {LiquidityCheck.Levels} levels below ${Limit:0.00}"),
    };
}

/// <summary>
/// The execution layer: a trade is only worth signalling where it can be done — the spread of the instrument to buy is
/// at most the maximum, and the asks within the top <see cref="Levels"/> levels hold at least the minimum in dollars
/// (price × size), the side a buy takes from. Reads the book without allocating, and allocates nothing itself (the failure
/// is worded when read).
/// </summary>
public static class LiquidityCheck
{
    public const int Levels = 5;

    public static LiquidityReading Evaluate(OrderBook? book, decimal maxSpread, decimal minDepthUsd)
    {
        if (book is null || book.IsStale || !book.HasBid || !book.HasAsk)
        {
            return new LiquidityReading(false, 0m, 0m, book is { IsStale: true } ? LiquidityShortfall.StaleBook : LiquidityShortfall.NoTwoSidedQuote);
        }
        var spread = book.BestAsk.Price.Value - book.BestBid.Price.Value;
        var depth = 0m;
        var levels = Math.Min(Levels, book.Depth(BookSide.Ask));
        for (var i = 0; i < levels; i++)
        {
            var level = book.Level(BookSide.Ask, i);
            depth += level.Price.Value * level.Size;
        }
        if (spread > maxSpread) return new LiquidityReading(false, spread, depth, LiquidityShortfall.SpreadTooWide, maxSpread);
        if (depth < minDepthUsd) return new LiquidityReading(false, spread, depth, LiquidityShortfall.TooLittleDepth, minDepthUsd);
        return new LiquidityReading(true, spread, depth);
    }
}
