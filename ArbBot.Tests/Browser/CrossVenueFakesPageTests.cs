using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Hosting;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Browser;

/// <summary>
/// The app in paper mode on both real venue adapters, each pointed at its loopback fake: the GDP question both fakes
/// carry is suggested as a pair, approved over the API, its spread shows live on the Spreads page, and the
/// dislocation (Kalshi YES 0.48 + Polymarket NO 0.40) is arbitraged on paper, both legs filled and on the Trades page.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CrossVenueFakesPageTests
{
    private const string AdminKey = "cross-venue-admin-key-0123456789";

    [Fact]
    public async Task A_pair_across_the_fake_kalshi_and_the_fake_polymarket_is_approved_shows_its_spread_live_and_is_arbitraged_on_paper()
    {
        await using var fakes = await CrossVenueFakes.StartAsync();
        var settings = fakes.Settings(tradingCredentials: false);
        settings["ArbBot:Api:AdminKey"] = AdminKey;
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory(settings));
        var app = session.App;
        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var monitor = app.Services.GetRequiredService<DeskMonitor>();
        await app.Services.GetRequiredService<EngineHost>().Ready.WaitAsync(TimeSpan.FromSeconds(60));

        var pairId = await Eventually.ValueAsync(async () =>
        {
            var suggested = await admin.GetFromJsonAsync<JsonElement>("/api/pairs?status=Suggested");
            return suggested.EnumerateArray().Where(p => p.GetProperty("kalshiMarket").GetString() == CrossVenueFakes.KalshiGdp
                    && p.GetProperty("polymarketMarket").GetString() == CrossVenueFakes.PolymarketGdp)
                .Select(p => (long?)p.GetProperty("id").GetInt64()).FirstOrDefault();
        }, "the GDP pair suggested across the two fakes");
        // Paper: nothing trades before the approval.
        Assert.Equal(0, monitor.Latest.Execution.Attempted);

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        var page = session.Page;
        var approved = await admin.PostAsync($"/api/pairs/{pairId}/approve", new StringContent("""{"mapping": "YesYes"}""", Encoding.UTF8, "application/json"));
        Assert.True(approved.IsSuccessStatusCode, await approved.Content.ReadAsStringAsync());

        // The spread row of the approved pair, live: Kalshi YES ask 0.48 (1 − NO bid 0.52) against Polymarket NO.
        await page.GotoAsync(session.BaseUrl + "/spreads");
        var kalshiAsk = page.Locator($"[data-testid=kalshi-ask-{pairId}-0]");
        await kalshiAsk.WaitForAsync(new() { Timeout = 30_000 });
        await Eventually.ValueAsync(async () => (await kalshiAsk.TextContentAsync())?.Contains("0.48", StringComparison.Ordinal) == true ? (bool?)true : null, "Kalshi's ask on the Spreads page");
        Assert.NotEqual(0, await page.Locator($"[data-testid=net-edge-{pairId}-0]").CountAsync());
        await session.ScreenshotAsync("cross-venue-fakes-spreads");

        // Arbitraged on paper: both legs filled, one on each venue, and the trade recorded.
        await Eventually.ValueAsync(() => Task.FromResult(monitor.Latest.Execution.Executed > 0 ? (bool?)true : null), "a paper arbitrage executed");
        var trade = await Eventually.ValueAsync(async () =>
        {
            var trades = await admin.GetFromJsonAsync<JsonElement>("/api/trades");
            return trades.EnumerateArray().Where(t => t.GetProperty("fills").ToString().Contains(CrossVenueFakes.KalshiGdp, StringComparison.Ordinal))
                .Select(t => (JsonElement?)t).FirstOrDefault();
        }, "the paper trade recorded");
        var fills = trade.GetProperty("fills").ToString();
        Assert.Contains("Kalshi", fills, StringComparison.Ordinal);
        Assert.Contains("Polymarket", fills, StringComparison.Ordinal);
        await page.GotoAsync(session.BaseUrl + "/trades");
        await page.Locator("[data-testid=trade-summary]").First.WaitForAsync(new() { Timeout = 30_000 });
        await session.ScreenshotAsync("cross-venue-fakes-trades");

        // Paper: no order reached either fake's order endpoint.
        Assert.Equal(0, fakes.Kalshi.CreateRequests);
        Assert.Empty(fakes.Exchange.State.OrdersSnapshot());
        Assert.Equal(0, fakes.Kalshi.Rejected);
    }
}
