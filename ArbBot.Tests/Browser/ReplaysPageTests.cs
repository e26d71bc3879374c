using System.Globalization;
using ArbBot.Engine.Hosting;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ArbBot.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class ReplaysPageTests
{
    private const string RecordingName = "paper-run.abrec";

    [Fact]
    public async Task An_admin_replays_a_recording_watches_the_progress_reach_100_percent_and_opens_the_saved_report()
    {
        var app = new DeskAppFactory();
        // A finished recording of a paper run in the app's recordings folder (beside its database), as the recorder leaves one.
        var recordings = Path.Combine(app.DataDirectory, "recordings");
        var staging = Path.Combine(app.DataDirectory, "staging");
        var harness = await PaperDeskHarness.CreateAsync(7, recordTo: staging, beforeFirstBooks: h => h.ApproveSuggestedTruePairs());
        harness.Run(TimeSpan.FromMinutes(2));
        harness.Recorder!.Dispose();
        Directory.CreateDirectory(recordings);
        File.Move(Assert.Single(harness.Recorder.Files), Path.Combine(recordings, RecordingName));

        await using var session = await BrowserSession.StartAsync(app);
        var page = session.Page;
        await session.App.Services.GetRequiredService<EngineHost>().Ready;
        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);

        await page.GotoAsync(session.BaseUrl + "/replays");
        var start = page.Locator($"[data-testid='replay-{RecordingName}']");
        await start.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        // Interactive once the circuit is up: click until the job card appears.
        for (var attempt = 0; attempt < 30 && await page.Locator("[data-testid=replay-job]").CountAsync() == 0; attempt++)
        {
            await start.ClickAsync();
            await page.WaitForTimeoutAsync(500);
        }
        await page.WaitForSelectorAsync("[data-testid=replay-progress]");

        // The bar is driven live by the replay's progress and ends at 100%, with a link to the saved report.
        await page.WaitForSelectorAsync("[data-testid=replay-report-link]", new PageWaitForSelectorOptions { Timeout = 120_000 });
        var percent = await page.Locator("[data-testid=replay-progress]").GetAttributeAsync("aria-valuenow");
        Assert.Equal(100.0, double.Parse(percent!, CultureInfo.InvariantCulture));
        Assert.Contains("Done", await page.TextContentAsync("[data-testid=replay-status]"), StringComparison.Ordinal);
        await page.WaitForSelectorAsync("[data-testid=report-link-1]");
        await session.ScreenshotAsync("replays");

        await page.ClickAsync("[data-testid=replay-report-link]");
        await page.WaitForURLAsync(url => url.EndsWith("/replays/1", StringComparison.Ordinal));
        await page.WaitForSelectorAsync("[data-testid=report-summary]");
        Assert.True(int.Parse(await page.TextContentAsync("[data-testid=report-trades]") ?? "", CultureInfo.InvariantCulture) > 0);
        Assert.Contains("within slippage", await page.TextContentAsync("[data-testid=report-hedges]"), StringComparison.Ordinal);
        // The PnL curve is drawn by the shared Plotly chart.
        await page.WaitForFunctionAsync("() => (document.querySelector('[data-testid=report-pnl-chart]')?.data?.[0]?.x?.length ?? 0) >= 2",
            null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        await session.ScreenshotAsync("replay-report");
    }
}
