using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Polymarket;

namespace ArbBot.Tests.Venues.Polymarket;

public sealed class PolymarketParserTests
{
    [Fact]
    public void Book_snapshot_keeps_every_level_as_exact_decimals()
    {
        var book = Single<PolymarketBookMessage>(Fixture("ws-book.json"));

        Assert.Equal("0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917", book.Market);
        Assert.Equal("48331043336612883890938759509493159234755048973500640148014422747788308965732", book.AssetId);
        Assert.Equal(76, book.Bids.Count);
        Assert.Equal(86, book.Asks.Count);
        Assert.Equal(new PolymarketLevel(0.001m, 9000023.58m), book.Bids[0]);
        Assert.Equal(new PolymarketLevel(0.511m, 1304.72m), book.Bids[^1]);
        Assert.Equal(new PolymarketLevel(0.999m, 10500100m), book.Asks[0]);
        Assert.Equal(new PolymarketLevel(0.514m, 20230.87m), book.Asks[^1]);
        Assert.Equal(1728799418260L, book.TimestampMs);
        Assert.Equal("655a38d4977427b086c25b985993691b753ed166", book.Hash);
    }

    [Fact]
    public void Batched_price_change_yields_every_level_with_best_bid_and_ask()
    {
        var message = Single<PolymarketPriceChangeMessage>(Fixture("ws-price_change.json"));

        Assert.Equal("0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1", message.Market);
        Assert.Equal(1729084877448L, message.TimestampMs);
        Assert.Equal([0.6m, 0.5m, 0.7m], message.Changes.Select(c => c.Price));
        Assert.Equal([3300m, 3400m, 3400m], message.Changes.Select(c => c.Size));
        Assert.All(message.Changes, c =>
        {
            Assert.Equal(Side.Buy, c.Side);
            Assert.Equal(0.6m, c.BestBid);
            Assert.Equal(0.7m, c.BestAsk);
            Assert.Equal("52114319501245915516055106046884209969926127482827954674443846427813813222426", c.AssetId);
        });
        Assert.Equal("bf32b3746fff40c76c98021b7f3f07261169dd26", message.Changes[0].Hash);
    }

    [Fact]
    public void Legacy_2024_price_change_yields_one_level_without_top_of_book()
    {
        var message = Single<PolymarketPriceChangeMessage>(Fixture("ws-price_change-legacy-2024.json"));

        var change = Assert.Single(message.Changes);
        Assert.Equal("0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917", message.Market);
        Assert.Equal(new PolymarketPriceChange("48331043336612883890938759509493159234755048973500640148014422747788308965732", 0.514m, 21574.08m, Side.Sell, "bf32b3746fff40c76c98021b7f3f07261169dd26", null, null), change);
        Assert.Equal(1723967931411L, message.TimestampMs);
    }

    [Fact]
    public void Tick_size_change_reads_old_and_new_ticks()
    {
        var message = Single<PolymarketTickSizeChangeMessage>(Fixture("ws-tick_size_change.json"));
        Assert.Equal(new PolymarketTickSizeChangeMessage("0xbacdf04bf7f22a670dc4fb408878ec56b76f9934599829455b9371693ba84b8b", "115474063863764126958837769719736461272619491980773624567012766320777398670353", 0.01m, 0.001m, 1739068041853L), message);
    }

    [Fact]
    public void Last_trade_price_reads_price_size_side_and_fee()
    {
        var message = Single<PolymarketLastTradePriceMessage>(Fixture("ws-last_trade_price.json"));
        Assert.Equal(new PolymarketLastTradePriceMessage("0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917", "21742633143463906290569050155826241533067272736897614950488156847949938836455", 0.491m, 85.36m, Side.Sell, 0m, 1724564136087L), message);
    }

