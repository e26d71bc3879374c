using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Persistence;

/// <summary>
/// Writes the engine's records to the database off the hot path: the engine enqueues rows without waiting, and one
/// background loop saves them in batches, each batch in one transaction, strictly in the order they were queued. Orders
/// and positions are rewritten as they change (the newest row per key in a batch wins). When the database fails, the
/// batch is kept and retried with a growing delay, so nothing is lost while it is away; the queue itself is unbounded
/// (a row is never dropped or refused), and when it holds more than its capacity <see cref="Backlogged"/> turns true (the
/// engine pauses trading on it) until it is down to half. The most frequent rows (risk events, order transitions, orders,
/// fills, opportunities, executions) are written with prepared statements (<see cref="HotTables"/>), the rest through EF
/// Core, all in the batch's one transaction.
/// </summary>
public sealed class RecordWriter : BackgroundService
{
    // The queue: a linked list of fixed-size chunks of values, without a lock. A producer reserves the next slot of the
    // tail chunk with one interlocked increment, writes its value and marks the slot written; the producer that reserves
    // the first slot past a chunk's end links the next chunk (a spare one when there is one) and the others wait for it
    // (once every 4,096 records). The writer alone reads the head chunk in order, slot by slot as each is marked, and gives
    // each chunk it has emptied back for reuse. So a producer (the hub) never waits for a lock the writer holds — with a
    // lock, a writer preempted inside it, even for a few instructions, held the hub for as long as it was off its core —
    // a steady flow of records allocates nothing for queueing, nothing is ever copied to grow it, and the chunks sit in the
    // large object heap, where collections do not copy what waits in them.
    private const int ChunkSize = 4_096;
    private const int SpareChunks = 16;
    private readonly Chunk?[] _spare = new Chunk?[SpareChunks];
    private Chunk _tail;
    private Chunk _head;
    private int _headIndex;
    private TaskCompletionSource? _waiter;
    // Risk event rows handed out for the batch in hand and reused for the next one (see Committed).
    private readonly List<RiskEventRow> _riskRows = [];
    private int _riskRowsUsed;
    private readonly IDbContextFactory<ArbBotDbContext> _contexts;
    private readonly TimeProvider _time;
    private readonly ILogger<RecordWriter> _logger;
    private readonly int _capacity;
    private readonly Lock _backlogGate = new();
    private List<object>? _unsaved;
    private long _queued;
    private long _inFlight;
    private long _written;
    private long _failures;
    private long _failingSinceTicks;
    private volatile bool _backlogged;
    private readonly SavingBatch _saving = new();

    public RecordWriter(IDbContextFactory<ArbBotDbContext> contexts, TimeProvider time, ILogger<RecordWriter> logger, int capacity = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _contexts = contexts;
        _time = time;
        _logger = logger;
        _capacity = capacity;
        _head = _tail = new Chunk();
        // The queue is unbounded, so the engine never waits and nothing is dropped: order is kept by the one FIFO queue,
        // and the capacity only decides when the engine is told to stop adding work. Items are values: a row object, or
        // a compact record whose row is built on the writer's thread (QueuedRecord).
    }

