using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Venues.Kalshi;

/// <summary>
/// The whole desk in paper mode with Kalshi real (the loopback fake) beside the simulated Polymarket: an admin approves
/// a pair whose Kalshi side lives in the fake and whose Polymarket side lives in the simulated catalog, its spread shows
/// live, and paper arbitrage runs once the fake's book opens an edge.
/// </summary>
public sealed class KalshiPaperDeskEndToEndTests
{
    private const string AdminKey = "kalshi-e2e-admin-key-0123456789";
    private const string Gdp = "KXGDP-27JAN28-T2.0";

    [Fact]
    public async Task An_approved_pair_on_the_fake_kalshi_shows_its_spread_live_and_trades_on_paper_when_kalshis_book_opens_an_edge()
    {
        await using var server = await FakeKalshiServer.StartAsync("fake-kalshi-paired-catalog.json");
        await using var app = new DeskAppFactory(new Dictionary<string, string?>
        {
            ["ArbBot:Venues:Kalshi:Source"] = "Real",
            ["ArbBot:Kalshi:KeyId"] = FakeKalshiServer.KeyId,
            ["ArbBot:Kalshi:PrivateKeyPem"] = server.PrivateKeyPem,
            ["ArbBot:Kalshi:RestBaseUrl"] = server.RestBaseUrl.ToString(),
            ["ArbBot:Kalshi:WebSocketUrl"] = server.WebSocketUrl.ToString(),
            ["ArbBot:Kalshi:RetryBaseDelay"] = "00:00:00.020",
            ["ArbBot:Api:AdminKey"] = AdminKey,
        });
        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var monitor = app.Services.GetRequiredService<DeskMonitor>();

        var pairId = await WaitForAsync(async () =>
        {
            var suggested = await admin.GetFromJsonAsync<JsonElement>("/api/pairs?status=Suggested");
            return suggested.EnumerateArray().Where(p => p.GetProperty("kalshiMarket").GetString() == Gdp)
                .Select(p => (long?)p.GetProperty("id").GetInt64()).FirstOrDefault();
        }, "the GDP pair suggested across the fake Kalshi and the simulated Polymarket");
        var pair = (await admin.GetFromJsonAsync<JsonElement>($"/api/pairs/{pairId}")).GetProperty("pair");
        Assert.Equal("us-gdp-growth-q4-2026", Polymarket(app, pair.GetProperty("polymarketMarketKey").GetString()!));

        var approved = await admin.PostAsync($"/api/pairs/{pairId}/approve", new StringContent("""{"mapping": "YesYes"}""", Encoding.UTF8, "application/json"));
        Assert.True(approved.IsSuccessStatusCode, await approved.Content.ReadAsStringAsync());

        // The spread of Kalshi YES (ask 0.48 = 1 − NO bid 0.52) plus Polymarket NO, evaluated live.
        var spread = await WaitForAsync(() => Task.FromResult(monitor.Latest.Spreads
            .Where(s => s.PairId == pairId && s.SetIndex == 0 && s.State is ArbSetState.NoEdge or ArbSetState.Edge).Select(s => (ArbSetSpread?)s).FirstOrDefault()), "the pair's spread");
        Assert.Equal(0.48m, spread.KalshiAsk.Value);
        Assert.Equal(0, monitor.Latest.Execution.Attempted);

        // Someone bids 0.85 for NO on Kalshi: YES is offered at 0.15, far below what the simulated Polymarket NO costs.
        await server.PublishDeltaAsync(Gdp, "no", 0.85m, 50m);

        await WaitForAsync(() => Task.FromResult(monitor.Latest.Spreads.Any(s => s.PairId == pairId && s.SetIndex == 0 && s.KalshiAsk.Value == 0.15m) ? (bool?)true : null), "the edge seen");
        await WaitForAsync(() => Task.FromResult(monitor.Latest.Execution.Executed > 0 ? (bool?)true : null), "a paper arbitrage executed");
        // The trade is recorded (off the hot path, so it may lag the snapshot) with a fill on the fake's market.
        var trade = await WaitForAsync(async () =>
        {
            var trades = await admin.GetFromJsonAsync<JsonElement>("/api/trades");
            return trades.EnumerateArray().Where(t => t.GetProperty("fills").ToString().Contains(Gdp, StringComparison.Ordinal)).Select(t => (JsonElement?)t).FirstOrDefault();
        }, "the paper trade recorded");
        Assert.Contains(pairId.ToString(System.Globalization.CultureInfo.InvariantCulture), trade.GetProperty("execution").ToString());
        // Paper: nothing reached the venue's order endpoint.
        Assert.Equal(0, server.CreateRequests);
        Assert.Equal(0, server.Rejected);
    }

    private static string Polymarket(DeskAppFactory app, string marketKey)
    {
        var registry = app.Services.GetRequiredService<InstrumentRegistry>();
        Assert.True(registry.TryGetMarket(VenueId.Polymarket, marketKey, out var market));
        return market.EventKey;
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what) where T : struct
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }
}
