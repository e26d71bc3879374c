using System.Globalization;
using System.Text;
using System.Text.Json;
using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Polymarket.Wire;

namespace ArbBot.Engine.Venues.Polymarket;

/// <summary>
/// Reads market-channel WebSocket frames (book, price_change in both its batched and 2024 single-level forms,
/// tick_size_change, last_trade_price, best_bid_ask, market_resolved) and the REST book bodies. A frame is one event object or an array of them (the initial
/// dump). Anything malformed, truncated or out of range becomes a failed <see cref="PolymarketParseResult"/> naming the
/// problem; the parser never throws on venue input, because one bad frame must not take the feed down.
/// </summary>
public static class PolymarketParser
{
    /// <summary>Parses one text frame.</summary>
    public static PolymarketParseResult Parse(string frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return Parse(Encoding.UTF8.GetBytes(frame));
    }

    /// <summary>Parses one frame of UTF-8 bytes.</summary>
    public static PolymarketParseResult Parse(ReadOnlySpan<byte> frame)
    {
        if (frame.Trim((byte)' ').SequenceEqual("PONG"u8)) return PolymarketParseResult.Success([new PolymarketPongMessage()]);
        try
        {
            // Parse (not ParseValue) so trailing bytes after the first value are an error, not silently dropped.
            using var document = JsonDocument.Parse(frame.ToArray());
            var root = document.RootElement;
            var messages = new List<PolymarketMarketMessage>();
            if (root.ValueKind == JsonValueKind.Array)
            {
                foreach (var element in root.EnumerateArray()) messages.Add(ParseEvent(element));
            }
            else
            {
                messages.Add(ParseEvent(root));
            }
            return PolymarketParseResult.Success(messages);
        }
        catch (JsonException e)
        {
            return PolymarketParseResult.Failure($"Malformed JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // Invalid UTF-8 inside a string surfaces only when the string is read (found by fuzzing).
            return PolymarketParseResult.Failure($"Unreadable text: {e.Message}");
        }
        catch (FormatException e)
        {
            return PolymarketParseResult.Failure(e.Message);
        }
    }

    private static PolymarketMarketMessage ParseEvent(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new FormatException($"Expected an event object but found {element.ValueKind}.");
        if (!element.TryGetProperty("event_type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            throw new FormatException("The event has no event_type.");
        }
        var eventType = typeElement.GetString()!;
        return eventType switch
        {
            "book" => Book(Read(element, PolymarketWireJsonContext.Default.PolymarketWireBook)),
            "price_change" => PriceChange(Read(element, PolymarketWireJsonContext.Default.PolymarketWirePriceChangeMessage)),
            "tick_size_change" => TickSizeChange(Read(element, PolymarketWireJsonContext.Default.PolymarketWireTickSizeChange)),
            "last_trade_price" => LastTradePrice(Read(element, PolymarketWireJsonContext.Default.PolymarketWireLastTradePrice)),
            "best_bid_ask" => BestBidAsk(Read(element, PolymarketWireJsonContext.Default.PolymarketWireBestBidAsk)),
            "market_resolved" => MarketResolved(Read(element, PolymarketWireJsonContext.Default.PolymarketWireMarketResolved)),
            _ => new PolymarketIgnoredMessage(eventType),
        };
    }

    /// <summary>Parses the body of CLOB GET /book (one book, the WebSocket book's shape without event_type).</summary>
    public static PolymarketParseResult ParseRestBook(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var wire = JsonSerializer.Deserialize(json, PolymarketWireJsonContext.Default.PolymarketWireBook) ?? throw new FormatException("The book is null.");
            return PolymarketParseResult.Success([Book(wire)]);
        }
        catch (JsonException e)
        {
            return PolymarketParseResult.Failure($"Malformed JSON: {e.Message}");
        }
        catch (FormatException e)
        {
            return PolymarketParseResult.Failure(e.Message);
        }
    }

    /// <summary>Parses the body of CLOB POST /books (an array of books); one unreadable book fails the whole answer.</summary>
    public static PolymarketParseResult ParseRestBooks(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var wire = JsonSerializer.Deserialize(json, PolymarketWireJsonContext.Default.PolymarketWireBookArray) ?? throw new FormatException("The book list is null.");
            return PolymarketParseResult.Success([.. wire.Select((b, i) => (PolymarketMarketMessage)Book(b ?? throw new FormatException($"books[{i}] is null.")))]);
        }
        catch (JsonException e)
        {
            return PolymarketParseResult.Failure($"Malformed JSON: {e.Message}");
        }
        catch (FormatException e)
        {
            return PolymarketParseResult.Failure(e.Message);
        }
    }

