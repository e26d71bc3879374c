using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class OverviewPageTests
{
    [Fact]
    public async Task Signed_in_user_sees_live_prices_change_on_the_overview()
    {
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory());
        var page = session.Page;

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);

        Assert.Equal("PAPER", (await page.TextContentAsync("[data-testid=mode-banner]"))?.Trim());
        await page.WaitForSelectorAsync("[data-testid=bid]:not(:text('—'))");
        var before = await ReadBidsAsync(page);
        Assert.NotEmpty(before);

        // The simulator moves prices every step; some bid on the first page must change within the wait.
        var changed = false;
        for (var attempt = 0; attempt < 60 && !changed; attempt++)
        {
            await Task.Delay(500);
            var now = await ReadBidsAsync(page);
            changed = now.Any(kv => before.TryGetValue(kv.Key, out var old) && old != kv.Value);
        }

        await session.ScreenshotAsync("overview");
        Assert.True(changed, "No bid on the Overview page changed within 30 s. Browser console: " + string.Join(" | ", session.ConsoleMessages));
    }

    private static async Task<Dictionary<string, string>> ReadBidsAsync(Microsoft.Playwright.IPage page)
    {
        var cells = await page.QuerySelectorAllAsync("[data-testid=bid]");
        var result = new Dictionary<string, string>();
        foreach (var cell in cells)
        {
            var symbol = await cell.GetAttributeAsync("data-symbol") ?? "";
            result[symbol] = (await cell.TextContentAsync())?.Trim() ?? "";
        }
        return result;
    }
}
