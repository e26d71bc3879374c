using System.Globalization;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using ArbBot.Web.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ArbBot.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class PairsPageTests
{

    [Fact]
    public async Task Approved_and_paused_pairs_past_fifty_are_shown_fifty_to_a_page()
    {
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory());
        var app = session.App;
        var page = session.Page;
        await app.Services.GetRequiredService<EngineHost>().Ready;
        // 60 paused pairs on markets no venue lists now, stored as a long-running desk would have them.
        await using (var db = await app.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync())
        {
            var now = DateTime.UtcNow;
            for (var i = 0; i < 60; i++)
            {
                db.Pairs.Add(new PairRow
                {
                    KalshiMarketKey = $"KX-PAGED-{i:D2}",
                    PolymarketMarketKey = $"0xpaged{i:D2}",
                    Mapping = nameof(PairMapping.YesYes),
                    Status = nameof(PairStatus.Paused),
                    Score = 50,
                    CreatedUtc = now,
                    UpdatedUtc = now,
                    ApprovedBy = "admin",
                });
            }
            await db.SaveChangesAsync();
        }
        const string CountCards = "() => [...document.querySelectorAll('[data-testid]')].filter(e => /^pair-\\d+$/.test(e.dataset.testid)).length";

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        await page.GotoAsync(session.BaseUrl + "/pairs");
        await page.Locator("[data-testid=desk-controls][data-interactive=yes]").WaitForAsync();
        await page.GetByText("Approved and paused (60)").ClickAsync();
        var pager = page.Locator("[data-testid=pairs-pager]");
        await pager.WaitForAsync();

        Assert.Equal(50, await page.EvaluateAsync<int>(CountCards));
        await pager.GetByText("2", new LocatorGetByTextOptions { Exact = true }).ClickAsync();
        for (var attempt = 0; attempt < 60 && await page.EvaluateAsync<int>(CountCards) != 10; attempt++) await Task.Delay(500);
        Assert.Equal(10, await page.EvaluateAsync<int>(CountCards));
        await session.ScreenshotAsync("pairs-paged");
    }

    [Fact]
    public async Task Admin_approves_a_suggestion_sees_its_live_spread_and_pauses_it()
    {
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory());
        var app = session.App;
        var page = session.Page;
        await app.Services.GetRequiredService<EngineHost>().Ready;
        var pairs = app.Services.GetRequiredService<PairService>();

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        await page.GotoAsync(session.BaseUrl + "/pairs");
        var pairId = await ReviewFirstSuggestionAsync(page);
        var proposed = (await pairs.GetAsync(pairId, CancellationToken.None))!.Comparison!.ProposedMapping;

        await page.ClickAsync("[data-testid=approve]");
        var confirmation = await page.WaitForSelectorAsync("[data-testid=approve-confirmation]");
        var expectedWords = proposed == PairMapping.YesNo ? "Kalshi YES pays when Polymarket NO pays" : "Kalshi YES pays when Polymarket YES pays";
        Assert.Contains(expectedWords, await confirmation!.TextContentAsync(), StringComparison.Ordinal);
        await session.ScreenshotAsync("pairs-approve");
        await page.ClickAsync("[data-testid=confirm-approve]");

        await page.WaitForSelectorAsync($"[data-testid=status-{pairId}]:text('Approved')");
        var approved = Assert.Single(await pairs.ListAsync(PairStatus.Approved, CancellationToken.None));
        Assert.Equal(pairId, approved.Id);
        Assert.Equal(proposed, approved.Mapping);
        Assert.Equal(DeskAppFactory.AdminUser, approved.ApprovedBy);

        // The engine prices the new pair off live books; the page must show the number without a reload.
        var spread = page.Locator($"[data-testid=spread-{pairId}]");
        string? text = null;
        for (var attempt = 0; attempt < 60; attempt++)
        {
            text = (await spread.TextContentAsync())?.Trim();
            if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out _)) break;
            await Task.Delay(500);
        }
        Assert.True(decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out _),
            $"No live spread for pair {pairId} within 30 s (shown: '{text}'). Browser console: " + string.Join(" | ", session.ConsoleMessages));
        await session.ScreenshotAsync("pairs-live");

        await page.ClickAsync($"[data-testid=pause-{pairId}]");
        await page.WaitForSelectorAsync($"[data-testid=status-{pairId}]:text('Paused')");
        var paused = Assert.Single(await pairs.ListAsync(PairStatus.Paused, CancellationToken.None));
        Assert.Equal(pairId, paused.Id);
        Assert.Empty(await pairs.ListAsync(PairStatus.Approved, CancellationToken.None));

        // A change made elsewhere (here straight through the service, as the API does) shows up without a reload.
        Assert.True((await pairs.ResumeAsync(pairId, "api-test", CancellationToken.None)).Succeeded);
        await page.WaitForSelectorAsync($"[data-testid=status-{pairId}]:text('Approved')");

        // Retiring asks first; a retired pair is hidden until the toggle shows it.
        await page.ClickAsync($"[data-testid=retire-{pairId}]");
        await page.WaitForSelectorAsync($"[data-testid=retire-confirmation-{pairId}]");
        Assert.Single(await pairs.ListAsync(PairStatus.Approved, CancellationToken.None));
        await page.ClickAsync($"[data-testid=confirm-retire-{pairId}]");
        await page.WaitForSelectorAsync($"[data-testid=pair-{pairId}]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Detached });
        Assert.Equal(pairId, Assert.Single(await pairs.ListAsync(PairStatus.Retired, CancellationToken.None)).Id);
        await page.ClickAsync("[data-testid=show-retired]");
        await page.WaitForSelectorAsync($"[data-testid=status-{pairId}]:text('Retired')");
    }

    [Fact]
    public async Task Viewer_can_review_a_suggestion_but_cannot_approve_it()
    {
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory());
        var app = session.App;
        var page = session.Page;
        await app.Services.GetRequiredService<EngineHost>().Ready;
        var pairs = app.Services.GetRequiredService<PairService>();
        await session.CreateViewerAsync();
        var before = await pairs.ListAsync(null, CancellationToken.None);

        await session.SignInAsync(BrowserSession.ViewerUser, BrowserSession.ViewerPassword);
        await page.GotoAsync(session.BaseUrl + "/pairs");
        await page.WaitForSelectorAsync("[data-testid=viewer-note]");
        var pairId = await ReviewFirstSuggestionAsync(page);

        Assert.True(await page.Locator("[data-testid=approve]").IsDisabledAsync());
        Assert.Equal(0, await page.Locator("[data-testid=approve]:not([disabled]), [data-testid=confirm-approve]").CountAsync());
        Assert.True(await page.Locator($"[data-testid=retire-{pairId}]").IsDisabledAsync());
        // A forced click on the disabled button must not open the confirmation or change anything.
        await page.Locator("[data-testid=approve]").ClickAsync(new LocatorClickOptions { Force = true });
        await Task.Delay(500);
        Assert.Equal(0, await page.Locator("[data-testid=confirm-approve]").CountAsync());

        var after = await pairs.ListAsync(null, CancellationToken.None);
        Assert.Equal(before.Select(p => (p.Id, p.Status, p.Mapping)), after.Select(p => (p.Id, p.Status, p.Mapping)));
        Assert.Empty(await pairs.ListAsync(PairStatus.Approved, CancellationToken.None));
    }

    /// <summary>
    /// Clicks Review on the first suggestion until the side-by-side view appears: the first click can land on the
    /// prerendered page before the live connection is up.
    /// </summary>
    private static async Task<long> ReviewFirstSuggestionAsync(IPage page)
    {
        var review = page.Locator("[data-testid=review]").First;
        await review.WaitForAsync();
        var pairId = long.Parse((await review.GetAttributeAsync("data-pair-id"))!, CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < 30; attempt++)
        {
            await review.ClickAsync();
            try
            {
                await page.WaitForSelectorAsync("[data-testid=pair-review]", new PageWaitForSelectorOptions { Timeout = 1_000 });
                return pairId;
            }
            catch (System.TimeoutException)
            {
                // Not interactive yet; click again.
            }
        }
        throw new System.TimeoutException("The suggestion's review panel never opened.");
    }
}