    /// <summary>Rows saved since start.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Failed save attempts since start (each retried).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>
    /// When saving started failing and has not succeeded since (the database is away, locked or refusing); null while
    /// saves go through. Rows are kept meanwhile: the dashboard says so.
    /// </summary>
    public DateTimeOffset? FailingSince
    {
        get
        {
            var ticks = Interlocked.Read(ref _failingSinceTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Rows waiting to be saved, including the batch being saved.</summary>
    public int Pending => (int)Math.Min(int.MaxValue, Interlocked.Read(ref _queued) + Interlocked.Read(ref _inFlight));

    /// <summary>True while more rows wait than the capacity: the database cannot keep up or is away.</summary>
    public bool Backlogged => _backlogged;

    /// <summary>Raised when <see cref="Backlogged"/> changes (on the thread that changed it).</summary>
    public event Action<bool>? BacklogChanged;

    /// <summary>
    /// Raised on the writer's thread after each transaction commits, with the rows it saved: what is durable. Whatever
    /// tells the outside world about a fill or a trade (logs, notifications) listens here, so nothing is announced that
    /// a crash could still lose. Handlers must be quick; an exception in one is logged and does not undo the save. The
    /// list is reused for the next batch once the handlers return (copy what must be kept), and so are its
    /// <see cref="RiskEventRow"/> objects (refilled with the next batch's risk events: the most frequent record, and its row
    /// was most of what the writer allocated per record); the rows the writer inserts with prepared commands (risk events,
    /// order transitions) do not get their database-generated <c>Id</c> filled in.
    /// </summary>
    public event Action<IReadOnlyList<object>>? Committed;

    /// <summary>Largest number of rows saved in one transaction.</summary>
    public int MaxBatch { get; init; } = 2_000;

    /// <summary>
    /// How long the writer lets rows gather after the first arrives before it saves them (real time): each save has a
    /// fixed cost (a connection, a transaction, prepared statements), so fewer, fuller batches allocate less. Default 20 ms:
    /// at 20,000 records/s it cut the process's allocation from ~1,500–1,870 to ~330 bytes per record and gen-0
    /// collections from ~20 to 4 in 10 s (bench/RESULTS.md, Persistence). Skipped when a full batch is already waiting.
    /// </summary>
    public TimeSpan GatherDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Queues a row; never blocks and never drops it. Past the capacity the backlog is flagged.</summary>
    public void Enqueue(object row)
    {
        ArgumentNullException.ThrowIfNull(row);
        Enqueue(new QueuedRecord(row));
    }

    /// <summary>
    /// Queues a risk event as a value (no allocation on the calling thread); its <see cref="RiskEventRow"/> is built on the
    /// writer's thread when its batch is taken. Same order, same guarantees as <see cref="Enqueue(object)"/>.
    /// </summary>
    public void Enqueue(in RiskEventRecord riskEvent) => Enqueue(new QueuedRecord(riskEvent));

    /// <summary>
    /// Queues a record as a value: the engine's own object it came from and the few values the caller adds. Its rows are
    /// built by <see cref="DeferredRecord.Rows"/> on the writer's thread when its batch is taken, so the calling (hub)
    /// thread allocates nothing and nothing it queued has to be copied by a collection while it waits. Same order, same
    /// guarantees as <see cref="Enqueue(object)"/>; the source must not change after it is queued.
    /// </summary>
    public void Enqueue(in DeferredRecord record)
    {
        ArgumentNullException.ThrowIfNull(record.Rows);
        ArgumentNullException.ThrowIfNull(record.Source);
        Enqueue(new QueuedRecord(record));
    }

    private void Enqueue(in QueuedRecord item)
    {
        var queued = Interlocked.Increment(ref _queued);
        var spin = new SpinWait();
        while (true)
        {
            var tail = Volatile.Read(ref _tail);
            var slot = Interlocked.Increment(ref tail.Reserved) - 1;
            if (slot < ChunkSize)
            {
                tail.Items[slot] = item;
                // A full fence (not only a release): the read of the writer's waiter below must not move before it.
                Interlocked.Exchange(ref tail.Written[slot], 1);
                break;
            }
            if (slot == ChunkSize)
            {
                // This producer links the next chunk; the others that ran past the end wait for it (below).
                var next = TakeSpare() ?? new Chunk();
                Volatile.Write(ref next.Reserved, 0);
                Volatile.Write(ref tail.Next, next);
                Volatile.Write(ref _tail, next);
                continue;
            }
            // Past the end of a chunk another producer is replacing (or of a recycled chunk no longer the tail): retry on
            // the current tail once it is there.
            while (ReferenceEquals(Volatile.Read(ref _tail), tail)) spin.SpinOnce(-1);
        }
        // The writer was idle: its continuation runs on the thread pool, not here. (Both sides publish with a full fence, so
        // either this sees the waiter the writer published or the writer sees this record before it waits.)
        if (Volatile.Read(ref _waiter) is not null && Interlocked.Exchange(ref _waiter, null) is { } wake) wake.TrySetResult();
        if (queued >= _capacity && !_backlogged) SetBacklogged(true);
    }

    private Chunk? TakeSpare()
    {
        for (var i = 0; i < SpareChunks; i++)
        {
            if (Volatile.Read(ref _spare[i]) is not null && Interlocked.Exchange(ref _spare[i], null) is { } chunk) return chunk;
        }
        return null;
    }

    private void GiveSpare(Chunk chunk)
    {
        for (var i = 0; i < SpareChunks; i++)
        {
            if (Interlocked.CompareExchange(ref _spare[i], chunk, null) is null) return;
        }
    }

    /// <summary>Waits until every row queued before the call is saved (shutdown, tests).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var marker = new FlushMarker();
        Enqueue(marker);
        await marker.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<object>(MaxBatch);
        try
        {
            while (true)
            {
                await WaitForRecordsAsync(stoppingToken).ConfigureAwait(false);
                if (GatherDelay > TimeSpan.Zero && Pending < MaxBatch) await Task.Delay(GatherDelay, stoppingToken).ConfigureAwait(false);
                Fill(batch);
                await SaveWithRetryAsync(batch, stoppingToken).ConfigureAwait(false);
                Done(batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // A stop during a retry's wait leaves a taken, unsaved batch: StopAsync saves it first.
        if (batch.Count > 0) _unsaved = batch;
    }

    private readonly Lifecycle.StopOnce _stopOnce = new();

    /// <summary>Stops the loop and saves what is still queued; a second call while a stop runs waits for that stop.</summary>
    public override Task StopAsync(CancellationToken cancellationToken) => _stopOnce.RunAsync(StopAndDrainAsync, cancellationToken);

    private async Task StopAndDrainAsync(CancellationToken cancellationToken)
    {
        // The loop finishes the save it is in (saves are never cancelled half way), then returns.
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (ExecuteTask is { IsCompleted: false })
        {
            _logger.LogError("The record writer was still saving when the shutdown time ran out; {Count} records were not saved", Pending);
            return;
        }

        // Save what is still queued, oldest first: a clean stop loses no record. Retried until the shutdown time runs out.
        var batch = _unsaved ?? [];
        _unsaved = null;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            Fill(batch);
            if (batch.Count == 0) return;
            try
            {
                await SaveAsync(batch, CancellationToken.None).ConfigureAwait(false);
                Done(batch);
                delay = TimeSpan.FromMilliseconds(100);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                MarkFailure();
                if (cancellationToken.IsCancellationRequested)
                {
                    _logger.LogError(ex, "{Count} records could not be saved before the shutdown time ran out", Pending);
                    return;
                }
                _logger.LogError(ex, "Saving {Count} records during shutdown failed; retrying in {Delay}", batch.Count, delay);
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _logger.LogError("{Count} records could not be saved before the shutdown time ran out", Pending);
                    return;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }

    /// <summary>
    /// Tops the batch up to <see cref="MaxBatch"/> with the oldest queued rows (after any it already holds); a deferred
    /// record's rows are built here, on the writer's thread (a record of several rows may take the batch past the maximum).
    /// </summary>
    private void Fill(List<object> batch)
    {
        var taken = 0;
        while (batch.Count < MaxBatch && TryTake(out var item))
        {
            if (item.Row is { } row) batch.Add(row);
            else if (item.Deferred.Rows is { } rows) AddDeferred(rows, item.Deferred, batch);
            else batch.Add(RiskRow(item.RiskEvent));
            taken++;
        }
        Interlocked.Add(ref _queued, -taken);
        Interlocked.Exchange(ref _inFlight, batch.Count);
    }

    /// <summary>A risk event's row, from the rows kept for reuse (they are handed out again once the batch is saved).</summary>
    private RiskEventRow RiskRow(in RiskEventRecord riskEvent)
    {
        if (_riskRowsUsed == _riskRows.Count) _riskRows.Add(riskEvent.ToRow());
        else riskEvent.CopyTo(_riskRows[_riskRowsUsed]);
        return _riskRows[_riskRowsUsed++];
    }

    /// <summary>The batch is saved and its listeners have returned: its rows can be reused.</summary>
    private void Done(List<object> batch)
    {
        batch.Clear();
        _riskRowsUsed = 0;
    }

    private void AddDeferred(IDeferredRows rows, in DeferredRecord record, List<object> batch)
    {
        var before = batch.Count;
        try
        {
            rows.AddRows(record, batch);
        }
        catch (Exception ex)
        {
            // A record whose rows cannot be built must not stop the writer (every later record would wait forever).
            batch.RemoveRange(before, batch.Count - before);
            _logger.LogError(ex, "A {Kind} record could not be turned into rows and is not saved", record.Source.GetType().Name);
        }
    }

    /// <summary>Completes when a record is queued (at once when one is); the writer's loop only.</summary>
    private async Task WaitForRecordsAsync(CancellationToken cancellationToken)
    {
        while (!HasRecord())
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.Exchange(ref _waiter, waiter);
            // Published with a full fence: a producer that wrote after this check sees the waiter and wakes it.
            if (HasRecord())
            {
                Interlocked.CompareExchange(ref _waiter, null, waiter);
                return;
            }
            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the oldest queued slot is written (the writer only).</summary>
    private bool HasRecord()
    {
        var head = _head;
        var index = _headIndex;
        if (index == ChunkSize)
        {
            if (Volatile.Read(ref head.Next) is not { } next) return false;
            head = next;
            index = 0;
        }
        return Volatile.Read(ref head.Written[index]) != 0;
    }

    /// <summary>The oldest queued record; only the writer (its loop, or StopAsync after the loop ended) takes.</summary>
    private bool TryTake(out QueuedRecord item)
    {
        if (_headIndex == ChunkSize)
        {
            if (Volatile.Read(ref _head.Next) is not { } next)
            {
                item = default;
                return false;
            }
            var emptied = _head;
            _head = next;
            _headIndex = 0;
            // Every slot of the emptied chunk was read and cleared; only a producer's late overrun can still touch its
            // reservation count, which the producer that links it again resets.
            emptied.Next = null;
            GiveSpare(emptied);
        }
        // Slots are taken in order: a slot reserved but not yet written holds back the ones after it.
        if (Volatile.Read(ref _head.Written[_headIndex]) == 0)
        {
            item = default;
            return false;
        }
        item = _head.Items[_headIndex];
        _head.Items[_headIndex] = default;
        _head.Written[_headIndex] = 0;
        _headIndex++;
        return true;
    }

    private void MarkFailure()
    {
        Interlocked.Increment(ref _failures);
        Interlocked.CompareExchange(ref _failingSinceTicks, _time.GetUtcNow().UtcTicks, 0);
    }

    private void SetBacklogged(bool value)
    {
        lock (_backlogGate)
        {
            if (_backlogged == value) return;
            _backlogged = value;
        }
        BacklogChanged?.Invoke(value);
    }

    private async Task SaveWithRetryAsync(List<object> batch, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                // Not cancellable: a stop waits for the save in hand rather than leave it half done.
                await SaveAsync(batch, CancellationToken.None).ConfigureAwait(false);
                if (_backlogged && Interlocked.Read(ref _queued) <= _capacity / 2) SetBacklogged(false);
                return;
            }
            catch (Exception ex)
            {
                MarkFailure();
                _logger.LogError(ex, "Saving {Count} records failed; retrying in {Delay} (nothing is dropped)", batch.Count, delay);
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private async Task SaveAsync(List<object> batch, CancellationToken cancellationToken)
    {
        var saving = _saving;
        saving.Clear();
        foreach (var row in batch)
        {
            switch (row)
            {
                case FlushMarker marker: saving.Markers.Add(marker); break;
                case OrderRow order: saving.LatestOrders[order.ClientOrderId] = order; break;
                case PositionRow position: saving.LatestPositions[(position.Venue, position.Symbol)] = position; break;
                case SettingRow setting: saving.LatestSettings[setting.Key] = setting; break;
                case PairRow pair: saving.LatestPairs[pair.Id] = pair; break;
                // Fills, executions and opportunities are written once: the first report of one wins, and one that is
                // already saved (a retry after a failure that came after the commit) is skipped below.
                case FillRow fill: saving.Fills.TryAdd(fill.FillId, fill); break;
                case ExecutionRow execution: saving.Executions.TryAdd(execution.OpportunityId, execution); break;
                case OpportunityRow opportunity: saving.Opportunities.TryAdd(opportunity.Id, opportunity); break;
                default: saving.Inserts++; break;
            }
        }

        var candidates = saving.Inserts + saving.Fills.Count + saving.Executions.Count + saving.Opportunities.Count
            + saving.LatestOrders.Count + saving.LatestPositions.Count + saving.LatestSettings.Count + saving.LatestPairs.Count;
        if (candidates > 0)
        {
            await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            // Rows are added or given values explicitly; scanning every tracked entity for changes would only cost time.
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            // The keys go as one array parameter (EF.Parameter): expanded into a parameter per key, every batch size was a
            // new query for EF to translate and cache, which allocated more than the inserts themselves.
            await DropSavedAsync(saving.Fills, db.Fills, ids => f => EF.Parameter(ids).Contains(f.FillId), f => f.FillId, cancellationToken).ConfigureAwait(false);
            await DropSavedAsync(saving.Executions, db.Executions, ids => e => EF.Parameter(ids).Contains(e.OpportunityId), e => e.OpportunityId, cancellationToken).ConfigureAwait(false);
            await DropSavedAsync(saving.Opportunities, db.Opportunities, ids => o => EF.Parameter(ids).Contains(o.Id), o => o.Id, cancellationToken).ConfigureAwait(false);

            // In the order they were queued: each table's rows are inserted in that order, and listeners of committed
            // rows hear them in that order too.
            var added = saving.Added;
            foreach (var row in batch)
            {
                switch (row)
                {
                    case RiskEventRow riskEvent: saving.RiskEvents.Add(riskEvent); break;
                    case OrderTransitionRow transition: saving.Transitions.Add(transition); break;
                    case FillRow fill:
                        if (!saving.Fills.TryGetValue(fill.FillId, out var firstFill) || !ReferenceEquals(firstFill, fill)) continue;
                        saving.FillRows.Add(fill);
                        break;
                    case ExecutionRow execution:
                        if (!saving.Executions.TryGetValue(execution.OpportunityId, out var firstExecution) || !ReferenceEquals(firstExecution, execution)) continue;
                        saving.ExecutionRows.Add(execution);
                        break;
                    case OpportunityRow opportunity:
                        if (!saving.Opportunities.TryGetValue(opportunity.Id, out var firstOpportunity) || !ReferenceEquals(firstOpportunity, opportunity)) continue;
                        saving.OpportunityRows.Add(opportunity);
                        break;
                    case FlushMarker or OrderRow or PositionRow or SettingRow or PairRow: continue;
                    default: saving.ViaEntities.Add(row); break;
                }
                added.Add(row);
            }

            // The most frequent rows go through prepared commands on the context's connection, in its transaction.
            var connection = db.Database.GetDbConnection();
            var transaction = tx.GetDbTransaction();
            await HotTables.RiskEvents.InsertAsync(saving.RiskEvents, connection, transaction, cancellationToken).ConfigureAwait(false);
            await HotTables.OrderTransitions.InsertAsync(saving.Transitions, connection, transaction, cancellationToken).ConfigureAwait(false);
            await HotTables.Fills.InsertAsync(saving.FillRows, connection, transaction, cancellationToken).ConfigureAwait(false);
            await HotTables.Opportunities.InsertAsync(saving.OpportunityRows, connection, transaction, cancellationToken).ConfigureAwait(false);
            await HotTables.Executions.InsertAsync(saving.ExecutionRows, connection, transaction, cancellationToken).ConfigureAwait(false);
            foreach (var order in saving.LatestOrders.Values) saving.OrderRows.Add(order);
            await HotTables.Orders.InsertAsync(saving.OrderRows, connection, transaction, cancellationToken).ConfigureAwait(false);

            // The rest (audit, settings, pairs, positions, P&L snapshots, replay reports: rare) through EF Core.
            if (saving.ViaEntities.Count + saving.LatestSettings.Count + saving.LatestPairs.Count + saving.LatestPositions.Count > 0)
            {
                db.AddRange(saving.ViaEntities);
                var settingKeys = saving.LatestSettings.Keys.ToArray();
                Upsert(db, saving.LatestSettings, await ExistingAsync(db.Settings, saving.LatestSettings, s => settingKeys.Contains(s.Key), s => s.Key, cancellationToken).ConfigureAwait(false));
                var pairIds = saving.LatestPairs.Keys.ToArray();
                Upsert(db, saving.LatestPairs, await ExistingAsync(db.Pairs, saving.LatestPairs, p => pairIds.Contains(p.Id), p => p.Id, cancellationToken).ConfigureAwait(false));
                foreach (var position in saving.LatestPositions.Values)
                {
                    var existing = await db.Positions.FindAsync([position.Venue, position.Symbol], cancellationToken).ConfigureAwait(false);
                    if (existing is null) db.Add(position);
                    else db.Entry(existing).CurrentValues.SetValues(position);
                }
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            var saved = added.Count + saving.LatestOrders.Count + saving.LatestPositions.Count + saving.LatestSettings.Count + saving.LatestPairs.Count;
            Interlocked.Add(ref _written, saved);
            if (Committed is { } committed)
            {
                added.AddRange(saving.OrderRows);
                try
                {
                    committed(added);
                }
                catch (Exception ex)
                {
                    // The rows are saved; a failing listener must not make the batch look unsaved (it would be written twice).
                    _logger.LogError(ex, "A listener of committed records failed");
                }
            }
        }
        Interlocked.Exchange(ref _inFlight, 0);
        if (Interlocked.Exchange(ref _failingSinceTicks, 0) != 0) _logger.LogInformation("Records are being saved again");
        foreach (var marker in saving.Markers) marker.Done.TrySetResult();
        // Let go of the rows: the collections are kept for the next batch, not what was in them.
        saving.Clear();
    }

    /// <summary>Removes from <paramref name="rows"/> those whose key is already in the table (one query per batch).</summary>
    private static async Task DropSavedAsync<TKey, TRow>(
        Dictionary<TKey, TRow> rows, IQueryable<TRow> table, Func<TKey[], System.Linq.Expressions.Expression<Func<TRow, bool>>> inBatch,
        System.Linq.Expressions.Expression<Func<TRow, TKey>> key, CancellationToken cancellationToken)
        where TKey : notnull
        where TRow : class
    {
        if (rows.Count == 0) return;
        var ids = rows.Keys.ToArray();
        var saved = await table.AsNoTracking().Where(inBatch(ids)).Select(key).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var k in saved) rows.Remove(k);
    }

    /// <summary>The rows already in the table for the batch's keys, tracked so their values can be replaced.</summary>
    private static async Task<Dictionary<TKey, TRow>> ExistingAsync<TKey, TRow>(
        IQueryable<TRow> table, Dictionary<TKey, TRow> rows, System.Linq.Expressions.Expression<Func<TRow, bool>> inBatch,
        Func<TRow, TKey> key, CancellationToken cancellationToken)
        where TKey : notnull
        where TRow : class
    {
        if (rows.Count == 0) return [];
        var existing = await table.Where(inBatch).ToListAsync(cancellationToken).ConfigureAwait(false);
        return existing.ToDictionary(key, rows.Comparer);
    }

    private static void Upsert<TKey, TRow>(ArbBotDbContext db, Dictionary<TKey, TRow> latest, Dictionary<TKey, TRow> existing)
        where TKey : notnull
        where TRow : class
    {
        foreach (var (key, row) in latest)
        {
            if (existing.TryGetValue(key, out var current)) db.Entry(current).CurrentValues.SetValues(row);
            else db.Add(row);
        }
    }

    /// <summary>
    /// One queued item: a row object, a deferred record (its rows built on the writer's thread), or (when both are null) a
    /// risk event kept as a value.
    /// </summary>
    private readonly struct QueuedRecord
    {
        public QueuedRecord(object row) => Row = row;

        public QueuedRecord(in RiskEventRecord riskEvent) => RiskEvent = riskEvent;

        public QueuedRecord(in DeferredRecord deferred) => Deferred = deferred;

        public object? Row { get; }

        public RiskEventRecord RiskEvent { get; }

        public DeferredRecord Deferred { get; }
    }

    /// <summary>
    /// The collections one save sorts its batch into, kept from batch to batch (saves run one at a time: the writer's
    /// loop, or <see cref="StopAsync"/> after the loop ended) so sorting a batch allocates nothing once they have grown.
    /// </summary>
    private sealed class SavingBatch
    {
        public List<FlushMarker> Markers { get; } = [];
        public Dictionary<string, OrderRow> LatestOrders { get; } = new(StringComparer.Ordinal);
        public Dictionary<(string, string), PositionRow> LatestPositions { get; } = [];
        public Dictionary<string, SettingRow> LatestSettings { get; } = new(StringComparer.Ordinal);
        public Dictionary<long, PairRow> LatestPairs { get; } = [];
        public Dictionary<string, FillRow> Fills { get; } = new(StringComparer.Ordinal);
        public Dictionary<long, ExecutionRow> Executions { get; } = [];
        public Dictionary<long, OpportunityRow> Opportunities { get; } = [];
        public int Inserts { get; set; }
        public List<RiskEventRow> RiskEvents { get; } = [];
        public List<OrderTransitionRow> Transitions { get; } = [];
        public List<FillRow> FillRows { get; } = [];
        public List<ExecutionRow> ExecutionRows { get; } = [];
        public List<OpportunityRow> OpportunityRows { get; } = [];
        public List<OrderRow> OrderRows { get; } = [];
        public List<object> ViaEntities { get; } = [];

        /// <summary>The rows inserted, in queue order (then the orders' latest states): what <see cref="Committed"/> reports.</summary>
        public List<object> Added { get; } = [];

        public void Clear()
        {
            Markers.Clear();
            LatestOrders.Clear();
            LatestPositions.Clear();
            LatestSettings.Clear();
            LatestPairs.Clear();
            Fills.Clear();
            Executions.Clear();
            Opportunities.Clear();
            Inserts = 0;
            RiskEvents.Clear();
            Transitions.Clear();
            FillRows.Clear();
            ExecutionRows.Clear();
            OpportunityRows.Clear();
            OrderRows.Clear();
            ViaEntities.Clear();
            Added.Clear();
        }
    }

    private sealed class Chunk
    {
        public readonly QueuedRecord[] Items = new QueuedRecord[ChunkSize];

        /// <summary>1 once a slot's value is written (set by its producer, cleared by the writer as it takes it).</summary>
        public readonly int[] Written = new int[ChunkSize];

        /// <summary>Slots reserved by producers (past <see cref="ChunkSize"/> once full).</summary>
        public int Reserved;

        public Chunk? Next;
    }

    private sealed class FlushMarker
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>
/// A risk event as the journal queues it: the values of a <see cref="RiskEventRow"/> without the object, so the engine's
/// thread allocates nothing for it and nothing of it has to survive garbage collections while it waits in the queue.
/// </summary>
public readonly record struct RiskEventRecord(DateTime AtUtc, string Rule, string Verdict, long? OpportunityId, long? PairId, string Detail)
{
    public RiskEventRow ToRow() => new()
    {
        AtUtc = AtUtc,
        Rule = Rule,
        Verdict = Verdict,
        OpportunityId = OpportunityId,
        PairId = PairId,
        Detail = Detail,
    };

    /// <summary>Writes these values into <paramref name="row"/> (a row the writer reuses).</summary>
    public void CopyTo(RiskEventRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        row.Id = 0;
        row.AtUtc = AtUtc;
        row.Rule = Rule;
        row.Verdict = Verdict;
        row.OpportunityId = OpportunityId;
        row.PairId = PairId;
        row.Detail = Detail;
    }
}

/// <summary>Builds the rows of a <see cref="DeferredRecord"/>, on the record writer's thread when the record's batch is taken.</summary>
public interface IDeferredRows
{
    /// <summary>Adds the record's rows to <paramref name="rows"/>, in the order they are to be saved. Must not block.</summary>
    void AddRows(in DeferredRecord record, List<object> rows);
}

/// <summary>
/// A record queued as a value (<see cref="RecordWriter.Enqueue(in DeferredRecord)"/>): the engine's own immutable object it
/// came from, plus up to a text, a time and two numbers that the caller knew and the object does not hold (their meaning is
/// <see cref="Rows"/>'s). Queuing it allocates nothing; <see cref="Rows"/> turns it into rows on the writer's thread.
/// </summary>
public readonly record struct DeferredRecord(IDeferredRows Rows, object Source, string? Text = null, DateTime Time = default, long? First = null, long? Second = null);
