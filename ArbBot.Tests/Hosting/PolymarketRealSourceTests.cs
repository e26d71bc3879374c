using System.Text.Json;
using ArbBot.Engine.Core;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.MarketData;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Hosting;

/// <summary>The desk with ArbBot:Venues:Polymarket:Source = Real, pointed at the loopback fake Polymarket, Kalshi simulated.</summary>
public sealed class PolymarketRealSourceTests
{
    private const string ReadKey = "polymarket-real-read-key-0123456789";

    private static Dictionary<string, string?> Settings(FakePolymarketServer server)
    {
        var options = server.ClientOptions();
        return new Dictionary<string, string?>
        {
            ["ArbBot:Venues:Polymarket:Source"] = "Real",
            ["ArbBot:Polymarket:GammaUrl"] = options.GammaUrl.ToString(),
            ["ArbBot:Polymarket:ClobUrl"] = options.ClobUrl.ToString(),
            ["ArbBot:Polymarket:MarketWebSocketUrl"] = options.MarketWebSocketUrl.ToString(),
            ["ArbBot:Polymarket:RetryBaseDelay"] = "00:00:00.020",
            ["ArbBot:Polymarket:HeartbeatInterval"] = "00:00:00.200",
            ["ArbBot:Api:ReadKey"] = ReadKey,
        };
    }

    [Fact]
    public async Task The_desk_streams_the_venues_books_live_and_paper_trades_a_neg_risk_set_on_them()
    {
        await using var server = await FakePolymarketServer.StartAsync();
        server.State.RateLimitEvery = 4;
        await using var app = new DeskAppFactory(Settings(server));
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ReadKey);
        var venues = app.Services.GetRequiredService<VenueSet>();
        var registry = app.Services.GetRequiredService<InstrumentRegistry>();
        var board = app.Services.GetRequiredService<QuoteBoard>();

        await WaitUntilAsync(() => registry.TryGetMarket(VenueId.Polymarket, FakePolymarketCatalog.Fed, out _));
        registry.TryGetMarket(VenueId.Polymarket, FakePolymarketCatalog.Fed, out var fed);
        await WaitUntilAsync(() => board.TryGet(fed.Yes, out var q) && q.Bid == 0.40m && q.Ask == 0.42m && q.Stale == StaleReason.None);
        await WaitUntilAsync(() => board.TryGet(fed.No, out var q) && q.Bid == 0.58m && q.Ask == 0.60m && q.Stale == StaleReason.None);

        using var status = JsonDocument.Parse(await client.GetStringAsync("/api/status"));
        var polymarket = status.RootElement.GetProperty("venues").EnumerateArray().Single(v => v.GetProperty("id").GetString() == "Polymarket");
        Assert.Equal("Polymarket", polymarket.GetProperty("name").GetString());
        Assert.Equal("Real", polymarket.GetProperty("source").GetString());
        Assert.Equal("Live", polymarket.GetProperty("feed").GetString());
        Assert.True(polymarket.GetProperty("paper").GetBoolean());
        Assert.True(venues.Gateways[VenueId.Polymarket].IsPaper);
        // The real markets take part in pair matching like the simulated ones: the Bitcoin market meets Kalshi's Bitcoin market.
        using var pairs = JsonDocument.Parse(await client.GetStringAsync("/api/pairs"));
        Assert.Contains(pairs.RootElement.EnumerateArray(), p => p.GetProperty("polymarketMarket").GetString() == FakePolymarketCatalog.Btc
            && p.GetProperty("kalshiTitle").GetString()!.Contains("Bitcoin", StringComparison.Ordinal) && p.GetProperty("status").GetString() == "Suggested");

        // The mayoral race's YES asks sum to 0.93: the multi-outcome strategy buys the set, filled on paper against these books.
        var mayor = new[] { FakePolymarketCatalog.MayorAlice, FakePolymarketCatalog.MayorBob, FakePolymarketCatalog.MayorCarol }
            .Select(k => registry.TryGetMarket(VenueId.Polymarket, k, out var m) ? m.Yes : throw new InvalidOperationException(k)).ToHashSet();
        await WaitUntilAsync(() => mayor.All(id => app.Executions.Fills.Any(f => f.Instrument == id)), async () =>
            $"opportunities: {await client.GetStringAsync("/api/opportunities")}\nstatus: {await client.GetStringAsync("/api/status")}");
        var fills = app.Executions.Fills.Where(f => mayor.Contains(f.Instrument)).ToList();
        Assert.All(fills, f => Assert.Equal(VenueId.Polymarket, f.Venue));
        Assert.Contains(fills, f => f.Price == Price.FromDecimal(0.30m));
        Assert.Contains(fills, f => f.Price == Price.FromDecimal(0.31m));
        Assert.Contains(fills, f => f.Price == Price.FromDecimal(0.32m));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<Task<string>>? diagnose = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The condition did not hold within 30 s." + (diagnose is null ? "" : "\n" + await diagnose()));
            }
            await Task.Delay(50);
        }
    }
}
