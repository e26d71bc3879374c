using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ArbBot.Tests.Fixtures;

/// <summary>
/// Discord's webhook endpoint and Telegram's Bot API sendMessage on loopback Kestrel, speaking their wire formats:
/// records what arrives and can fail the next requests (500 or 429 with Retry-After) to exercise retries.
/// </summary>
public sealed class FakeNotificationEndpoints : IAsyncDisposable
{
    public const string WebhookPath = "/api/webhooks/123456/discord-webhook-secret-token";
    public const string BotToken = "987654:telegram-bot-secret-token";

    private readonly WebApplication _app;

    private FakeNotificationEndpoints(WebApplication app) => _app = app;

    public ConcurrentQueue<string> DiscordMessages { get; } = new();

    public ConcurrentQueue<(string ChatId, string Text)> TelegramMessages { get; } = new();

    /// <summary>How many of the next Discord requests answer 500.</summary>
    public int DiscordFailures;

    public Uri Root => new(_app.Urls.First());

    public string DiscordWebhookUrl => new Uri(Root, WebhookPath).ToString();

    public static async Task<FakeNotificationEndpoints> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeNotificationEndpoints(app);
        app.MapPost("/api/webhooks/{id}/{token}", async (string id, string token, HttpRequest request) =>
        {
            if ($"/api/webhooks/{id}/{token}" != WebhookPath) return Results.NotFound(new { message = "Unknown Webhook", code = 10015 });
            if (Interlocked.Decrement(ref fake.DiscordFailures) >= 0) return Results.StatusCode(500);
            using var body = await JsonDocument.ParseAsync(request.Body);
            fake.DiscordMessages.Enqueue(body.RootElement.GetProperty("content").GetString()!);
            return Results.NoContent();
        });
        app.MapPost("/{bot}/sendMessage", async (string bot, HttpRequest request) =>
        {
            if (Uri.UnescapeDataString(bot) != "bot" + BotToken) return Results.Json(new { ok = false, error_code = 401, description = "Unauthorized" }, statusCode: 401);
            using var body = await JsonDocument.ParseAsync(request.Body);
            var chat = body.RootElement.GetProperty("chat_id").GetString()!;
            fake.TelegramMessages.Enqueue((chat, body.RootElement.GetProperty("text").GetString()!));
            return Results.Json(new { ok = true, result = new { message_id = fake.TelegramMessages.Count, chat = new { id = chat } } });
        });
        await app.StartAsync();
        return fake;
    }

    /// <summary>Settings that point the desk at this fake.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["ArbBot:Notifications:DiscordWebhookUrl"] = DiscordWebhookUrl,
        ["ArbBot:Notifications:TelegramBotToken"] = BotToken,
        ["ArbBot:Notifications:TelegramApiBase"] = Root.ToString(),
    };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
