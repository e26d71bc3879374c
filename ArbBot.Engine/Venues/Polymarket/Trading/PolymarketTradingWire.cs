using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ArbBot.Engine.Venues.Polymarket.Trading;

// Wire shapes of the CLOB's trading endpoints and user channel (clob-client-v2 types, nautilus test payloads in
// shared/venues). Numbers the venue sends as strings stay strings here and are read with PolymarketWire.Decimal, so a
// "" or a missing field is a clear "absent" rather than a parse failure of the whole message.

/// <summary>Answer of POST /order (one element of POST /orders).</summary>
public sealed record PolymarketOrderResponse(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("orderID")] string? OrderId,
    [property: JsonPropertyName("errorMsg")] string? ErrorMessage,
    /// <summary>live, matched, delayed or unmatched.</summary>
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("makingAmount")] string? MakingAmount,
    [property: JsonPropertyName("takingAmount")] string? TakingAmount,
    [property: JsonPropertyName("tradeIDs")] IReadOnlyList<string>? TradeIds);

/// <summary>Answer of DELETE /order, /orders and /cancel-all.</summary>
public sealed record PolymarketCancelResponse(
    [property: JsonPropertyName("canceled")] IReadOnlyList<string>? Canceled,
    [property: JsonPropertyName("not_canceled")] IReadOnlyDictionary<string, string?>? NotCanceled);

/// <summary>An order as GET /data/order/{id}, GET /data/orders and the user channel's <c>order</c> event show it.</summary>
public sealed record PolymarketOpenOrder(
    [property: JsonPropertyName("id")] string Id,
    /// <summary>LIVE, MATCHED, CANCELED, … (REST); the user channel's events say PLACEMENT / UPDATE / CANCELLATION in <see cref="Type"/>.</summary>
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("market")] string? Market,
    [property: JsonPropertyName("asset_id")] string? AssetId,
    [property: JsonPropertyName("side")] string? Side,
    [property: JsonPropertyName("original_size")] string? OriginalSize,
    [property: JsonPropertyName("size_matched")] string? SizeMatched,
    [property: JsonPropertyName("price")] string? Price,
    [property: JsonPropertyName("order_type")] string? OrderType,
    [property: JsonPropertyName("owner")] string? Owner,
    [property: JsonPropertyName("associate_trades")] IReadOnlyList<string>? AssociateTrades,
    [property: JsonPropertyName("type")] string? Type = null,
    [property: JsonPropertyName("event_type")] string? EventType = null);

/// <summary>One maker order a trade matched.</summary>
public sealed record PolymarketMakerOrder(
    [property: JsonPropertyName("order_id")] string OrderId,
    [property: JsonPropertyName("owner")] string? Owner,
    [property: JsonPropertyName("matched_amount")] string? MatchedAmount,
    [property: JsonPropertyName("price")] string? Price,
    [property: JsonPropertyName("fee_rate_bps")] string? FeeRateBps,
    [property: JsonPropertyName("asset_id")] string? AssetId,
    [property: JsonPropertyName("outcome")] string? Outcome,
    [property: JsonPropertyName("side")] string? Side = null);

/// <summary>A trade as GET /data/trades and the user channel's <c>trade</c> event show it.</summary>
public sealed record PolymarketTrade(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("taker_order_id")] string? TakerOrderId,
    [property: JsonPropertyName("market")] string? Market,
    [property: JsonPropertyName("asset_id")] string? AssetId,
    [property: JsonPropertyName("side")] string? Side,
    [property: JsonPropertyName("size")] string? Size,
    [property: JsonPropertyName("fee_rate_bps")] string? FeeRateBps,
    [property: JsonPropertyName("price")] string? Price,
    /// <summary>MATCHED, MINED, CONFIRMED, RETRYING or FAILED.</summary>
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("owner")] string? Owner,
    [property: JsonPropertyName("maker_orders")] IReadOnlyList<PolymarketMakerOrder>? MakerOrders,
    /// <summary>TAKER or MAKER: which side of this trade the account was on.</summary>
    [property: JsonPropertyName("trader_side")] string? TraderSide,
    [property: JsonPropertyName("transaction_hash")] string? TransactionHash = null,
    [property: JsonPropertyName("match_time")] string? MatchTime = null,
    [property: JsonPropertyName("event_type")] string? EventType = null);

/// <summary>A page of GET /data/orders or /data/trades: <c>next_cursor</c> "LTE=" marks the last.</summary>
public sealed record PolymarketPage<T>(
    [property: JsonPropertyName("data")] IReadOnlyList<T>? Data,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>
/// Answer of GET /balance-allowance in 6-decimal units: <c>balance</c> and either one <c>allowance</c> (older) or
/// <c>allowances</c> per spender contract (newer).
/// </summary>
public sealed record PolymarketBalanceAllowanceWire(
    [property: JsonPropertyName("balance")] string? Balance,
    [property: JsonPropertyName("allowance")] string? Allowance,
    [property: JsonPropertyName("allowances")] IReadOnlyDictionary<string, string>? Allowances);

/// <summary>A balance and the allowance the exchange may spend, in pUSD or shares.</summary>
public sealed record PolymarketBalance(decimal Balance, decimal Allowance)
{
    /// <summary>What an order can use: the smaller of the two.</summary>
    public decimal Available => Math.Min(Balance, Allowance);
}

/// <summary>Answer of POST /auth/api-key and GET /auth/derive-api-key.</summary>
internal sealed record PolymarketApiKeyWire(
    [property: JsonPropertyName("apiKey")] string? ApiKey,
    [property: JsonPropertyName("secret")] string? Secret,
    [property: JsonPropertyName("passphrase")] string? Passphrase);

/// <summary>Answer of GET /version.</summary>
internal sealed record PolymarketVersionWire([property: JsonPropertyName("version")] int? Version);

/// <summary>Readers for the venue's string-typed numbers.</summary>
public static class PolymarketWire
{
    /// <summary>Options for the wire records (case-sensitive names as declared, numbers allowed as strings).</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>A decimal from "1.5", or null when absent or empty; throws on anything else.</summary>
    public static decimal? Decimal(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value
        : throw new FormatException($"'{Truncate(text)}' is not a number.");

    /// <summary>Six-decimal base units ("1500000") as a decimal amount (1.5).</summary>
    public static decimal? Units(string? text) => Decimal(text) is { } units ? units / 1_000_000m : null;

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
