using ArbBot.Engine.Control;

namespace ArbBot.Engine.Notifications;

/// <summary>What the desk notifies about and how often (persisted and audited; changed on the Notifications page).</summary>
public sealed record NotificationSettings
{
    /// <summary>Master switch. Default off: nothing leaves the machine until an admin turns it on.</summary>
    public bool Enabled { get; init; }

    public bool Discord { get; init; } = true;

    public bool Telegram { get; init; } = true;

    /// <summary>The Telegram chat the bot writes to (not a secret: useless without the token).</summary>
    public string TelegramChatId { get; init; } = "";

    public bool Trades { get; init; } = true;

    /// <summary>Opportunities whose expected profit reaches <see cref="OpportunityThreshold"/>.</summary>
    public bool Opportunities { get; init; } = true;

    /// <summary>Dollars of expected profit from which an opportunity is notified. 0.01 to 1,000,000. Default 25.</summary>
    public decimal OpportunityThreshold { get; init; } = 25m;

    /// <summary>Risk limits hit (daily loss, drawdown, exposure).</summary>
    public bool RiskLimits { get; init; } = true;

    public bool CircuitBreaker { get; init; } = true;

    public bool KillSwitch { get; init; } = true;

    public bool VenueDisconnects { get; init; } = true;

    /// <summary>Errors the desk logs.</summary>
    public bool Errors { get; init; } = true;

    public bool DailySummary { get; init; } = true;

    /// <summary>The hour (UTC, 0 to 23) the daily summary is sent. Default 21.</summary>
    public int DailySummaryHourUtc { get; init; } = 21;

    /// <summary>Most messages per minute per channel; the rest are dropped and counted. 1 to 60. Default 20.</summary>
    public int MaxPerMinute { get; init; } = 20;
}

public static class NotificationSettingsValidator
{
    public static IReadOnlyList<CommandError> Validate(NotificationSettings settings)
    {
        var errors = new List<CommandError>();
        if (settings.OpportunityThreshold is < 0.01m or > 1_000_000m)
            errors.Add(new(nameof(settings.OpportunityThreshold), "Opportunity threshold must be between $0.01 and $1,000,000."));
        if (settings.DailySummaryHourUtc is < 0 or > 23)
            errors.Add(new(nameof(settings.DailySummaryHourUtc), "Daily summary hour must be between 0 and 23 (UTC)."));
        if (settings.MaxPerMinute is < 1 or > 60)
            errors.Add(new(nameof(settings.MaxPerMinute), "Messages per minute must be between 1 and 60."));
        if (settings.TelegramChatId.Length > 64 || settings.TelegramChatId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '@')))
            errors.Add(new(nameof(settings.TelegramChatId), "Telegram chat id must be a number like -1001234567890 or a @channel name."));
        return errors;
    }
}