    [Fact]
    public void Best_bid_ask_reads_top_of_book()
    {
        var message = Single<PolymarketBestBidAskMessage>(Fixture("ws-best_bid_ask.json"));
        Assert.Equal(new PolymarketBestBidAskMessage("0x0005c0d312de0be897668695bae9f32b624b4a1ae8b140c49f08447fcc74f442", "85354956062430465315924116860125388538595433819574542752031640332592237464430", 0.73m, 0.77m, 0.04m, 1766789469958L), message);
    }

    [Fact]
    public void Initial_dump_array_yields_each_event_in_order()
    {
        var frame = $"[{Fixture("ws-book.json")},{Fixture("ws-tick_size_change.json")},{{\"event_type\":\"new_market\",\"market\":\"0x1\"}}]";
        var result = PolymarketParser.Parse(frame);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Collection(result.Messages,
            m => Assert.IsType<PolymarketBookMessage>(m),
            m => Assert.IsType<PolymarketTickSizeChangeMessage>(m),
            m => Assert.Equal(new PolymarketIgnoredMessage("new_market"), m));
    }

    [Fact]
    public void Docs_book_with_leading_dot_prices_parses()
    {
        // VERBATIM shape from docs.polymarket.com market-channel.md: prices like ".48".
        const string frame = """{"event_type":"book","asset_id":"6581","market":"0xbd31","bids":[{"price":".48","size":"30"}],"asks":[{"price":".52","size":"25"}],"timestamp":"123456789000","hash":"0x0...."}""";
        var book = Single<PolymarketBookMessage>(frame);
        Assert.Equal(new PolymarketLevel(0.48m, 30m), Assert.Single(book.Bids));
        Assert.Equal(new PolymarketLevel(0.52m, 25m), Assert.Single(book.Asks));
    }

    [Fact]
    public void Pong_is_recognized()
    {
        Assert.IsType<PolymarketPongMessage>(Assert.Single(PolymarketParser.Parse("PONG").Messages));
    }

    [Fact]
    public void Every_truncation_of_a_captured_book_fails_cleanly()
    {
        var frame = Fixture("ws-book.json");
        for (var length = 0; length < frame.Length - 1; length += 7)
        {
            var result = PolymarketParser.Parse(frame[..length]);
            Assert.False(result.IsSuccess, $"a frame cut at {length} characters was accepted");
            Assert.Empty(result.Messages);
            Assert.False(string.IsNullOrWhiteSpace(result.Error));
        }
    }

