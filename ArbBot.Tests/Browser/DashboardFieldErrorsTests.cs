using ArbBot.Engine.Control;
using ArbBot.Engine.Notifications;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Replay;
using ArbBot.Engine.Strategies.SpikeHunter;
using ArbBot.Tests.Fixtures;
using ArbBot.Web.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ArbBot.Tests.Browser;

/// <summary>
/// Bad input on every dashboard form: the error shows beside the field it names, and nothing changes — no setting, no
/// user, no audit row. One browser for all the forms: start-up is the slow part.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardFieldErrorsTests
{
    private static readonly LocatorWaitForOptions Patient = new() { Timeout = 30_000 };

    [Fact]
    public async Task Bad_input_on_each_dashboard_form_shows_an_error_beside_the_field_it_names_and_changes_nothing()
    {
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory());
        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);

        await NotificationsAsync(session);
        await UsersAsync(session);
        await LiveAsync(session);
        await MultiOutcomeAsync(session);
        await SpikeHunterAsync(session);
        await RiskLimitsAsync(session);
        await ReplaysAsync(session);
    }

    private static async Task NotificationsAsync(BrowserSession session)
    {
        var page = session.Page;
        var controls = session.App.Services.GetRequiredService<NotificationControls>();
        var before = controls.Settings;
        var auditBefore = await AuditCountAsync(session);
        await page.GotoAsync(session.BaseUrl + "/notifications");
        await WaitAsync(page.Locator("[data-testid=notifications-page][data-interactive=yes]"), session, "notifications");

        await page.FillAsync("[data-testid=notify-TelegramChatId]", "not a chat!");
        await page.PressAsync("[data-testid=notify-TelegramChatId]", "Tab");
        var perMinute = page.Locator("[data-testid=notify-MaxPerMinute] input, input[data-testid=notify-MaxPerMinute]");
        await perMinute.FillAsync("500");
        await perMinute.PressAsync("Tab");
        await page.ClickAsync("[data-testid=notify-save]");

        // Each message sits right after its field's label and names the field.
        var chatError = page.Locator("label:has([data-testid=notify-TelegramChatId]) + [data-testid=error-TelegramChatId]");
        await WaitAsync(chatError, session, "notifications-chat-error");
        Assert.Contains("Telegram chat id", await chatError.TextContentAsync(), StringComparison.Ordinal);
        var perMinuteError = page.Locator("label:has([data-testid=notify-MaxPerMinute]) + [data-testid=error-MaxPerMinute]");
        await WaitAsync(perMinuteError, session, "notifications-per-minute-error");
        Assert.Contains("Messages per minute must be between 1 and 60", await perMinuteError.TextContentAsync(), StringComparison.Ordinal);
        await session.ScreenshotAsync("field-errors-notifications");

        Assert.Equal("", await page.Locator("[data-testid=notify-saved]").TextContentAsync());
        Assert.Equal(before, controls.Settings);
        Assert.Equal(auditBefore, await AuditCountAsync(session));
    }

    private static async Task UsersAsync(BrowserSession session)
    {
        var page = session.Page;
        var accounts = session.App.Services.GetRequiredService<UserAccounts>();
        var usersBefore = await accounts.ListAsync(CancellationToken.None);
        var auditBefore = await AuditCountAsync(session);
        await page.GotoAsync(session.BaseUrl + "/users");
        await WaitAsync(page.Locator("[data-testid=users-page][data-interactive=yes]"), session, "users");

        // A malformed name and a short password: both refused, each under its own input.
        await page.FillAsync("[data-testid=new-user-name]", "no spaces allowed");
        await page.SelectOptionAsync("[data-testid=new-user-role]", Roles.Viewer);
        await page.FillAsync("[data-testid=new-user-password]", "short");
        await page.PressAsync("[data-testid=new-user-password]", "Tab");
        await page.ClickAsync("[data-testid=add-user]");
        var nameError = page.Locator("[data-testid=new-user-name] + [data-testid=error-userName]");
        await WaitAsync(nameError, session, "users-name-error");
        Assert.Contains("user name", await nameError.TextContentAsync(), StringComparison.OrdinalIgnoreCase);
        var passwordError = page.Locator("[data-testid=new-user-password] + [data-testid=error-password]");
        await WaitAsync(passwordError, session, "users-password-error");
        Assert.Contains($"password needs at least {UserAccounts.MinimumPasswordLength} characters", await passwordError.TextContentAsync(), StringComparison.Ordinal);

        // A name that is taken: refused beside the name, the password line gone.
        await page.FillAsync("[data-testid=new-user-name]", DeskAppFactory.AdminUser);
        await page.FillAsync("[data-testid=new-user-password]", "a-long-enough-password");
        await page.PressAsync("[data-testid=new-user-password]", "Tab");
        await page.ClickAsync("[data-testid=add-user]");
        await WaitAsync(page.Locator($"[data-testid=new-user-name] + [data-testid=error-userName]:has-text(\"already a user named '{DeskAppFactory.AdminUser}'\")"),
            session, "users-duplicate-error");
        Assert.Equal(0, await page.Locator("[data-testid=add-user-form] [data-testid=error-password]").CountAsync());
        await session.ScreenshotAsync("field-errors-users");

        // Reset: no user chosen, then a short password; each error under its own field.
        await page.FillAsync("[data-testid=reset-password]", "a-long-enough-password");
        await page.PressAsync("[data-testid=reset-password]", "Tab");
        await page.ClickAsync("[data-testid=reset-user-password]");
        await WaitAsync(page.Locator("[data-testid=reset-user-name] + [data-testid=error-userName]:has-text('Choose a user')"), session, "reset-user-error");
        await page.SelectOptionAsync("[data-testid=reset-user-name]", DeskAppFactory.AdminUser);
        await page.FillAsync("[data-testid=reset-password]", "short");
        await page.PressAsync("[data-testid=reset-password]", "Tab");
        await page.ClickAsync("[data-testid=reset-user-password]");
        var resetError = page.Locator("[data-testid=reset-password] + [data-testid=error-password]");
        await WaitAsync(resetError, session, "reset-password-error");
        Assert.Contains($"password needs at least {UserAccounts.MinimumPasswordLength} characters", await resetError.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("[data-testid=reset-password-form] [data-testid=error-userName]").CountAsync());

        Assert.Equal(usersBefore.Select(u => (u.UserName, u.Role)), (await accounts.ListAsync(CancellationToken.None)).Select(u => (u.UserName, u.Role)));
        Assert.Equal(auditBefore, await AuditCountAsync(session));
        // The admin's password was not reset: it still signs in (a fresh context, so this page's session is untouched).
        await using var other = await session.Browser.NewContextAsync();
        var otherPage = await other.NewPageAsync();
        await otherPage.GotoAsync(session.BaseUrl + "/login");
        await otherPage.FillAsync("#username", DeskAppFactory.AdminUser);
        await otherPage.FillAsync("#password", DeskAppFactory.AdminPassword);
        await otherPage.ClickAsync("button[type=submit]");
        await otherPage.Locator("[data-testid=signed-in-user]").WaitForAsync(new() { Timeout = 30_000 });
    }

    private static async Task LiveAsync(BrowserSession session)
    {
        var page = session.Page;
        var live = session.App.Services.GetRequiredService<LiveTrading>();
        var auditBefore = await AuditCountAsync(session);
        await page.GotoAsync(session.BaseUrl + "/live");
        await WaitAsync(page.Locator("[data-testid=live-page][data-interactive=yes]"), session, "live");

        await page.FillAsync("[data-testid=live-confirmation]", "arm live");
        await page.PressAsync("[data-testid=live-confirmation]", "Tab");
        await page.ClickAsync("[data-testid=live-arm]");
        var error = page.Locator("div:has(> label [data-testid=live-confirmation]) + [data-testid=error-confirmation]");
        await WaitAsync(error, session, "live-confirmation-error");
        Assert.Contains($"Type {LiveTrading.ConfirmationPhrase} exactly", await error.TextContentAsync(), StringComparison.Ordinal);
        await session.ScreenshotAsync("field-errors-live");

        Assert.False(live.Armed);
        Assert.Contains("PAPER", await page.Locator("[data-testid=live-state]").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(auditBefore, await AuditCountAsync(session));
    }

    private static async Task MultiOutcomeAsync(BrowserSession session)
    {
        var page = session.Page;
        var controls = session.App.Services.GetRequiredService<DeskControls>();
        var before = controls.MultiOutcome;
        var auditBefore = await AuditCountAsync(session);
        await page.GotoAsync(session.BaseUrl + "/strategies");
        await WaitAsync(page.Locator("[data-testid=multi-outcome-settings][data-interactive=yes]"), session, "multi-outcome");
        var tickers = page.Locator("[data-testid=multi-outcome-KalshiExhaustiveEvents]");
        await WaitAsync(page.Locator("[data-testid=multi-outcome-KalshiExhaustiveEvents]:enabled"), session, "multi-outcome-editable");

        await tickers.FillAsync("KXGOOD, bad!ticker");
        await tickers.PressAsync("Tab");
        var outcomes = page.Locator("[data-testid=multi-outcome-MaxOutcomes]");
        await outcomes.FillAsync("500");
        await outcomes.PressAsync("Tab");
        await page.ClickAsync("[data-testid=multi-outcome-save]");
        var outcomesError = page.Locator("[data-testid=multi-outcome-error-MaxOutcomes]");
        await WaitAsync(outcomesError, session, "multi-outcome-count-error");
        Assert.Contains("MaxOutcomes must be between 2 and 50 (was 500)", await outcomesError.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("500", await outcomes.InputValueAsync());
        var error = page.Locator("[data-testid=multi-outcome-KalshiExhaustiveEvents] + [data-testid=multi-outcome-error-KalshiExhaustiveEvents]");
        await WaitAsync(error, session, "multi-outcome-ticker-error");
        var text = await error.TextContentAsync();
        Assert.Contains("KalshiExhaustiveEvents", text, StringComparison.Ordinal);
        Assert.Contains("'bad!ticker' is not a Kalshi event ticker", text, StringComparison.Ordinal);
        await session.ScreenshotAsync("field-errors-multi-outcome");

        Assert.Equal(before, controls.MultiOutcome);
        Assert.Equal(auditBefore, await AuditCountAsync(session));
    }

    private static async Task SpikeHunterAsync(BrowserSession session)
    {
        var page = session.Page;
        var controls = session.App.Services.GetRequiredService<SpikeHunterControls>();
        var before = controls.Settings;
        var auditBefore = await AuditCountAsync(session);
        await page.GotoAsync(session.BaseUrl + "/strategies");
        await WaitAsync(page.Locator("[data-testid=spike-editor][data-interactive=yes]"), session, "spike");

        // A value far above the allowed range (0.001 to 0.5) stays in the box as typed (not silently clamped to 0.5, which
        // would save a number the admin never entered) and saving names the field and its range beside it.
        var numeric = page.Locator("[data-testid=spike-CusumThreshold]");
        await numeric.FillAsync("9");
        await numeric.PressAsync("Tab");
        await page.ClickAsync("[data-testid=save-spike]");
        var error = page.Locator("[data-testid=spike-row-CusumThreshold] [data-testid=spike-error-CusumThreshold]");
        await WaitAsync(error, session, "spike-cusum-error");
        Assert.Contains("CusumThreshold must be between 0.001 and 0.5 (was 9)", await error.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("9", await numeric.InputValueAsync());
        await session.ScreenshotAsync("field-errors-spike");

        Assert.Equal(before, controls.Settings);
        Assert.Equal(auditBefore, await AuditCountAsync(session));
    }

    private static async Task RiskLimitsAsync(BrowserSession session)
    {
        var page = session.Page;
        var controls = session.App.Services.GetRequiredService<DeskControls>();
        var before = controls.Limits;
        var auditBefore = await AuditCountAsync(session);
        await page.GotoAsync(session.BaseUrl + "/risk");
        var numeric = page.Locator("[data-testid=limit-MaxTradeSize]");
        await WaitAsync(page.Locator("[data-testid=limit-MaxTradeSize]:enabled"), session, "risk-editable");

        // Typed beyond the slider's end: kept as typed and refused by name on save, never clamped into a saved limit.
        await numeric.FillAsync("2000000");
        await numeric.PressAsync("Tab");
        await page.ClickAsync("[data-testid=save-limits]");
        var error = page.Locator("[data-testid=limit-error-MaxTradeSize]");
        await WaitAsync(error, session, "risk-max-trade-size-error");
        Assert.Contains("MaxTradeSize must be between 1 and 1,000,000 (was 2,000,000)", await error.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("2000000", await numeric.InputValueAsync());
        await session.ScreenshotAsync("field-errors-risk");

        Assert.Equal(before, controls.Limits);
        Assert.Equal(auditBefore, await AuditCountAsync(session));
    }

    private static async Task ReplaysAsync(BrowserSession session)
    {
        var page = session.Page;
        var runs = session.App.Services.GetRequiredService<ReplayService>();
        var reports = session.App.Services.GetRequiredService<ReplayReportStore>();
        var reportsBefore = (await reports.ListAsync(100, CancellationToken.None)).Count;
        var auditBefore = await AuditCountAsync(session);
        // A recording listed on the page that is gone (moved away, cleaned up) by the time the admin picks it.
        const string vanished = "vanished-run.abrec";
        var path = Path.Combine(runs.Directory, vanished);
        Directory.CreateDirectory(runs.Directory);
        await File.WriteAllBytesAsync(path, []);
        await page.GotoAsync(session.BaseUrl + "/replays");
        var start = page.Locator($"[data-testid='replay-{vanished}']");
        await WaitAsync(start, session, "replays");
        await WaitAsync(page.Locator("[data-testid=replays-page][data-interactive=yes]"), session, "replays-interactive");
        File.Delete(path);

        await start.ClickAsync();
        var error = page.Locator("[data-testid=replay-error]");
        await WaitAsync(error, session, "replay-error");
        Assert.Contains($"{vanished} is not in the recordings folder any more", await error.TextContentAsync(), StringComparison.Ordinal);
        await session.ScreenshotAsync("field-errors-replays");

        Assert.Null(runs.Current);
        Assert.Equal(0, await page.Locator("[data-testid=replay-job]").CountAsync());
        Assert.Equal(reportsBefore, (await reports.ListAsync(100, CancellationToken.None)).Count);
        Assert.Equal(auditBefore, await AuditCountAsync(session));
    }

    private static async Task<int> AuditCountAsync(BrowserSession session)
    {
        await using var db = await session.App.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();
        return await db.Audit.CountAsync();
    }

    private static async Task WaitAsync(ILocator locator, BrowserSession session, string what)
    {
        try
        {
            await locator.WaitForAsync(Patient);
        }
        catch (TimeoutException)
        {
            await session.ScreenshotAsync("field-errors-" + what);
            Assert.Fail($"Timed out waiting for {what}. Browser console: " + string.Join(" | ", session.ConsoleMessages));
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, BrowserSession session, string what)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (await condition()) return;
            await Task.Delay(100);
        }
        Assert.Fail($"Timed out waiting for {what}. Browser console: " + string.Join(" | ", session.ConsoleMessages));
    }
}
