using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;

namespace ArbBot.Engine.Strategies.SpikeHunter;

/// <summary>What the liquidity layer saw on the book it would buy from.</summary>
public readonly record struct LiquidityReading(bool Passed, decimal Spread, decimal AskDepthUsd, string? Failure);

/// <summary>
/// The execution layer: a trade is only worth signalling where it can be done — the spread of the instrument to buy is
/// at most the maximum, and the asks within the top <see cref="Levels"/> levels hold at least the minimum in dollars
/// (price × size), the side a buy takes from. Reads the book without allocating.
/// </summary>
public static class LiquidityCheck
{
    public const int Levels = 5;

    public static LiquidityReading Evaluate(OrderBook? book, decimal maxSpread, decimal minDepthUsd)
    {
        if (book is null || book.IsStale || !book.HasBid || !book.HasAsk)
        {
            return new LiquidityReading(false, 0m, 0m, book is { IsStale: true } ? "the book is stale" : "the book has no two-sided quote");
        }
        var spread = book.BestAsk.Price.Value - book.BestBid.Price.Value;
        var depth = 0m;
        var levels = Math.Min(Levels, book.Depth(BookSide.Ask));
        for (var i = 0; i < levels; i++)
        {
            var level = book.Level(BookSide.Ask, i);
            depth += level.Price.Value * level.Size;
        }
        string? failure = null;
        if (spread > maxSpread) failure = string.Create(CultureInfo.InvariantCulture, $"spread {spread:0.00##} above {maxSpread:0.00##}");
        else if (depth < minDepthUsd) failure = string.Create(CultureInfo.InvariantCulture, $"ask depth ${depth:0.00} in the top {Levels} levels below ${minDepthUsd:0.00}");
        return new LiquidityReading(failure is null, spread, depth, failure);
    }
}