    [Theory]
    [InlineData("", "Malformed JSON")]
    [InlineData("{\"event_type\":\"book\"", "Malformed JSON")]
    [InlineData("{} trailing", "Malformed JSON")]
    [InlineData("42", "event object")]
    [InlineData("{\"market\":\"0x1\"}", "event_type")]
    [InlineData("{\"event_type\":\"book\",\"market\":\"0x1\",\"asset_id\":\"1\",\"bids\":[],\"timestamp\":\"1\"}", "book.asks is missing")]
    [InlineData("{\"event_type\":\"book\",\"market\":\"0x1\",\"asset_id\":\"1\",\"bids\":[{\"price\":0.5,\"size\":\"1\"}],\"asks\":[],\"timestamp\":\"1\"}", "Malformed JSON")]
    [InlineData("{\"event_type\":\"book\",\"market\":\"0x1\",\"asset_id\":\"1\",\"bids\":[{\"price\":\"abc\",\"size\":\"1\"}],\"asks\":[],\"timestamp\":\"1\"}", "book.bids[0].price is not a decimal")]
    [InlineData("{\"event_type\":\"book\",\"market\":\"0x1\",\"asset_id\":\"1\",\"bids\":[{\"price\":\"1.5\",\"size\":\"1\"}],\"asks\":[],\"timestamp\":\"1\"}", "outside [0, 1]")]
    [InlineData("{\"event_type\":\"book\",\"market\":\"0x1\",\"asset_id\":\"1\",\"bids\":[{\"price\":\"0.5\",\"size\":\"-1\"}],\"asks\":[],\"timestamp\":\"1\"}", "book.bids[0].size")]
    [InlineData("{\"event_type\":\"price_change\",\"market\":\"0x1\",\"timestamp\":\"1\",\"price_changes\":[{\"asset_id\":\"1\",\"price\":\"0.5\",\"size\":\"1\",\"side\":\"HOLD\"}]}", "price_changes[0].side")]
    [InlineData("{\"event_type\":\"price_change\",\"market\":\"0x1\",\"timestamp\":\"soon\",\"asset_id\":\"1\",\"price\":\"0.5\",\"size\":\"1\",\"side\":\"BUY\"}", "price_change.timestamp")]
    [InlineData("{\"event_type\":\"tick_size_change\",\"market\":\"0x1\",\"asset_id\":\"1\",\"old_tick_size\":\"0.01\",\"new_tick_size\":\"0\",\"timestamp\":\"1\"}", "not a tick size")]
    [InlineData("[{\"event_type\":\"best_bid_ask\",\"market\":\"0x1\",\"asset_id\":\"1\",\"best_bid\":\"0.1\",\"timestamp\":\"1\"}]", "best_bid_ask.best_ask is missing")]
    public void Malformed_frame_fails_with_a_reason(string frame, string reason)
    {
        var result = PolymarketParser.Parse(frame);
        Assert.False(result.IsSuccess);
        Assert.Empty(result.Messages);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Market_resolved_names_the_market_its_tokens_and_the_winner()
    {
        var message = Single<PolymarketMarketResolvedMessage>(Fixture("ws-market_resolved.json"));

        Assert.Equal("0x311d0c4b6671ab54af4970c06fcf58662516f5168997bdda209ec3db5aa6b0c1", message.Market);
        Assert.Equal(2, message.AssetIds.Count);
        Assert.Equal(message.AssetIds[0], message.WinningAssetId);
        Assert.Equal("Yes", message.WinningOutcome);
        Assert.Equal(1766790415550L, message.TimestampMs);
    }

    [Fact]
    public void Rest_book_keeps_the_venues_order_with_the_best_levels_last()
    {
        var result = PolymarketParser.ParseRestBook(Fixture("rest-clob-book.json"));

        var book = Assert.IsType<PolymarketBookMessage>(Assert.Single(result.Messages));
        Assert.Equal("23360939988679364027624185518382759743328544433592111535569478055890815567848", book.AssetId);
        Assert.Equal(5, book.Bids.Count);
        Assert.Equal(7, book.Asks.Count);
        Assert.Equal(new PolymarketLevel(0.1m, 125m), book.Bids[^1]);
        Assert.Equal(new PolymarketLevel(0.14m, 705m), book.Asks[^1]);
        Assert.Equal(1728799418260L, book.TimestampMs);
    }

    [Fact]
    public void Rest_books_array_is_read_whole_or_refused_with_the_reason()
    {
        var one = Fixture("rest-clob-book.json");

        var both = PolymarketParser.ParseRestBooks($"[{one},{one}]");
        var broken = PolymarketParser.ParseRestBooks($"[{one},{{\"market\":\"0x1\",\"asset_id\":\"9\",\"bids\":[],\"timestamp\":\"1\"}}]");

        Assert.Equal(2, both.Messages.Count);
        Assert.False(broken.IsSuccess);
        Assert.Contains("book.asks is missing", broken.Error);
    }

    [Fact]
    public void Subscribe_command_asks_for_initial_books_and_custom_features()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(PolymarketParser.SubscribeCommand(["1", "2"]));

        Assert.Equal(["1", "2"], doc.RootElement.GetProperty("assets_ids").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("market", doc.RootElement.GetProperty("type").GetString());
        Assert.True(doc.RootElement.GetProperty("initial_dump").GetBoolean());
        Assert.True(doc.RootElement.GetProperty("custom_feature_enabled").GetBoolean());
    }

    private static T Single<T>(string frame)
    {
        var result = PolymarketParser.Parse(frame);
        Assert.True(result.IsSuccess, result.Error);
        return Assert.IsType<T>(Assert.Single(result.Messages));
    }

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "polymarket", name));
}
