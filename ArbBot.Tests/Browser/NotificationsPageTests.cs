using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ArbBot.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class NotificationsPageTests
{
    [Fact]
    public async Task Admin_sends_a_test_message_that_reaches_both_channels_and_the_page_never_shows_the_secrets()
    {
        await using var fake = await FakeNotificationEndpoints.StartAsync();
        await using var session = await BrowserSession.StartAsync(new DeskAppFactory(fake.Settings()));
        var page = session.Page;

        await session.SignInAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        await page.ClickAsync(".rz-sidebar a:has-text('Notifications')");
        await page.WaitForURLAsync(url => url.EndsWith("/notifications", StringComparison.Ordinal));
        await page.Locator("[data-testid=notifications-page][data-interactive=yes]").WaitForAsync();
        Assert.Contains("webhook configured", await page.Locator("[data-testid=discord-configured]").TextContentAsync(), StringComparison.Ordinal);

        // Telegram needs a chat: save one (persisted and audited), then send the test.
        await page.FillAsync("[data-testid=notify-TelegramChatId]", "-1009876543210");
        await page.PressAsync("[data-testid=notify-TelegramChatId]", "Tab");
        await page.ClickAsync("[data-testid=notify-save]");
        await page.Locator("[data-testid=notify-saved]:has-text('Saved.')").WaitForAsync();
        await page.ClickAsync("[data-testid=send-test]");
        await page.Locator("[data-testid=test-result]:has-text('Discord: delivered.')").WaitForAsync();
        Assert.Contains("Telegram: delivered.", await page.Locator("[data-testid=test-result]").TextContentAsync(), StringComparison.Ordinal);
        await session.ScreenshotAsync("notifications");

        Assert.Contains("ArbBot test message, sent by " + DeskAppFactory.AdminUser, Assert.Single(fake.DiscordMessages), StringComparison.Ordinal);
        Assert.Equal("-1009876543210", Assert.Single(fake.TelegramMessages).ChatId);
        var html = await page.ContentAsync();
        Assert.DoesNotContain("secret-token", html, StringComparison.Ordinal);
        await using var db = await session.App.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();
        Assert.True(await db.Audit.AnyAsync(a => a.Action == "notifications.test" && a.Actor == DeskAppFactory.AdminUser));
        Assert.False(await db.Audit.AnyAsync(a => (a.NewValue ?? "").Contains("secret-token")));
    }
}
