using ArbBot.Engine.Control;
using ArbBot.Engine.Strategies.SpikeHunter;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class StrategiesPageTests
{
    [Fact]
    public async Task Admin_changes_a_spike_hunter_parameter_and_sees_it_applied_and_audited()
    {
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory());
        var page = session.Page;
        var controls = session.App.Services.GetRequiredService<SpikeHunterControls>();

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        await page.ClickAsync(".rz-sidebar a:has-text('Strategies')");
        await page.WaitForURLAsync(url => url.EndsWith("/strategies", StringComparison.Ordinal));
        await page.Locator("[data-testid=spike-editor][data-interactive=yes]").WaitForAsync();

        var numeric = page.Locator("[data-testid=spike-CusumThreshold]");
        await numeric.FillAsync("0.045");
        await numeric.PressAsync("Tab");
        await page.ClickAsync("[data-testid=save-spike]");

        await WaitUntilAsync(() => controls.Settings.CusumThreshold == 0.045m, session, "the new CUSUM threshold to apply");
        Assert.Equal(new SpikeHunterSettings() with { CusumThreshold = 0.045m }, controls.Settings);
        await page.Locator("[data-testid=spike-history-after]:has-text('Spike trigger level (CUSUM threshold): 0.045')").WaitForAsync();
        Assert.Contains("0.03", await page.Locator("[data-testid=spike-history-before]").First.TextContentAsync(), StringComparison.Ordinal);
        await page.Locator("[data-testid=spike-now-CusumThreshold]:has-text('0.045')").WaitForAsync();

        await session.ScreenshotAsync("strategies");
    }

    [Fact]
    public async Task Admin_changes_the_multi_outcome_minimum_edge_on_the_strategies_page_and_it_applies()
    {
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory());
        var page = session.Page;
        var controls = session.App.Services.GetRequiredService<DeskControls>();

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        await page.GotoAsync(session.BaseUrl + "/strategies");
        await page.Locator("[data-testid=spike-editor][data-interactive=yes]").WaitForAsync();
        var numeric = page.Locator("[data-testid=multi-outcome-section] [data-testid=multi-outcome-MinNetEdge]");
        await WaitUntilAsync(() => !numeric.IsDisabledAsync().GetAwaiter().GetResult(), session, "the multi-outcome panel to be editable");

        await numeric.FillAsync("0.035");
        await numeric.PressAsync("Tab");
        await page.ClickAsync("[data-testid=multi-outcome-save]");

        await WaitUntilAsync(() => controls.MultiOutcome.MinNetEdge == 0.035m, session, "the multi-outcome minimum edge to apply");
        await using var db = await session.App.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<ArbBot.Engine.Persistence.ArbBotDbContext>>()
            .CreateDbContextAsync();
        var audit = Assert.Single(db.Audit.Where(a => a.Action == ArbBot.Engine.Control.SettingsStore.MultiOutcomeAction));
        Assert.Equal(DeskAppFactory.AdminUser, audit.Actor);
        Assert.Contains("MinNetEdge=0.035", audit.NewValue, StringComparison.Ordinal);
        await session.ScreenshotAsync("strategies-multi-outcome");
    }

    [Fact]
    public async Task Signals_page_lists_the_markets_closest_to_a_signal_with_their_layers_in_words()
    {
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory());
        var page = session.Page;
        // A short warm-up and a fast clock so the page has warm markets within seconds.
        var commands = session.App.Services.GetRequiredService<DeskCommands>();
        var settings = session.App.Services.GetRequiredService<SpikeHunterControls>().Settings with
        {
            EwmaSpan = 5,
            SampleInterval = TimeSpan.FromMilliseconds(250),
            CusumThreshold = 0.01m,
        };
        Assert.True((await commands.SetSpikeHunterSettingsAsync("test", settings, CancellationToken.None)).Succeeded);

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        await page.ClickAsync(".rz-sidebar a:has-text('Signals')");
        await page.WaitForURLAsync(url => url.EndsWith("/signals", StringComparison.Ordinal));

        await page.Locator("[data-testid=signal-market]").First.WaitForAsync(new() { Timeout = 30_000 });
        Assert.True(await page.Locator("[data-testid=signal-progress]").CountAsync() > 0);
        var words = await page.Locator("[data-testid=signal-state-text]").First.TextContentAsync();
        Assert.Matches("^(Leaning|Quiet)", words);
        // The chart of the market closest to a signal: price, mean, bands, entries, CUSUM± and ROC, growing sample by sample.
        await page.Locator("[data-testid=signal-chart] .main-svg").First.WaitForAsync(new() { Timeout = 30_000 });
        Task<int> Traces() => page.EvaluateAsync<int>("() => document.querySelector('[data-testid=signal-chart]').data.length");
        // −1 while the chart is (re)drawing.
        Task<int> Points() => page.EvaluateAsync<int>("() => document.querySelector('[data-testid=signal-chart]')?.data?.[0]?.x?.length ?? -1");
        Assert.Equal(9, await Traces());
        var before = await Points();
        for (var attempt = 0; attempt < 50 && await Points() <= before; attempt++) await Task.Delay(200);
        Assert.True(await Points() > before, $"the chart stayed at {before} points");

        // Choosing another market from the list charts that one instead.
        // The list re-sorts live, so the test clicks any other market and waits for the chart to change to it.
        var firstId = await page.Locator("[data-testid=signal-chart]").GetAttributeAsync("data-instrument");
        Assert.False(string.IsNullOrEmpty(firstId));
        // The grid re-renders with every sample, so a click can land on a row being replaced: click again until it takes.
        var otherChart = page.Locator($"[data-testid=signal-chart]:not([data-instrument='{firstId}']) .main-svg").First;
        for (var attempt = 0; attempt < 5 && !await otherChart.IsVisibleAsync(); attempt++)
        {
            await page.Locator($"[data-testid=signals-closest] tbody tr:has([data-testid=signal-market]:not([data-instrument='{firstId}']))").First.ClickAsync();
            try { await otherChart.WaitForAsync(new() { Timeout = 5_000 }); }
            catch (TimeoutException) { }
        }
        Assert.True(await otherChart.IsVisibleAsync(), "clicking another market in the list never charted it");
        var points = -1;
        for (var attempt = 0; attempt < 50 && (points = await Points()) <= 0; attempt++) await Task.Delay(200);
        Assert.True(points > 0, $"the second market's chart has no points ({points}): " + string.Join(" | ", session.ConsoleMessages));
        await page.Locator("[data-testid=signal-explanation]").First.WaitForAsync(new() { Timeout = 60_000 });
        Assert.Contains("CUSUM", await page.Locator("[data-testid=signal-explanation]").First.TextContentAsync(), StringComparison.Ordinal);

        await session.ScreenshotAsync("signals");
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
