using ArbBot.Engine.Persistence;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies.SpikeHunter;
using ArbBot.Engine.Strategies.MultiOutcomeArb;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Control;

/// <summary>Why a command was refused: the field at fault (or "request") and what is wrong, for people.</summary>
public sealed record CommandError(string Field, string Message);

/// <summary>The answer to a command: done with the new state, or refused with errors naming each bad field.</summary>
public sealed record CommandResult<T>(bool Succeeded, T? Value, IReadOnlyList<CommandError> Errors)
{
    public static CommandResult<T> Ok(T value) => new(true, value, []);
    public static CommandResult<T> Refused(params CommandError[] errors) => new(false, default, errors);
}

/// <summary>
/// The one way to change the desk's switches, used by the dashboard, the REST API and the SignalR hub alike.
/// Every command is validated, persisted with its audit entry (who, when, before, after), and only then applied on the
/// hub's thread; commands run one at a time. The two commands that only ever make the desk safer — pause and engage the
/// kill switch — are applied first and persisted after: they take effect even while the database is away, and their
/// setting and audit entry then wait in the <see cref="RecordWriter"/> until it returns.
/// </summary>
public sealed class DeskCommands(
    DeskControls controls,
    SettingsStore store,
    MarketDataHub hub,
    VenueSet venues,
    ILogger<DeskCommands> logger,
    SpikeHunterControls spikeHunter,
    Notifications.NotificationControls notifications,
    LiveTrading live,
    RecordWriter records)
{
    /// <summary>The audit action of arming live trading.</summary>
    public const string ArmLiveAction = "live.arm";

    /// <summary>The audit action of returning to paper trading.</summary>
    public const string DisarmLiveAction = "live.disarm";

    /// <summary>The audit action of a spike hunter settings change.</summary>
    public const string SpikeHunterAction = "strategies.spike.set";

    private readonly SemaphoreSlim _gate = new(1, 1);

    // True while a control change saved through the record writer may still be queued there: a later direct save must
    // wait for it, or the older queued row would overwrite the newer one when the database returns.
    private bool _controlsQueued;

    /// <summary>Loads the persisted switches at start-up (a kill switch engaged before a restart stays engaged).</summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        var state = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        await ApplyAsync(state, cancellationToken).ConfigureAwait(false);
        var spike = await store.LoadSpikeHunterAsync(cancellationToken).ConfigureAwait(false);
        if (SpikeHunterSettingsValidator.Validate(spike) is { Count: > 0 } invalid)
        {
            // A stored value outside today's ranges (edited by hand, or ranges tightened): keep the defaults, say why.
            logger.LogError("Stored spike hunter settings are not valid ({Errors}); using the defaults", string.Join("; ", invalid.Select(e => e.Message)));
            spike = new SpikeHunterSettings();
        }
        await RunOnHubAsync(() => spikeHunter.Apply(spike), cancellationToken).ConfigureAwait(false);
        await ApplyAsync(new ApplyMultiOutcomeWork(controls, await store.LoadMultiOutcomeAsync(cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        var notify = await store.LoadNotificationsAsync(cancellationToken).ConfigureAwait(false);
        if (Notifications.NotificationSettingsValidator.Validate(notify) is { Count: > 0 } badNotify)
        {
            logger.LogError("Stored notification settings are not valid ({Errors}); notifications stay off", string.Join("; ", badNotify.Select(e => e.Message)));
            notify = new Notifications.NotificationSettings();
        }
        notifications.Apply(notify);
        await RestorePaperAsync(cancellationToken).ConfigureAwait(false);
        if (state.KillSwitchEngaged) logger.LogWarning("The kill switch is engaged ({Reason}); no order will be sent until an admin resets it", state.KillSwitchReason);
        if (state.TradingPaused) logger.LogWarning("Trading is paused ({Reason})", state.PauseReason);
    }

    /// <summary>The longest pause or kill-switch reason kept (it is shown in the header, pushed to clients and audited).</summary>
    public const int MaxReasonLength = 200;

    /// <summary>
    /// A reason fit to store and show: control characters become spaces and anything past <see cref="MaxReasonLength"/>
    /// is cut (marked with "…"). Cut rather than refused: a pause or kill switch must never fail over its note.
    /// </summary>
    internal static string? Reason(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) return null;
        var clean = new string([.. reason.Trim().Select(c => char.IsControl(c) ? ' ' : c)]);
        return clean.Length <= MaxReasonLength ? clean : clean[..(MaxReasonLength - 1)] + "…";
    }

    public Task<CommandResult<ControlState>> PauseTradingAsync(string actor, string? reason, CancellationToken cancellationToken) =>
        ChangeSaferAsync(actor, "trading.pause", s => s.TradingPaused
            ? null
            : s with { TradingPaused = true, PauseReason = Reason(reason) ?? $"paused by {actor}" },
            s => s.TradingPaused ? "paused" : "running", cancellationToken);

    public Task<CommandResult<ControlState>> ResumeTradingAsync(string actor, CancellationToken cancellationToken) =>
        ChangeAsync(actor, "trading.resume", s => s.TradingPaused ? s with { TradingPaused = false, PauseReason = null } : null,
            s => s.TradingPaused ? "paused" : "running", cancellationToken);

    /// <summary>Blocks every new order and cancels every open one on every venue until an admin resets it.</summary>
    public async Task<CommandResult<ControlState>> EngageKillSwitchAsync(string actor, string? reason, CancellationToken cancellationToken)
    {
        var cancelled = false;
        var result = await ChangeSaferAsync(actor, "kill-switch.engage",
            s => s.KillSwitchEngaged ? null : s with { KillSwitchEngaged = true, KillSwitchReason = Reason(reason) ?? $"engaged by {actor}" },
            s => s.KillSwitchEngaged ? "engaged" : "off", cancellationToken, CancelEverywhereAsync).ConfigureAwait(false);
        // Cancel even when it was already engaged: a second press must still clear anything that slipped through.
        if (!cancelled) await CancelEverywhereAsync().ConfigureAwait(false);
        return result;

        async Task CancelEverywhereAsync()
        {
            cancelled = true;
            foreach (var gateway in venues.Gateways.Values)
            {
                try
                {
                    await gateway.CancelAllAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Kill switch: cancelling open orders on {Venue} failed", gateway.Venue);
                }
            }
        }
    }

    public Task<CommandResult<ControlState>> ResetKillSwitchAsync(string actor, CancellationToken cancellationToken) =>
        ChangeAsync(actor, "kill-switch.reset", s => s.KillSwitchEngaged ? s with { KillSwitchEngaged = false, KillSwitchReason = null } : null,
            s => s.KillSwitchEngaged ? "engaged" : "off", cancellationToken);

    /// <summary>Replaces the risk limits after checking every field's range; takes effect for the next decision.</summary>
    public async Task<CommandResult<ControlState>> SetLimitsAsync(string actor, RiskLimits limits, CancellationToken cancellationToken)
    {
        var errors = RiskLimitsValidator.Validate(limits);
        if (errors.Count > 0) return CommandResult<ControlState>.Refused([.. errors.Select(e => new CommandError(e.Field, e.Message))]);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = controls.State;
            if (current.Limits == limits) return CommandResult<ControlState>.Ok(current);
            var next = current with { Limits = limits };
            var (before, after) = SettingsStore.DescribeChange(current.Limits, limits);
            if (await SaveControlsAsync(next, actor, "limits.set", before, after, cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return refused;
            }
            await ApplyAsync(next, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Risk limits changed by {Actor}: {Before} → {After}", actor, before, after);
            return CommandResult<ControlState>.Ok(next);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Replaces the spike hunter's settings after checking every field's range; applies on the hub's thread at once.</summary>
    public async Task<CommandResult<SpikeHunterSettings>> SetSpikeHunterSettingsAsync(string actor, SpikeHunterSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = SpikeHunterSettingsValidator.Validate(settings);
        if (errors.Count > 0) return CommandResult<SpikeHunterSettings>.Refused([.. errors.Select(e => new CommandError(e.Field, e.Message))]);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = spikeHunter.Settings;
            if (current == settings) return CommandResult<SpikeHunterSettings>.Ok(current);
            var (before, after) = SettingsStore.DescribeChange(current, settings);
            if (await SaveSettingAsync(() => store.SaveSpikeHunterAsync(settings, actor, SpikeHunterAction, before, after, cancellationToken), SpikeHunterAction, actor, cancellationToken)
                    .ConfigureAwait(false) is { } refused)
            {
                return CommandResult<SpikeHunterSettings>.Refused(refused);
            }
            await RunOnHubAsync(() => spikeHunter.Apply(settings), cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Spike hunter settings changed by {Actor}: {Before} → {After}", actor, before, after);
            return CommandResult<SpikeHunterSettings>.Ok(settings);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Replaces the multi-outcome arbitrage settings after checking every field's range; persisted with an audit entry
    /// of the fields that changed, then applied on the hub's thread (events are re-classified at once).
    /// </summary>
    public async Task<CommandResult<MultiOutcomeSettings>> SetMultiOutcomeAsync(string actor, MultiOutcomeSettings settings, CancellationToken cancellationToken)
    {
        if (settings is null) return CommandResult<MultiOutcomeSettings>.Refused(new CommandError("request", "Settings are required."));
        var errors = MultiOutcomeSettingsValidator.Validate(settings);
        if (errors.Count > 0) return CommandResult<MultiOutcomeSettings>.Refused([.. errors.Select(e => new CommandError(e.Field, e.Message))]);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = controls.MultiOutcome;
            if (current.Equals(settings)) return CommandResult<MultiOutcomeSettings>.Ok(current);
            var (before, after) = MultiOutcomeSettings.DescribeChange(current, settings);
            if (await SaveSettingAsync(() => store.SaveMultiOutcomeAsync(settings, actor, before, after, cancellationToken), "strategy.multi-outcome.set", actor, cancellationToken)
                    .ConfigureAwait(false) is { } refused)
            {
                return CommandResult<MultiOutcomeSettings>.Refused(refused);
            }
            await ApplyAsync(new ApplyMultiOutcomeWork(controls, settings), cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Multi-outcome settings changed by {Actor}: {Before} → {After}", actor, before, after);
            return CommandResult<MultiOutcomeSettings>.Ok(settings);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Replaces the notification settings after checking every field; persisted with an audit entry of the fields that changed.</summary>
    public async Task<CommandResult<Notifications.NotificationSettings>> SetNotificationSettingsAsync(string actor, Notifications.NotificationSettings settings, CancellationToken cancellationToken)
    {
        if (settings is null) return CommandResult<Notifications.NotificationSettings>.Refused(new CommandError("request", "Settings are required."));
        var errors = Notifications.NotificationSettingsValidator.Validate(settings);
        if (errors.Count > 0) return CommandResult<Notifications.NotificationSettings>.Refused([.. errors]);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = notifications.Settings;
            if (current == settings) return CommandResult<Notifications.NotificationSettings>.Ok(current);
            var (before, after) = SettingsStore.DescribeChange(current, settings);
            if (await SaveSettingAsync(() => store.SaveNotificationsAsync(settings, actor, before, after, cancellationToken), "notifications.set", actor, cancellationToken)
                    .ConfigureAwait(false) is { } refused)
            {
                return CommandResult<Notifications.NotificationSettings>.Refused(refused);
            }
            notifications.Apply(settings);
            logger.LogInformation("Notification settings changed by {Actor}: {Before} → {After}", actor, before, after);
            return CommandResult<Notifications.NotificationSettings>.Ok(settings);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Arms live trading: from the next execution on, orders reach the venues. Refused unless
    /// <paramref name="confirmation"/> is exactly <see cref="LiveTrading.ConfirmationPhrase"/>, and every venue that will
    /// trade reads real data and has trading credentials that load and that the venue accepts (an authenticated balance
    /// read). Persisted with an audit entry. Only admins may call it (the REST API and dashboard check the role).
    /// </summary>
    public async Task<CommandResult<LiveTradingState>> ArmLiveAsync(string actor, string? confirmation, CancellationToken cancellationToken)
    {
        if (!string.Equals(confirmation, LiveTrading.ConfirmationPhrase, StringComparison.Ordinal))
        {
            return CommandResult<LiveTradingState>.Refused(new CommandError("confirmation",
                $"Type {LiveTrading.ConfirmationPhrase} exactly (capitals, one space) to arm live trading; nothing was changed."));
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (live.Armed) return CommandResult<LiveTradingState>.Ok(live.State);
            if (live.Gateways.MissingRequirements() is { Count: > 0 } missing) return CommandResult<LiveTradingState>.Refused([.. missing]);
            IReadOnlyDictionary<Core.VenueId, Execution.IOrderGateway> gateways;
            try
            {
                gateways = await live.Gateways.OpenAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (LiveGatewayException e)
            {
                return CommandResult<LiveTradingState>.Refused(new CommandError(e.Field, e.Message));
            }
            var before = live.State;
            var armed = new LiveTradingState(true, actor, store.Now);
            // Arming must be on record before it takes effect: without the database it is refused and the desk stays on paper.
            if (await SaveSettingAsync(() => store.SaveLiveTradingAsync(armed, actor, ArmLiveAction, Describe(before), Describe(armed), cancellationToken), ArmLiveAction, actor, cancellationToken)
                    .ConfigureAwait(false) is { } refused)
            {
                return CommandResult<LiveTradingState>.Refused(refused);
            }
            if (!await live.SwitchAsync(gateways, armed, cancellationToken).ConfigureAwait(false))
            {
                // Recorded as armed a moment ago: record that it did not happen (queued if the database went away since).
                var note = Describe(before) + " (arming gave up: executions stayed in flight)";
                try
                {
                    await store.SaveLiveTradingAsync(before, "system", DisarmLiveAction, Describe(armed), note, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Recording that arming gave up could not be saved now; it is written when the database answers again");
                    foreach (var row in store.Rows(before, "system", DisarmLiveAction, Describe(armed), note)) records.Enqueue(row);
                }
                return CommandResult<LiveTradingState>.Refused(new CommandError("request",
                    $"Executions stayed in flight for {LiveTrading.SwitchWait.TotalSeconds:0} s; the desk stays on paper. Try again (or pause trading first)."));
            }
            logger.LogWarning("LIVE trading armed by {Actor}: orders now reach {Venues}", actor, string.Join(", ", gateways.Keys.Select(v => Core.VenueIdExtensions.DisplayName(v))));
            return CommandResult<LiveTradingState>.Ok(armed);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Returns to paper trading (from the next execution on); persisted with an audit entry. Open live orders are cancelled.</summary>
    public async Task<CommandResult<LiveTradingState>> DisarmLiveAsync(string actor, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!live.Armed) return CommandResult<LiveTradingState>.Ok(live.State);
            var before = live.State;
            var paper = new LiveTradingState(false, actor, store.Now);
            // Safer, so it takes effect first and is recorded after: a database outage must never keep the desk live.
            if (!await live.SwitchAsync(null, paper, cancellationToken).ConfigureAwait(false))
            {
                logger.LogWarning("Disarming by {Actor} gave up: executions stayed in flight; still LIVE", actor);
                return CommandResult<LiveTradingState>.Refused(new CommandError("request",
                    $"Executions stayed in flight for {LiveTrading.SwitchWait.TotalSeconds:0} s; still LIVE. Try again, or engage the kill switch to stop all orders."));
            }
            // Nothing new goes live; whatever still rests on a venue from live trading is cancelled.
            foreach (var route in venues.Gateways.Values.OfType<Execution.RoutedOrderGateway>())
            {
                try
                {
                    await route.CancelAllAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Disarming: cancelling open orders on {Venue} failed", route.Venue);
                }
            }
            try
            {
                await store.SaveLiveTradingAsync(paper, actor, DisarmLiveAction, Describe(before), Describe(paper), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Disarming by {Actor} is in force but could not be saved now; it is kept and written when the database answers again", actor);
                foreach (var row in store.Rows(paper, actor, DisarmLiveAction, Describe(before), Describe(paper))) records.Enqueue(row);
            }
            logger.LogWarning("Live trading disarmed by {Actor}: back to PAPER", actor);
            return CommandResult<LiveTradingState>.Ok(paper);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The desk starts on paper whatever was stored; when it was armed, that is recorded and said.</summary>
    private async Task RestorePaperAsync(CancellationToken cancellationToken)
    {
        var stored = await store.LoadLiveTradingAsync(cancellationToken).ConfigureAwait(false);
        if (!stored.Armed) return;
        var paper = new LiveTradingState(false, "system", store.Now);
        await store.SaveLiveTradingAsync(paper, "system", DisarmLiveAction, Describe(stored), "paper (restarted: the desk never starts live)", cancellationToken).ConfigureAwait(false);
        var notice = $"Started in PAPER: live trading was armed by {stored.ChangedBy} at {stored.ChangedAt:yyyy-MM-dd HH:mm:ss}Z before the restart. An admin must arm it again.";
        live.NoteRestart(notice);
        logger.LogWarning("{Notice}", notice);
    }

    private static string Describe(LiveTradingState state) =>
        state.Armed ? $"live (armed by {state.ChangedBy} at {state.ChangedAt:yyyy-MM-dd HH:mm:ss}Z)" : "paper";

    private async Task RunOnHubAsync(Action action, CancellationToken cancellationToken)
    {
        var work = new RunWork(action);
        await hub.PostAsync(work, cancellationToken).ConfigureAwait(false);
        await work.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class RunWork(Action action) : IHubWork
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(MarketDataHub hub)
        {
            try
            {
                action();
                Done.TrySetResult();
            }
            catch (Exception ex)
            {
                Done.TrySetException(ex);
            }
        }
    }

    /// <summary>True while a change queued during an outage may not be saved yet (the writer has not emptied since).</summary>
    private bool ControlsStillQueued()
    {
        if (_controlsQueued && records.Pending == 0 && records.FailingSince is null) _controlsQueued = false;
        return _controlsQueued;
    }

    /// <summary>
    /// Saves a change that must be durable before it takes effect. A database that cannot take it refuses the command
    /// with a clear message and nothing changes; a safer change still queued from an outage is written first.
    /// </summary>
    private async Task<CommandResult<ControlState>?> SaveControlsAsync(
        ControlState next, string actor, string action, string before, string after, CancellationToken cancellationToken)
    {
        try
        {
            if (ControlsStillQueued())
            {
                await records.FlushAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
                _controlsQueued = false;
            }
            await store.SaveAsync(next, actor, action, before, after, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "{Action} by {Actor} could not be saved; nothing changed", action, actor);
            return CommandResult<ControlState>.Refused(new CommandError("database", DatabaseUnavailableMessage));
        }
    }

    /// <summary>The refusal every riskier or ordinary change gets while the database cannot record it.</summary>
    public const string DatabaseUnavailableMessage =
        "The database is not taking changes right now, so nothing changed. Pausing and the kill switch still work; try this again when it answers.";

    /// <summary>
    /// Saves a setting that must be durable (with its audit entry) before it takes effect; when the database cannot take
    /// it the command is refused plainly (field "database") and nothing changes, instead of the error reaching the caller.
    /// </summary>
    private async Task<CommandError?> SaveSettingAsync(Func<Task> save, string action, string actor, CancellationToken cancellationToken)
    {
        try
        {
            await save().ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "{Action} by {Actor} could not be saved; nothing changed", action, actor);
            return new CommandError("database", DatabaseUnavailableMessage);
        }
    }

    /// <summary>
    /// A change that only makes the desk safer: applied first (and <paramref name="afterApply"/> run, e.g. cancelling
    /// orders), then saved; when the database cannot take it now, the setting and its audit entry are queued in the record
    /// writer, which writes them when the database returns. The desk is never left unprotected by a database outage.
    /// </summary>
    private async Task<CommandResult<ControlState>> ChangeSaferAsync(
        string actor, string action, Func<ControlState, ControlState?> change, Func<ControlState, string> describe, CancellationToken cancellationToken,
        Func<Task>? afterApply = null)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = controls.State;
            var next = change(current);
            if (next is null) return CommandResult<ControlState>.Ok(current);
            await ApplyAsync(next, cancellationToken).ConfigureAwait(false);
            logger.LogWarning("{Action} by {Actor}", action, actor);
            if (afterApply is not null) await afterApply().ConfigureAwait(false);
            var (before, after) = (describe(current), describe(next));
            try
            {
                if (ControlsStillQueued()) throw new InvalidOperationException("an earlier change is still waiting for the database");
                await store.SaveAsync(next, actor, action, before, after, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "{Action} by {Actor} is in force but could not be saved now; it is kept and written when the database answers again", action, actor);
                foreach (var row in store.Rows(next, actor, action, before, after)) records.Enqueue(row);
                _controlsQueued = true;
            }
            return CommandResult<ControlState>.Ok(next);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<CommandResult<ControlState>> ChangeAsync(
        string actor, string action, Func<ControlState, ControlState?> change, Func<ControlState, string> describe, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = controls.State;
            var next = change(current);
            if (next is null) return CommandResult<ControlState>.Ok(current);
            if (await SaveControlsAsync(next, actor, action, describe(current), describe(next), cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return refused;
            }
            await ApplyAsync(next, cancellationToken).ConfigureAwait(false);
            logger.LogWarning("{Action} by {Actor}", action, actor);
            return CommandResult<ControlState>.Ok(next);
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task ApplyAsync(ControlState state, CancellationToken cancellationToken) => ApplyAsync(new ApplyWork(controls, state), cancellationToken);

    private async Task ApplyAsync(ApplyOnHub work, CancellationToken cancellationToken)
    {
        await hub.PostAsync(work, cancellationToken).ConfigureAwait(false);
        await work.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private abstract class ApplyOnHub : IHubWork
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(MarketDataHub hub)
        {
            try
            {
                Apply();
                Done.TrySetResult();
            }
            catch (Exception ex)
            {
                // A listener that throws must not leave the command waiting forever.
                Done.TrySetException(ex);
            }
        }

        protected abstract void Apply();
    }

    private sealed class ApplyWork(DeskControls controls, ControlState state) : ApplyOnHub
    {
        protected override void Apply() => controls.Apply(state);
    }

    private sealed class ApplyMultiOutcomeWork(DeskControls controls, MultiOutcomeSettings settings) : ApplyOnHub
    {
        protected override void Apply() => controls.Apply(settings);
    }
}
