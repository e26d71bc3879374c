using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Kalshi;

namespace ArbBot.Tests.Venues.Kalshi;

public sealed class KalshiCatalogParserTests
{
    private static string Catalog => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kalshi", "fake-kalshi-catalog.json"));

    private static KalshiEventsPage Events()
    {
        // The fake's catalog file holds its events under "events", as GET /events does.
        var result = KalshiCatalogParser.ParseEventsPage(Catalog);
        Assert.True(result.IsSuccess, result.Error);
        return result.Value!;
    }

    private static KalshiMarketListing Market(string ticker) => Events().Events.SelectMany(e => e.Markets).Single(m => m.Ticker == ticker);

    [Fact]
    public void Reads_a_market_in_the_current_fixed_point_shape()
    {
        var m = Market("FED-23DEC-T3.00");

        Assert.Equal("FED-23DEC", m.EventTicker);
        Assert.Equal("Fed rate after the December meeting: 3.00% or above", m.Title);
        Assert.Equal("3.00% or above", m.OutcomeLabel);
        Assert.Equal(new DateTimeOffset(2031, 12, 13, 18, 55, 0, TimeSpan.Zero), m.CloseTime);
        Assert.Equal(new DateTimeOffset(2031, 12, 20, 15, 0, 0, TimeSpan.Zero), m.ExpirationTime);
        Assert.Equal(TickSize.Cent, m.TickSize);
        Assert.False(m.FractionalTrading);
        Assert.True(m.IsTrading);
        Assert.StartsWith("If the upper bound", m.Rules);
        Assert.Equal("FED-23DEC-T3.00:yes", m.YesSymbol);
        Assert.Equal("FED-23DEC-T3.00:no", m.NoSymbol);
    }

    [Fact]
    public void A_tapered_market_takes_its_finest_step_and_keeps_its_bands()
    {
        var m = Market("FED-23DEC-T4.00");

        Assert.Equal(TickSize.DeciCent, m.TickSize);
        Assert.Equal(3, m.PriceRanges.Count);
        Assert.Equal(TickSize.Cent, m.PriceRanges[1].Step);
        Assert.True(m.FractionalTrading);
        Assert.Equal("Resolves Yes at 4.00% or above.\n\nSee the rulebook.", m.Rules);
    }

    [Fact]
    public void Reads_a_market_in_the_legacy_integer_cent_shape()
    {
        var m = Market("CPI-24JAN-B0.3");

        Assert.Equal(TickSize.Cent, m.TickSize);
        Assert.True(m.IsTrading);
        Assert.Equal("CPI up 0.3% in January?", m.Title);
        Assert.Equal("Yes", m.OutcomeLabel);
        Assert.Equal(new DateTimeOffset(2031, 2, 14, 15, 0, 0, TimeSpan.Zero), m.ExpirationTime);
    }

    [Fact]
    public void A_closed_market_is_read_but_not_trading()
    {
        Assert.False(Market("FED-23DEC-T2.00").IsTrading);
    }

    [Fact]
    public void Reads_events_with_their_exclusivity()
    {
        var events = Events().Events;

        Assert.False(events.Single(e => e.EventTicker == "FED-23DEC").MutuallyExclusive);
        Assert.True(events.Single(e => e.EventTicker == "CPI-24JAN").MutuallyExclusive);
        Assert.Equal("KXCPI", events.Single(e => e.EventTicker == "CPI-24JAN").SeriesTicker);
    }

    [Fact]
    public void A_market_that_cannot_be_read_is_rejected_with_its_reason_and_the_rest_kept()
    {
        const string json = """
            {"events":[{"event_ticker":"E","series_ticker":"S","title":"E","mutually_exclusive":false,"markets":[
              {"ticker":"E-GOOD","close_time":"2031-01-01T00:00:00Z","status":"active","price_level_structure":"linear_cent"},
              {"ticker":"E-NOCLOSE","status":"active"},
              {"ticker":"E-ODDGRID","close_time":"2031-01-01T00:00:00Z","status":"active","price_ranges":[{"start":"0","end":"1","step":"0.0003"}]},
              {"ticker":"E-NEWSTRUCT","close_time":"2031-01-01T00:00:00Z","status":"active","price_level_structure":"quarter_cent_someday"}
            ]}],"cursor":"abc"}
            """;

        var page = KalshiCatalogParser.ParseEventsPage(json).Value!;

        Assert.Equal(["E-GOOD"], page.Events[0].Markets.Select(m => m.Ticker));
        Assert.Equal(3, page.Rejected.Count);
        Assert.Contains(page.Rejected, r => r.Contains("E-NOCLOSE") && r.Contains("close_time"));
        Assert.Contains(page.Rejected, r => r.Contains("E-ODDGRID") && r.Contains("price_ranges"));
        Assert.Contains(page.Rejected, r => r.Contains("E-NEWSTRUCT") && r.Contains("quarter_cent_someday"));
        Assert.Equal("abc", page.Cursor);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"markets\":[]}")]
    public void A_page_that_is_not_an_events_page_fails_with_a_reason(string json)
    {
        var result = KalshiCatalogParser.ParseEventsPage(json);

        Assert.False(result.IsSuccess);
        Assert.StartsWith("Kalshi events page:", result.Error);
    }

    [Fact]
    public void An_empty_cursor_means_the_last_page()
    {
        Assert.Null(KalshiCatalogParser.ParseEventsPage("""{"events":[],"cursor":""}""").Value!.Cursor);
    }

    [Theory]
    [InlineData("""{"series":{"ticker":"KXFED","category":"Economics","fee_type":"quadratic","fee_multiplier":1,"settlement_sources":[{"name":"Federal Reserve","url":"u"}]}}""", 0.07, 0.0)]
    [InlineData("""{"series":{"ticker":"KXCPI","fee_type":"quadratic_with_maker_fees","fee_multiplier":0.5}}""", 0.035, 0.00875)]
    [InlineData("""{"series":{"ticker":"KXS","fee_type":"quadratic","fee_multiplier":"2"}}""", 0.14, 0.0)]
    public void Series_fee_terms_follow_the_fee_type_and_multiplier(string json, double taker, double maker)
    {
        var terms = KalshiCatalogParser.ParseSeries(json).Value!;

        Assert.Equal((decimal)taker, terms.Fees!.Value.TakerRate);
        Assert.Equal((decimal)maker, terms.Fees!.Value.MakerRate);
    }

    [Fact]
    public void A_flat_fee_series_has_no_fee_terms_to_guess_with()
    {
        var terms = KalshiCatalogParser.ParseSeries("""{"series":{"ticker":"KXFLAT","fee_type":"flat","fee_multiplier":1}}""").Value!;

        Assert.Null(terms.Fees);
    }

    [Fact]
    public void A_negative_fee_multiplier_is_refused()
    {
        var result = KalshiCatalogParser.ParseSeries("""{"series":{"ticker":"KX","fee_type":"quadratic","fee_multiplier":-1}}""");

        Assert.False(result.IsSuccess);
        Assert.Contains("fee_multiplier", result.Error);
    }
}
