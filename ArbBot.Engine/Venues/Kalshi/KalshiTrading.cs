using System.Globalization;
using System.Net;
using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Kalshi.Wire;

namespace ArbBot.Engine.Venues.Kalshi;

/// <summary>Order options Kalshi has beyond the engine's <c>OrderRequest</c>.</summary>
/// <param name="PostOnly">Refused instead of taking liquidity (the venue cancels it if it would cross).</param>
/// <param name="ReduceOnly">May only shrink the position on the market.</param>
public sealed record KalshiOrderFlags(bool PostOnly = false, bool ReduceOnly = false)
{
    /// <summary>A plain order.</summary>
    public static KalshiOrderFlags None { get; } = new();
}

/// <summary>
/// One of the member's orders as Kalshi reports it. <see cref="Price"/> is the price of <see cref="Side"/> (the YES
/// price of a YES order, the NO price of a NO order); <see cref="Status"/> is Kalshi's word (resting, canceled, executed,
/// pending).
/// </summary>
public sealed record KalshiOrder(
    string OrderId,
    string? ClientOrderId,
    string Ticker,
    KalshiSide Side,
    KalshiAction Action,
    string Status,
    Price Price,
    decimal FillCount,
    decimal RemainingCount,
    decimal InitialCount,
    decimal? Fees);

/// <summary>The member's position on one market: positive is YES contracts held, negative NO.</summary>
public sealed record KalshiPosition(string Ticker, decimal Position, decimal? Exposure, decimal? RealizedPnl, decimal? FeesPaid);

/// <summary>The member's cash and the value of its positions, in dollars.</summary>
public sealed record KalshiBalance(decimal Cash, decimal? PortfolioValue);

/// <summary>A market's lifecycle event (market_lifecycle_v2): created, activated, deactivated, determined, settled, …</summary>
public sealed record KalshiMarketLifecycle(long Sid, long? Seq, string MarketTicker, string EventType, DateTimeOffset? CloseTime, string? Result) : KalshiWsMessage
{
    /// <summary>
    /// True when the event ends trading on the market: it was paused (deactivated), its outcome was determined, it
    /// settled or closed. Orders sent then would be refused, and its book no longer means anything.
    /// </summary>
    public bool StopsTrading => EventType is "deactivated" or "determined" or "settled" or "closed" or "finalized";

    /// <summary>True when the event (re)opens trading.</summary>
    public bool StartsTrading => EventType is "activated";
}

/// <summary>The last trade (or ticker last price) seen on a market; <see cref="Size"/> and <see cref="TakerSide"/> are null when only a ticker reported it.</summary>
public sealed record KalshiLastTrade(string Ticker, Price YesPrice, decimal? Size, KalshiSide? TakerSide, DateTimeOffset? Time);

/// <summary>Reads the portfolio endpoints' wire records; a record that cannot be read raises <see cref="KalshiApiException"/> (invalid_body).</summary>
internal static class KalshiTradingParser
{
    public static KalshiOrder Order(KalshiWireOrder w, string what)
    {
        var side = Side(w.Side, what);
        var yes = Price(w.YesPriceDollars, w.YesPrice, what, "yes_price_dollars");
        var no = Price(w.NoPriceDollars, w.NoPrice, what, "no_price_dollars");
        var price = side == KalshiSide.Yes ? yes ?? no?.Complement : no ?? yes?.Complement;
        decimal? fees = Amount(w.TakerFeesDollars, null, what, "taker_fees_dollars") is { } taker
            ? taker + (Amount(w.MakerFeesDollars, null, what, "maker_fees_dollars") ?? 0m)
            : Amount(w.MakerFeesDollars, null, what, "maker_fees_dollars");
        return new KalshiOrder(
            Text(w.OrderId, what, "order_id"),
            w.ClientOrderId,
            Text(w.Ticker, what, "ticker"),
            side,
            Action(w.Action, what),
            Text(w.Status, what, "status"),
            price ?? throw Invalid(what, "neither yes_price_dollars nor no_price_dollars is present"),
            Amount(w.FillCountFp, w.FillCount, what, "fill_count_fp") ?? 0m,
            Amount(w.RemainingCountFp, w.RemainingCount, what, "remaining_count_fp") ?? 0m,
            Amount(w.InitialCountFp, w.InitialCount, what, "initial_count_fp") ?? 0m,
            fees);
    }

