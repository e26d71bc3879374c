using System.Globalization;
using System.Threading.Channels;
using ArbBot.Engine.Control;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Events;
using ArbBot.Engine.Observability;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Venues;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Notifications;

/// <summary>The notification settings in force, readable from any thread (one volatile read).</summary>
public sealed class NotificationControls
{
    private volatile NotificationSettings _settings = new();

    public NotificationSettings Settings => _settings;

    internal void Apply(NotificationSettings settings) => _settings = settings;
}

/// <summary>
/// What the engine hands to notifications: raw events go into a bounded queue with a cheap filter and nothing else
/// (the hub's thread never formats, waits or sends); a full queue drops and counts. Error logs arrive here too.
/// </summary>
public sealed class NotificationQueue(NotificationControls controls)
{
    private long _dropped;

    private readonly Channel<object> _channel = Channel.CreateBounded<object>(new BoundedChannelOptions(512)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    internal ChannelReader<object> Reader => _channel.Reader;

    /// <summary>Queues an event if notifications are on; never blocks.</summary>
    public void Offer(object item)
    {
        if (!controls.Settings.Enabled) return;
        if (!_channel.Writer.TryWrite(item)) Interlocked.Increment(ref _dropped);
    }

    /// <summary>Events dropped because the queue was full (the sender cannot keep up).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);
}

/// <summary>A message for people, already worded.</summary>
public sealed record Notification(string Category, string Text);

/// <summary>An error the desk logged (forwarded by <see cref="NotificationErrorLoggerProvider"/>).</summary>
public sealed record LoggedError(string Category, string Message);

/// <summary>The kill switch changed.</summary>
internal sealed record KillSwitchChanged(bool Engaged, string? Reason);

/// <summary>
/// Sends notifications to Discord and Telegram off the hub's thread: trades (once saved), opportunities above the
/// threshold, risk limits hit, the circuit breaker, the kill switch, venue feeds and (while live) order streams going down and
/// coming back, errors, and a daily summary. Each channel is rate-limited (excess dropped and counted, the next message says how many);
/// delivery is retried with backoff; failures are counted in <see cref="DeskMetrics"/> and never reach the engine.
/// </summary>
public sealed class NotificationDispatcher(
    NotificationQueue queue,
    NotificationControls controls,
    NotificationSender sender,
    NotificationSecrets secrets,
    EngineJournal journal,
    RecordWriter records,
    DeskControls desk,
    DeskMonitor monitor,
    IEnumerable<IVenue> venues,
    DeskMetrics metrics,
    TimeProvider time,
    ILogger<NotificationDispatcher> logger) : BackgroundService
{
    private static readonly RiskRule[] LimitRules = [RiskRule.DailyLossLimit, RiskRule.MaxDrawdown, RiskRule.MaxTotalExposure, RiskRule.VenueBalance];

    private readonly Dictionary<NotificationChannel, Queue<DateTimeOffset>> _sent = [];
    private readonly Dictionary<NotificationChannel, int> _suppressed = [];
    private FeedAlerts? _feeds;
    private readonly OrderStreamAlerts _orderStreams = new();
    private bool _killSwitch;
    private DateOnly _lastSummary;

    /// <summary>How often venue feeds and the summary hour are checked.</summary>
    public TimeSpan WatchInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a venue's feed may take to come live after start before it is alerted.</summary>
    public TimeSpan FeedStartGrace { get; init; } = TimeSpan.FromMinutes(2);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _killSwitch = desk.KillSwitchEngaged;
        _lastSummary = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        _feeds = new FeedAlerts(time.GetUtcNow()) { StartGrace = FeedStartGrace };
        journal.Published += OnPublished;
        records.Committed += OnCommitted;
        desk.Changed += OnControlsChanged;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        journal.Published -= OnPublished;
        records.Committed -= OnCommitted;
        desk.Changed -= OnControlsChanged;
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a test message to every configured channel now, whatever the switches say; returns each channel's answer.</summary>
    public async Task<IReadOnlyList<DeliveryResult>> SendTestAsync(string actor, CancellationToken cancellationToken)
    {
        var text = $"ArbBot test message, sent by {actor} at {time.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC. Notifications reach this channel.";
        var results = new List<DeliveryResult>();
        foreach (var channel in Enum.GetValues<NotificationChannel>())
        {
            var result = await sender.SendAsync(channel, text, controls.Settings.TelegramChatId, cancellationToken).ConfigureAwait(false);
            if (result.Delivered) metrics.NotificationSent();
            else if (IsConfigured(channel)) metrics.NotificationFailed();
            results.Add(result);
        }
        return results;
    }

    // Hub thread: a type test and a few flag reads, then a non-blocking enqueue.
    private void OnPublished(object e)
    {
        var s = controls.Settings;
        switch (e)
        {
            case Opportunity o when s.Opportunities && o.ExpectedProfit >= s.OpportunityThreshold:
            case RiskEvent { Verdict: RiskVerdict.Reject, Rule: RiskRule.CircuitBreaker } when s.CircuitBreaker:
            case UnhedgedExposure u when s.Errors && u.Quantity != 0m:
                queue.Offer(e);
                break;
            case RiskEvent { Verdict: RiskVerdict.Reject } r when s.RiskLimits && Array.IndexOf(LimitRules, r.Rule) >= 0:
                queue.Offer(e);
                break;
        }
    }

    // Writer thread: trades are announced once they are saved.
    private void OnCommitted(IReadOnlyList<object> rows)
    {
        if (!controls.Settings.Trades) return;
        foreach (var row in rows)
        {
            if (row is ExecutionRow { Kind: not nameof(ExecutionOutcomeKind.NotFilled) }) queue.Offer(row);
        }
    }

    private void OnControlsChanged(ControlState state)
    {
        if (state.KillSwitchEngaged == _killSwitch) return;
        _killSwitch = state.KillSwitchEngaged;
        if (controls.Settings.KillSwitch) queue.Offer(new KillSwitchChanged(state.KillSwitchEngaged, state.KillSwitchReason));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watch = WatchAsync(stoppingToken);
        try
        {
            await foreach (var item in queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    var notification = Word(item);
                    if (notification is not null) await DeliverAsync(notification, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // One bad message must not end notifications (nor, through the host, the desk). Type only: no secret.
                    metrics.NotificationFailed();
                    logger.LogWarning("A notification could not be sent ({Error})", ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await watch.ConfigureAwait(false);
    }

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(WatchInterval, time, stoppingToken).ConfigureAwait(false);
                var s = controls.Settings;
                var at = time.GetUtcNow();
                foreach (var venue in venues)
                {
                    if (_feeds!.Observe(venue.DisplayName, venue.MarketData.State, at) is { } alert && s.VenueDisconnects) queue.Offer(alert);
                }
                // Live order streams (fills, order updates), from the snapshot: armed venues only, so nothing on paper.
                foreach (var alert in _orderStreams.Observe(monitor.Latest.LiveOrderStreams, at))
                {
                    if (s.VenueDisconnects) queue.Offer(alert);
                }
                var now = time.GetUtcNow().UtcDateTime;
                var today = DateOnly.FromDateTime(now);
                if (s.DailySummary && now.Hour == s.DailySummaryHourUtc && today != _lastSummary)
                {
                    _lastSummary = today;
                    queue.Offer(Summary(monitor.Latest));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static Notification Summary(DeskSnapshot snapshot)
    {
        var p = snapshot.Portfolio;
        var e = snapshot.Execution;
        return new Notification("summary", string.Create(CultureInfo.InvariantCulture,
            $"📊 Daily summary: today {p.DailyPnl:+$0.00;-$0.00}, realized {p.RealizedPnl:+$0.00;-$0.00}, unrealized {p.UnrealizedPnl:+$0.00;-$0.00}, equity ${p.Equity:0.00}, drawdown ${p.Drawdown:0.00}; {e.Attempted} executions, {e.HedgedWithinSlippage + e.HedgedBeyondSlippage} hedged, {p.OpenPositionCount} open positions."));
    }

    private Notification? Word(object item) => item switch
    {
        Notification n => n,
        ExecutionRow t => new Notification("trade", string.Create(CultureInfo.InvariantCulture,
            $"💱 Trade {t.OpportunityId} ({t.Strategy}) {t.Kind}: {t.HedgedQuantity} sets, locked {t.LockedProfit:+$0.00;-$0.00} after ${t.Fees:0.00} fees. {t.Summary}")),
        Opportunity o => new Notification("opportunity", string.Create(CultureInfo.InvariantCulture,
            $"🔎 Opportunity {o.Id} ({o.Strategy}): expected {o.ExpectedProfit:+$0.00;-$0.00} on {o.Quantity} sets, net edge {o.NetEdgePerSet:0.0000}/set; {o.Decision}: {o.Reason}")),
        RiskEvent { Rule: RiskRule.CircuitBreaker } r => new Notification("breaker", $"🛑 Circuit breaker tripped: {r.Detail}"),
        RiskEvent r => new Notification("risk", $"🚧 Risk limit hit ({r.Rule}): {r.Detail}"),
        UnhedgedExposure u => new Notification("error", string.Create(CultureInfo.InvariantCulture, $"❗ Unhedged exposure on pair {u.PairId}: {u.Quantity} contracts. {u.Detail}")),
        KillSwitchChanged k => new Notification("kill-switch", k.Engaged ? $"⛔ Kill switch engaged: {k.Reason}. No order will be sent." : "Kill switch reset: trading may resume."),
        LoggedError l when controls.Settings.Errors => new Notification("error", $"❗ Error in {l.Category}: {l.Message}"),
        _ => null,
    };

    private async Task DeliverAsync(Notification notification, CancellationToken cancellationToken)
    {
        var s = controls.Settings;
        if (!s.Enabled) return;
        foreach (var channel in Enum.GetValues<NotificationChannel>())
        {
            if (!IsConfigured(channel) || !(channel == NotificationChannel.Discord ? s.Discord : s.Telegram)) continue;
            if (!TakeSlot(channel, s.MaxPerMinute))
            {
                _suppressed[channel] = _suppressed.GetValueOrDefault(channel) + 1;
                metrics.NotificationDropped();
                continue;
            }
            var text = secrets.Redact(notification.Text);
            if (_suppressed.Remove(channel, out var skipped)) text += $" ({skipped} earlier message(s) dropped by the rate limit)";
            var result = await sender.SendAsync(channel, text, s.TelegramChatId, cancellationToken).ConfigureAwait(false);
            if (result.Delivered)
            {
                metrics.NotificationSent();
            }
            else
            {
                metrics.NotificationFailed();
                // Logged as a warning, not an error: an error would itself be notified and could loop.
                logger.LogWarning("A {Category} notification to {Channel} was not delivered: {Detail}", notification.Category, channel, result.Detail);
            }
        }
    }

    private bool IsConfigured(NotificationChannel channel) => channel == NotificationChannel.Discord ? secrets.DiscordConfigured : secrets.TelegramConfigured;

    private bool TakeSlot(NotificationChannel channel, int perMinute)
    {
        if (!_sent.TryGetValue(channel, out var sent)) _sent[channel] = sent = new Queue<DateTimeOffset>();
        var now = time.GetUtcNow();
        while (sent.Count > 0 && now - sent.Peek() >= TimeSpan.FromMinutes(1)) sent.Dequeue();
        if (sent.Count >= perMinute) return false;
        sent.Enqueue(now);
        return true;
    }
}

/// <summary>Forwards error logs (except the notifier's own and the database driver's) to the notification queue.</summary>
public sealed class NotificationErrorLoggerProvider(NotificationQueue queue, NotificationControls controls) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("ArbBot.Engine.Notifications", StringComparison.Ordinal) || categoryName.StartsWith("Microsoft.", StringComparison.Ordinal)
            ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance
            : new ErrorLogger(categoryName, queue, controls);

    public void Dispose()
    {
    }

    private sealed class ErrorLogger(string category, NotificationQueue queue, NotificationControls controls) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error && controls.Settings is { Enabled: true, Errors: true };

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            // The exception's type only: its message can hold anything, including a URL with a secret in it.
            var message = formatter(state, exception) + (exception is null ? "" : $" ({exception.GetType().Name})");
            queue.Offer(new LoggedError(category[(category.LastIndexOf('.') + 1)..], message));
        }
    }
}
