using System.Text.Json;

namespace ArbBot.Engine.Venues.Kalshi.Wire;

// Wire shapes of Kalshi's REST and WebSocket payloads, bound with snake_case names (KalshiParser.WireOptions).
// Every field is optional here: the current fixed-point fields (*_dollars, *_fp) and the legacy integer-cent
// fields (price, delta, yes, no, count) coexist across spec versions, and KalshiParser decides which to trust.
// Level arrays stay JsonElement because their cells are strings in one version and numbers in another.

/// <summary>GET /markets/{ticker}/orderbook: <c>orderbook_fp</c> (current) or <c>orderbook</c> (legacy).</summary>
internal sealed record KalshiWireOrderbookResponse(KalshiWireRestBook? OrderbookFp, KalshiWireRestBook? Orderbook);

/// <summary>One REST book: yes_dollars/no_dollars ([["0.1500","100.00"]]) or yes/no ([[15,100]]).</summary>
internal sealed record KalshiWireRestBook(JsonElement? YesDollars, JsonElement? NoDollars, JsonElement? Yes, JsonElement? No);

/// <summary>msg of orderbook_snapshot.</summary>
internal sealed record KalshiWireOrderbookSnapshot(
    string? MarketTicker,
    string? MarketId,
    JsonElement? YesDollarsFp,
    JsonElement? NoDollarsFp,
    JsonElement? Yes,
    JsonElement? No);

/// <summary>msg of orderbook_delta.</summary>
internal sealed record KalshiWireOrderbookDelta(
    string? MarketTicker,
    string? MarketId,
    string? PriceDollars,
    long? Price,
    string? DeltaFp,
    long? Delta,
    string? Side,
    JsonElement? Ts,
    long? TsMs);

/// <summary>msg of ticker.</summary>
internal sealed record KalshiWireTicker(
    string? MarketTicker,
    string? MarketId,
    string? PriceDollars,
    long? Price,
    string? YesBidDollars,
    long? YesBid,
    string? YesAskDollars,
    long? YesAsk,
    string? YesBidSizeFp,
    string? YesAskSizeFp,
    string? VolumeFp,
    long? Volume,
    string? OpenInterestFp,
    long? OpenInterest,
    JsonElement? Ts,
    long? TsMs);

/// <summary>msg of trade.</summary>
internal sealed record KalshiWireTrade(
    string? TradeId,
    string? MarketTicker,
    string? YesPriceDollars,
    long? YesPrice,
    string? NoPriceDollars,
    long? NoPrice,
    string? CountFp,
    long? Count,
    string? TakerSide,
    JsonElement? Ts,
    long? TsMs);

/// <summary>msg of fill.</summary>
internal sealed record KalshiWireFill(
    string? TradeId,
    string? OrderId,
    string? ClientOrderId,
    string? MarketTicker,
    bool? IsTaker,
    string? Side,
    string? Action,
    string? YesPriceDollars,
    long? YesPrice,
    string? CountFp,
    long? Count,
    string? FeeCost,
    string? PostPositionFp,
    long? PostPosition,
    JsonElement? Ts,
    long? TsMs);

/// <summary>msg of user_order.</summary>
internal sealed record KalshiWireUserOrder(
    string? OrderId,
    string? ClientOrderId,
    string? Ticker,
    string? Status,
    string? Side,
    string? YesPriceDollars,
    string? FillCountFp,
    string? RemainingCountFp,
    string? InitialCountFp,
    string? TakerFeesDollars,
    string? MakerFeesDollars,
    string? CreatedTime,
    long? CreatedTsMs);

/// <summary>msg of subscribed, and each entry of a list_subscriptions "ok".</summary>
internal sealed record KalshiWireSubscription(string? Channel, long? Sid);

/// <summary>msg of an "ok" after update_subscription.</summary>
internal sealed record KalshiWireOk(List<string>? MarketTickers);

/// <summary>msg of error.</summary>
internal sealed record KalshiWireError(int? Code, string? Msg, string? MarketTicker);

/// <summary>An outgoing command: subscribe, unsubscribe, update_subscription, list_subscriptions.</summary>
internal sealed record KalshiWireCommand(long Id, string Cmd, KalshiWireCommandParams? Params);

/// <summary>Parameters of an outgoing command; nulls are omitted on the wire.</summary>
internal sealed record KalshiWireCommandParams(
    List<string>? Channels = null,
    List<string>? MarketTickers = null,
    List<long>? Sids = null,
    string? Action = null);
