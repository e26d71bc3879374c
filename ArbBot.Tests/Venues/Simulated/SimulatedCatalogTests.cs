using System.Text.RegularExpressions;
using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Simulated;

namespace ArbBot.Tests.Venues.Simulated;

public sealed partial class SimulatedCatalogTests
{
    private readonly SimulatedCatalog _catalog = SimulatedCatalog.Create(20261121);

    [Fact]
    public void Each_venue_lists_at_least_twenty_events()
    {
        Assert.True(_catalog.EventsOf(VenueId.Kalshi).Count() >= 20);
        Assert.True(_catalog.EventsOf(VenueId.Polymarket).Count() >= 20);
    }

    [Fact]
    public void Decoys_exist_and_none_is_a_true_match()
    {
        var decoys = _catalog.Listings.Where(l => l.IsDecoy).ToArray();
        Assert.NotEmpty(decoys);
        var matched = _catalog.GroundTruthMatches.SelectMany(m => new[] { m.KalshiMarketKey, m.PolymarketMarketKey }).ToHashSet();
        Assert.All(decoys, d => Assert.DoesNotContain(d.MarketKey, matched));
    }

    [Fact]
    public void Some_pairs_are_phrased_negatively_on_one_venue()
    {
        var inverted = _catalog.GroundTruthMatches.Where(m => m.YesIsNo).ToArray();
        Assert.NotEmpty(inverted);
        Assert.Contains(_catalog.GroundTruthMatches, m => !m.YesIsNo);
        foreach (var m in inverted)
        {
            var k = _catalog.Listings.Single(l => l.MarketKey == m.KalshiMarketKey);
            var p = _catalog.Listings.Single(l => l.MarketKey == m.PolymarketMarketKey);
            Assert.Equal(k.Outcome, p.Outcome);
            Assert.NotEqual(k.Negated, p.Negated);
        }
    }

    [Fact]
    public void At_least_two_multi_outcome_events_are_neg_risk_on_polymarket_and_exactly_one_is_augmented()
    {
        var polymarketEvents = _catalog.EventsOf(VenueId.Polymarket).ToArray();
        Assert.True(polymarketEvents.Count(e => e.NegRisk && e.MutuallyExclusive) >= 2);
        var augmented = Assert.Single(polymarketEvents, e => e.Augmented);
        Assert.True(augmented.NegRisk);
        Assert.Contains(_catalog.ListingsOf(VenueId.Polymarket), l => l.EventKey == augmented.EventKey && l.OutcomeLabel == "Other");
        Assert.DoesNotContain(_catalog.EventsOf(VenueId.Kalshi), e => e.Augmented || e.NegRisk);
    }

    [Fact]
    public void Exhaustive_events_list_every_outcome_of_their_world_group()
    {
        foreach (var venueEvent in _catalog.Events.Where(e => e.MutuallyExclusive && !e.Augmented))
        {
            var listings = _catalog.Listings.Where(l => l.Venue == venueEvent.Venue && l.EventKey == venueEvent.EventKey).ToArray();
            var group = _catalog.Groups[_catalog.GroupOf(listings[0].Outcome)];
            Assert.True(group.IsMultiOutcome);
            Assert.Equal(Enumerable.Range(group.FirstOutcome, group.Count), listings.Select(l => l.Outcome).Order());
        }
    }

    [Fact]
    public void Kalshi_markets_use_kalshi_tickers_and_symbols()
    {
        foreach (var l in _catalog.ListingsOf(VenueId.Kalshi))
        {
            Assert.Matches(KalshiTicker(), l.MarketKey);
            Assert.StartsWith(l.EventKey + "-", l.MarketKey);
            Assert.Equal($"{l.MarketKey}:yes", l.YesSymbol);
            Assert.Equal($"{l.MarketKey}:no", l.NoSymbol);
            Assert.Equal(1m, l.MinOrderSize);
            Assert.Equal(0.07m, l.Fees.TakerRate);
            Assert.Contains(l.Fees.MakerRate, new[] { 0m, 0.0175m });
            Assert.False(string.IsNullOrWhiteSpace(l.Rules));
            Assert.Contains(l.SettlementSource, l.Rules);
        }
        Assert.Contains(_catalog.ListingsOf(VenueId.Kalshi), l => l.Fees.MakerRate > 0m);
        Assert.Contains("KXFEDDECISION-26DEC-C25", _catalog.ListingsOf(VenueId.Kalshi).Select(l => l.MarketKey));
    }

