using ArbBot.Engine.Control;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Strategies.CrossVenueArb;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Desk;

/// <summary>One consistent picture of the desk for readers off the hub's thread (API, dashboard).</summary>
/// <param name="TotalExposure">Cost of every open position together, at average cost (the total exposure limit's measure).</param>
/// <param name="BreakerFailures">Failed executions inside the circuit breaker's window now (it trips at the limit's count).</param>
/// <param name="OrderLatency">Each venue's order response latency over its recent orders (absent before its first answer).</param>
/// <param name="RecordsPending">Records queued for the database and not saved yet.</param>
/// <param name="RecordsFailingSince">When saving records started failing (database away or locked); null while saves go through.</param>
/// <param name="OrderStreams">Each venue's live order stream (fills, order updates) while live trading is armed; null or empty on paper.</param>
public sealed record DeskSnapshot(
    DateTimeOffset At,
    ControlState Controls,
    PortfolioSnapshot Portfolio,
    IReadOnlyList<MarketPair> Pairs,
    IReadOnlyList<ArbSetSpread> Spreads,
    ExecutionStats Execution,
    IReadOnlyList<UnhedgedPosition> Unhedged,
    bool RecordsBacklogged,
    decimal TotalExposure = 0m,
    int BreakerFailures = 0,
    IReadOnlyDictionary<Core.VenueId, OrderLatency>? OrderLatency = null,
    int RecordsPending = 0,
    DateTimeOffset? RecordsFailingSince = null,
    IReadOnlyList<VenueOrderStream>? OrderStreams = null)
{
    /// <summary>Each venue's live order stream while live trading is armed (empty on paper).</summary>
    public IReadOnlyList<VenueOrderStream> LiveOrderStreams => OrderStreams ?? [];

    /// <summary>The live order stream of <paramref name="venue"/>, or null (on paper, or no stream).</summary>
    public VenueOrderStream? LiveOrderStream(Core.VenueId venue) => LiveOrderStreams.FirstOrDefault(s => s.Venue == venue);

    /// <summary>True while failed executions in the window have reached the limit: no new trade until some age out.</summary>
    public bool BreakerTripped => BreakerFailures >= Controls.Limits.CircuitBreakerFailures;

    public static DeskSnapshot Empty(ControlState controls, TimeProvider time) => new(
        time.GetUtcNow(), controls,
        new PortfolioSnapshot(time.GetUtcNow(), [], [], new Dictionary<Core.VenueId, decimal>(), 0, 0, 0, 0, 0, 0, 0, 0),
        [], [], ExecutionStats.Empty, [], false);
}

/// <summary>
/// Refreshes the <see cref="DeskSnapshot"/> a few times a second on the hub's thread (re-marking positions to the
/// current mids first), persists positions when they change and a PnL snapshot every minute.
/// </summary>
public sealed class DeskMonitor(
    DeskEngine engine,
    DeskPortfolio portfolio,
    ArbitrageExecutor executor,
    DeskControls controls,
    RecordWriter records,
    OrderLatencyMeter latency,
    MarketData.MarketDataHub hub,
    TradingDesk desk,
    TimeProvider time,
    ILogger<DeskMonitor> logger) : BackgroundService
{
    private volatile DeskSnapshot? _latest;
    private DateTimeOffset _lastPnlSnapshot;
    private Dictionary<(Core.VenueId, string), PositionSnapshot> _lastPositions = [];

    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan PnlSnapshotInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The newest snapshot (an empty one before the engine's first refresh).</summary>
    public DeskSnapshot Latest => _latest ?? DeskSnapshot.Empty(controls.State, time);

    /// <summary>Raised after each refresh, off the hub's thread.</summary>
    public event Action<DeskSnapshot>? Refreshed;

    /// <summary>Takes a fresh snapshot now (on the hub's thread) and returns it.</summary>
    public async Task<DeskSnapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        var work = new RefreshWork(this);
        await hub.PostAsync(work, cancellationToken).ConfigureAwait(false);
        return await work.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _lastPnlSnapshot = time.GetUtcNow();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(RefreshInterval, time, stoppingToken).ConfigureAwait(false);
                var snapshot = await RefreshAsync(stoppingToken).ConfigureAwait(false);
                try
                {
                    Refreshed?.Invoke(snapshot);
                }
                catch (Exception ex)
                {
                    logger.LogWarning(ex, "A desk snapshot subscriber failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private readonly Lifecycle.StopOnce _stopOnce = new();

    public override Task StopAsync(CancellationToken cancellationToken) => _stopOnce.RunAsync(StopOnceAsync, cancellationToken);

    private async Task StopOnceAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // A final PnL and position record on the way out.
        if (_latest is { } last) Persist(last, force: true);
    }

    private DeskSnapshot Take()
    {
        portfolio.RecomputeUnrealized();
        var now = time.GetUtcNow();
        var state = controls.State;
        var snapshot = new DeskSnapshot(
            now,
            state,
            portfolio.Snapshot(),
            [.. engine.Pairs.Values.OrderBy(p => p.Id)],
            engine.CrossVenue.SnapshotSpreads(),
            executor.Stats,
            executor.UnhedgedPositions(),
            records.Backlogged,
            portfolio.TotalExposure,
            executor.FailedExecutionsSince(now - state.Limits.CircuitBreakerWindow),
            latency.Snapshot(),
            records.Pending,
            records.FailingSince,
            LiveOrderStreams());
        _latest = snapshot;
        Persist(snapshot, force: false);
        return snapshot;
    }

    // Volatile reads only: the live gateways' stream readers write these, the hub never waits for them.
    private List<VenueOrderStream> LiveOrderStreams()
    {
        var streams = new List<VenueOrderStream>();
        foreach (var (venue, route) in desk.Routes)
        {
            if (route.LiveOrderStream is { } s) streams.Add(new VenueOrderStream(venue, s.Connected, s.DisconnectedSince, s.EverConnected));
        }
        return streams;
    }

    private void Persist(DeskSnapshot snapshot, bool force)
    {
        var now = snapshot.At.UtcDateTime;
        var current = snapshot.Portfolio.Positions.ToDictionary(p => (p.Venue, p.Symbol));
        foreach (var (key, position) in current)
        {
            if (_lastPositions.TryGetValue(key, out var before) && before.Quantity == position.Quantity && before.FeesPaid == position.FeesPaid
                && before.RealizedPnl == position.RealizedPnl) continue;
            records.Enqueue(new PositionRow
            {
                Venue = position.Venue.ToString(),
                Symbol = position.Symbol,
                Quantity = position.Quantity,
                AverageCost = position.AverageCost,
                Fees = position.FeesPaid,
                RealizedPnl = position.RealizedPnl,
                UpdatedUtc = now,
            });
        }
        _lastPositions = current;
        if (force || snapshot.At - _lastPnlSnapshot >= PnlSnapshotInterval)
        {
            _lastPnlSnapshot = snapshot.At;
            var p = snapshot.Portfolio;
            records.Enqueue(new PnlSnapshotRow
            {
                AtUtc = now,
                RealizedPnl = p.RealizedPnl,
                UnrealizedPnl = p.UnrealizedPnl,
                Equity = p.Equity,
                DailyPnl = p.DailyPnl,
                Drawdown = p.Drawdown,
                Fees = p.FeesPaid,
            });
        }
    }

    private sealed class RefreshWork(DeskMonitor monitor) : MarketData.IHubWork
    {
        public TaskCompletionSource<DeskSnapshot> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(MarketData.MarketDataHub hub) => Result.TrySetResult(monitor.Take());
    }
}
