using System.ComponentModel.DataAnnotations;
using ArbBot.Engine.Hosting;

namespace ArbBot.Engine.Notifications;

/// <summary>
/// Where notifications go (configuration section <c>ArbBot:Notifications</c>). The webhook URL and the bot token are
/// secrets: set them by environment (<c>ArbBot__Notifications__DiscordWebhookUrl</c>) or in a file only the owner can
/// read (<c>…File</c>); they never appear in logs, the dashboard, errors or the database. What is sent is set on the
/// Notifications page.
/// </summary>
public sealed class NotificationOptions : IValidatableObject
{
    public const string Section = "ArbBot:Notifications";

    /// <summary>A Discord channel webhook URL (its path holds the webhook's token). Default: none.</summary>
    [Secret]
    public string? DiscordWebhookUrl { get; set; }

    /// <summary>A file holding the Discord webhook URL; it must not be readable by group or others. Default: none.</summary>
    public string? DiscordWebhookUrlFile { get; set; }

    /// <summary>A Telegram bot token from BotFather. Default: none.</summary>
    [Secret]
    public string? TelegramBotToken { get; set; }

    /// <summary>A file holding the Telegram bot token; it must not be readable by group or others. Default: none.</summary>
    public string? TelegramBotTokenFile { get; set; }

    /// <summary>The Telegram Bot API root. Default <c>https://api.telegram.org</c> (tests point it at a loopback server).</summary>
    public Uri TelegramApiBase { get; set; } = new("https://api.telegram.org");

    /// <summary>The Telegram API base is a web address (the secrets are checked when they are loaded, never echoed).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TelegramApiBase is null || !(TelegramApiBase.IsAbsoluteUri && TelegramApiBase.Scheme is "http" or "https"))
        {
            yield return new ValidationResult($"{Section}:TelegramApiBase must be an absolute http or https URL (was '{TelegramApiBase}').", [nameof(TelegramApiBase)]);
        }
    }
}