    [Fact]
    public void Polymarket_markets_use_condition_ids_token_ids_and_questions()
    {
        var listings = _catalog.ListingsOf(VenueId.Polymarket).ToArray();
        foreach (var l in listings)
        {
            Assert.Matches(ConditionId(), l.MarketKey);
            Assert.Matches(TokenId(), l.YesSymbol);
            Assert.Matches(TokenId(), l.NoSymbol);
            Assert.NotEqual(l.YesSymbol, l.NoSymbol);
            Assert.StartsWith("Will ", l.Title);
            Assert.EndsWith("?", l.Title);
            Assert.Matches("^[a-z0-9-]+$", l.EventKey);
            Assert.Equal(0m, l.Fees.MakerRate);
        }
        Assert.Equal(listings.Length, listings.Select(l => l.MarketKey).Distinct().Count());
        Assert.Contains(listings, l => l.FixedTickSize == TickSize.DeciCent);
        Assert.Contains(listings, l => l.Fees == new FeeParameters(0.25m, 0m, 2));
        Assert.True(listings.Count(l => l.Fees == FeeParameters.None) > listings.Length / 2);
    }

    [Fact]
    public void Ids_are_deterministic_from_the_seed()
    {
        var again = SimulatedCatalog.Create(20261121);
        var other = SimulatedCatalog.Create(1);
        Assert.Equal(_catalog.Listings.Select(l => l.MarketKey), again.Listings.Select(l => l.MarketKey));
        Assert.Equal(_catalog.Listings.Select(l => l.YesSymbol), again.Listings.Select(l => l.YesSymbol));
        Assert.NotEqual(_catalog.ListingsOf(VenueId.Polymarket).Select(l => l.MarketKey), other.ListingsOf(VenueId.Polymarket).Select(l => l.MarketKey));
    }

    [Fact]
    public void Configured_tick_applies_except_to_fixed_tick_markets()
    {
        var fine = _catalog.ListingsOf(VenueId.Polymarket).First(l => l.FixedTickSize is not null);
        var plain = _catalog.ListingsOf(VenueId.Polymarket).First(l => l.FixedTickSize is null);
        Assert.Equal(TickSize.DeciCent, fine.ToMarket(TickSize.Cent).TickSize);
        Assert.Equal(TickSize.Cent, plain.ToMarket(TickSize.Cent).TickSize);
    }

    [Fact]
    public async Task Discovery_registers_every_market_and_event_of_the_venue()
    {
        var world = new SimulatedWorld(new SimulatorOptions(), new Fixtures.ManualTimeProvider());
        var venue = new SimulatedVenue(VenueId.Polymarket, world, TickSize.Cent);
        var registry = new InstrumentRegistry();

        var markets = await venue.Instruments.DiscoverAsync(registry, CancellationToken.None);

        Assert.Equal(DataSource.Simulated, venue.Source);
        Assert.Equal("Polymarket (simulated)", venue.DisplayName);
        Assert.Equal(world.Catalog.ListingsOf(VenueId.Polymarket).Count(), markets.Count);
        Assert.Equal(markets.Count * 2, registry.Count);
        foreach (var listing in world.Catalog.ListingsOf(VenueId.Polymarket))
        {
            Assert.True(registry.TryGet(VenueId.Polymarket, listing.YesSymbol, out var yes));
            Assert.True(yes.IsYes);
            Assert.True(registry.TryGetEvent(VenueId.Polymarket, listing.EventKey, out _));
        }
    }

    [GeneratedRegex("^KX[A-Z0-9]+-[A-Z0-9]+-[A-Z0-9.]+$")]
    private static partial Regex KalshiTicker();

    [GeneratedRegex("^0x[0-9a-f]{64}$")]
    private static partial Regex ConditionId();

    [GeneratedRegex("^[1-9][0-9]{60,}$")]
    private static partial Regex TokenId();
}
