using ArbBot.Engine.Hosting;

namespace ArbBot.Engine.Notifications;

/// <summary>The channels' secrets, loaded once from the environment or owner-only files; shown only as "configured".</summary>
public sealed class NotificationSecrets
{
    public NotificationSecrets(NotificationOptions options)
    {
        DiscordWebhookUrl = Load(options.DiscordWebhookUrl, options.DiscordWebhookUrlFile, "DiscordWebhookUrl");
        TelegramBotToken = Load(options.TelegramBotToken, options.TelegramBotTokenFile, "TelegramBotToken");
        if (DiscordWebhookUrl is not null && !Uri.TryCreate(DiscordWebhookUrl, UriKind.Absolute, out _))
        {
            // The value itself is never echoed: it is the secret.
            throw new StartupConfigurationException("ArbBot:Notifications:DiscordWebhookUrl is not an absolute URL.");
        }
    }

    internal string? DiscordWebhookUrl { get; }

    internal string? TelegramBotToken { get; }

    public bool DiscordConfigured => DiscordWebhookUrl is not null;

    public bool TelegramConfigured => TelegramBotToken is not null;

    /// <summary>Replaces every secret in <paramref name="text"/> with "[redacted]" (for messages that might quote a URL).</summary>
    public string Redact(string text)
    {
        foreach (var secret in new[] { DiscordWebhookUrl, TelegramBotToken })
        {
            if (!string.IsNullOrEmpty(secret)) text = text.Replace(secret, "[redacted]", StringComparison.Ordinal);
        }
        return text;
    }

    private static string? Load(string? value, string? file, string name)
    {
        if (!string.IsNullOrWhiteSpace(value)) return value.Trim();
        if (string.IsNullOrWhiteSpace(file)) return null;
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                var mode = File.GetUnixFileMode(file);
                if ((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
                {
                    throw new StartupConfigurationException($"ArbBot:Notifications:{name}File '{file}' is readable by others; run chmod 600 on it.");
                }
            }
            var text = File.ReadAllText(file).Trim();
            return text.Length == 0 ? throw new StartupConfigurationException($"ArbBot:Notifications:{name}File '{file}' is empty.") : text;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupConfigurationException($"ArbBot:Notifications:{name}File '{file}' cannot be read: {ex.GetType().Name}.", ex);
        }
    }
}
