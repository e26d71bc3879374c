using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Venues.Kalshi;

/// <summary>Kalshi-specific feed behaviour beyond the venue contract, against the loopback fake.</summary>
public sealed class KalshiMarketDataFeedTests
{
    [Fact]
    public async Task A_delta_stamped_long_ago_is_applied_but_leaves_the_book_stale_until_a_current_one()
    {
        await using var server = await FakeKalshiServer.StartAsync();
        using var venue = KalshiVenue.Create(server.ClientOptions(), TimeProvider.System);
        await using var h = new Harness(venue);
        var market = (await h.DiscoverAsync()).Single(m => m.MarketKey == "FED-23DEC-T3.00");
        h.StartStreaming();
        await h.WaitForAsync(async () => (await h.ReadBookAsync(market)).Yes is { IsStale: false }, "a fresh book");

        await server.PublishDeltaAsync(market.MarketKey, "yes", 0.30m, 10m, DateTimeOffset.UtcNow - TimeSpan.FromSeconds(30));
        await h.WaitForAsync(async () => (await h.ReadBookAsync(market)).Yes is { Stale: StaleReason.Age } b && b.Bids[0].Price.ToString() == "0.3", "the old delta applied, book stale");

        await server.PublishDeltaAsync(market.MarketKey, "yes", 0.31m, 10m);
        await h.WaitForAsync(async () => (await h.ReadBookAsync(market)).Yes is { IsStale: false } b && b.Bids[0].Price.ToString() == "0.31", "fresh again");
    }

    [Fact]
    public async Task Discovery_registers_only_trading_markets_it_can_price_with_their_series_terms()
    {
        await using var server = await FakeKalshiServer.StartAsync();
        using var venue = KalshiVenue.Create(server.ClientOptions(), TimeProvider.System);
        await using var h = new Harness(venue);

        var markets = (await h.DiscoverAsync()).ToDictionary(m => m.MarketKey);

        // Closed FED-23DEC-T2.00 and the flat-fee FLAT-1-A are left out.
        Assert.Equal(["CPI-24JAN-B0.3", "FED-23DEC-T3.00", "FED-23DEC-T4.00"], markets.Keys.Order());
        Assert.Equal(0.07m, markets["FED-23DEC-T3.00"].Fees.TakerRate);
        Assert.Equal(0m, markets["FED-23DEC-T3.00"].Fees.MakerRate);
        Assert.Equal(0.00875m, markets["CPI-24JAN-B0.3"].Fees.MakerRate);
        Assert.Equal("Federal Reserve", markets["FED-23DEC-T3.00"].SettlementSource);
        Assert.Equal(0.01m, markets["FED-23DEC-T4.00"].QuantityStep);
        Assert.Equal(1m, markets["FED-23DEC-T3.00"].QuantityStep);
        Assert.True(h.Registry.TryGet(ArbBot.Engine.Core.VenueId.Kalshi, "FED-23DEC-T3.00:no", out var no) && !no.IsYes);
        Assert.True(h.Registry.TryGetEvent(ArbBot.Engine.Core.VenueId.Kalshi, "CPI-24JAN", out var cpi) && cpi.MutuallyExclusive);
    }

    [Fact]
    public async Task Trades_and_tickers_keep_each_markets_last_trade()
    {
        await using var server = await FakeKalshiServer.StartAsync();
        using var venue = KalshiVenue.Create(server.ClientOptions(), TimeProvider.System);
        await using var h = new Harness(venue);
        await h.DiscoverAsync();
        h.StartStreaming();
        await server.WaitForChannelAsync("trade", 1, TimeSpan.FromSeconds(15));
        Assert.Null(venue.MarketData.LastTrade("FED-23DEC-T3.00"));

        await server.PublishTradeAsync("FED-23DEC-T3.00", 0.36m, 136m, "no");

        await h.WaitForAsync(() => Task.FromResult(venue.MarketData.LastTrade("FED-23DEC-T3.00") is not null), "the last trade");
        var last = venue.MarketData.LastTrade("FED-23DEC-T3.00")!;
        Assert.Equal((0.36m, 136m, KalshiSide.No), (last.YesPrice.Value, last.Size, last.TakerSide));
        Assert.Null(venue.MarketData.LastTrade("CPI-24JAN-B0.3"));
    }

    private sealed class Harness(KalshiVenue venue) : VenueHarness(venue, TimeProvider.System);
}
