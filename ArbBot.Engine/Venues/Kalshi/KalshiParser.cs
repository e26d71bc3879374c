using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues.Kalshi.Wire;

namespace ArbBot.Engine.Venues.Kalshi;

/// <summary>
/// Reads Kalshi's REST order books and WebSocket messages into <see cref="KalshiBook"/> and <see cref="KalshiWsMessage"/>
/// records, and writes its WebSocket commands. Accepts both the current fixed-point fields (<c>*_dollars</c> strings,
/// <c>*_fp</c> counts) and the legacy integer-cent fields, preferring the fixed-point ones when both are present.
/// Never throws on bad input: malformed, truncated or incomplete payloads yield a failed <see cref="KalshiParseResult{T}"/>.
/// </summary>
public static class KalshiParser
{
    internal static readonly JsonSerializerOptions WireOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Parses the body of GET /markets/{ticker}/orderbook.</summary>
    public static KalshiParseResult<KalshiBook> ParseRestOrderbook(string json) => ParseRestOrderbook(Encoding.UTF8.GetBytes(json));

    /// <inheritdoc cref="ParseRestOrderbook(string)"/>
    public static KalshiParseResult<KalshiBook> ParseRestOrderbook(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var wire = JsonSerializer.Deserialize<KalshiWireOrderbookResponse>(utf8, WireOptions)
                ?? throw new KalshiWireException("the body is null");
            if (wire.OrderbookFp is { } fp)
            {
                return KalshiParseResult<KalshiBook>.Ok(new KalshiBook(Levels(fp.YesDollars, "yes_dollars"), Levels(fp.NoDollars, "no_dollars")));
            }
            if (wire.Orderbook is { } legacy)
            {
                return KalshiParseResult<KalshiBook>.Ok(new KalshiBook(Levels(legacy.Yes, "yes"), Levels(legacy.No, "no")));
            }
            throw new KalshiWireException("neither 'orderbook_fp' nor 'orderbook' is present");
        }
        // InvalidOperationException: invalid UTF-8 inside a string, seen only when it is read (found by fuzzing).
        catch (Exception e) when (e is JsonException or KalshiWireException or InvalidOperationException)
        {
            return KalshiParseResult<KalshiBook>.Fail($"Kalshi REST order book: {Reason(e)}");
        }
    }

    /// <summary>Parses one WebSocket text message.</summary>
    public static KalshiParseResult<KalshiWsMessage> ParseWebSocket(string json) => ParseWebSocket(Encoding.UTF8.GetBytes(json));

    /// <inheritdoc cref="ParseWebSocket(string)"/>
    public static KalshiParseResult<KalshiWsMessage> ParseWebSocket(ReadOnlySpan<byte> utf8)
    {
        string? type = null;
        try
        {
            using var doc = JsonDocument.Parse(utf8.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new KalshiWireException("the message is not a JSON object");
            type = OptionalString(root, "type") ?? throw new KalshiWireException("'type' is missing");
            var id = OptionalLong(root, "id");
            var sid = OptionalLong(root, "sid");
            var seq = OptionalLong(root, "seq");
            var msg = root.TryGetProperty("msg", out var m) ? m : default;
            KalshiWsMessage message = type switch
            {
                "orderbook_snapshot" => Snapshot(Require(sid, "sid"), Require(seq, "seq"), Msg<KalshiWireOrderbookSnapshot>(msg)),
                "orderbook_delta" => Delta(Require(sid, "sid"), Require(seq, "seq"), Msg<KalshiWireOrderbookDelta>(msg)),
                "ticker" => Ticker(Require(sid, "sid"), Msg<KalshiWireTicker>(msg)),
                "trade" => Trade(Require(sid, "sid"), seq, Msg<KalshiWireTrade>(msg)),
                "fill" => Fill(Require(sid, "sid"), Msg<KalshiWireFill>(msg)),
                "user_order" => UserOrder(Require(sid, "sid"), Msg<KalshiWireUserOrder>(msg)),
                "market_lifecycle_v2" => Lifecycle(Require(sid, "sid"), seq, Msg<KalshiWireLifecycle>(msg)),
                "subscribed" => Subscribed(id, Msg<KalshiWireSubscription>(msg)),
                "unsubscribed" => new KalshiUnsubscribed(id, sid, seq),
                "ok" => Ok(id, sid, seq, msg),
                "error" => Error(id, Msg<KalshiWireError>(msg)),
                _ => new KalshiOtherMessage(type, sid, seq),
            };
            return KalshiParseResult<KalshiWsMessage>.Ok(message);
        }
        catch (Exception e) when (e is JsonException or KalshiWireException or InvalidOperationException)
        {
            var what = type is null ? "Kalshi WebSocket message" : $"Kalshi WebSocket '{type}' message";
            return KalshiParseResult<KalshiWsMessage>.Fail($"{what}: {Reason(e)}");
        }
    }

    /// <summary>A subscribe command; market tickers are omitted for account-wide channels such as fill.</summary>
    public static string SubscribeCommand(long id, IReadOnlyCollection<string> channels, IReadOnlyCollection<string>? marketTickers = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(channels.Count, nameof(channels));
        var tickers = marketTickers is { Count: > 0 } ? marketTickers.ToList() : null;
        return Command(new KalshiWireCommand(id, "subscribe", new KalshiWireCommandParams(Channels: [.. channels], MarketTickers: tickers)));
    }

    /// <summary>An unsubscribe command for the given subscription ids.</summary>
    public static string UnsubscribeCommand(long id, IReadOnlyCollection<long> sids)
    {
        ArgumentOutOfRangeException.ThrowIfZero(sids.Count, nameof(sids));
        return Command(new KalshiWireCommand(id, "unsubscribe", new KalshiWireCommandParams(Sids: [.. sids])));
    }

    /// <summary>
    /// Asks for fresh order-book snapshots on a subscription (update_subscription with action get_snapshot), the
    /// recovery after <see cref="KalshiSequenceTracker"/> reports a gap.
    /// </summary>
    public static string GetSnapshotCommand(long id, long sid, IReadOnlyCollection<string> marketTickers) =>
        Command(new KalshiWireCommand(id, "update_subscription", new KalshiWireCommandParams(MarketTickers: [.. marketTickers], Sids: [sid], Action: "get_snapshot")));

    /// <summary>A list_subscriptions command.</summary>
    public static string ListSubscriptionsCommand(long id) => Command(new KalshiWireCommand(id, "list_subscriptions", null));

    private static string Command(KalshiWireCommand command) => JsonSerializer.Serialize(command, WireOptions);

    private static KalshiOrderbookSnapshot Snapshot(long sid, long seq, KalshiWireOrderbookSnapshot w)
    {
        var ticker = RequireText(w.MarketTicker, "market_ticker");
        // Kalshi leaves out a side with no levels, so absence means empty, not malformed.
        var yes = w.YesDollarsFp is not null ? Levels(w.YesDollarsFp, "yes_dollars_fp") : Levels(w.Yes, "yes");
        var no = w.NoDollarsFp is not null ? Levels(w.NoDollarsFp, "no_dollars_fp") : Levels(w.No, "no");
        return new KalshiOrderbookSnapshot(sid, seq, ticker, new KalshiBook(yes, no));
    }

    private static KalshiOrderbookDelta Delta(long sid, long seq, KalshiWireOrderbookDelta w)
    {
        var price = DollarsOrCents(w.PriceDollars, w.Price, "price_dollars", "price")
            ?? throw new KalshiWireException("'price_dollars' (or legacy 'price') is missing");
        var delta = w.DeltaFp is not null ? Amount(w.DeltaFp, "delta_fp", signed: true)
            : w.Delta ?? throw new KalshiWireException("'delta_fp' (or legacy 'delta') is missing");
        return new KalshiOrderbookDelta(sid, seq, RequireText(w.MarketTicker, "market_ticker"), Side(w.Side, "side"), price, delta, Timestamp(w.TsMs, w.Ts));
    }

    private static KalshiTicker Ticker(long sid, KalshiWireTicker w) => new(
        sid,
        RequireText(w.MarketTicker, "market_ticker"),
        DollarsOrCents(w.PriceDollars, w.Price, "price_dollars", "price"),
        DollarsOrCents(w.YesBidDollars, w.YesBid, "yes_bid_dollars", "yes_bid"),
        DollarsOrCents(w.YesAskDollars, w.YesAsk, "yes_ask_dollars", "yes_ask"),
        OptionalAmount(w.YesBidSizeFp, null, "yes_bid_size_fp"),
        OptionalAmount(w.YesAskSizeFp, null, "yes_ask_size_fp"),
        OptionalAmount(w.VolumeFp, w.Volume, "volume_fp"),
        OptionalAmount(w.OpenInterestFp, w.OpenInterest, "open_interest_fp"),
        Timestamp(w.TsMs, w.Ts));

    private static KalshiTrade Trade(long sid, long? seq, KalshiWireTrade w)
    {
        var yes = DollarsOrCents(w.YesPriceDollars, w.YesPrice, "yes_price_dollars", "yes_price")
            ?? throw new KalshiWireException("'yes_price_dollars' (or legacy 'yes_price') is missing");
        // The NO price is 1 − YES on a binary market; use the venue's own figure when it sends one.
        var no = DollarsOrCents(w.NoPriceDollars, w.NoPrice, "no_price_dollars", "no_price") ?? yes.Complement;
        return new KalshiTrade(
            sid,
            seq,
            RequireText(w.TradeId, "trade_id"),
            RequireText(w.MarketTicker, "market_ticker"),
            yes,
            no,
            OptionalAmount(w.CountFp, w.Count, "count_fp") ?? throw new KalshiWireException("'count_fp' (or legacy 'count') is missing"),
            Side(w.TakerSide, "taker_side"),
            Timestamp(w.TsMs, w.Ts));
    }

    private static KalshiFill Fill(long sid, KalshiWireFill w) => new(
        sid,
        RequireText(w.TradeId, "trade_id"),
        RequireText(w.OrderId, "order_id"),
        w.ClientOrderId,
        RequireText(w.MarketTicker, "market_ticker"),
        w.IsTaker ?? throw new KalshiWireException("'is_taker' is missing"),
        Side(w.Side, "side"),
        w.Action switch
        {
            "buy" => KalshiAction.Buy,
            "sell" => KalshiAction.Sell,
            _ => throw new KalshiWireException($"'action' is '{w.Action}', expected buy or sell"),
        },
        DollarsOrCents(w.YesPriceDollars, w.YesPrice, "yes_price_dollars", "yes_price")
            ?? throw new KalshiWireException("'yes_price_dollars' (or legacy 'yes_price') is missing"),
        OptionalAmount(w.CountFp, w.Count, "count_fp") ?? throw new KalshiWireException("'count_fp' (or legacy 'count') is missing"),
        OptionalAmount(w.FeeCost, null, "fee_cost"),
        OptionalAmount(w.PostPositionFp, w.PostPosition, "post_position_fp", signed: true),
        Timestamp(w.TsMs, w.Ts));

    private static KalshiUserOrder UserOrder(long sid, KalshiWireUserOrder w) => new(
        sid,
        RequireText(w.OrderId, "order_id"),
        w.ClientOrderId,
        RequireText(w.Ticker, "ticker"),
        RequireText(w.Status, "status"),
        Side(w.Side, "side"),
        DollarsOrCents(w.YesPriceDollars, null, "yes_price_dollars", "yes_price") ?? throw new KalshiWireException("'yes_price_dollars' is missing"),
        OptionalAmount(w.FillCountFp, null, "fill_count_fp") ?? throw new KalshiWireException("'fill_count_fp' is missing"),
        OptionalAmount(w.RemainingCountFp, null, "remaining_count_fp") ?? throw new KalshiWireException("'remaining_count_fp' is missing"),
        OptionalAmount(w.InitialCountFp, null, "initial_count_fp") ?? throw new KalshiWireException("'initial_count_fp' is missing"),
        OptionalAmount(w.TakerFeesDollars, null, "taker_fees_dollars"),
        OptionalAmount(w.MakerFeesDollars, null, "maker_fees_dollars"),
        w.CreatedTsMs is { } ms ? UnixMilliseconds(ms, "created_ts_ms") : IsoTime(w.CreatedTime, "created_time"));

    private static KalshiMarketLifecycle Lifecycle(long sid, long? seq, KalshiWireLifecycle w) => new(
        sid,
        seq,
        RequireText(w.MarketTicker, "market_ticker"),
        RequireText(w.EventType, "event_type"),
        w.CloseTs is { } close && close is >= 0 and <= MaxUnixSeconds ? DateTimeOffset.FromUnixTimeSeconds(close) : null,
        string.IsNullOrEmpty(w.Result) ? null : w.Result);

    private static KalshiSubscribed Subscribed(long? id, KalshiWireSubscription w) =>
        new(id, RequireText(w.Channel, "channel"), w.Sid ?? throw new KalshiWireException("'sid' is missing"));

    private static KalshiOk Ok(long? id, long? sid, long? seq, JsonElement msg)
    {
        // list_subscriptions answers with an array of {channel, sid}; update_subscription with {market_tickers}.
        if (msg.ValueKind == JsonValueKind.Array)
        {
            var subs = msg.Deserialize<List<KalshiWireSubscription>>(WireOptions) ?? [];
            return new KalshiOk(id, sid, seq, [], [.. subs.Select(s => new KalshiSubscription(RequireText(s.Channel, "channel"), s.Sid ?? throw new KalshiWireException("'sid' is missing")))]);
        }
        if (msg.ValueKind == JsonValueKind.Object)
        {
            var ok = msg.Deserialize<KalshiWireOk>(WireOptions);
            return new KalshiOk(id, sid, seq, ok?.MarketTickers ?? [], []);
        }
        return new KalshiOk(id, sid, seq, [], []);
    }

    private static KalshiError Error(long? id, KalshiWireError w) =>
        new(id, w.Code ?? throw new KalshiWireException("'code' is missing"), w.Msg ?? "", w.MarketTicker);

    private static T Msg<T>(JsonElement msg) where T : class
    {
        if (msg.ValueKind != JsonValueKind.Object) throw new KalshiWireException("'msg' is missing or not an object");
        return msg.Deserialize<T>(WireOptions) ?? throw new KalshiWireException("'msg' is null");
    }

    // Reads [[price, size], …] where price is a dollar string ("0.0800") or integer cents (8) and size is a
    // fixed-point string ("300.00") or an integer (300). Zero-size levels carry no liquidity and are dropped.
    private static List<BookLevel> Levels(JsonElement? element, string field)
    {
        var levels = new List<BookLevel>();
        if (element is not { } array || array.ValueKind == JsonValueKind.Null) return levels;
        if (array.ValueKind != JsonValueKind.Array) throw new KalshiWireException($"'{field}' is not an array");
        foreach (var level in array.EnumerateArray())
        {
            if (level.ValueKind != JsonValueKind.Array || level.GetArrayLength() != 2)
            {
                throw new KalshiWireException($"'{field}' holds a level that is not a [price, size] pair");
            }
            var price = level[0].ValueKind switch
            {
                JsonValueKind.String => Dollars(level[0].GetString(), field),
                JsonValueKind.Number when level[0].TryGetInt64(out var cents) => Cents(cents, field),
                _ => throw new KalshiWireException($"'{field}' holds a price that is neither a dollar string nor integer cents"),
            };
            var size = level[1].ValueKind switch
            {
                JsonValueKind.String => Amount(level[1].GetString(), field, signed: false),
                JsonValueKind.Number when level[1].TryGetDecimal(out var n) && n >= 0m => n,
                _ => throw new KalshiWireException($"'{field}' holds a size that is not a non-negative number"),
            };
            if (size > 0m) levels.Add(new BookLevel(price, size));
        }
        return levels;
    }

    private static Price? DollarsOrCents(string? dollars, long? cents, string dollarsField, string centsField) =>
        dollars is not null ? Dollars(dollars, dollarsField) : cents is { } c ? Cents(c, centsField) : null;

    private static Price Dollars(string? text, string field) =>
        Price.TryParse(text, out var price)
            ? price
            : throw new KalshiWireException($"'{field}' value '{text}' is not a price in [0, 1] on a 0.0001 grid");

    private static Price Cents(long cents, string field) =>
        cents is >= 0 and <= 100
            ? Price.FromUnits((int)cents * (Price.Scale / 100))
            : throw new KalshiWireException($"'{field}' value {cents} is not a price in cents (0–100)");

    private static decimal? OptionalAmount(string? fp, long? legacy, string field, bool signed = false) =>
        fp is not null ? Amount(fp, field, signed) : legacy;

    private static decimal Amount(string? text, string field, bool signed)
    {
        var style = NumberStyles.AllowDecimalPoint | (signed ? NumberStyles.AllowLeadingSign : NumberStyles.None);
        return decimal.TryParse(text, style, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new KalshiWireException($"'{field}' value '{text}' is not a {(signed ? "" : "non-negative ")}decimal");
    }

    private static KalshiSide Side(string? text, string field) => text switch
    {
        "yes" => KalshiSide.Yes,
        "no" => KalshiSide.No,
        _ => throw new KalshiWireException($"'{field}' is '{text}', expected yes or no"),
    };

    // ts_ms is exact; ts is Unix seconds in ticker/trade/fill but an ISO string in orderbook_delta.
    private static DateTimeOffset? Timestamp(long? tsMs, JsonElement? ts)
    {
        if (tsMs is { } ms) return UnixMilliseconds(ms, "ts_ms");
        if (ts is not { } t) return null;
        return t.ValueKind switch
        {
            JsonValueKind.Number when t.TryGetInt64(out var seconds) && seconds is >= 0 and <= MaxUnixSeconds => DateTimeOffset.FromUnixTimeSeconds(seconds),
            JsonValueKind.String => IsoTime(t.GetString(), "ts"),
            JsonValueKind.Null => null,
            _ => throw new KalshiWireException("'ts' is neither Unix seconds nor an ISO time"),
        };
    }

    // DateTimeOffset ends in year 9999; a larger value is garbage and must not escape as an exception.
    private const long MaxUnixSeconds = 253_402_300_799;

    private static DateTimeOffset UnixMilliseconds(long ms, string field) =>
        ms is >= 0 and <= MaxUnixSeconds * 1000
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : throw new KalshiWireException($"'{field}' value {ms} is not a Unix time in milliseconds");

    private static DateTimeOffset? IsoTime(string? text, string field) =>
        text is null ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : throw new KalshiWireException($"'{field}' value '{text}' is not an ISO time");

    private static string RequireText(string? text, string field) =>
        string.IsNullOrEmpty(text) ? throw new KalshiWireException($"'{field}' is missing") : text;

    private static long Require(long? value, string field) => value ?? throw new KalshiWireException($"'{field}' is missing");

    private static string? OptionalString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static long? OptionalLong(JsonElement obj, string name) =>
        !obj.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null ? null
        : p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var v) ? v
        : throw new KalshiWireException($"'{name}' is not an integer");

    private static string Reason(Exception e) => e is JsonException j ? $"invalid JSON ({j.Message})" : e.Message;

    /// <summary>A payload that is valid JSON but not a valid Kalshi message; turned into a failed result, never escapes.</summary>
    private sealed class KalshiWireException(string message) : Exception(message);
}
