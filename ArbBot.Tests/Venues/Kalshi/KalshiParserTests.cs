using System.Text.Json.Nodes;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues.Kalshi;

namespace ArbBot.Tests.Venues.Kalshi;

public sealed class KalshiParserTests
{
    private static string Fixture(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kalshi", file));

    // One named example out of a file that groups several.
    private static string Example(string file, string key) => JsonNode.Parse(Fixture(file))![key]!.ToJsonString();

    private static BookLevel L(string price, decimal size) => new(Price.FromDecimal(decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture)), size);

    private static T Parsed<T>(string json) where T : KalshiWsMessage
    {
        var result = KalshiParser.ParseWebSocket(json);
        Assert.True(result.IsSuccess, result.Error);
        return Assert.IsType<T>(result.Value);
    }

    private static void AssertFedBook(KalshiBook book)
    {
        // Sent ascending by price; bids must come out best (highest) first, asks best (lowest) first.
        Assert.Equal([L("0.22", 333m), L("0.08", 300m)], book.YesBids);
        Assert.Equal([L("0.56", 146m), L("0.54", 20m)], book.NoBids);
        Assert.Equal([L("0.44", 146m), L("0.46", 20m)], book.YesAsks);
        Assert.Equal([L("0.78", 333m), L("0.92", 300m)], book.NoAsks);
    }

    [Theory]
    [InlineData("GET /markets/{ticker}/orderbook (spec 3.10+/3.13, current)")]
    [InlineData("legacy GET /markets/{ticker}/orderbook (pre-2026)")]
    public void Rest_orderbook_yields_sorted_bids_and_derived_asks_in_both_formats(string example)
    {
        var result = KalshiParser.ParseRestOrderbook(Example("kalshi-rest-examples.json", example));

        Assert.True(result.IsSuccess, result.Error);
        AssertFedBook(result.Value!);
    }

    [Fact]
    public void Rest_orderbook_sorts_levels_sent_best_first_too()
    {
        var result = KalshiParser.ParseRestOrderbook("""{"orderbook_fp":{"yes_dollars":[["0.2200","333.00"],["0.0800","300.00"]],"no_dollars":[["0.5600","146.00"],["0.5400","20.00"]]}}""");

        AssertFedBook(result.Value!);
    }

    [Fact]
    public void Rest_orderbook_with_an_empty_side_is_valid()
    {
        var result = KalshiParser.ParseRestOrderbook("""{"orderbook_fp":{"yes_dollars":[["0.1500","10.00"]]}}""");

        Assert.True(result.IsSuccess, result.Error);
        Assert.Empty(result.Value!.NoBids);
        Assert.Empty(result.Value.YesAsks);
        Assert.Equal([L("0.85", 10m)], result.Value.NoAsks);
    }

    [Theory]
    [InlineData("kalshi-ws-orderbook_snapshot.json")]
    [InlineData("kalshi-ws-orderbook_snapshot-legacy-2026-03.json")]
    public void Ws_orderbook_snapshot_parses_current_and_legacy_shapes(string file)
    {
        var snapshot = Parsed<KalshiOrderbookSnapshot>(Fixture(file));

        Assert.Equal(2, snapshot.Sid);
        Assert.Equal(2, snapshot.Seq);
        Assert.Equal("FED-23DEC-T3.00", snapshot.MarketTicker);
        AssertFedBook(snapshot.Book);
    }

    [Fact]
    public void Ws_orderbook_snapshot_with_only_legacy_integer_levels_parses()
    {
        var snapshot = Parsed<KalshiOrderbookSnapshot>("""{"type":"orderbook_snapshot","sid":2,"seq":2,"msg":{"market_ticker":"FED-23DEC-T3.00","yes":[[8,300],[22,333]],"no":[[54,20],[56,146]]}}""");

        AssertFedBook(snapshot.Book);
    }

