using System.Text.Json.Serialization;

namespace ArbBot.Engine.Venues.Polymarket.Wire;

// Market-channel WebSocket messages exactly as the venue sends them: every number is a string, every field may be
// missing. PolymarketParser validates and converts them; nothing outside the Polymarket folder sees these types.

/// <summary>A price level: {"price": "0.48", "size": "30"}.</summary>
public sealed record PolymarketWireLevel(
    [property: JsonPropertyName("price")] string? Price,
    [property: JsonPropertyName("size")] string? Size);

/// <summary>event_type "book": a full snapshot of one asset's book.</summary>
public sealed record PolymarketWireBook(
    [property: JsonPropertyName("market")] string? Market,
    [property: JsonPropertyName("asset_id")] string? AssetId,
    [property: JsonPropertyName("bids")] PolymarketWireLevel[]? Bids,
    [property: JsonPropertyName("asks")] PolymarketWireLevel[]? Asks,
    [property: JsonPropertyName("timestamp")] string? Timestamp,
    [property: JsonPropertyName("hash")] string? Hash);

/// <summary>One entry of a batched price_change (also the shape of the whole 2024 single-level message).</summary>
public sealed record PolymarketWirePriceChange(
    [property: JsonPropertyName("asset_id")] string? AssetId,
    [property: JsonPropertyName("price")] string? Price,
    [property: JsonPropertyName("size")] string? Size,
    [property: JsonPropertyName("side")] string? Side,
    [property: JsonPropertyName("hash")] string? Hash,
    [property: JsonPropertyName("best_bid")] string? BestBid,
    [property: JsonPropertyName("best_ask")] string? BestAsk);

/// <summary>
/// event_type "price_change": the current batched form carries price_changes[]; the 2024 form carries one level in
/// asset_id/price/size/side at the top level.
/// </summary>
public sealed record PolymarketWirePriceChangeMessage(
    [property: JsonPropertyName("market")] string? Market,
    [property: JsonPropertyName("timestamp")] string? Timestamp,
    [property: JsonPropertyName("price_changes")] PolymarketWirePriceChange[]? PriceChanges,
    [property: JsonPropertyName("asset_id")] string? AssetId,
    [property: JsonPropertyName("price")] string? Price,
    [property: JsonPropertyName("size")] string? Size,
    [property: JsonPropertyName("side")] string? Side,
    [property: JsonPropertyName("hash")] string? Hash);

/// <summary>event_type "tick_size_change".</summary>
public sealed record PolymarketWireTickSizeChange(
    [property: JsonPropertyName("market")] string? Market,
    [property: JsonPropertyName("asset_id")] string? AssetId,
    [property: JsonPropertyName("old_tick_size")] string? OldTickSize,
    [property: JsonPropertyName("new_tick_size")] string? NewTickSize,
    [property: JsonPropertyName("timestamp")] string? Timestamp);

/// <summary>event_type "last_trade_price".</summary>
public sealed record PolymarketWireLastTradePrice(
    [property: JsonPropertyName("market")] string? Market,
    [property: JsonPropertyName("asset_id")] string? AssetId,
    [property: JsonPropertyName("price")] string? Price,
    [property: JsonPropertyName("size")] string? Size,
    [property: JsonPropertyName("side")] string? Side,
    [property: JsonPropertyName("fee_rate_bps")] string? FeeRateBps,
    [property: JsonPropertyName("timestamp")] string? Timestamp);

/// <summary>event_type "best_bid_ask" (sent when custom features are enabled).</summary>
public sealed record PolymarketWireBestBidAsk(
    [property: JsonPropertyName("market")] string? Market,
    [property: JsonPropertyName("asset_id")] string? AssetId,
    [property: JsonPropertyName("best_bid")] string? BestBid,
    [property: JsonPropertyName("best_ask")] string? BestAsk,
    [property: JsonPropertyName("spread")] string? Spread,
    [property: JsonPropertyName("timestamp")] string? Timestamp);

/// <summary>event_type "market_resolved" (sent when custom features are enabled).</summary>
public sealed record PolymarketWireMarketResolved(
    [property: JsonPropertyName("market")] string? Market,
    [property: JsonPropertyName("assets_ids")] string[]? AssetsIds,
    [property: JsonPropertyName("winning_asset_id")] string? WinningAssetId,
    [property: JsonPropertyName("winning_outcome")] string? WinningOutcome,
    [property: JsonPropertyName("timestamp")] string? Timestamp);

/// <summary>Source-generated (reflection-free) deserialization of the wire records.</summary>
[JsonSerializable(typeof(PolymarketWireBook))]
[JsonSerializable(typeof(PolymarketWirePriceChangeMessage))]
[JsonSerializable(typeof(PolymarketWireTickSizeChange))]
[JsonSerializable(typeof(PolymarketWireLastTradePrice))]
[JsonSerializable(typeof(PolymarketWireBestBidAsk))]
[JsonSerializable(typeof(PolymarketWireMarketResolved))]
[JsonSerializable(typeof(PolymarketWireBook[]))]
internal sealed partial class PolymarketWireJsonContext : JsonSerializerContext;
