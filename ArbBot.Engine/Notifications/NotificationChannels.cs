using System.Net;
using System.Net.Http.Json;
using ArbBot.Engine.Venues.Transport;

namespace ArbBot.Engine.Notifications;

/// <summary>Where a notification can go.</summary>
public enum NotificationChannel : byte
{
    Discord,
    Telegram,
}

/// <summary>The answer of one delivery attempt series: delivered or not, and why not (never containing a secret).</summary>
public sealed record DeliveryResult(NotificationChannel Channel, bool Delivered, string Detail);

/// <summary>
/// Delivers text to Discord (webhook: POST {"content"}) and Telegram (Bot API sendMessage), each with retries and a
/// growing delay that honours the services' rate-limit answers (HTTP 429 with Retry-After or retry_after). Errors are
/// reported by status code or exception type only: messages of HTTP exceptions can quote the URL, which holds the secret.
/// </summary>
public sealed class NotificationSender(HttpClient http, NotificationSecrets secrets, NotificationOptions options, TimeProvider time)
{
    /// <summary>Attempts per message (first try plus retries).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The retry backoff; tests shorten it.</summary>
    public RetryDelays Delays { get; init; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    public async Task<DeliveryResult> SendAsync(NotificationChannel channel, string text, string telegramChatId, CancellationToken cancellationToken)
    {
        var (url, body) = channel switch
        {
            NotificationChannel.Discord when secrets.DiscordWebhookUrl is { } webhook => (new Uri(webhook), (object)new { content = Trim(text, 2000) }),
            NotificationChannel.Telegram when secrets.TelegramBotToken is { } token && telegramChatId.Length > 0 =>
                // Concatenated, not combined: a token holds a colon, which Uri would read as a scheme.
                (new Uri($"{options.TelegramApiBase.AbsoluteUri.TrimEnd('/')}/bot{token}/sendMessage"), new { chat_id = telegramChatId, text = Trim(text, 4096), disable_web_page_preview = true }),
            NotificationChannel.Telegram when secrets.TelegramConfigured => (null, null),
            _ => (null, (object?)null),
        };
        if (url is null || body is null)
        {
            return new DeliveryResult(channel, false, channel == NotificationChannel.Telegram && secrets.TelegramConfigured
                ? "no Telegram chat id set"
                : $"{channel} is not configured");
        }

        var detail = "";
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                using var response = await http.PostAsJsonAsync(url, body, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return new DeliveryResult(channel, true, attempt == 0 ? "delivered" : $"delivered after {attempt} retr{(attempt == 1 ? "y" : "ies")}");
                detail = $"HTTP {(int)response.StatusCode}";
                if (response.StatusCode != HttpStatusCode.TooManyRequests && (int)response.StatusCode < 500)
                {
                    // A 4xx other than 429 will not improve by retrying (bad token, unknown chat).
                    return new DeliveryResult(channel, false, detail);
                }
                retryAfter = RetryDelays.RetryAfter(response.Headers.RetryAfter, time.GetUtcNow());
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                detail = ex.GetType().Name;
            }
            if (attempt + 1 < MaxAttempts) await Task.Delay(Delays.Next(attempt, retryAfter), time, cancellationToken).ConfigureAwait(false);
        }
        return new DeliveryResult(channel, false, $"{detail} after {MaxAttempts} attempts");
    }

    private static string Trim(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
