using ArbBot.Engine.Control;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Notifications;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Faults;

/// <summary>
/// The app on the fake Kalshi and the fake Polymarket (in chromium), notifications on loopback Discord and Telegram with
/// only venue alerts switched on, and an API client holding a read key: what the end-to-end alert tests start from.
/// </summary>
internal sealed class AlertingDesk : IAsyncDisposable
{
    private const string ReadKey = "alerting-desk-read-key-0123456789";

    private AlertingDesk(CrossVenueFakes fakes, FakeNotificationEndpoints notify, BrowserSession session, HttpClient api)
    {
        Fakes = fakes;
        Notify = notify;
        Session = session;
        Api = api;
    }

    public CrossVenueFakes Fakes { get; }

    public FakeNotificationEndpoints Notify { get; }

    public BrowserSession Session { get; }

    /// <summary>Reads the REST API with the read key.</summary>
    public HttpClient Api { get; }

    public DeskCommands Commands => Session.App.Services.GetRequiredService<DeskCommands>();

    /// <summary>Starts it all and waits for the engine; <paramref name="settings"/> are added to the app's.</summary>
    public static async Task<AlertingDesk> StartAsync(bool tradingCredentials, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var fakes = await CrossVenueFakes.StartAsync();
        FakeNotificationEndpoints? notify = null;
        BrowserSession? session = null;
        try
        {
            notify = await FakeNotificationEndpoints.StartAsync();
            var all = fakes.Settings(tradingCredentials);
            foreach (var (key, value) in notify.Settings()) all[key] = value;
            all["ArbBot:Api:ReadKey"] = ReadKey;
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
            session = await BrowserSession.StartAsync(new DeskAppFactory(all));
            var api = session.App.CreateClient();
            api.DefaultRequestHeaders.Add("X-Api-Key", ReadKey);
            await session.App.Services.GetRequiredService<EngineHost>().Ready.WaitAsync(TimeSpan.FromSeconds(60));
            var saved = await session.App.Services.GetRequiredService<DeskCommands>().SetNotificationSettingsAsync("alert-test", new NotificationSettings
            {
                Enabled = true,
                TelegramChatId = "-1001234567890",
                Opportunities = false,
                Trades = false,
                Errors = false,
                DailySummary = false,
            }, CancellationToken.None);
            Assert.True(saved.Succeeded);
            return new AlertingDesk(fakes, notify, session, api);
        }
        catch
        {
            if (session is not null) await session.DisposeAsync();
            if (notify is not null) await notify.DisposeAsync();
            await fakes.DisposeAsync();
            throw;
        }
    }

    /// <summary>Messages on Discord containing <paramref name="text"/>.</summary>
    public int OnDiscord(string text) => Notify.DiscordMessages.Count(m => m.Contains(text, StringComparison.Ordinal));

    /// <summary>Messages on Telegram containing <paramref name="text"/>.</summary>
    public int OnTelegram(string text) => Notify.TelegramMessages.Count(m => m.Text.Contains(text, StringComparison.Ordinal));

    /// <summary>Waits until an alert containing <paramref name="text"/> has reached both Discord and Telegram.</summary>
    public Task WaitForAlertAsync(string text, string what) =>
        Eventually.ValueAsync(() => Task.FromResult(OnDiscord(text) >= 1 && OnTelegram(text) >= 1 ? (bool?)true : null), what);

    /// <summary>Exactly one message containing <paramref name="text"/> on each channel.</summary>
    public void AssertOncePerChannel(string text)
    {
        Assert.Equal(1, OnDiscord(text));
        Assert.Equal(1, OnTelegram(text));
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await Session.DisposeAsync();
        await Notify.DisposeAsync();
        await Fakes.DisposeAsync();
    }
}
