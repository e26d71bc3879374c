using System.Globalization;
using ArbBot.Engine.Hosting;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ArbBot.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class SpreadsPageTests
{
    private const int SamplesPerPair = 60;
    private const string ChartPoints = "() => document.querySelector('[data-testid=spread-chart]')?.data?.[0]?.x?.length ?? -1";
    private const string LastChartTime = "() => { const x = document.querySelector('[data-testid=spread-chart]').data[0].x; return x.length ? String(x[x.length - 1]) : ''; }";

    [Fact]
    public async Task An_approved_pair_shows_a_live_row_and_a_chart_that_appends_points_within_its_bound()
    {
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory(new Dictionary<string, string?>
        {
            ["ArbBot:Dashboard:SpreadHistory:SamplesPerPair"] = SamplesPerPair.ToString(CultureInfo.InvariantCulture),
        }));
        var page = session.Page;
        await session.App.Services.GetRequiredService<EngineHost>().Ready;
        await session.CreateViewerAsync();
        await session.SignInAsync(BrowserSession.ViewerUser, BrowserSession.ViewerPassword);

        // Before any approval the page says what to do.
        await page.GotoAsync(session.BaseUrl + "/spreads");
        await page.WaitForSelectorAsync("[data-testid=no-spreads]");

        var pairId = (await DeskPairs.ApproveTruePairsAsync(session.App.Services, 1))[0];

        // The row appears and its prices come alive without a reload (the page is driven by the desk snapshot).
        var netEdge = page.Locator($"[data-testid=net-edge-{pairId}-0]");
        await netEdge.WaitForAsync();
        var kalshiAsk = await page.Locator($"[data-testid=kalshi-ask-{pairId}-0]").TextContentAsync();
        Assert.True(decimal.TryParse(kalshiAsk, NumberStyles.Number, CultureInfo.InvariantCulture, out var ask) && ask is > 0m and < 1m, $"Kalshi ask shown: '{kalshiAsk}'");
        Assert.True(TryParseEdge(await netEdge.TextContentAsync(), out _));
        Assert.Equal(0, await page.Locator("[data-testid=no-spreads]").CountAsync());
        Assert.Contains("Net edge", await page.TextContentAsync("[data-testid=spread-captions]"), StringComparison.Ordinal);
        await session.ScreenshotAsync("spreads");

        await page.ClickAsync($"[data-testid=spread-link-{pairId}]");
        await page.WaitForURLAsync(url => url.EndsWith($"/spreads/{pairId}", StringComparison.Ordinal));
        await page.WaitForSelectorAsync("[data-testid=pair-markets]");
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=spread-chart]')?.data?.length === 6");

        // Points are appended live...
        var first = await page.EvaluateAsync<int>(ChartPoints);
        Assert.InRange(first, 0, SamplesPerPair - 1);
        var grown = await WaitForAsync(page, async () => await page.EvaluateAsync<int>(ChartPoints) > first, TimeSpan.FromSeconds(30));
        Assert.True(grown, $"The chart stayed at {first} points. Browser console: " + string.Join(" | ", session.ConsoleMessages));

        // ...and the history stays bounded: once full, new points still arrive but the oldest go.
        var full = await WaitForAsync(page, async () => await page.EvaluateAsync<int>(ChartPoints) >= SamplesPerPair, TimeSpan.FromSeconds(60));
        Assert.True(full, $"The chart never reached {SamplesPerPair} points (has {await page.EvaluateAsync<int>(ChartPoints)}).");
        var lastWhenFull = await page.EvaluateAsync<string>(LastChartTime);
        var moved = await WaitForAsync(page, async () => await page.EvaluateAsync<string>(LastChartTime) != lastWhenFull, TimeSpan.FromSeconds(30));
        Assert.True(moved, "No point was appended after the chart was full.");
        Assert.Equal(SamplesPerPair, await page.EvaluateAsync<int>(ChartPoints));
        // The dashboard scrolls inside its body, not the page: a tall viewport gets the whole page in the picture.
        await page.SetViewportSizeAsync(1400, 1700);
        await page.WaitForTimeoutAsync(500);
        await session.ScreenshotAsync("spread-chart");
    }

    [Fact]
    public async Task An_unknown_or_malformed_pair_id_gets_a_clear_message()
    {
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory());
        var page = session.Page;
        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);

        foreach (var id in new[] { "987654", "not-a-pair" })
        {
            await page.GotoAsync(session.BaseUrl + "/spreads/" + id);
            var message = await page.WaitForSelectorAsync("[data-testid=pair-not-found]");
            Assert.Contains($"There is no pair \"{id}\"", await message!.TextContentAsync(), StringComparison.Ordinal);
            Assert.Equal(0, await page.Locator("[data-testid=spread-chart]").CountAsync());
        }
    }

    private static bool TryParseEdge(string? text, out decimal value) =>
        decimal.TryParse(text?.Trim().Replace('\u2212', '-'), NumberStyles.Number, CultureInfo.InvariantCulture, out value);

    private static async Task<bool> WaitForAsync(IPage page, Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await page.WaitForTimeoutAsync(250);
        }
        return await condition();
    }
}
