using System.Text.Json;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies.SpikeHunter;
using ArbBot.Engine.Strategies.MultiOutcomeArb;
using Microsoft.EntityFrameworkCore;

namespace ArbBot.Engine.Control;

/// <summary>Reads and writes the persisted switches, each change in one transaction with its audit entry.</summary>
public sealed class SettingsStore(IDbContextFactory<ArbBotDbContext> contexts, TimeProvider time)
{
    public const string ControlKey = "desk.controls";

    /// <summary>The key of the spike hunter's settings (<see cref="SpikeHunterSettings"/> as JSON).</summary>
    public const string SpikeHunterKey = "strategies.spike";

    /// <summary>Where the multi-outcome arbitrage strategy's settings are kept.</summary>
    public const string MultiOutcomeKey = "strategy.multi-outcome";

    /// <summary>The audit action of a change of the multi-outcome settings.</summary>
    public const string MultiOutcomeAction = "strategy.multi-outcome.set";

    /// <summary>Where the notification settings are kept.</summary>
    public const string NotificationsKey = "notifications";

    /// <summary>Whether live trading was armed (restored as paper after a restart: the desk never starts live).</summary>
    public const string LiveTradingKey = "desk.live";

    /// <summary>The audit action of a change of the notification settings.</summary>
    public const string NotificationsAction = "notifications.set";

