using ArbBot.Engine.Core;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Venues.Simulated;

namespace ArbBot.Tests.Matching;

public sealed class PairComparisonTests
{
    private readonly SimulatedCatalog _catalog = SimulatedCatalog.Create(20261121);

    private (Market Market, VenueEvent Event) Find(VenueId venue, string titleStart)
    {
        var listing = _catalog.ListingsOf(venue).Single(l => l.Title.StartsWith(titleStart, StringComparison.Ordinal));
        return (listing.ToMarket(venue == VenueId.Kalshi ? TickSize.Cent : listing.FixedTickSize ?? TickSize.Cent),
            _catalog.EventsOf(venue).Single(e => e.EventKey == listing.EventKey));
    }

    private PairComparison Compare(string kalshiTitle, string polymarketTitle)
    {
        var (k, ke) = Find(VenueId.Kalshi, kalshiTitle);
        var (p, pe) = Find(VenueId.Polymarket, polymarketTitle);
        return PairComparison.Build(k, ke, p, pe);
    }

    [Fact]
    public void Both_sides_carry_titles_rules_sources_dates_tick_and_fees()
    {
        var c = Compare("Solana above $300", "Will Solana be above $300");
        Assert.Equal("Solana above $300 on Dec 31, 2026?", c.Kalshi.Title);
        Assert.Equal("Will Solana be above $300 on December 31, 2026 at 5pm ET?", c.Polymarket.Title);
        Assert.Contains("SOL RTI", c.Kalshi.Rules, StringComparison.Ordinal);
        Assert.Equal("CF Benchmarks Solana Real-Time Index", c.Polymarket.SettlementSource);
        Assert.Equal(c.Kalshi.CloseTime, c.Polymarket.CloseTime);
        Assert.Equal("Solana price on Dec 31, 2026 at 5pm EST", c.Kalshi.EventTitle);
        Assert.Equal(PairMapping.YesYes, c.ProposedMapping);

        // Trading terms differ (Polymarket's 0.001 grid and crypto taker fee) but do not change what settles.
        var tick = Assert.Single(c.Differences, d => d.Field == "Tick size");
        Assert.Equal(("$0.01", "$0.001"), (tick.KalshiValue, tick.PolymarketValue));
        Assert.False(tick.AffectsSettlement);
        Assert.Contains(c.Differences, d => d.Field == "Fees" && !d.AffectsSettlement);
        Assert.Empty(c.SettlementWarnings);
    }

    [Fact]
    public void A_different_station_is_flagged_as_a_settlement_difference()
    {
        var c = Compare("NYC snowfall", "Will NYC get more than 2 inches");
        var source = Assert.Single(c.Differences, d => d.Field == "Settlement source");
        Assert.Equal(("NWS Central Park", "NWS LaGuardia Airport"), (source.KalshiValue, source.PolymarketValue));
        Assert.True(source.AffectsSettlement);
        Assert.Contains("settlement sources differ: NWS Central Park vs NWS LaGuardia Airport", c.SettlementWarnings);
    }

    [Fact]
    public void Core_versus_headline_inflation_is_flagged_in_the_rules()
    {
        var c = Compare("CPI YoY above 2.9%", "Will US annual core inflation");
        Assert.Contains(c.Differences, d => d.Field == "Rules" && d.Description.StartsWith("rules differ: core vs headline CPI", StringComparison.Ordinal));
    }

    [Fact]
    public void Negative_phrasing_and_an_augmented_event_are_shown()
    {
        var eth = Compare("Ethereum above $4,000", "Will Ethereum be below $4,000");
        Assert.Equal(PairMapping.YesNo, eth.ProposedMapping);
        Assert.Contains(eth.Differences, d => d.Field == "Phrasing" && d.Description.Contains("YES↔NO", StringComparison.Ordinal));

        var poty = Compare("Elon Musk named", "Will Elon Musk be named");
        var structure = Assert.Single(poty.Differences, d => d.Field == "Event");
        Assert.StartsWith("augmented", structure.PolymarketValue, StringComparison.Ordinal);
        Assert.True(structure.AffectsSettlement);
    }

    [Fact]
    public void Different_dates_and_close_times_are_flagged()
    {
        var c = Compare("S&P 500 above 7,000", "Will the S&P 500 close above 7,000 on December 18");
        Assert.Contains(c.Differences, d => d.Field == "Date" && d.KalshiValue == "2026-12-31" && d.PolymarketValue == "2026-12-18");
        Assert.Contains(c.Differences, d => d.Field == "Close time" && d.Description == "close times differ by 13 days");
    }

    [Fact]
    public void Markets_must_be_given_kalshi_first()
    {
        var (k, ke) = Find(VenueId.Kalshi, "Solana above");
        var (p, pe) = Find(VenueId.Polymarket, "Will Solana be above");
        Assert.Throws<ArgumentException>(() => PairComparison.Build(p, pe, k, ke));
    }
}
