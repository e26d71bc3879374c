using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Lifecycle;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Hosting;

public sealed class EngineHostTests
{
    [Fact]
    public async Task Engine_starts_the_simulated_venues_and_fills_paper_orders_against_their_books()
    {
        await using var app = new DeskAppFactory();
        app.CreateClient();
        var venues = app.Services.GetRequiredService<VenueSet>();
        var registry = app.Services.GetRequiredService<InstrumentRegistry>();
        var board = app.Services.GetRequiredService<QuoteBoard>();

        await WaitUntilAsync(() => venues.Venues.All(v => v.MarketData.State == FeedState.Live) && board.Current.Count >= registry.Count);
        Assert.Equal(["Kalshi (simulated)", "Polymarket (simulated)"], venues.Venues.Select(v => v.DisplayName).Order());
        Assert.All(venues.Gateways.Values, g => Assert.True(g.IsPaper));

        // A marketable IOC buy on a live simulated book fills through the paper gateway. The market is a plain binary (its
        // event has one market), which no strategy trades with no approved pairs: the desk's own orders cannot have taken
        // the liquidity first.
        var market = registry.Markets.First(m => m.Venue == VenueId.Kalshi
            && registry.Markets.Count(other => other.Venue == VenueId.Kalshi && other.EventKey == m.EventKey) == 1);
        Assert.True(board.TryGet(market.Yes, out var quote) && quote.Ask is not null);
        var listener = app.Executions;
        await app.WaitUntilRunningAsync();
        var limit = registry[market.Yes].TickSize.MaxPrice;
        await venues.Gateways[VenueId.Kalshi].PlaceAsync(
            new OrderRequest("host-test-1", market.Yes, Side.Buy, limit, 1m, TimeInForce.Ioc), CancellationToken.None);

        await WaitUntilAsync(() => listener.Updates.Any(u => u.ClientOrderId == "host-test-1" && u.Status.IsFinal()));
        var final = listener.Updates.Last(u => u.ClientOrderId == "host-test-1");
        Assert.True(final.Status == OrderStatus.Filled, $"{final.Status}: {final.Reason}");
        var fill = Assert.Single(listener.Fills, f => f.ClientOrderId == "host-test-1");
        Assert.True(fill.Fee > 0m, "Kalshi charges a taker fee");
    }

    [Fact]
    public async Task Stopping_the_host_cancels_resting_paper_orders_and_stops_the_feeds()
    {
        var app = new DeskAppFactory();
        app.CreateClient();
        var venues = app.Services.GetRequiredService<VenueSet>();
        var registry = app.Services.GetRequiredService<InstrumentRegistry>();
        var board = app.Services.GetRequiredService<QuoteBoard>();
        await WaitUntilAsync(() => board.Current.Count >= registry.Count && registry.Count > 0);

        // A GTC bid at the lowest price rests: nothing sells that low.
        var market = registry.Markets.First(m => m.Venue == VenueId.Polymarket);
        var listener = app.Executions;
        await app.WaitUntilRunningAsync();
        await venues.Gateways[VenueId.Polymarket].PlaceAsync(
            new OrderRequest("host-test-rest", market.Yes, Side.Buy, registry[market.Yes].TickSize.MinPrice, 5m, TimeInForce.Gtc), CancellationToken.None);
        await WaitUntilAsync(() => listener.Updates.Any(u => u.ClientOrderId == "host-test-rest" && u.Status == OrderStatus.Submitted));
        await Task.Delay(200); // past the paper latency: the order now rests on the book

        var coordinator = app.Services.GetRequiredService<ShutdownCoordinator>();
        // The test host is stopped twice at once (this dispose, and the app's own wait for shutdown): one stop runs.
        await app.DisposeAsync();

        // How long the stop took is not asserted: on a loaded machine a stop can take seconds.
        Assert.Contains(listener.Updates, u => u.ClientOrderId == "host-test-rest" && u.Status == OrderStatus.Cancelled);
        Assert.All(venues.Venues, v => Assert.Equal(FeedState.Stopped, v.MarketData.State));
        // Every step of the stop ran, and the report is that stop's, not a second stop's finding the desk already down.
        Assert.NotNull(coordinator.LastReport);
        Assert.Contains("open orders cancelled", coordinator.LastReport);
        Assert.Contains("pending record(s) saved", coordinator.LastReport);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not hold within 20 s.");
            await Task.Delay(50);
        }
    }
}
