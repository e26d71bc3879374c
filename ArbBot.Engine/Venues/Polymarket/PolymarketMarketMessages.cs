using ArbBot.Engine.Core;

namespace ArbBot.Engine.Venues.Polymarket;

/// <summary>A parsed market-channel message. Prices, sizes and tick sizes are exact decimals; timestamps are unix ms.</summary>
public abstract record PolymarketMarketMessage;

/// <summary>A price level of a book snapshot.</summary>
public readonly record struct PolymarketLevel(decimal Price, decimal Size);

/// <summary>A full book for one asset (token). Levels keep the venue's order.</summary>
public sealed record PolymarketBookMessage(
    string Market, string AssetId, IReadOnlyList<PolymarketLevel> Bids, IReadOnlyList<PolymarketLevel> Asks, long TimestampMs, string? Hash)
    : PolymarketMarketMessage;

/// <summary>
/// A new absolute size at one price (0 removes the level). BUY changes the bid side, SELL the ask side. Best bid and
/// ask are present in the batched format only.
/// </summary>
public sealed record PolymarketPriceChange(string AssetId, decimal Price, decimal Size, Side Side, string? Hash, decimal? BestBid, decimal? BestAsk);

/// <summary>One or more level changes; the 2024 single-level format yields exactly one.</summary>
public sealed record PolymarketPriceChangeMessage(string Market, IReadOnlyList<PolymarketPriceChange> Changes, long TimestampMs)
    : PolymarketMarketMessage;

/// <summary>The market's tick size changed.</summary>
public sealed record PolymarketTickSizeChangeMessage(string Market, string AssetId, decimal OldTickSize, decimal NewTickSize, long TimestampMs)
    : PolymarketMarketMessage;

/// <summary>A trade printed at this price (side is the taker's).</summary>
public sealed record PolymarketLastTradePriceMessage(string Market, string AssetId, decimal Price, decimal Size, Side Side, decimal FeeRateBps, long TimestampMs)
    : PolymarketMarketMessage;

/// <summary>Top of book for one asset.</summary>
public sealed record PolymarketBestBidAskMessage(string Market, string AssetId, decimal BestBid, decimal BestAsk, decimal Spread, long TimestampMs)
    : PolymarketMarketMessage;

/// <summary>The market resolved: it trades no more.</summary>
public sealed record PolymarketMarketResolvedMessage(string Market, IReadOnlyList<string> AssetIds, string? WinningAssetId, string? WinningOutcome, long TimestampMs)
    : PolymarketMarketMessage;

/// <summary>The server's answer to the client's text "PING" keep-alive.</summary>
public sealed record PolymarketPongMessage : PolymarketMarketMessage;

/// <summary>A well-formed event of a type this parser does not read (new_market…): ignored, not an error.</summary>
public sealed record PolymarketIgnoredMessage(string EventType) : PolymarketMarketMessage;

/// <summary>The outcome of parsing one WebSocket frame: its messages, or why it could not be read.</summary>
public sealed record PolymarketParseResult
{
    private PolymarketParseResult(IReadOnlyList<PolymarketMarketMessage> messages, string? error)
    {
        Messages = messages;
        Error = error;
    }

    /// <summary>The messages of the frame (a frame may hold an array of events); empty on failure.</summary>
    public IReadOnlyList<PolymarketMarketMessage> Messages { get; }

    /// <summary>Why the frame was refused, or null.</summary>
    public string? Error { get; }

    /// <summary>True when the whole frame was read.</summary>
    public bool IsSuccess => Error is null;

    internal static PolymarketParseResult Success(IReadOnlyList<PolymarketMarketMessage> messages) => new(messages, null);

    internal static PolymarketParseResult Failure(string error) => new([], error);
}