    /// <summary>The store's clock, for the times settings record.</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The persisted switches, or the defaults (running, kill switch off, default limits) on a new database.</summary>
    public async Task<ControlState> LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Settings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == ControlKey, cancellationToken).ConfigureAwait(false);
        return row is null
            ? new ControlState(false, null, false, null, new RiskLimits())
            : JsonSerializer.Deserialize<ControlState>(row.ValueJson, Json) ?? throw new InvalidDataException($"Setting {ControlKey} is empty.");
    }

    /// <summary>Saves the new switches and an audit entry (who, when, what, before, after) together.</summary>
    public Task SaveAsync(ControlState state, string actor, string action, string? before, string? after, CancellationToken cancellationToken) =>
        SaveAsync(ControlKey, JsonSerializer.Serialize(state, Json), "desk", actor, action, before, after, cancellationToken);

    /// <summary>
    /// The rows <see cref="SaveAsync(ControlState, string, string, string?, string?, CancellationToken)"/> would write, for
    /// the record writer to save later when the database cannot take them now.
    /// </summary>
    public IReadOnlyList<object> Rows(ControlState state, string actor, string action, string? before, string? after) =>
        Rows(ControlKey, JsonSerializer.Serialize(state, Json), "desk", actor, action, before, after);

    /// <summary>The rows <see cref="SaveLiveTradingAsync"/> would write, for the record writer to save later.</summary>
    public IReadOnlyList<object> Rows(LiveTradingState state, string actor, string action, string? before, string? after) =>
        Rows(LiveTradingKey, JsonSerializer.Serialize(state, Json), "trading-mode", actor, action, before, after);

    private List<object> Rows(string key, string json, string target, string actor, string action, string? before, string? after)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return
        [
            new SettingRow { Key = key, ValueJson = json, UpdatedUtc = now, UpdatedBy = actor },
            new AuditEntry { AtUtc = now, Actor = actor, Action = action, Target = target, OldValue = before, NewValue = after },
        ];
    }

    /// <summary>The persisted multi-outcome settings, or the defaults when none were ever saved.</summary>
    /// <exception cref="InvalidDataException">The stored settings are unreadable or outside their ranges.</exception>
    public async Task<MultiOutcomeSettings> LoadMultiOutcomeAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Settings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == MultiOutcomeKey, cancellationToken).ConfigureAwait(false);
        if (row is null) return new MultiOutcomeSettings();
        var settings = JsonSerializer.Deserialize<MultiOutcomeSettings>(row.ValueJson, Json) ?? throw new InvalidDataException($"Setting {MultiOutcomeKey} is empty.");
        var errors = MultiOutcomeSettingsValidator.Validate(settings);
        if (errors.Count > 0) throw new InvalidDataException($"Setting {MultiOutcomeKey} is not valid: {string.Join("; ", errors.Select(e => e.Message))}.");
        return settings;
    }

    /// <summary>Saves the multi-outcome settings and their audit entry ("Field=value" before and after) together.</summary>
    public Task SaveMultiOutcomeAsync(MultiOutcomeSettings settings, string actor, string before, string after, CancellationToken cancellationToken) =>
        SaveAsync(MultiOutcomeKey, JsonSerializer.Serialize(settings, Json), "multi-outcome", actor, MultiOutcomeAction, before, after, cancellationToken);

    private async Task SaveAsync(string key, string json, string target, string actor, string action, string? before, string? after, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == key, cancellationToken).ConfigureAwait(false);
        if (row is null) db.Settings.Add(new SettingRow { Key = key, ValueJson = json, UpdatedUtc = now, UpdatedBy = actor });
        else
        {
            row.ValueJson = json;
            row.UpdatedUtc = now;
            row.UpdatedBy = actor;
        }
        db.Audit.Add(new AuditEntry { AtUtc = now, Actor = actor, Action = action, Target = target, OldValue = before, NewValue = after });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The persisted notification settings, or the defaults (off) when none were saved.</summary>
    public async Task<Notifications.NotificationSettings> LoadNotificationsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Settings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == NotificationsKey, cancellationToken).ConfigureAwait(false);
        return row is null
            ? new Notifications.NotificationSettings()
            : JsonSerializer.Deserialize<Notifications.NotificationSettings>(row.ValueJson, Json) ?? throw new InvalidDataException($"Setting {NotificationsKey} is empty.");
    }

    /// <summary>Saves the notification settings and their audit entry together.</summary>
    public Task SaveNotificationsAsync(Notifications.NotificationSettings settings, string actor, string before, string after, CancellationToken cancellationToken) =>
        SaveAsync(NotificationsKey, JsonSerializer.Serialize(settings, Json), "notifications", actor, NotificationsAction, before, after, cancellationToken);

    /// <summary>The persisted live-trading state, or paper when none was saved.</summary>
    public async Task<LiveTradingState> LoadLiveTradingAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Settings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == LiveTradingKey, cancellationToken).ConfigureAwait(false);
        return row is null
            ? LiveTradingState.Paper
            : JsonSerializer.Deserialize<LiveTradingState>(row.ValueJson, Json) ?? throw new InvalidDataException($"Setting {LiveTradingKey} is empty.");
    }

    /// <summary>Saves the live-trading state and its audit entry together.</summary>
    public Task SaveLiveTradingAsync(LiveTradingState state, string actor, string action, string before, string after, CancellationToken cancellationToken) =>
        SaveAsync(LiveTradingKey, JsonSerializer.Serialize(state, Json), "trading-mode", actor, action, before, after, cancellationToken);

    /// <summary>Records an action that changes no setting (a test message sent) in the audit trail.</summary>
    public async Task AuditAsync(string actor, string action, string target, string? detail, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        db.Audit.Add(new AuditEntry { AtUtc = time.GetUtcNow().UtcDateTime, Actor = actor, Action = action, Target = target, NewValue = detail });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The persisted spike hunter settings, or the defaults when none were saved.</summary>
    public async Task<SpikeHunterSettings> LoadSpikeHunterAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Settings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == SpikeHunterKey, cancellationToken).ConfigureAwait(false);
        return row is null
            ? new SpikeHunterSettings()
            : JsonSerializer.Deserialize<SpikeHunterSettings>(row.ValueJson, Json) ?? throw new InvalidDataException($"Setting {SpikeHunterKey} is empty.");
    }

    /// <summary>Saves the spike hunter settings and an audit entry (who, when, what, before, after) together.</summary>
    public async Task SaveSpikeHunterAsync(SpikeHunterSettings settings, string actor, string action, string? before, string? after, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        var json = JsonSerializer.Serialize(settings, Json);
        var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == SpikeHunterKey, cancellationToken).ConfigureAwait(false);
        if (row is null) db.Settings.Add(new SettingRow { Key = SpikeHunterKey, ValueJson = json, UpdatedUtc = now, UpdatedBy = actor });
        else
        {
            row.ValueJson = json;
            row.UpdatedUtc = now;
            row.UpdatedBy = actor;
        }
        db.Audit.Add(new AuditEntry { AtUtc = now, Actor = actor, Action = action, Target = "spike-hunter", OldValue = before, NewValue = after });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Any settings record as "Field=value" lines for the audit trail, only the fields that differ.</summary>
    public static (string Before, string After) DescribeChange<T>(T before, T after) where T : class
    {
        var changed = typeof(T).GetProperties()
            .Where(p => p.GetIndexParameters().Length == 0 && p.CanWrite && !Equals(p.GetValue(before), p.GetValue(after)))
            .ToList();
        string Describe(T value) => string.Join("; ", changed.Select(p => $"{p.Name}={Format(p.GetValue(value))}"));
        return (Describe(before), Describe(after));
    }

    /// <summary>A limits record as "Field=value" lines for the audit trail (only the fields that differ when given both).</summary>
    public static (string Before, string After) DescribeChange(RiskLimits before, RiskLimits after)
    {
        var changed = typeof(RiskLimits).GetProperties()
            .Where(p => !Equals(p.GetValue(before), p.GetValue(after)))
            .ToList();
        string Describe(RiskLimits limits) => string.Join("; ", changed.Select(p => $"{p.Name}={Format(p.GetValue(limits))}"));
        return (Describe(before), Describe(after));
    }

    private static string Format(object? value) => value switch
    {
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        null => "",
        _ => value.ToString() ?? "",
    };
}
