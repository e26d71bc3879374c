using System.Globalization;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Hosting;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ArbBot.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class PositionsPageTests(ITestOutputHelper output)
{
    private const string ChartPoints = "() => document.querySelector('[data-testid=pnl-chart]')?.data?.[0]?.x?.length ?? -1";

    [Fact]
    public async Task A_viewer_sees_positions_and_locked_profit_appear_after_trades_and_the_pnl_curve_grow()
    {
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory());
        var page = session.Page;
        var services = session.App.Services;
        await services.GetRequiredService<EngineHost>().Ready;
        await session.CreateViewerAsync();
        await session.SignInAsync(BrowserSession.ViewerUser, BrowserSession.ViewerPassword);

        await page.GotoAsync(session.BaseUrl + "/positions");
        // Multi-outcome arbitrage needs no approved pair and is on by default: on a slow machine it can trade before the
        // page is up, so the page may open on a position rather than on "no positions" (either is the page working).
        await page.WaitForSelectorAsync("[data-testid=no-positions], [data-testid=position-row]", new PageWaitForSelectorOptions { Timeout = 60_000 });
        var rowsAtOpen = await page.Locator("[data-testid=position-row]").CountAsync();
        output.WriteLine(rowsAtOpen == 0 ? "The page opened on no positions." : $"The page opened on {rowsAtOpen} positions (multi-outcome trades before any pair was approved).");
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=pnl-chart]')?.data?.length === 3");
        var pointsBefore = await page.EvaluateAsync<int>(ChartPoints);

        // Every true pair approved: the simulator dislocates each market every few minutes, so across all of them a
        // trade comes within a minute or so. The page must show it without a reload.
        var started = DateTime.UtcNow;
        await DeskPairs.ApproveTruePairsAsync(services, int.MaxValue);
        // A position the page did not open with must appear while it stays open.
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('[data-testid=position-row]').length > {rowsAtOpen}", null,
            new PageWaitForFunctionOptions { Timeout = 240_000 });
        output.WriteLine($"A new position shown {(DateTime.UtcNow - started).TotalSeconds:0} s after approving the pairs.");

        var portfolio = services.GetRequiredService<DeskMonitor>().Latest.Portfolio;
        Assert.NotEmpty(portfolio.Positions);
        Assert.True(await page.Locator("[data-testid=position-row]").CountAsync() >= 1);
        var quantity = await page.Locator("[data-testid=position-quantity]").First.TextContentAsync();
        Assert.True(decimal.TryParse(quantity, NumberStyles.Number, CultureInfo.InvariantCulture, out var q) && q != 0m, $"quantity shown: '{quantity}'");

        // A hedged trade holds complete sets on a pair, shown with their locked profit.
        var holding = portfolio.Pairs.FirstOrDefault(h => h.SetsHeld > 0m);
        if (holding is not null)
        {
            await page.WaitForSelectorAsync($"[data-testid=pair-holding-{holding.PairId}]");
            var sets = await page.TextContentAsync($"[data-testid=sets-held-{holding.PairId}]");
            Assert.True(decimal.TryParse(sets, NumberStyles.Number, CultureInfo.InvariantCulture, out var held) && held > 0m, $"sets shown: '{sets}'");
        }
        Assert.StartsWith("$", (await page.TextContentAsync("[data-testid=total-equity]"))?.Trim(), StringComparison.Ordinal);
        Assert.Contains("what complete sets will pay at settlement minus what they cost", (await page.TextContentAsync("[data-testid=figure-locked]"))!,
            StringComparison.OrdinalIgnoreCase);

        // The PnL curve gets live points while the page is open.
        var grew = false;
        for (var attempt = 0; attempt < 40 && !grew; attempt++)
        {
            grew = await page.EvaluateAsync<int>(ChartPoints) > pointsBefore;
            if (!grew) await page.WaitForTimeoutAsync(250);
        }
        Assert.True(grew, "The PnL chart got no live point. Browser console: " + string.Join(" | ", session.ConsoleMessages));
        // The dashboard scrolls inside its body, not the page: a tall viewport gets the whole page in the picture.
        await page.SetViewportSizeAsync(1400, 1700);
        await page.WaitForTimeoutAsync(500);
        await session.ScreenshotAsync("positions");
    }
}
