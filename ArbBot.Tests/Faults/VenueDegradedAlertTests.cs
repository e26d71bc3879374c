using System.Net.Http.Json;
using System.Text.Json;
using ArbBot.Engine.Core;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Venues;
using ArbBot.Tests.Browser;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Faults;

/// <summary>
/// End to end: the app on the fake Kalshi and the fake Polymarket, notifications pointed at loopback Discord and
/// Telegram. Polymarket's market channel is cut and refused; the Overview page (in chromium) and /api/status show the
/// venue not live while Kalshi stays live, and one alert per channel says so; when the fake takes connections again the
/// venue is live again on both, and one recovery alert per channel says that, with no repeat of either.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class VenueDegradedAlertTests
{
    private const string Down = "⚠️ Polymarket market data is";
    private const string Up = "✅ Polymarket market data is live again.";

    [Fact]
    public async Task A_venue_whose_feed_breaks_is_shown_degraded_and_alerted_once_then_shown_and_alerted_recovered_once()
    {
        await using var fault = FaultReport.Begin("Venue feed down: dashboard + alert, then recovery", "Polymarket");
        // Reconnect attempts against a refusing venue back off; keep the longest wait short so recovery follows the fix closely.
        await using var desk = await AlertingDesk.StartAsync(tradingCredentials: false, new Dictionary<string, string?> { ["ArbBot:Polymarket:RetryMaxDelay"] = "00:00:00.500" });
        var (fakes, session, api) = (desk.Fakes, desk.Session, desk.Api);
        var polymarket = session.App.Services.GetRequiredService<VenueSet>().Venues.Single(v => v.Id == VenueId.Polymarket);

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        var page = session.Page;
        await page.GotoAsync(session.BaseUrl + "/");
        var card = page.Locator("[data-testid=venue-card]", new() { HasTextString = "Polymarket" });
        await Eventually.ValueAsync(async () => await StateOnPageAsync(card) == "Live" ? (bool?)true : null, "Polymarket live on the Overview page");
        await Eventually.ValueAsync(async () => await StatusAsync(api, "Polymarket") == "Live" ? (bool?)true : null, "Polymarket live in /api/status");

        // Cut: the open market connections dropped, new ones refused.
        fakes.Polymarket.State.RefuseConnections = true;
        fakes.Polymarket.State.DropConnections();
        fault.Inject();

        string? shownDown = null;
        await Eventually.ValueAsync(async () => (shownDown = await StateOnPageAsync(card)) is { } s && s != "Live" ? (bool?)true : null, "Polymarket shown not live on the Overview page");
        Assert.Contains(shownDown, new[] { nameof(FeedState.Disconnected), nameof(FeedState.Connecting), nameof(FeedState.Degraded) });
        await Eventually.ValueAsync(async () => await StatusAsync(api, "Polymarket") is { } s && s != "Live" ? (bool?)true : null, "Polymarket not live in /api/status");
        Assert.Equal("Live", await StatusAsync(api, "Kalshi"));
        await Eventually.ValueAsync(async () => (await card.Locator("[data-testid=venue-freshness]").TextContentAsync())?.Contains("stale", StringComparison.Ordinal) == true ? (bool?)true : null,
            "Polymarket's books shown stale on the Overview page");
        await session.ScreenshotAsync("venue-degraded-overview");
        await desk.WaitForAlertAsync(Down, "the degraded alert on Discord and Telegram");
        Assert.Contains("stale and not traded", desk.Notify.DiscordMessages.First(m => m.Contains(Down, StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal(0, desk.OnDiscord(Up));

        // Back: the fake takes connections again; the feed reconnects, resubscribes and is live.
        fakes.Polymarket.State.RefuseConnections = false;
        await Eventually.ValueAsync(async () => await StateOnPageAsync(card) == "Live" ? (bool?)true : null, "Polymarket live again on the Overview page");
        await Eventually.ValueAsync(async () => await StatusAsync(api, "Polymarket") == "Live" ? (bool?)true : null, "Polymarket live again in /api/status");
        await desk.WaitForAlertAsync(Up, "the recovery alert on Discord and Telegram");
        await session.ScreenshotAsync("venue-recovered-overview");

        // Once each per channel: the outage passed through several feed states and several watch ticks.
        desk.AssertOncePerChannel(Down);
        desk.AssertOncePerChannel(Up);
        Assert.DoesNotContain(desk.Notify.DiscordMessages, m => m.Contains("Kalshi", StringComparison.Ordinal));
        Assert.Equal(FeedState.Live, polymarket.MarketData.State);
        fault.Survived($"Overview showed Polymarket {shownDown} and /api/status agreed (Kalshi stayed Live); one degraded and one recovery alert on each of Discord and Telegram");
    }

    private static async Task<string?> StateOnPageAsync(Microsoft.Playwright.ILocator card)
    {
        if (await card.CountAsync() == 0) return null;
        return (await card.Locator("[data-testid=venue-state]").TextContentAsync())?.Trim();
    }

    private static async Task<string?> StatusAsync(HttpClient api, string venue)
    {
        var status = await api.GetFromJsonAsync<JsonElement>("/api/status");
        foreach (var v in status.GetProperty("venues").EnumerateArray())
        {
            if (v.GetProperty("id").GetString() == venue) return v.GetProperty("feed").GetString();
        }
        return null;
    }
}
