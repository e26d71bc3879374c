using System.Net.Http.Json;
using System.Text.Json;
using ArbBot.Engine.Control;
using ArbBot.Tests.Browser;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Faults;

/// <summary>
/// End to end, armed live on the fake Kalshi and the fake Polymarket exchange with notifications on loopback Discord and
/// Telegram: Polymarket's user channel (our fills and order updates) is cut and refused. The Overview page (in chromium)
/// and /api/status show that venue's orders stream down with the time it went down, Kalshi's stays connected, and one
/// alert per channel says so; when the fake takes connections again the stream is shown connected and one recovery alert
/// per channel says that, with no repeat. On paper (before arming, after disarming) no orders stream is shown at all.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OrderStreamDownAlertTests
{
    private const string Down = "⚠️ Polymarket orders stream is down since ";
    private const string Up = "✅ Polymarket orders stream is connected again";

    [Fact]
    public async Task A_live_venue_whose_orders_stream_breaks_is_shown_down_and_alerted_once_then_shown_and_alerted_recovered_once()
    {
        await using var fault = FaultReport.Begin("Live orders stream down: dashboard + alert, then recovery", "Polymarket");
        await using var desk = await AlertingDesk.StartAsync(tradingCredentials: true);
        var (fakes, session, api, commands) = (desk.Fakes, desk.Session, desk.Api, desk.Commands);

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        var page = session.Page;
        await page.GotoAsync(session.BaseUrl + "/");
        var polymarketCard = page.Locator("[data-testid=venue-card]", new() { HasTextString = "Polymarket" });
        var kalshiCard = page.Locator("[data-testid=venue-card]", new() { HasTextString = "Kalshi" });
        await Eventually.ValueAsync(async () => await polymarketCard.CountAsync() == 1 ? (bool?)true : null, "the Polymarket card on the Overview page");
        // Paper: no orders stream shown or reported.
        Assert.Equal(0, await page.Locator("[data-testid=order-stream-state]").CountAsync());
        Assert.Null(await OrderStreamAsync(api, "Polymarket"));

        var armed = await commands.ArmLiveAsync("alert-test", LiveTrading.ConfirmationPhrase, CancellationToken.None);
        Assert.True(armed.Succeeded, string.Join("; ", armed.Errors.Select(e => e.Message)));
        await Eventually.ValueAsync(async () => await OrderStreamAsync(api, "Polymarket") is { Connected: true } ? (bool?)true : null, "Polymarket's orders stream connected in /api/status");
        await Eventually.ValueAsync(async () => await OrderStreamAsync(api, "Kalshi") is { Connected: true } ? (bool?)true : null, "Kalshi's orders stream connected in /api/status");
        await Eventually.ValueAsync(async () => await StreamOnPageAsync(polymarketCard) == "orders stream connected" ? (bool?)true : null, "Polymarket's orders stream connected on the Overview page");

        // Cut: the open user sockets dropped, new ones refused.
        fakes.Exchange.State.RefuseUserConnections = true;
        fakes.Exchange.State.DropUserSockets();
        fault.Inject();

        string? shownDown = null;
        await Eventually.ValueAsync(async () => (shownDown = await StreamOnPageAsync(polymarketCard))?.StartsWith("orders stream down since ", StringComparison.Ordinal) == true ? (bool?)true : null,
            "Polymarket's orders stream shown down on the Overview page");
        Assert.Contains("UTC: fills may be late", shownDown, StringComparison.Ordinal);
        var status = await Eventually.ValueAsync(async () => await OrderStreamAsync(api, "Polymarket") is { Connected: false, DownSince: not null } s ? s : (StreamStatus?)null,
            "Polymarket's orders stream down in /api/status");
        Assert.Contains(status.DownSince!.Value.UtcDateTime.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), shownDown, StringComparison.Ordinal);
        Assert.Equal("orders stream connected", await StreamOnPageAsync(kalshiCard));
        await session.ScreenshotAsync("order-stream-down-overview");
        await desk.WaitForAlertAsync(Down, "the orders stream alert on Discord and Telegram");
        Assert.Equal(0, desk.OnDiscord(Up));

        // Back: the fake takes connections again; the channel reconnects and resubscribes.
        fakes.Exchange.State.RefuseUserConnections = false;
        await Eventually.ValueAsync(async () => await StreamOnPageAsync(polymarketCard) == "orders stream connected" ? (bool?)true : null, "Polymarket's orders stream connected again on the Overview page");
        await Eventually.ValueAsync(async () => await OrderStreamAsync(api, "Polymarket") is { Connected: true, DownSince: null } ? (bool?)true : null, "Polymarket's orders stream connected again in /api/status");
        await desk.WaitForAlertAsync(Up, "the recovery alert on Discord and Telegram");

        // Once each per channel, though the outage lasted several watch ticks and several refused reconnects.
        desk.AssertOncePerChannel(Down);
        desk.AssertOncePerChannel(Up);
        Assert.DoesNotContain(desk.Notify.DiscordMessages, m => m.Contains("Kalshi orders stream", StringComparison.Ordinal));

        // Disarmed: back on paper, no orders stream shown or reported.
        var disarmed = await commands.DisarmLiveAsync("alert-test", CancellationToken.None);
        Assert.True(disarmed.Succeeded);
        await Eventually.ValueAsync(async () => await OrderStreamAsync(api, "Polymarket") is null ? (bool?)true : null, "no orders stream in /api/status on paper");
        await Eventually.ValueAsync(async () => await page.Locator("[data-testid=order-stream-state]").CountAsync() == 0 ? (bool?)true : null, "no orders stream on the Overview page on paper");
        fault.Survived($"Overview showed \"{shownDown}\" and /api/status agreed (Kalshi's stayed connected); one down and one recovery alert on each of Discord and Telegram");
    }

    private readonly record struct StreamStatus(bool Connected, DateTimeOffset? DownSince);

    private static async Task<string?> StreamOnPageAsync(Microsoft.Playwright.ILocator card)
    {
        var stream = card.Locator("[data-testid=order-stream-state]");
        if (await stream.CountAsync() == 0) return null;
        return (await stream.TextContentAsync())?.Trim();
    }

    private static async Task<StreamStatus?> OrderStreamAsync(HttpClient api, string venue)
    {
        var status = await api.GetFromJsonAsync<JsonElement>("/api/status");
        foreach (var v in status.GetProperty("venues").EnumerateArray())
        {
            if (v.GetProperty("id").GetString() != venue) continue;
            var connected = v.GetProperty("orderStreamConnected");
            if (connected.ValueKind == JsonValueKind.Null) return null;
            var since = v.GetProperty("orderStreamDownSince");
            return new StreamStatus(connected.GetBoolean(), since.ValueKind == JsonValueKind.Null ? null : since.GetDateTimeOffset());
        }
        return null;
    }
}
