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
/// Refreshes the <see cref="DeskSnapshot"/> a few times a second (re-marking positions to the current mids first),
/// persists positions when they change and a PnL snapshot every minute.
/// </summary>
/// <remarks>
/// The refresh holds the hub's thread only for what must happen there: adopting the marks prepared off the hub
/// (<see cref="DeskPortfolio"/>'s publication: a few compares and stores per open position, the few that moved meanwhile
/// marked from their books) and copying what only the hub may read (unhedged contracts, failed executions). The
/// cross-venue spreads are copied, and the sets left unpriced are priced, on the refresh's thread from what the strategy
/// publishes (<see cref="CrossVenueArbitrage.TrySnapshotSpreadsOffHub"/>; on the hub only when pairs or limits keep
/// changing under the copy).
/// The portfolio's copy, its sums and holdings, and persisting are done on the refresh's own thread from a consistent
/// copy of the portfolio (<see cref="DeskPortfolio.TryReadSnapshot(int)"/>); when changes keep overlapping that copy
/// (never expected: fills are rare), the copy is made on the hub instead.
/// </remarks>
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
    private readonly Lock _persistGate = new();

    /// <summary>One refresh at a time (the loop and a shutdown's last one): they share the copy buffers. Never taken on the hub.</summary>
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly DeskPortfolio.PortfolioView _view = new();
    private DeskPortfolio.MarkBatch? _marks;
    /// <summary>The last refresh's hub work: its batch is reused only once the hub has run it (a cancelled refresh may leave it queued).</summary>
    private Task _lastHubPart = Task.CompletedTask;

    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan PnlSnapshotInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// False takes the whole snapshot on the hub's thread as before (marks, every copy and sum): the benchmarks compare
    /// the two. Default true.
    /// </summary>
    public bool RefreshOffHub { get; init; } = true;

    /// <summary>Observability (the latency harness): how long each refresh held the hub's thread, reported on the hub's thread.</summary>
    public Action<TimeSpan>? HubHeld { get; set; }

    /// <summary>The newest snapshot (an empty one before the engine's first refresh).</summary>
    public DeskSnapshot Latest => _latest ?? DeskSnapshot.Empty(controls.State, time);

    /// <summary>Raised after each refresh, off the hub's thread.</summary>
    public event Action<DeskSnapshot>? Refreshed;

    /// <summary>Takes a fresh snapshot now and returns it (the hub's part on its thread, the rest on the caller's).</summary>
    public async Task<DeskSnapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var snapshot = RefreshOffHub ? await TakeOffHubAsync(cancellationToken).ConfigureAwait(false) : await TakeOnHubAsync(cancellationToken).ConfigureAwait(false);
            _latest = snapshot;
            Persist(snapshot, force: false);
            return snapshot;
        }
        finally
        {
            _refreshing.Release();
        }
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

    private async Task<DeskSnapshot> TakeOffHubAsync(CancellationToken cancellationToken)
    {
        // Off the hub: the marks worked out from the published tops of book (null: changes kept overlapping the copy;
        // the hub then marks every position from its book, as before).
        var marks = portfolio.TryPrepareMarks(_view, reuse: _lastHubPart.IsCompleted ? _marks : null);
        _marks = marks ?? _marks;
        var work = new HubPart(this, marks);
        _lastHubPart = work.Result.Task;
        await hub.PostAsync(work, cancellationToken).ConfigureAwait(false);
        var part = await work.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var spreads = engine.CrossVenue.TrySnapshotSpreadsOffHub();
        if (spreads is null)
        {
            SpreadCopiesOnHub++;
            var onHub = new HubSpreads(engine.CrossVenue);
            await hub.PostAsync(onHub, cancellationToken).ConfigureAwait(false);
            spreads = await onHub.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        PortfolioSnapshot portfolioSnapshot;
        decimal exposure;
        if (portfolio.TryReadSnapshot(_view) is { } read)
        {
            portfolioSnapshot = read;
            exposure = _view.TotalExposure;
        }
        else
        {
            var copy = new HubCopy(portfolio);
            await hub.PostAsync(copy, cancellationToken).ConfigureAwait(false);
            (portfolioSnapshot, exposure) = await copy.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        return new DeskSnapshot(
            part.At,
            part.Controls,
            portfolioSnapshot,
            engine.PairsInIdOrder,
            spreads,
            executor.Stats,
            part.Unhedged,
            records.Backlogged,
            exposure,
            part.BreakerFailures,
            latency.Snapshot(),
            records.Pending,
            records.FailingSince,
            LiveOrderStreams());
    }

    /// <summary>What only the hub's thread may do or read for a refresh: adopt the marks, copy unhedged contracts and failures. Hub thread.</summary>
    private HubPartResult RunHubPart(DeskPortfolio.MarkBatch? marks)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (marks is null) portfolio.RecomputeUnrealized();
        else portfolio.ApplyMarks(marks);
        var marked = System.Diagnostics.Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        var state = controls.State;
        var result = new HubPartResult(now, state, executor.UnhedgedPositions(), executor.FailedExecutionsSince(now - state.Limits.CircuitBreakerWindow));
        LastHubParts = (System.Diagnostics.Stopwatch.GetElapsedTime(started, marked), System.Diagnostics.Stopwatch.GetElapsedTime(marked));
        return result;
    }

    /// <summary>
    /// Diagnostics (the latency harness): the last refresh's hub work in parts — adopting the marks, the executor's
    /// figures. The spreads are copied off the hub (<see cref="SpreadCopiesOnHub"/> counts the exceptions). Hub thread.
    /// </summary>
    public (TimeSpan Marks, TimeSpan Executor) LastHubParts { get; private set; }

    /// <summary>Refreshes whose spreads were copied on the hub because pairs or limits kept changing under the off-hub copy.</summary>
    public int SpreadCopiesOnHub { get; private set; }

    /// <summary>The whole snapshot on the hub's thread, as before (<see cref="RefreshOffHub"/> false).</summary>
    private async Task<DeskSnapshot> TakeOnHubAsync(CancellationToken cancellationToken)
    {
        var work = new OnHubWork(this);
        await hub.PostAsync(work, cancellationToken).ConfigureAwait(false);
        return await work.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private DeskSnapshot TakeOnHub()
    {
        portfolio.RecomputeUnrealized();
        var now = time.GetUtcNow();
        var state = controls.State;
        return new DeskSnapshot(
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

    // Off the hub's thread (the refresh's, or the stopping one's): the gate keeps the two from interleaving.
    private void Persist(DeskSnapshot snapshot, bool force)
    {
        lock (_persistGate)
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
    }

    private readonly record struct HubPartResult(DateTimeOffset At, ControlState Controls, IReadOnlyList<UnhedgedPosition> Unhedged, int BreakerFailures);

    private sealed class HubPart(DeskMonitor monitor, DeskPortfolio.MarkBatch? marks) : MarketData.IHubWork
    {
        public TaskCompletionSource<HubPartResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(MarketData.MarketDataHub hub)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                Result.TrySetResult(monitor.RunHubPart(marks));
            }
            catch (Exception ex)
            {
                Result.TrySetException(ex);
            }
            monitor.HubHeld?.Invoke(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }

    private sealed class HubCopy(DeskPortfolio portfolio) : MarketData.IHubWork
    {
        public TaskCompletionSource<(PortfolioSnapshot, decimal)> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(MarketData.MarketDataHub hub) => Result.TrySetResult((portfolio.Snapshot(), portfolio.TotalExposure));
    }

    /// <summary>The spreads copied on the hub, when the copy off it gave up (pairs or limits kept changing under it).</summary>
    private sealed class HubSpreads(CrossVenueArbitrage strategy) : MarketData.IHubWork
    {
        public TaskCompletionSource<ArbSetSpread[]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(MarketData.MarketDataHub hub)
        {
            try
            {
                Result.TrySetResult(strategy.SnapshotSpreads());
            }
            catch (Exception ex)
            {
                Result.TrySetException(ex);
            }
        }
    }

    private sealed class OnHubWork(DeskMonitor monitor) : MarketData.IHubWork
    {
        public TaskCompletionSource<DeskSnapshot> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(MarketData.MarketDataHub hub)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                Result.TrySetResult(monitor.TakeOnHub());
            }
            catch (Exception ex)
            {
                Result.TrySetException(ex);
            }
            monitor.HubHeld?.Invoke(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }
}
