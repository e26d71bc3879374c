using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Persistence;

/// <summary>
/// Writes the engine's records to the database off the hot path: the engine enqueues rows without waiting, and one
/// background loop saves them in batches, each batch in one transaction. Orders and positions are rewritten as they
/// change (the newest row per key in a batch wins). When the database fails, the batch is kept and retried with a
/// growing delay, so nothing is lost while it is away; if the queue fills meanwhile, <see cref="Backlogged"/> turns
/// true (the engine pauses trading on it) and rows are still kept in an overflow list rather than dropped.
/// </summary>
public sealed class RecordWriter : BackgroundService
{
    private readonly Channel<object> _queue;
    private readonly IDbContextFactory<ArbBotDbContext> _contexts;
    private readonly TimeProvider _time;
    private readonly ILogger<RecordWriter> _logger;
    private readonly Lock _overflowGate = new();
    private readonly List<object> _overflow = [];
    private long _written;
    private long _failures;
    private volatile bool _backlogged;

    public RecordWriter(IDbContextFactory<ArbBotDbContext> contexts, TimeProvider time, ILogger<RecordWriter> logger, int capacity = 100_000)
    {
        _contexts = contexts;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Rows saved since start.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Failed save attempts since start (each retried).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Rows waiting to be saved.</summary>
    public int Pending => _queue.Reader.Count + OverflowCount;

    /// <summary>True while the queue is full: the database cannot keep up or is away.</summary>
    public bool Backlogged => _backlogged;

    /// <summary>Raised (on the writer's thread) when <see cref="Backlogged"/> changes.</summary>
    public event Action<bool>? BacklogChanged;

    /// <summary>
    /// Raised on the writer's thread after each transaction commits, with the rows it saved: what is durable. Whatever
    /// tells the outside world about a fill or a trade (logs, notifications) listens here, so nothing is announced that
    /// a crash could still lose. Handlers must be quick; an exception in one is logged and does not undo the save.
    /// </summary>
    public event Action<IReadOnlyList<object>>? Committed;

    /// <summary>Largest number of rows saved in one transaction.</summary>
    public int MaxBatch { get; init; } = 1_000;

    private int OverflowCount
    {
        get
        {
            lock (_overflowGate) return _overflow.Count;
        }
    }

    /// <summary>Queues a row; never blocks. A full queue keeps the row in overflow and flags the backlog.</summary>
    public void Enqueue(object row)
    {
        if (_queue.Writer.TryWrite(row)) return;
        lock (_overflowGate) _overflow.Add(row);
        if (!_backlogged)
        {
            _backlogged = true;
            BacklogChanged?.Invoke(true);
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
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                Fill(batch, reader);
                await SaveWithRetryAsync(batch, stoppingToken).ConfigureAwait(false);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // Save what is still queued: a clean stop loses no record.
        var batch = new List<object>();
        while (true)
        {
            Fill(batch, _queue.Reader);
            if (batch.Count == 0) break;
            try
            {
                await SaveAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogError(ex, "{Count} records could not be saved during shutdown", batch.Count);
                break;
            }
            batch.Clear();
        }
    }

    private void Fill(List<object> batch, ChannelReader<object> reader)
    {
        lock (_overflowGate)
        {
            var take = Math.Min(_overflow.Count, MaxBatch);
            batch.AddRange(_overflow.GetRange(0, take));
            _overflow.RemoveRange(0, take);
        }
        while (batch.Count < MaxBatch && reader.TryRead(out var row)) batch.Add(row);
    }

    private async Task SaveWithRetryAsync(List<object> batch, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await SaveAsync(batch, stoppingToken).ConfigureAwait(false);
                if (_backlogged && OverflowCount == 0 && _queue.Reader.Count < MaxBatch)
                {
                    _backlogged = false;
                    BacklogChanged?.Invoke(false);
                }
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Interlocked.Increment(ref _failures);
                _logger.LogError(ex, "Saving {Count} records failed; retrying in {Delay} (nothing is dropped)", batch.Count, delay);
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private async Task SaveAsync(List<object> batch, CancellationToken cancellationToken)
    {
        var markers = new List<FlushMarker>();
        var latestOrders = new Dictionary<string, OrderRow>(StringComparer.Ordinal);
        var latestPositions = new Dictionary<(string, string), PositionRow>();
        var latestSettings = new Dictionary<string, SettingRow>(StringComparer.Ordinal);
        var latestPairs = new Dictionary<long, PairRow>();
        var inserts = new List<object>();
        var added = new List<object>();
        foreach (var row in batch)
        {
            switch (row)
            {
                case FlushMarker marker: markers.Add(marker); break;
                case OrderRow order: latestOrders[order.ClientOrderId] = order; break;
                case PositionRow position: latestPositions[(position.Venue, position.Symbol)] = position; break;
                case SettingRow setting: latestSettings[setting.Key] = setting; break;
                case PairRow pair: latestPairs[pair.Id] = pair; break;
                default: inserts.Add(row); break;
            }
        }

        var saved = inserts.Count + latestOrders.Count + latestPositions.Count + latestSettings.Count + latestPairs.Count;
        if (saved > 0)
        {
            await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            foreach (var row in inserts)
            {
                // Fills and executions may be retried after a failure that happened after commit: skip what is there.
                if (row is FillRow fill && await db.Fills.AnyAsync(f => f.FillId == fill.FillId, cancellationToken).ConfigureAwait(false)) continue;
                if (row is ExecutionRow execution && await db.Executions.AnyAsync(e => e.OpportunityId == execution.OpportunityId, cancellationToken).ConfigureAwait(false)) continue;
                if (row is OpportunityRow opportunity && await db.Opportunities.AnyAsync(o => o.Id == opportunity.Id, cancellationToken).ConfigureAwait(false)) continue;
                db.Add(row);
                added.Add(row);
            }
            await UpsertAsync(db, db.Orders, latestOrders.Values, o => [o.ClientOrderId], cancellationToken).ConfigureAwait(false);
            await UpsertAsync(db, db.Settings, latestSettings.Values, s => [s.Key], cancellationToken).ConfigureAwait(false);
            await UpsertAsync(db, db.Pairs, latestPairs.Values, p => [p.Id], cancellationToken).ConfigureAwait(false);
            await UpsertAsync(db, db.Positions, latestPositions.Values, p => [p.Venue, p.Symbol], cancellationToken).ConfigureAwait(false);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _written, saved);
            if (Committed is { } committed)
            {
                added.AddRange(latestOrders.Values);
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
        foreach (var marker in markers) marker.Done.TrySetResult();
    }

    private static async Task UpsertAsync<TRow>(
        ArbBotDbContext db, DbSet<TRow> set, IEnumerable<TRow> rows, Func<TRow, object[]> key, CancellationToken cancellationToken)
        where TRow : class
    {
        foreach (var row in rows)
        {
            var existing = await set.FindAsync(key(row), cancellationToken).ConfigureAwait(false);
            if (existing is null) set.Add(row);
            else db.Entry(existing).CurrentValues.SetValues(row);
        }
    }

    private sealed class FlushMarker
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
