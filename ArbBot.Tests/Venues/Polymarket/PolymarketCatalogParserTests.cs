using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Polymarket;

namespace ArbBot.Tests.Venues.Polymarket;

public sealed class PolymarketCatalogParserTests
{
    [Fact]
    public void Gamma_event_reads_the_json_encoded_token_ids_and_outcomes_and_the_neg_risk_flags()
    {
        var result = PolymarketCatalogParser.ParseEventsPage(Fixture("rest-gamma-events.json"));

        Assert.True(result.IsSuccess, result.Error);
        var e = Assert.Single(result.Value!.Events);
        Assert.Equal("democratic-presidential-nominee-2028", e.Slug);
        Assert.Equal("Democratic Presidential Nominee 2028", e.Title);
        Assert.True(e.NegRisk);
        Assert.True(e.Augmented);
        // The first tag that Gamma does not hide.
        Assert.Equal("World Elections", e.Category);
        Assert.Equal(2, e.Markets.Count);
        var smith = e.Markets[0];
        Assert.Equal("0xc8f1cf5d4f26e0fd9c8fe89f2a7b3263b902cf14fde7bfccef525753bb492e47", smith.ConditionId);
        Assert.Equal(["Yes", "No"], smith.Outcomes);
        Assert.Equal("60590045489347122735554346200880179420435533609307820342798544098823516727807", smith.YesToken);
        Assert.Equal("76005700027045000587004110133818166617024719626220722682005164003117993034812", smith.NoToken);
        Assert.Equal("Stephen A. Smith", smith.GroupItemTitle);
        Assert.Equal(TickSize.DeciCent, smith.TickSize);
        Assert.Equal(5m, smith.MinOrderSize);
        Assert.True(smith.NegRisk);
        Assert.False(smith.FeesEnabled);
        Assert.True(smith.IsTrading);
        Assert.Equal(new DateTimeOffset(2028, 11, 7, 0, 0, 0, TimeSpan.Zero), smith.EndDate);
        Assert.Empty(result.Value.Rejected);
    }

    [Fact]
    public void Gamma_market_reads_its_fee_flag_and_its_event()
    {
        var result = PolymarketCatalogParser.ParseMarketsPage($"[{Fixture("rest-gamma-market.json")}]");

        Assert.True(result.IsSuccess, result.Error);
        var (market, parent) = Assert.Single(result.Value!.Markets);
        Assert.Equal("Bitcoin Up or Down - March 12, 5:20AM-5:25AM ET", market.Question);
        Assert.Equal(["Up", "Down"], market.Outcomes);
        Assert.Equal("104239898038807136052399800151408521467737075933964991162589336683346093173875", market.YesToken);
        Assert.True(market.FeesEnabled);
        Assert.False(market.NegRisk);
        Assert.Equal(TickSize.Cent, market.TickSize);
        Assert.Equal("https://data.chain.link/streams/btc-usd", market.ResolutionSource);
        Assert.NotNull(parent);
        Assert.Equal(parent.Slug, market.EventSlug);
    }

    [Fact]
    public void A_market_that_cannot_be_read_is_rejected_with_its_reason_and_the_rest_kept()
    {
        const string good = """{"conditionId":"0x1","slug":"good","endDate":"2027-01-01T00:00:00Z","outcomes":"[\"Yes\",\"No\"]","clobTokenIds":"[\"11\",\"12\"]","active":true,"acceptingOrders":true,"enableOrderBook":true}""";
        const string oneToken = """{"conditionId":"0x2","slug":"one-token","endDate":"2027-01-01T00:00:00Z","outcomes":"[\"Yes\",\"No\"]","clobTokenIds":"[\"21\"]"}""";
        const string badJsonInString = """{"conditionId":"0x3","slug":"broken","endDate":"2027-01-01T00:00:00Z","outcomes":"[\"Yes\",","clobTokenIds":"[\"31\",\"32\"]"}""";
        const string badTick = """{"conditionId":"0x4","slug":"tick","endDate":"2027-01-01T00:00:00Z","outcomes":"[\"Yes\",\"No\"]","clobTokenIds":"[\"41\",\"42\"]","orderPriceMinTickSize":0.5}""";

        var result = PolymarketCatalogParser.ParseEventsPage($$"""[{"id":"1","slug":"e","title":"E","markets":[{{good}},{{oneToken}},{{badJsonInString}},{{badTick}}]}]""");

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(["0x1"], result.Value!.Events[0].Markets.Select(m => m.ConditionId));
        Assert.Equal(
        [
            "market one-token: 'clobTokenIds' is not a JSON list of two token ids",
            "market broken: 'outcomes' is not a JSON list of two outcomes",
            "market tick: 'orderPriceMinTickSize' 0.5 is not a tick size",
        ], result.Value.Rejected);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"events\":[]}")]
    public void A_page_that_is_not_an_array_of_events_fails_with_a_reason(string body)
    {
        var result = PolymarketCatalogParser.ParseEventsPage(body);

        Assert.False(result.IsSuccess);
        Assert.StartsWith("Gamma events page:", result.Error);
    }

    [Fact]
    public void Clob_market_terms_give_the_v2_taker_fee_and_the_markets_limits()
    {
        const string body = """{"c":"0xabc","t":[{"t":"1","o":"Up"},{"t":"2","o":"Down"}],"mts":0.01,"nr":false,"fd":{"r":0.25,"e":2,"to":true},"mbf":1000,"tbf":1000,"mos":5,"ao":true}""";

        var terms = PolymarketCatalogParser.ParseClobMarket(body).Value!;

        Assert.Equal(new FeeParameters(0.25m, 0m, 2), terms.Fees);
        Assert.Equal(TickSize.Cent, terms.TickSize);
        Assert.Equal(5m, terms.MinOrderSize);
        Assert.False(terms.NegRisk);
        Assert.True(terms.AcceptingOrders);
        // The fee vector of clob-client-v2: 100 contracts at 0.50 pay 1.5625.
        Assert.Equal(1.5625m, new PolymarketFeeModel().Fee(terms.Fees, Price.FromDecimal(0.5m), 100m, Engine.Venues.Liquidity.Taker));
    }

    [Theory]
    [InlineData("""{"c":"0xabc","mts":0.01}""", null)]
    [InlineData("""{"c":"0xabc","fd":{"r":1.5,"e":2}}""", "'fd.r' is not a fee rate in [0, 1]")]
    [InlineData("""{"c":"0xabc","fd":{"r":0.1,"e":1.5}}""", "'fd.e' is not a whole exponent in [0, 10]")]
    [InlineData("""{"fd":{"r":0.1,"e":1}}""", "'c' (condition id) is missing")]
    public void Clob_market_without_fee_data_charges_nothing_and_bad_fee_data_is_refused(string body, string? error)
    {
        var result = PolymarketCatalogParser.ParseClobMarket(body);

        if (error is null)
        {
            Assert.True(result.IsSuccess, result.Error);
            Assert.Equal(FeeParameters.None, result.Value!.Fees);
        }
        else
        {
            Assert.False(result.IsSuccess);
            Assert.Contains(error, result.Error);
        }
    }

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "polymarket", name));
}