    [Theory]
    [InlineData("kalshi-ws-orderbook_delta.json")]
    [InlineData("kalshi-ws-orderbook_delta-legacy-2026-03.json")]
    public void Ws_orderbook_delta_parses_current_and_legacy_shapes(string file)
    {
        var delta = Parsed<KalshiOrderbookDelta>(Fixture(file));

        Assert.Equal(2, delta.Sid);
        Assert.Equal(3, delta.Seq);
        Assert.Equal("FED-23DEC-T3.00", delta.MarketTicker);
        Assert.Equal(KalshiSide.Yes, delta.Side);
        Assert.Equal(Price.FromDecimal(0.96m), delta.Price);
        Assert.Equal(-54m, delta.Delta);
        Assert.Equal(new DateTimeOffset(2022, 11, 22, 20, 44, 1, TimeSpan.Zero), delta.Timestamp);
    }

    [Fact]
    public void Ws_orderbook_delta_with_only_legacy_integers_parses()
    {
        var delta = Parsed<KalshiOrderbookDelta>("""{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"T","price":96,"delta":-54,"side":"no"}}""");

        Assert.Equal((KalshiSide.No, Price.FromDecimal(0.96m), -54m), (delta.Side, delta.Price, delta.Delta));
        Assert.Null(delta.Timestamp);
    }