    /// <summary>The first subscription of a market-channel connection: these tokens, initial books, custom features (best_bid_ask, market_resolved).</summary>
    public static string SubscribeCommand(IEnumerable<string> assetIds)
    {
        ArgumentNullException.ThrowIfNull(assetIds);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("assets_ids");
            foreach (var id in assetIds) writer.WriteStringValue(id);
            writer.WriteEndArray();
            writer.WriteString("type", "market");
            writer.WriteBoolean("initial_dump", true);
            writer.WriteBoolean("custom_feature_enabled", true);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Stops the updates of these tokens on an open connection.</summary>
    public static string UnsubscribeCommand(IEnumerable<string> assetIds)
    {
        ArgumentNullException.ThrowIfNull(assetIds);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("assets_ids");
            foreach (var id in assetIds) writer.WriteStringValue(id);
            writer.WriteEndArray();
            writer.WriteString("operation", "unsubscribe");
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static T Read<T>(JsonElement element, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        element.Deserialize(info) ?? throw new FormatException($"The {typeof(T).Name} event is null.");

    private static PolymarketBookMessage Book(PolymarketWireBook wire) => new(
        Required(wire.Market, "book.market"),
        Required(wire.AssetId, "book.asset_id"),
        Levels(wire.Bids, "book.bids"),
        Levels(wire.Asks, "book.asks"),
        Timestamp(wire.Timestamp, "book.timestamp"),
        wire.Hash);

    private static PolymarketLevel[] Levels(PolymarketWireLevel[]? levels, string field)
    {
        if (levels is null) throw new FormatException($"{field} is missing.");
        var result = new PolymarketLevel[levels.Length];
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i] ?? throw new FormatException($"{field}[{i}] is null.");
            result[i] = new PolymarketLevel(Probability(level.Price, $"{field}[{i}].price"), Size(level.Size, $"{field}[{i}].size"));
        }
        return result;
    }

    private static PolymarketPriceChangeMessage PriceChange(PolymarketWirePriceChangeMessage wire)
    {
        var market = Required(wire.Market, "price_change.market");
        var timestamp = Timestamp(wire.Timestamp, "price_change.timestamp");
        if (wire.PriceChanges is { } batch)
        {
            var changes = new PolymarketPriceChange[batch.Length];
            for (var i = 0; i < batch.Length; i++)
            {
                var change = batch[i] ?? throw new FormatException($"price_changes[{i}] is null.");
                var field = $"price_changes[{i}]";
                changes[i] = new PolymarketPriceChange(
                    Required(change.AssetId, field + ".asset_id"),
                    Probability(change.Price, field + ".price"),
                    Size(change.Size, field + ".size"),
                    SideOf(change.Side, field + ".side"),
                    change.Hash,
                    OptionalProbability(change.BestBid, field + ".best_bid"),
                    OptionalProbability(change.BestAsk, field + ".best_ask"));
            }
            return new PolymarketPriceChangeMessage(market, changes, timestamp);
        }
        // The 2024 format: one level at the top level, no best bid/ask.
        var single = new PolymarketPriceChange(
            Required(wire.AssetId, "price_change.asset_id"),
            Probability(wire.Price, "price_change.price"),
            Size(wire.Size, "price_change.size"),
            SideOf(wire.Side, "price_change.side"),
            wire.Hash,
            null,
            null);
        return new PolymarketPriceChangeMessage(market, [single], timestamp);
    }

    private static PolymarketTickSizeChangeMessage TickSizeChange(PolymarketWireTickSizeChange wire) => new(
        Required(wire.Market, "tick_size_change.market"),
        Required(wire.AssetId, "tick_size_change.asset_id"),
        Tick(wire.OldTickSize, "tick_size_change.old_tick_size"),
        Tick(wire.NewTickSize, "tick_size_change.new_tick_size"),
        Timestamp(wire.Timestamp, "tick_size_change.timestamp"));

    private static PolymarketLastTradePriceMessage LastTradePrice(PolymarketWireLastTradePrice wire) => new(
        Required(wire.Market, "last_trade_price.market"),
        Required(wire.AssetId, "last_trade_price.asset_id"),
        Probability(wire.Price, "last_trade_price.price"),
        Size(wire.Size, "last_trade_price.size"),
        SideOf(wire.Side, "last_trade_price.side"),
        // Fees are set at match time in V2 and the field is informational; absent means zero.
        wire.FeeRateBps is null ? 0m : Size(wire.FeeRateBps, "last_trade_price.fee_rate_bps"),
        Timestamp(wire.Timestamp, "last_trade_price.timestamp"));

    private static PolymarketBestBidAskMessage BestBidAsk(PolymarketWireBestBidAsk wire) => new(
        Required(wire.Market, "best_bid_ask.market"),
        Required(wire.AssetId, "best_bid_ask.asset_id"),
        Probability(wire.BestBid, "best_bid_ask.best_bid"),
        Probability(wire.BestAsk, "best_bid_ask.best_ask"),
        Size(wire.Spread, "best_bid_ask.spread"),
        Timestamp(wire.Timestamp, "best_bid_ask.timestamp"));

    private static PolymarketMarketResolvedMessage MarketResolved(PolymarketWireMarketResolved wire) => new(
        Required(wire.Market, "market_resolved.market"),
        wire.AssetsIds ?? [],
        wire.WinningAssetId,
        wire.WinningOutcome,
        Timestamp(wire.Timestamp, "market_resolved.timestamp"));

    private static string Required(string? value, string field) =>
        string.IsNullOrEmpty(value) ? throw new FormatException($"{field} is missing.") : value;

    private static decimal Number(string? text, string field)
    {
        // Prices come as "0.48" and also ".48" (docs example); signs and exponents are not venue formats.
        if (!decimal.TryParse(Required(text, field), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"{field} is not a decimal number: '{text}'.");
        }
        return value;
    }

    private static decimal Probability(string? text, string field)
    {
        var value = Number(text, field);
        // Off the 0.0001 grid is no venue tick (0.1 to 0.0001) and no Price: refused here, not thrown by the book later.
        return value > 1m ? throw new FormatException($"{field} {value} is outside [0, 1].")
            : Price.TryFromDecimal(value, out _) ? value
            : throw new FormatException($"{field} {value} is finer than the 0.0001 price grid.");
    }

    private static decimal? OptionalProbability(string? text, string field) => text is null ? null : Probability(text, field);

    private static decimal Size(string? text, string field) => Number(text, field);

    private static decimal Tick(string? text, string field)
    {
        var value = Number(text, field);
        return value is > 0m and <= 0.1m ? value : throw new FormatException($"{field} {value} is not a tick size.");
    }

    private static Side SideOf(string? text, string field) => Required(text, field) switch
    {
        "BUY" => Side.Buy,
        "SELL" => Side.Sell,
        _ => throw new FormatException($"{field} is '{text}', not BUY or SELL."),
    };

    private static long Timestamp(string? text, string field) =>
        long.TryParse(Required(text, field), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? ms
            : throw new FormatException($"{field} is not a unix-ms timestamp: '{text}'.");
}
