using ArbBot.Engine.Control;
using ArbBot.Engine.Notifications;
using ArbBot.Engine.Observability;
using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Notifications;

public sealed class NotificationDispatcherTests
{
    [Fact]
    public async Task Kill_switch_reaches_discord_and_telegram_with_a_retry_and_the_rate_limit_drops_the_excess()
    {
        await using var fake = await FakeNotificationEndpoints.StartAsync();
        fake.DiscordFailures = 1;
        var settings = fake.Settings();
        settings["ArbBot:Api:ReadKey"] = "notify-read-key-0123456789";
        await using var app = new DeskAppFactory(settings);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "notify-read-key-0123456789");
        var commands = app.Services.GetRequiredService<DeskCommands>();
        var metrics = app.Services.GetRequiredService<DeskMetrics>();
        await WaitUntilAsync(() => app.Services.GetRequiredService<ArbBot.Engine.Lifecycle.DeskLifecycle>().State.Phase == ArbBot.Engine.Lifecycle.DeskPhase.Running);

        var saved = await commands.SetNotificationSettingsAsync("notify-admin", new NotificationSettings
        {
            Enabled = true,
            TelegramChatId = "-1001234567890",
            Opportunities = false,
            Trades = false,
            Errors = false,
            MaxPerMinute = 1,
        }, CancellationToken.None);
        Assert.True(saved.Succeeded);

        await commands.EngageKillSwitchAsync("notify-admin", "testing alerts", CancellationToken.None);
        await WaitUntilAsync(() => !fake.DiscordMessages.IsEmpty && !fake.TelegramMessages.IsEmpty);
        Assert.Contains("Kill switch engaged: testing alerts", Assert.Single(fake.DiscordMessages), StringComparison.Ordinal);
        var telegram = Assert.Single(fake.TelegramMessages);
        Assert.Equal("-1001234567890", telegram.ChatId);
        Assert.Contains("Kill switch engaged", telegram.Text, StringComparison.Ordinal);

        // One message per minute per channel: the reset is dropped and counted, not queued behind the limit.
        var droppedBefore = metrics.NotificationsDropped;
        await commands.ResetKillSwitchAsync("notify-admin", CancellationToken.None);
        await WaitUntilAsync(() => metrics.NotificationsDropped >= droppedBefore + 2);
        Assert.Single(fake.DiscordMessages);
        Assert.Equal(0, metrics.NotificationFailures);

        // The secrets are nowhere the desk shows or stores things.
        var page = await client.GetStringAsync("/metrics");
        Assert.DoesNotContain("secret-token", page, StringComparison.Ordinal);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();
        var audit = await db.Audit.Where(a => a.Action == SettingsStore.NotificationsAction).SingleAsync();
        Assert.Equal("notify-admin", audit.Actor);
        Assert.Contains("MaxPerMinute=1", audit.NewValue, StringComparison.Ordinal);
        Assert.False(await db.Settings.AnyAsync(s => s.ValueJson.Contains("secret-token")));
    }

    [Fact]
    public async Task Settings_out_of_range_are_refused_field_by_field()
    {
        await using var app = new DeskAppFactory();
        var commands = app.Services.GetRequiredService<DeskCommands>();
        var result = await commands.SetNotificationSettingsAsync("notify-admin",
            new NotificationSettings { MaxPerMinute = 0, DailySummaryHourUtc = 24, TelegramChatId = "x; drop" }, CancellationToken.None);
        Assert.False(result.Succeeded);
        Assert.Equal(["DailySummaryHourUtc", "MaxPerMinute", "TelegramChatId"], result.Errors.Select(e => e.Field).Order());
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition was not met in 30 s.");
            await Task.Delay(50);
        }
    }
}
