using System.Text.Json;

namespace ArbBot.Engine.Venues.Kalshi.Wire;

// Wire shapes of Kalshi's portfolio endpoints (spec 3.13 fixed-point fields: prices in *_dollars strings, counts in
// *_fp strings). Requests write only the fixed-point fields; responses may also carry legacy integer fields, which
// KalshiTradingParser reads when the fixed-point ones are absent.

/// <summary>POST /portfolio/orders body. Exactly one of the price fields is set: the price of the side traded.</summary>
internal sealed record KalshiWireCreateOrder(
    string Ticker,
    string Side,
    string Action,
    string ClientOrderId,
    string CountFp,
    string? YesPriceDollars,
    string? NoPriceDollars,
    string TimeInForce,
    bool? PostOnly,
    bool? ReduceOnly,
    /// <summary>Unix seconds when a GTD order leaves the book (sent with good_till_canceled); absent otherwise.</summary>
    long? ExpirationTs = null);

/// <summary>POST /portfolio/orders/{order_id}/amend body: the new price and the new total count (filled + resting).</summary>
internal sealed record KalshiWireAmendOrder(
    string Ticker,
    string Side,
    string Action,
    string ClientOrderId,
    string UpdatedClientOrderId,
    string? YesPriceDollars,
    string? NoPriceDollars,
    string CountFp);

/// <summary>POST /portfolio/orders/{order_id}/decrease body.</summary>
internal sealed record KalshiWireDecreaseOrder(string? ReduceByFp, string? ReduceToFp);

/// <summary>An Order as the portfolio endpoints return it.</summary>
internal sealed record KalshiWireOrder(
    string? OrderId,
    string? ClientOrderId,
    string? Ticker,
    string? Side,
    string? Action,
    string? Status,
    string? YesPriceDollars,
    long? YesPrice,
    string? NoPriceDollars,
    long? NoPrice,
    string? FillCountFp,
    long? FillCount,
    string? RemainingCountFp,
    long? RemainingCount,
    string? InitialCountFp,
    long? InitialCount,
    string? TakerFeesDollars,
    string? MakerFeesDollars,
    string? CreatedTime);

/// <summary>{"order": Order} (create, cancel, decrease) and {"old_order", "order"} (amend).</summary>
internal sealed record KalshiWireOrderEnvelope(KalshiWireOrder? Order, KalshiWireOrder? OldOrder);

/// <summary>GET /portfolio/orders page.</summary>
internal sealed record KalshiWireOrdersPage(List<KalshiWireOrder>? Orders, string? Cursor);

/// <summary>A Fill as GET /portfolio/fills returns it.</summary>
internal sealed record KalshiWireRestFill(
    string? FillId,
    string? TradeId,
    string? OrderId,
    string? ClientOrderId,
    string? Ticker,
    string? MarketTicker,
    string? Side,
    string? Action,
    string? CountFp,
    long? Count,
    string? YesPriceDollars,
    long? YesPrice,
    bool? IsTaker,
    string? FeeCost,
    string? CreatedTime,
    JsonElement? Ts);

/// <summary>GET /portfolio/fills page.</summary>
internal sealed record KalshiWireFillsPage(List<KalshiWireRestFill>? Fills, string? Cursor);

/// <summary>One market position from GET /portfolio/positions.</summary>
internal sealed record KalshiWireMarketPosition(
    string? Ticker,
    string? PositionFp,
    long? Position,
    string? MarketExposureDollars,
    string? RealizedPnlDollars,
    string? FeesPaidDollars);

/// <summary>GET /portfolio/positions page.</summary>
internal sealed record KalshiWirePositionsPage(List<KalshiWireMarketPosition>? MarketPositions, string? Cursor);

/// <summary>GET /portfolio/balance: cents (spec 3.13), with <c>balance_dollars</c> preferred when a newer venue sends it.</summary>
internal sealed record KalshiWireBalance(long? Balance, long? PortfolioValue, string? BalanceDollars, string? PortfolioValueDollars);

/// <summary>msg of market_lifecycle_v2.</summary>
internal sealed record KalshiWireLifecycle(string? MarketTicker, string? EventType, long? OpenTs, long? CloseTs, long? SettledTs, string? Result);