    [Fact]
    public void Ws_ticker_parses_current_shape()
    {
        var ticker = Parsed<KalshiTicker>(Fixture("kalshi-ws-ticker.json"));

        Assert.Equal(11, ticker.Sid);
        Assert.Equal("FED-23DEC-T3.00", ticker.MarketTicker);
        Assert.Equal(Price.FromDecimal(0.48m), ticker.LastPrice);
        Assert.Equal(Price.FromDecimal(0.45m), ticker.YesBid);
        Assert.Equal(Price.FromDecimal(0.53m), ticker.YesAsk);
        Assert.Equal(300m, ticker.YesBidSize);
        Assert.Equal(150m, ticker.YesAskSize);
        Assert.Equal(33896m, ticker.Volume);
        Assert.Equal(20422m, ticker.OpenInterest);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1669149841000), ticker.Timestamp);
    }

    [Fact]
    public void Ws_ticker_parses_legacy_shape_with_seconds_timestamp()
    {
        var ticker = Parsed<KalshiTicker>(Example("kalshi-ws-examples-legacy-2026-03.json", "ticker:tickerUpdate"));

        Assert.Equal(Price.FromDecimal(0.48m), ticker.LastPrice);
        Assert.Equal(Price.FromDecimal(0.45m), ticker.YesBid);
        Assert.Equal(Price.FromDecimal(0.53m), ticker.YesAsk);
        Assert.Null(ticker.YesBidSize);
        Assert.Equal(33896m, ticker.Volume);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1669149841), ticker.Timestamp);
    }

    [Fact]
    public void Ws_trade_parses_current_and_legacy_shapes()
    {
        var current = Parsed<KalshiTrade>(Fixture("kalshi-ws-trade.json"));
        var legacy = Parsed<KalshiTrade>(Example("kalshi-ws-examples-legacy-2026-03.json", "trade:tradeNotification"));

        foreach (var trade in new[] { current, legacy })
        {
            Assert.Equal(11, trade.Sid);
            Assert.Equal("d91bc706-ee49-470d-82d8-11418bda6fed", trade.TradeId);
            Assert.Equal("HIGHNY-22DEC23-B53.5", trade.MarketTicker);
            Assert.Equal(Price.FromDecimal(0.36m), trade.YesPrice);
            Assert.Equal(Price.FromDecimal(0.64m), trade.NoPrice);
            Assert.Equal(136m, trade.Count);
            Assert.Equal(KalshiSide.No, trade.TakerSide);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1669149841), trade.Timestamp);
        }
        Assert.Equal(2, current.Seq);
        Assert.Null(legacy.Seq);
    }

    [Fact]
    public void Ws_fill_parses_current_and_legacy_shapes()
    {
        var current = Parsed<KalshiFill>(Fixture("kalshi-ws-fill.json"));
        var legacy = Parsed<KalshiFill>(Example("kalshi-ws-examples-legacy-2026-03.json", "fill:userFill"));

        foreach (var fill in new[] { current, legacy })
        {
            Assert.Equal(13, fill.Sid);
            Assert.Equal("ee587a1c-8b87-4dcf-b721-9f6f790619fa", fill.OrderId);
            Assert.Equal("HIGHNY-22DEC23-B53.5", fill.MarketTicker);
            Assert.True(fill.IsTaker);
            Assert.Equal(KalshiSide.Yes, fill.Side);
            Assert.Equal(KalshiAction.Buy, fill.Action);
            Assert.Equal(Price.FromDecimal(0.75m), fill.YesPrice);
            Assert.Equal(Price.FromDecimal(0.75m), fill.SidePrice);
            Assert.Equal(278m, fill.Count);
            Assert.Equal(500m, fill.PostPosition);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1671899397), fill.Timestamp);
        }
        Assert.Equal("my-order-1", current.ClientOrderId);
        Assert.Equal(0.01m, current.FeeCost);
        Assert.Null(legacy.FeeCost);
    }

    [Fact]
    public void Ws_fill_on_the_no_side_reports_the_no_price()
    {
        var fill = Parsed<KalshiFill>("""{"type":"fill","sid":1,"msg":{"trade_id":"t","order_id":"o","market_ticker":"M","is_taker":false,"side":"no","action":"sell","yes_price_dollars":"0.3000","count_fp":"5.00","ts_ms":1}}""");

        Assert.Equal(Price.FromDecimal(0.70m), fill.SidePrice);
        Assert.Equal(KalshiAction.Sell, fill.Action);
    }

    [Fact]
    public void Ws_user_order_parses()
    {
        var order = Parsed<KalshiUserOrder>(Fixture("kalshi-ws-user_order.json"));

        Assert.Equal(22, order.Sid);
        Assert.Equal("ee587a1c-8b87-4dcf-b721-9f6f790619fa", order.OrderId);
        Assert.Equal("my-order-1", order.ClientOrderId);
        Assert.Equal("FED-23DEC-T3.00", order.MarketTicker);
        Assert.Equal("resting", order.Status);
        Assert.Equal(KalshiSide.Yes, order.Side);
        Assert.Equal(Price.FromDecimal(0.35m), order.YesPrice);
        Assert.Equal((0m, 10m, 10m), (order.FillCount, order.RemainingCount, order.InitialCount));
        Assert.Equal(0m, order.TakerFees);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1733047200000), order.CreatedTime);
    }

    [Fact]
    public void Ws_command_responses_parse()
    {
        const string file = "kalshi-ws-commands.json";

        Assert.Equal(new KalshiSubscribed(1, "orderbook_delta", 1), Parsed<KalshiSubscribed>(Example(file, "subscribedResponse:subscriptionConfirmed")));
        Assert.Equal(new KalshiUnsubscribed(102, 2, 7), Parsed<KalshiUnsubscribed>(Example(file, "unsubscribedResponse:unsubscriptionConfirmed")));

        var update = Parsed<KalshiOk>(Example(file, "okResponse:updateSuccess"));
        Assert.Equal((123L, 456L, 222L), (update.Id!.Value, update.Sid!.Value, update.Seq!.Value));
        Assert.Equal(["MARKET-1", "MARKET-2", "MARKET-3"], update.MarketTickers);

        var list = Parsed<KalshiOk>(Example(file, "listSubscriptionsResponse:listSubscriptionsResponse"));
        Assert.Equal([new KalshiSubscription("orderbook_delta", 1), new KalshiSubscription("ticker", 2), new KalshiSubscription("fill", 3)], list.Subscriptions);

        Assert.Equal(new KalshiError(123, 6, "Already subscribed", null), Parsed<KalshiError>(Example(file, "errorResponse:alreadySubscribed")));
        Assert.Equal(new KalshiError(127, 16, "Market not found", "INVALID-MARKET"), Parsed<KalshiError>(Example(file, "errorResponse:marketNotFound")));
        Assert.Equal(new KalshiError(126, 9, "Authentication required", null), Parsed<KalshiError>(Example("kalshi-ws-examples.json", "error_authentication_required")));
    }

    [Fact]
    public void Ws_unmodelled_channel_is_reported_as_other_not_failure()
    {
        var other = Parsed<KalshiOtherMessage>(Example("kalshi-ws-examples.json", "market_position"));

        Assert.Equal(new KalshiOtherMessage("market_position", 14, null), other);
    }

    [Fact]
    public void Ws_market_lifecycle_events_say_whether_they_stop_or_start_trading()
    {
        var created = Parsed<KalshiMarketLifecycle>(Example("kalshi-ws-examples.json", "market_lifecycle_v2_created"));
        var structure = Parsed<KalshiMarketLifecycle>(Example("kalshi-ws-examples.json", "market_lifecycle_v2_price_level_structure_updated"));
        var settled = Parsed<KalshiMarketLifecycle>("""{"type":"market_lifecycle_v2","sid":13,"seq":9,"msg":{"market_ticker":"INXD-23SEP14-B4487","event_type":"settled","result":"no","settled_ts":1694721700}}""");

        Assert.Equal(new KalshiMarketLifecycle(13, 3, "INXD-23SEP14-B4487", "created", DateTimeOffset.FromUnixTimeSeconds(1694721600), null), created);
        Assert.False(created.StopsTrading);
        Assert.Equal(("price_level_structure_updated", false, false), (structure.EventType, structure.StopsTrading, structure.StartsTrading));
        Assert.Equal(("no", true), (settled.Result, settled.StopsTrading));
        Assert.True(Parsed<KalshiMarketLifecycle>("""{"type":"market_lifecycle_v2","sid":1,"msg":{"market_ticker":"T","event_type":"activated"}}""").StartsTrading);
        Assert.False(KalshiParser.ParseWebSocket("""{"type":"market_lifecycle_v2","sid":1,"msg":{"event_type":"settled"}}""").IsSuccess);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2,3]")]
    [InlineData("""{"sid":2,"seq":3,"msg":{}}""")]
    [InlineData("""{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"FED-23DEC-T3.00","price_dollars":"0.9600","delta_fp":"-54""")]
    [InlineData("""{"type":"orderbook_delta","sid":2,"msg":{"market_ticker":"T","price_dollars":"0.9600","delta_fp":"-54.00","side":"yes"}}""")]
    [InlineData("""{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"T","price_dollars":"1.9600","delta_fp":"-54.00","side":"yes"}}""")]
    [InlineData("""{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"T","price_dollars":"0.9600","delta_fp":"-54.00","side":"maybe"}}""")]
    [InlineData("""{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"T","price_dollars":"0.9600","side":"yes"}}""")]
    [InlineData("""{"type":"orderbook_delta","sid":"2","seq":3,"msg":{}}""")]
    [InlineData("""{"type":"orderbook_snapshot","sid":2,"seq":2,"msg":{"market_ticker":"T","yes_dollars_fp":[["0.0800"]]}}""")]
    [InlineData("""{"type":"orderbook_snapshot","sid":2,"seq":2,"msg":{"market_ticker":"T","yes":[[180,5]]}}""")]
    [InlineData("""{"type":"orderbook_snapshot","sid":2,"seq":2,"msg":{"market_ticker":"T","yes_dollars_fp":[["0.0800","-3.00"]]}}""")]
    [InlineData("""{"type":"orderbook_snapshot","sid":2,"seq":2,"msg":{"market_ticker":"T","yes_dollars_fp":{"a":1}}}""")]
    [InlineData("""{"type":"orderbook_snapshot","sid":2,"seq":2}""")]
    [InlineData("""{"type":"trade","sid":11,"msg":{"trade_id":"t","market_ticker":"M","yes_price_dollars":"0.36","taker_side":"no"}}""")]
    [InlineData("""{"type":"fill","sid":13,"msg":{"trade_id":"t","order_id":"o","market_ticker":"M","is_taker":true,"side":"yes","action":"hold","yes_price_dollars":"0.75","count_fp":"1.00"}}""")]
    [InlineData("""{"type":"ticker","sid":11,"msg":{"market_ticker":"M","price_dollars":0.48}}""")]
    [InlineData("""{"type":"error","id":1,"msg":{"msg":"no code"}}""")]
    [InlineData("""{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"T","price_dollars":"0.9600","delta_fp":"-54.00","side":"yes","ts_ms":9223372036854775807}}""")]
    [InlineData("""{"type":"trade","sid":11,"msg":{"trade_id":"t","market_ticker":"M","yes_price_dollars":"0.36","count_fp":"1.00","taker_side":"no","ts":-99999999999999}}""")]
    public void Ws_malformed_or_truncated_message_is_a_failure_not_an_exception(string json)
    {
        var result = KalshiParser.ParseWebSocket(json);

        Assert.False(result.IsSuccess);
        Assert.Null(result.Value);
        Assert.StartsWith("Kalshi WebSocket", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kalshi-ws-orderbook_snapshot.json")]
    [InlineData("kalshi-ws-orderbook_snapshot-legacy-2026-03.json")]
    [InlineData("kalshi-ws-orderbook_delta.json")]
    [InlineData("kalshi-ws-ticker.json")]
    [InlineData("kalshi-ws-trade.json")]
    [InlineData("kalshi-ws-fill.json")]
    [InlineData("kalshi-ws-user_order.json")]
    public void Ws_every_truncation_of_a_real_payload_fails_cleanly(string file)
    {
        var json = Fixture(file).TrimEnd();
        Assert.True(KalshiParser.ParseWebSocket(json).IsSuccess);

        for (var length = 0; length < json.Length; length++)
        {
            var result = KalshiParser.ParseWebSocket(json[..length]);
            Assert.False(result.IsSuccess, $"prefix of {length} characters parsed");
            Assert.NotNull(result.Error);
        }
    }

    [Fact]
    public void Ws_failure_names_the_message_type_and_field()
    {
        var result = KalshiParser.ParseWebSocket("""{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"T","price_dollars":"0.9600","delta_fp":"-54.00","side":"maybe"}}""");

        Assert.Contains("orderbook_delta", result.Error, StringComparison.Ordinal);
        Assert.Contains("'side'", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{}")]
    [InlineData("""{"orderbook_fp":{"yes_dollars":[["0.0800","300.00"],["0.22""")]
    [InlineData("""{"orderbook_fp":{"yes_dollars":[["abc","300.00"]]}}""")]
    [InlineData("""{"orderbook":{"yes":[[8.5,300]]}}""")]
    [InlineData("null")]
    public void Rest_malformed_or_truncated_orderbook_is_a_failure_not_an_exception(string json)
    {
        var result = KalshiParser.ParseRestOrderbook(json);

        Assert.False(result.IsSuccess);
        Assert.StartsWith("Kalshi REST order book", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Subscribe_command_matches_the_documented_shape()
    {
        var json = KalshiParser.SubscribeCommand(2, ["orderbook_delta", "ticker"], ["FED-23DEC-T3.00", "CORIVER-2024-T1030"]);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Example("kalshi-ws-commands.json", "subscribeCommand:subscribeMultipleChannels")), JsonNode.Parse(json)), json);
    }

    [Fact]
    public void Subscribe_command_without_markets_omits_them()
    {
        var json = KalshiParser.SubscribeCommand(3, ["fill"]);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Example("kalshi-ws-commands.json", "subscribeCommand:subscribeFillAll")), JsonNode.Parse(json)), json);
    }

    [Fact]
    public void Unsubscribe_and_list_commands_match_the_documented_shapes()
    {
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Example("kalshi-ws-commands.json", "unsubscribeCommand:unsubscribeMultiple")), JsonNode.Parse(KalshiParser.UnsubscribeCommand(124, [1, 2]))));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Example("kalshi-ws-commands.json", "listSubscriptionsCommand:listSubscriptions")), JsonNode.Parse(KalshiParser.ListSubscriptionsCommand(3))));
    }

    [Fact]
    public void Get_snapshot_command_follows_the_update_subscription_shape()
    {
        var json = KalshiParser.GetSnapshotCommand(9, 456, ["FED-23DEC-T3.00"]);

        var expected = JsonNode.Parse("""{"id":9,"cmd":"update_subscription","params":{"market_tickers":["FED-23DEC-T3.00"],"sids":[456],"action":"get_snapshot"}}""");
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(json)), json);
    }
}
