using ArbBot.Engine.Core;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Venues.Polymarket;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Venues.Polymarket;

/// <summary>Discovery from the fake Gamma and CLOB: paging, JSON-string fields, filters, fee terms, neg-risk flags.</summary>
public sealed class PolymarketInstrumentProviderTests
{
    [Fact]
    public async Task Discovery_pages_through_gamma_and_registers_every_trading_market_with_its_terms()
    {
        await using var server = await FakePolymarketServer.StartAsync();
        // Gamma serves one event per page whatever is asked, and every third request is refused with 429.
        server.State.GammaPageSize = 1;
        server.State.RateLimitEvery = 3;
        using var venue = new PolymarketVenue(server.ClientOptions(), TimeProvider.System);
        var registry = new InstrumentRegistry();

        var markets = (await venue.Instruments.DiscoverAsync(registry, CancellationToken.None)).ToDictionary(m => m.MarketKey);

        // The closed November market and the augmented event's inactive placeholder are left out.
        Assert.Equal(
            new[] { FakePolymarketCatalog.Fed, FakePolymarketCatalog.Btc, FakePolymarketCatalog.MayorAlice, FakePolymarketCatalog.MayorBob, FakePolymarketCatalog.MayorCarol, FakePolymarketCatalog.NomineeA, FakePolymarketCatalog.NomineeB }.Order(),
            markets.Keys.Order());
        // Four events one per page, then the empty page that ends the listing (refused requests never reach the route).
        Assert.Equal(5, server.State.EventPagesServed);
        Assert.True(server.State.RateLimited > 0);

        var fed = markets[FakePolymarketCatalog.Fed];
        Assert.Equal("Will the Fed cut rates in December?", fed.Title);
        Assert.Equal("fed-decision-december", fed.EventKey);
        Assert.Equal(FeeParameters.None, fed.Fees);
        Assert.Equal(5m, fed.MinOrderSize);
        Assert.Equal(0.01m, fed.QuantityStep);
        Assert.Equal(TickSize.Cent, fed.TickSize);
        Assert.Equal("Yes", fed.OutcomeLabel);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), fed.CloseTime);
        // The tokens from Gamma's JSON-encoded clobTokenIds are the instruments' symbols: outcome 0 YES, outcome 1 NO.
        Assert.Equal(server.State.Market(FakePolymarketCatalog.Fed).YesToken, registry[fed.Yes].Symbol);
        Assert.Equal(server.State.Market(FakePolymarketCatalog.Fed).NoToken, registry[fed.No].Symbol);

        var btc = markets[FakePolymarketCatalog.Btc];
        Assert.Equal(new FeeParameters(0.25m, 0m, 2), btc.Fees);
        Assert.Equal("Up", btc.OutcomeLabel);

        Assert.Equal("Alice", markets[FakePolymarketCatalog.MayorAlice].OutcomeLabel);
        Assert.True(registry.TryGetEvent(VenueId.Polymarket, "city-mayor-2026", out var mayor));
        Assert.Equal(new VenueEvent(VenueId.Polymarket, "city-mayor-2026", "City mayoral race 2026", "Politics", MutuallyExclusive: true, NegRisk: true, Augmented: false), mayor);
        Assert.True(registry.TryGetEvent(VenueId.Polymarket, "party-nominee-2028", out var nominee));
        Assert.True(nominee.NegRisk);
        Assert.True(nominee.Augmented);
        Assert.False(nominee.MutuallyExclusive);
    }

    [Fact]
    public async Task Event_slugs_limit_discovery_and_market_slugs_add_standalone_markets()
    {
        await using var server = await FakePolymarketServer.StartAsync();
        var options = server.ClientOptions();
        options.EventSlugs = ["city-mayor-2026"];
        options.MarketSlugs = ["btc-updown-5m"];
        using var venue = new PolymarketVenue(options, TimeProvider.System);
        var registry = new InstrumentRegistry();

        var markets = await venue.Instruments.DiscoverAsync(registry, CancellationToken.None);

        Assert.Equal(
            new[] { FakePolymarketCatalog.MayorAlice, FakePolymarketCatalog.MayorBob, FakePolymarketCatalog.MayorCarol, FakePolymarketCatalog.Btc }.Order(),
            markets.Select(m => m.MarketKey).Order());
        var btc = markets.Single(m => m.MarketKey == FakePolymarketCatalog.Btc);
        Assert.Equal("btc-updown-5m-1773307200", btc.EventKey);
        Assert.True(registry.TryGetEvent(VenueId.Polymarket, btc.EventKey, out var e) && e.Title == "Bitcoin Up or Down");
    }

    [Fact]
    public async Task Discovery_stops_at_the_market_limit()
    {
        await using var server = await FakePolymarketServer.StartAsync();
        var options = server.ClientOptions();
        options.MaxMarkets = 2;
        using var venue = new PolymarketVenue(options, TimeProvider.System);

        var markets = await venue.Instruments.DiscoverAsync(new InstrumentRegistry(), CancellationToken.None);

        Assert.Equal([FakePolymarketCatalog.Fed, FakePolymarketCatalog.Btc], markets.Select(m => m.MarketKey));
        Assert.Equal(2, venue.MarketData.Markets.Count);
    }

    [Fact]
    public void Options_that_cannot_work_are_refused_with_the_setting_named()
    {
        var validation = new SectionValidation<PolymarketOptions>(PolymarketOptions.Section);

        var result = validation.Validate(null, new PolymarketOptions
        {
            MarketWebSocketUrl = new Uri("https://ws-subscriptions-clob.polymarket.com/ws/market"),
        });
        var shard = validation.Validate(null, new PolymarketOptions { ShardSize = 501 });
        var delays = validation.Validate(null, new PolymarketOptions { RetryBaseDelay = TimeSpan.FromSeconds(30), RetryMaxDelay = TimeSpan.FromSeconds(10) });

        Assert.True(validation.Validate(null, new PolymarketOptions()).Succeeded);
        Assert.Contains(result.Failures!, f => f.StartsWith("ArbBot:Polymarket:MarketWebSocketUrl must be an absolute ws or wss URL", StringComparison.Ordinal));
        Assert.Contains(shard.Failures!, f => f.StartsWith("ArbBot:Polymarket:ShardSize must be between 2 and 500", StringComparison.Ordinal));
        Assert.Contains(delays.Failures!, f => f.StartsWith("ArbBot:Polymarket:RetryMaxDelay (00:00:10) must not be shorter than RetryBaseDelay (00:00:30)", StringComparison.Ordinal));
    }
}
