using ArbBot.Engine.Control;
using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ArbBot.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class UsersPageTests
{
    private const string NewViewer = "pat-viewer";
    private const string FirstPassword = "pats-first-password";
    private const string SecondPassword = "pats-second-password";

    [Fact]
    public async Task Admin_adds_a_viewer_who_can_change_nothing_then_resets_the_password_and_the_old_one_stops_working()
    {
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory());
        var page = session.Page;

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        await OpenUsersPageAsync(page);
        await page.FillAsync("[data-testid=new-user-name]", NewViewer);
        await page.SelectOptionAsync("[data-testid=new-user-role]", Roles.Viewer);
        await page.FillAsync("[data-testid=new-user-password]", "short");
        await page.PressAsync("[data-testid=new-user-password]", "Tab");
        await page.ClickAsync("[data-testid=add-user]");
        await page.Locator("[data-testid=error-password]").WaitForAsync();
        await page.FillAsync("[data-testid=new-user-password]", FirstPassword);
        await page.PressAsync("[data-testid=new-user-password]", "Tab");
        await page.ClickAsync("[data-testid=add-user]");
        await page.Locator($"[data-testid=user-role-{NewViewer}]:has-text('Viewer')").WaitForAsync();
        await session.ScreenshotAsync("users");
        await SignOutAsync(page);

        // The viewer reads the desk but every switch is disabled, and the users page refuses them.
        await session.SignInAsync(NewViewer, FirstPassword);
        await page.Locator("[data-testid=desk-controls][data-interactive=yes]").WaitForAsync();
        Assert.True(await page.Locator("[data-testid=pause-trading]").IsDisabledAsync());
        Assert.True(await page.Locator("[data-testid=engage-kill-switch]").IsDisabledAsync());
        Assert.Equal(0, await page.Locator(".rz-sidebar a:has-text('Users')").CountAsync());
        await page.GotoAsync(session.BaseUrl + "/users");
        await page.Locator("[data-testid=not-authorized]").WaitForAsync();
        Assert.Equal(0, await page.Locator("[data-testid=add-user]").CountAsync());
        Assert.False(session.App.Services.GetRequiredService<DeskControls>().TradingPaused);
        await SignOutAsync(page);

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        await OpenUsersPageAsync(page);
        await page.SelectOptionAsync("[data-testid=reset-user-name]", NewViewer);
        await page.FillAsync("[data-testid=reset-password]", SecondPassword);
        await page.PressAsync("[data-testid=reset-password]", "Tab");
        await page.ClickAsync("[data-testid=reset-user-password]");
        await page.Locator(".rz-notification-message:has-text('old password no longer works')").WaitForAsync();
        await SignOutAsync(page);

        await TrySignInAsync(page, session.BaseUrl, NewViewer, FirstPassword);
        await page.Locator("[data-testid=login-error]:has-text('Wrong user name or password')").WaitForAsync();
        await session.SignInAsync(NewViewer, SecondPassword);
        await page.Locator("[data-testid=signed-in-user]:has-text('pat-viewer')").WaitForAsync();

        await using var db = await session.App.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();
        var audit = await db.Audit.Where(a => a.Target == NewViewer).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["user.created", "user.password-reset"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal(DeskAppFactory.AdminUser, a.Actor));
        Assert.All(audit, a => Assert.DoesNotContain("pats-", $"{a.OldValue} {a.NewValue}", StringComparison.Ordinal));
    }

    private static async Task OpenUsersPageAsync(IPage page)
    {
        await page.ClickAsync(".rz-sidebar a:has-text('Users')");
        await page.WaitForURLAsync(url => url.EndsWith("/users", StringComparison.Ordinal));
        await page.Locator("[data-testid=users-page][data-interactive=yes]").WaitForAsync();
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.ClickAsync("button:has-text('Sign out')");
        await page.WaitForURLAsync(url => url.Contains("/login", StringComparison.Ordinal));
    }

    private static async Task TrySignInAsync(IPage page, string baseUrl, string user, string password)
    {
        await page.GotoAsync(baseUrl + "/login");
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
    }
}
