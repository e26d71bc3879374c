using System.Globalization;
using ArbBot.Engine.Control;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Venues.Simulated;
using ArbBot.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ArbBot.Tests.Browser;

/// <summary>
/// What an operator does while the desk trades: pause and resume, tighten a limit, watch the Overview. The simulator
/// runs with frequent cross-venue dislocations (a setting a demo would use too) so trades come within seconds.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TradingFlowTests
{
    private static DeskAppFactory BusyDesk() => new(new Dictionary<string, string?>
    {
        // About one dislocation every three seconds per market: with every true pair approved, trades come quickly.
        ["ArbBot:Simulator:DislocationsPerHour"] = "1200",
    });

    [Fact]
    public async Task Pausing_stops_new_trades_until_resumed_and_the_trades_page_shows_it()
    {
        await using var session = await BrowserSession.StartAsync(BusyDesk());
        var page = session.Page;
        var services = session.App.Services;
        var controls = services.GetRequiredService<DeskControls>();
        var executor = services.GetRequiredService<ArbitrageExecutor>();
        await ApproveTruePairsAsync(session.App);

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        await page.GotoAsync(session.BaseUrl + "/trades");
        await page.Locator("[data-testid=desk-controls][data-interactive=yes]").WaitForAsync();
        // The page counts trades live, without a reload.
        await WaitUntilAsync(async () => await ShownTradeCountAsync(page) > 0, session, "a first trade on the Trades page", TimeSpan.FromSeconds(90));

        await page.ClickAsync("[data-testid=pause-trading]");
        await WaitUntilAsync(() => Task.FromResult(controls.TradingPaused), session, "trading to pause", TimeSpan.FromSeconds(10));
        var pausedAt = DateTime.UtcNow;
        // An execution already under way finishes (its hedge must complete); none may start after the pause.
        await WaitUntilAsync(() => Task.FromResult(executor.ActiveExecutions == 0), session, "running executions to finish", TimeSpan.FromSeconds(30));
        var attemptedWhenPaused = executor.Stats.Attempted;
        // Records are written in batches off the engine's thread: give the last ones time to land.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var tradesWhenPaused = await RecordedTradesAsync(session.App);

        // Opportunities keep coming while paused: each is refused by the global pause, on the record, and nothing trades.
        await WaitUntilAsync(async () => await PauseRefusalsSinceAsync(session.App, pausedAt) > 0, session,
            "an opportunity refused because trading is paused", TimeSpan.FromSeconds(60));
        await WaitUntilAsync(async () => await ShownTradeCountAsync(page) == tradesWhenPaused, session, "the page to show every trade before the pause",
            TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(attemptedWhenPaused, executor.Stats.Attempted);
        Assert.Equal(tradesWhenPaused, await RecordedTradesAsync(session.App));
        Assert.Equal(tradesWhenPaused, await ShownTradeCountAsync(page));
        await page.Locator("[data-testid=trading-state]:has-text('Paused')").WaitForAsync();
        await session.ScreenshotAsync("trades-paused");

        await page.ClickAsync("[data-testid=resume-trading]");
        await WaitUntilAsync(() => Task.FromResult(!controls.TradingPaused), session, "trading to resume", TimeSpan.FromSeconds(10));
        await WaitUntilAsync(async () => await ShownTradeCountAsync(page) > tradesWhenPaused, session,
            () => DiagnoseAsync(session.App, executor), "a new trade after resuming", TimeSpan.FromSeconds(90));
        Assert.True(executor.Stats.Attempted > attemptedWhenPaused);
        await session.ScreenshotAsync("trades-resumed");
    }

    [Fact]
    public async Task Lowering_max_trade_size_with_its_slider_makes_the_gate_shrink_or_refuse_the_next_opportunity_for_that_reason()
    {
        await using var session = await BrowserSession.StartAsync(BusyDesk());
        var page = session.Page;
        var controls = session.App.Services.GetRequiredService<DeskControls>();
        await ApproveTruePairsAsync(session.App);

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        await page.GotoAsync(session.BaseUrl + "/risk");
        await page.Locator("[data-testid=limits-editor][data-interactive=yes]").WaitForAsync();

        // Drag the slider's handle all the way to the left: its minimum, $1.
        var row = page.Locator("[data-testid=limit-row-MaxTradeSize]");
        var handle = row.Locator(".rz-slider-handle");
        var track = (await row.Locator(".rz-slider").BoundingBoxAsync())!;
        var start = (await handle.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(start.X + start.Width / 2, start.Y + start.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(track.X - 50, start.Y + start.Height / 2, new MouseMoveOptions { Steps = 10 });
        await page.Mouse.UpAsync();
        await WaitUntilAsync(async () => await page.Locator("[data-testid=limit-MaxTradeSize]").InputValueAsync() == "1", session,
            "the numeric entry to follow the slider to 1", TimeSpan.FromSeconds(10));
        var changedAt = DateTime.UtcNow;
        await page.ClickAsync("[data-testid=save-limits]");
        await WaitUntilAsync(() => Task.FromResult(controls.Limits.MaxTradeSize == 1m), session, "the new max trade size to apply", TimeSpan.FromSeconds(10));

        // At $1 no opportunity fits whole: the next one is refused (or shrunk) by the max trade size rule, shown live.
        var decision = page.Locator("[data-testid=risk-decisions] tr:has([data-testid=risk-decision-rule]:text-is('MaxTradeSize'))"
            + ":has([data-testid=risk-decision-detail]:has-text('max trade size 1.00'))").First;
        try
        {
            await decision.WaitForAsync(new LocatorWaitForOptions { Timeout = 90_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail("No MaxTradeSize decision at 1.00 shown. " + await DiagnoseAsync(session.App, session.App.Services.GetRequiredService<ArbitrageExecutor>()));
        }
        var detail = await decision.Locator("[data-testid=risk-decision-detail]").TextContentAsync();
        Assert.Contains("exceeds max trade size 1.00", detail, StringComparison.Ordinal);
        await using (var db = await session.App.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync())
        {
            Assert.True(await db.RiskEvents.AnyAsync(e => e.Rule == "MaxTradeSize" && e.AtUtc >= changedAt.AddSeconds(-1)));
            // Nothing bigger than the limit was sent after the change took effect.
            var after = await db.Orders.Where(o => o.CreatedUtc > changedAt.AddSeconds(1) && o.Role == "FirstLeg").ToListAsync();
            Assert.All(after, o => Assert.True(o.LimitPrice * o.Quantity <= 1m, $"order {o.ClientOrderId} for {o.Quantity} at {o.LimitPrice}"));
        }
        await session.ScreenshotAsync("risk-max-trade-size");
    }

    [Fact]
    public async Task Overview_shows_the_gauges_latency_and_win_rate_once_trades_happen()
    {
        await using var session = await BrowserSession.StartAsync(BusyDesk());
        var page = session.Page;
        var executor = session.App.Services.GetRequiredService<ArbitrageExecutor>();
        await ApproveTruePairsAsync(session.App);

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        await WaitUntilAsync(() => Task.FromResult(executor.Stats.Executed > 0), session, "a first executed trade", TimeSpan.FromSeconds(90));

        // Each venue that answered an order shows its latency; the summary says how many trades made money.
        await page.Locator("[data-testid=venue-latency]:has-text('median')").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        await page.Locator("[data-testid=win-rate]:not(:text-is('—'))").WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        foreach (var gauge in new[] { "daily-loss", "exposure", "drawdown", "positions" })
        {
            // The gauge draws its arc once the browser has measured it.
            await page.Locator($"[data-testid=gauge-{gauge}] svg path").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        }
        var exposure = await page.Locator("[data-testid=gauge-exposure] [data-testid=gauge-value]").TextContentAsync();
        Assert.Matches(@"^\$[\d,]+\.\d\d of \$10,000\.00$", exposure);
        Assert.Matches(@"Closed\s+\d+ of 1000 failed trades", await page.Locator("[data-testid=breaker-state]").TextContentAsync());
        Assert.Contains("Off", await page.Locator("[data-testid=kill-switch-summary]").TextContentAsync(), StringComparison.Ordinal);
        await session.ScreenshotAsync("overview-desk");
    }

    /// <summary>
    /// Approves, as an admin would after checking them, every suggestion that truly is the same contract. Trades are
    /// capped at $50 so that a busy minute does not use up the total exposure limit; the open-position limit and the
    /// circuit breaker are raised so that no other rule stops trading while a test watches one.
    /// </summary>
    private static async Task ApproveTruePairsAsync(DeskAppFactory app)
    {
        await app.Services.GetRequiredService<EngineHost>().Ready;
        var controls = app.Services.GetRequiredService<DeskControls>();
        var small = await app.Services.GetRequiredService<DeskCommands>().SetLimitsAsync("flow-test-admin", controls.Limits with
        {
            MaxTradeSize = 50m,
            MaxOpenPositions = 1_000,
            CircuitBreakerFailures = 1_000,
        }, CancellationToken.None);
        Assert.True(small.Succeeded);
        var approved = (await DeskPairs.ApproveTruePairsAsync(app.Services, int.MaxValue)).Count;
        Assert.True(approved >= 10, $"only {approved} true pairs were suggested");
    }

    private static async Task<int> ShownTradeCountAsync(IPage page) =>
        int.Parse((await page.Locator("[data-testid=trades-count]").TextContentAsync())!.Trim(), CultureInfo.InvariantCulture);

    private static async Task<int> RecordedTradesAsync(DeskAppFactory app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();
        return await db.Executions.CountAsync();
    }

    private static async Task<int> PauseRefusalsSinceAsync(DeskAppFactory app, DateTime since)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();
        return await db.RiskEvents.CountAsync(e => e.Rule == "GlobalPause" && e.AtUtc >= since);
    }

    private static async Task<string> DiagnoseAsync(DeskAppFactory app, ArbitrageExecutor executor)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();
        var events = await db.RiskEvents.OrderByDescending(e => e.Id).Take(20).ToListAsync();
        var opportunities = await db.Opportunities.OrderByDescending(e => e.Id).Take(5).ToListAsync();
        return $"stats {executor.Stats}; trades recorded {await db.Executions.CountAsync()}; latest risk events: "
            + string.Join(" / ", events.Select(e => $"{e.AtUtc:HH:mm:ss} {e.Rule} {e.Verdict} {e.Detail}"))
            + "; latest opportunities: " + string.Join(" / ", opportunities.Select(o => $"{o.DetectedUtc:HH:mm:ss} {o.Decision} {o.Reason}"));
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, BrowserSession session, string what, TimeSpan timeout) =>
        WaitUntilAsync(condition, session, () => Task.FromResult(""), what, timeout);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, BrowserSession session, Func<Task<string>> diagnose, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(200);
        }
        Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}. {await diagnose()} Browser console: " + string.Join(" | ", session.ConsoleMessages));
    }
}
