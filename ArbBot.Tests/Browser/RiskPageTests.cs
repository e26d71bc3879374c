using ArbBot.Engine.Control;
using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using ArbBot.Web.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ArbBot.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class RiskPageTests
{

    [Fact]
    public async Task Admin_edits_a_limit_and_works_the_global_switches()
    {
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory());
        var page = session.Page;
        var controls = session.App.Services.GetRequiredService<DeskControls>();
        var before = controls.Limits;
        var newSize = before.MaxTradeSize + 250m;

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        await page.ClickAsync(".rz-sidebar a:has-text('Risk')");
        await page.WaitForURLAsync(url => url.EndsWith("/risk", StringComparison.Ordinal));
        await WaitInteractiveAsync(page, session);

        var numeric = page.Locator("[data-testid=limit-MaxTradeSize]");
        await numeric.FillAsync(newSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await numeric.PressAsync("Tab");
        await page.ClickAsync("[data-testid=save-limits]");

        await WaitUntilAsync(() => controls.Limits.MaxTradeSize == newSize, session, "the new max trade size to apply");
        Assert.Equal(before with { MaxTradeSize = newSize }, controls.Limits);
        var after = page.Locator($"[data-testid=history-after]:has-text('Max trade size: {newSize}')");
        await after.WaitForAsync();
        Assert.Contains($"Max trade size: {before.MaxTradeSize}", await page.Locator("[data-testid=history-before]").First.TextContentAsync(), StringComparison.Ordinal);
        await session.ScreenshotAsync("risk");

        await page.ClickAsync("[data-testid=pause-trading]");
        await WaitUntilAsync(() => controls.TradingPaused, session, "trading to pause");
        await page.Locator("[data-testid=trading-state]:has-text('Paused')").WaitForAsync();
        await page.ClickAsync("[data-testid=resume-trading]");
        await WaitUntilAsync(() => !controls.TradingPaused, session, "trading to resume");
        await page.Locator("[data-testid=trading-state]:has-text('Running')").WaitForAsync();

        await page.ClickAsync("[data-testid=engage-kill-switch]");
        await page.ClickAsync(".rz-dialog-confirm-buttons button:has-text('Engage kill switch')");
        await WaitUntilAsync(() => controls.KillSwitchEngaged, session, "the kill switch to engage");
        await page.Locator("[data-testid=kill-switch-state]").WaitForAsync();
        await session.ScreenshotAsync("kill-switch");

        await page.ClickAsync("[data-testid=reset-kill-switch]");
        await page.ClickAsync(".rz-dialog-confirm-buttons button:has-text('Reset kill switch')");
        await WaitUntilAsync(() => !controls.KillSwitchEngaged, session, "the kill switch to reset");
        await page.Locator("[data-testid=engage-kill-switch]").WaitForAsync();

        // Another client (here the command API itself, as the REST API uses it) pauses: the open header follows live.
        var commands = session.App.Services.GetRequiredService<DeskCommands>();
        await commands.PauseTradingAsync("api-admin-key", "maintenance window", CancellationToken.None);
        await page.Locator("[data-testid=trading-state]:has-text('Paused: maintenance window')").WaitForAsync();
        await commands.ResumeTradingAsync("api-admin-key", CancellationToken.None);
        await page.Locator("[data-testid=trading-state]:has-text('Running')").WaitForAsync();
    }

    [Fact]
    public async Task Viewer_sees_the_controls_disabled_and_changes_nothing()
    {
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory());
        var page = session.Page;
        await session.CreateViewerAsync();
        var controls = session.App.Services.GetRequiredService<DeskControls>();
        var before = controls.State;

        await session.SignInAsync(BrowserSession.ViewerUser, BrowserSession.ViewerPassword);
        await page.GotoAsync(session.BaseUrl + "/risk");
        await WaitInteractiveAsync(page, session);

        Assert.True(await page.Locator("[data-testid=pause-trading]").IsDisabledAsync());
        Assert.True(await page.Locator("[data-testid=engage-kill-switch]").IsDisabledAsync());
        Assert.True(await page.Locator("[data-testid=save-limits]").IsDisabledAsync());
        Assert.True(await page.Locator("[data-testid=limit-MaxTradeSize]").IsDisabledAsync());

        // Force skips Playwright's wait for an enabled element: the click reaches the disabled buttons and does nothing.
        await page.Locator("[data-testid=pause-trading]").ClickAsync(new LocatorClickOptions { Force = true });
        await page.Locator("[data-testid=engage-kill-switch]").ClickAsync(new LocatorClickOptions { Force = true });
        await page.Locator("[data-testid=save-limits]").ClickAsync(new LocatorClickOptions { Force = true });
        await Task.Delay(1_000);

        Assert.Equal(0, await page.Locator(".rz-dialog-confirm-buttons").CountAsync());
        Assert.Equal(before, controls.State);
    }

    private static async Task WaitInteractiveAsync(IPage page, BrowserSession session)
    {
        try
        {
            await page.Locator("[data-testid=desk-controls][data-interactive=yes]").WaitForAsync();
            await page.Locator("[data-testid=limits-editor][data-interactive=yes]").WaitForAsync();
        }
        catch (TimeoutException)
        {
            await session.ScreenshotAsync("risk-not-interactive");
            Assert.Fail("The Risk page did not become interactive. Browser console: " + string.Join(" | ", session.ConsoleMessages));
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, BrowserSession session, string what)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (condition()) return;
            await Task.Delay(100);
        }
        Assert.Fail($"Timed out waiting for {what}. Browser console: " + string.Join(" | ", session.ConsoleMessages));
    }
}