    public static KalshiFill Fill(KalshiWireRestFill w, string what)
    {
        DateTimeOffset? time = null;
        if (w.Ts is { ValueKind: System.Text.Json.JsonValueKind.Number } ts && ts.TryGetInt64(out var seconds)) time = DateTimeOffset.FromUnixTimeSeconds(seconds);
        else if (w.CreatedTime is { } created && DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) time = t;
        return new KalshiFill(
            0,
            Text(w.TradeId ?? w.FillId, what, "trade_id"),
            Text(w.OrderId, what, "order_id"),
            w.ClientOrderId,
            Text(w.MarketTicker ?? w.Ticker, what, "ticker"),
            w.IsTaker ?? true,
            Side(w.Side, what),
            Action(w.Action, what),
            Price(w.YesPriceDollars, w.YesPrice, what, "yes_price_dollars") ?? throw Invalid(what, "'yes_price_dollars' is missing"),
            Amount(w.CountFp, w.Count, what, "count_fp") ?? throw Invalid(what, "'count_fp' is missing"),
            Amount(w.FeeCost, null, what, "fee_cost"),
            null,
            time);
    }

    public static KalshiPosition Position(KalshiWireMarketPosition w, string what) => new(
        Text(w.Ticker, what, "ticker"),
        Amount(w.PositionFp, w.Position, what, "position_fp", signed: true) ?? 0m,
        Amount(w.MarketExposureDollars, null, what, "market_exposure_dollars", signed: true),
        Amount(w.RealizedPnlDollars, null, what, "realized_pnl_dollars", signed: true),
        Amount(w.FeesPaidDollars, null, what, "fees_paid_dollars"));

    public static KalshiBalance Balance(KalshiWireBalance w, string what)
    {
        var cash = Amount(w.BalanceDollars, null, what, "balance_dollars", signed: true)
            ?? (w.Balance is { } cents ? cents / 100m : throw Invalid(what, "'balance' is missing"));
        var value = Amount(w.PortfolioValueDollars, null, what, "portfolio_value_dollars", signed: true)
            ?? (w.PortfolioValue is { } pv ? pv / 100m : null);
        return new KalshiBalance(cash, value);
    }

    /// <summary>A dollar price as Kalshi writes it: four decimals.</summary>
    public static string Dollars(Price price) => price.Value.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>A fixed-point count as Kalshi writes it: two decimals.</summary>
    public static string Count(decimal count) => count.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Wire(KalshiSide side) => side == KalshiSide.Yes ? "yes" : "no";

    public static string Wire(KalshiAction action) => action == KalshiAction.Buy ? "buy" : "sell";

    public static string Wire(TimeInForce tif) => tif switch
    {
        TimeInForce.Fok => "fill_or_kill",
        TimeInForce.Ioc => "immediate_or_cancel",
        // Kalshi has no separate GTD: a good-till-cancelled order with an expiration_ts.
        _ => "good_till_canceled",
    };

    private static Price? Price(string? dollars, long? cents, string what, string field)
    {
        if (dollars is not null)
        {
            return Core.Price.TryParse(dollars, out var p) ? p : throw Invalid(what, $"'{field}' value '{dollars}' is not a price");
        }
        return cents is >= 0 and <= 100 ? Core.Price.FromUnits((int)cents.Value * (Core.Price.Scale / 100)) : null;
    }

    private static decimal? Amount(string? text, long? legacy, string what, string field, bool signed = false)
    {
        if (text is null) return legacy;
        var style = NumberStyles.AllowDecimalPoint | (signed ? NumberStyles.AllowLeadingSign : NumberStyles.None);
        return decimal.TryParse(text, style, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid(what, $"'{field}' value '{text}' is not a decimal");
    }

    private static KalshiSide Side(string? text, string what) => text switch
    {
        "yes" => KalshiSide.Yes,
        "no" => KalshiSide.No,
        _ => throw Invalid(what, $"'side' is '{text}', expected yes or no"),
    };

    private static KalshiAction Action(string? text, string what) => text switch
    {
        "buy" => KalshiAction.Buy,
        "sell" => KalshiAction.Sell,
        _ => throw Invalid(what, $"'action' is '{text}', expected buy or sell"),
    };

    private static string Text(string? text, string what, string field) =>
        string.IsNullOrEmpty(text) ? throw Invalid(what, $"'{field}' is missing") : text;

    private static KalshiApiException Invalid(string what, string problem) =>
        new(HttpStatusCode.OK, "invalid_body", $"Kalshi {what} returned a body that could not be read ({problem}).");
}
