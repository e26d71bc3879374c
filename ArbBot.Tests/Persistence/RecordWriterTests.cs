using ArbBot.Engine.Persistence;
using ArbBot.Tests.Faults;
using ArbBot.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Tests.Persistence;

public sealed class RecordWriterTests
{
    private static readonly DateTime Now = new(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Queued_rows_are_saved_in_batches_and_the_newest_order_state_wins()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var writer = new RecordWriter(database, TimeProvider.System, NullLogger<RecordWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);

        writer.Enqueue(Order("o1", "Submitted", 0));
        writer.Enqueue(Order("o1", "PartiallyFilled", 4));
        for (var i = 0; i < 2_500; i++)
        {
            writer.Enqueue(new RiskEventRow { AtUtc = Now, Rule = "PairCooldown", Verdict = "Reject", Detail = $"#{i}" });
        }
        await writer.FlushAsync(CancellationToken.None);
        writer.Enqueue(Order("o1", "Filled", 10));
        await writer.FlushAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        await using var db = database.CreateDbContext();
        var order = await db.Orders.SingleAsync();
        Assert.Equal("Filled", order.Status);
        Assert.Equal(10, order.FilledQuantity);
        Assert.Equal(2_500, await db.RiskEvents.CountAsync());
        // The first two states of o1 may share a batch, where only the newest is written.
        Assert.InRange(writer.Written, 2_502, 2_503);
    }

    [Fact]
    public async Task Risk_events_queued_as_values_deferred_records_and_rows_queued_as_objects_are_saved_in_the_order_they_came_across_many_chunks()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var writer = new RecordWriter(database, TimeProvider.System, NullLogger<RecordWriter>.Instance);

        // Queued before the writer starts (several of the queue's chunks), then more while it saves.
        for (var i = 0; i < 10_000; i++) EnqueueNumbered(writer, i);
        Assert.Equal(10_000, writer.Pending);
        await writer.StartAsync(CancellationToken.None);
        for (var i = 10_000; i < 21_000; i++) EnqueueNumbered(writer, i);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await writer.FlushAsync(timeout.Token);
        Assert.Equal(0, writer.Pending);
        await writer.StopAsync(CancellationToken.None);

        await using var db = database.CreateDbContext();
        var details = await db.RiskEvents.OrderBy(r => r.Id).Select(r => r.Detail).ToListAsync();
        Assert.Equal(Enumerable.Range(0, 21_000).Select(i => $"#{i}"), details);
        var values = await db.RiskEvents.Where(r => r.Detail == "#1").SingleAsync();
        Assert.Equal(("MaxTradeSize", "Resize", 1L, 7L, Now), (values.Rule, values.Verdict, values.OpportunityId, values.PairId, values.AtUtc));
        var deferred = await db.RiskEvents.Where(r => r.Detail == "#2").SingleAsync();
        Assert.Equal(("StaleData", "Resize", 2L, 9L, Now.AddSeconds(2)), (deferred.Rule, deferred.Verdict, deferred.OpportunityId, deferred.PairId, deferred.AtUtc));
    }

    [Fact]
    public async Task A_deferred_record_whose_rows_cannot_be_built_is_logged_and_the_records_after_it_are_saved()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var logs = new CapturedLogs();
        var writer = new RecordWriter(database, TimeProvider.System, new Microsoft.Extensions.Logging.Logger<RecordWriter>(logs));
        await writer.StartAsync(CancellationToken.None);

        writer.Enqueue(new DeferredRecord(NumberedRiskEvents.Instance, "#0", First: 0));
        writer.Enqueue(new DeferredRecord(NumberedRiskEvents.Instance, "not a number"));
        writer.Enqueue(new DeferredRecord(NumberedRiskEvents.Instance, "#2", First: 2));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await writer.FlushAsync(timeout.Token);
        await writer.StopAsync(CancellationToken.None);

        await using var db = database.CreateDbContext();
        Assert.Equal(["#0", "#2"], await db.RiskEvents.OrderBy(r => r.Id).Select(r => r.Detail).ToListAsync());
        Assert.Contains(logs.Lines, l => l.StartsWith("Error: A String record could not be turned into rows", StringComparison.Ordinal));
        Assert.Equal(0, writer.Failures);
    }

    [Fact]
    public async Task Rows_from_several_threads_are_all_saved_each_threads_in_its_order()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var writer = new RecordWriter(database, TimeProvider.System, NullLogger<RecordWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                writer.Enqueue(new RiskEventRecord(Now, "StaleData", "Reject", thread, i, $"{thread}:{i}"));
            }
        })));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await writer.FlushAsync(timeout.Token);
        await writer.StopAsync(CancellationToken.None);

        await using var db = database.CreateDbContext();
        var rows = await db.RiskEvents.OrderBy(r => r.Id).Select(r => new { r.OpportunityId, r.PairId }).ToListAsync();
        Assert.Equal(20_000, rows.Count);
        foreach (var thread in rows.GroupBy(r => r.OpportunityId))
        {
            Assert.Equal(Enumerable.Range(0, 5_000).Select(i => (long?)i), thread.Select(r => r.PairId));
        }
    }

    [Fact]
    public async Task Many_producers_racing_across_chunk_ends_lose_nothing_and_keep_each_producers_order()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        // No gather delay: the writer keeps catching up with the producers, so it reads slots as they are being written.
        var writer = new RecordWriter(database, TimeProvider.System, NullLogger<RecordWriter>.Instance) { GatherDelay = TimeSpan.Zero };
        await writer.StartAsync(CancellationToken.None);

        // 8 producers × 12,000 records: ~23 chunks of 4,096, each end raced by several producers. The producers hold back
        // while more than 3,000 wait, so the writer empties chunks as they go and the same few are recycled again and again.
        const int Producers = 8;
        const int Each = 12_000;
        using var start = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, Producers).Select(p => new Thread(() =>
        {
            start.Wait();
            for (var i = 0; i < Each; i++)
            {
                if (i % 2 == 0) writer.Enqueue(new RiskEventRecord(Now, "StaleData", "Reject", p, i, "v"));
                else writer.Enqueue(new DeferredRecord(NumberedRiskEvents.Instance, $"#{i}", "StaleData", Now, p, i));
                if (i % 500 == 0)
                {
                    while (writer.Pending > 3_000) Thread.Sleep(1);
                }
            }
        })
        { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        start.Set();
        // A producer that can never place its record (a lost chunk link) spins for ever: fail instead of hanging.
        Assert.All(threads, t => Assert.True(t.Join(TimeSpan.FromSeconds(120)), "a producer never finished queueing"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await writer.FlushAsync(timeout.Token);
        Assert.Equal(0, writer.Pending);
        await writer.StopAsync(CancellationToken.None);

        await using var db = database.CreateDbContext();
        var rows = await db.RiskEvents.OrderBy(r => r.Id).Select(r => new { r.OpportunityId, r.PairId }).ToListAsync();
        Assert.Equal(Producers * Each, rows.Count);
        foreach (var producer in rows.GroupBy(r => r.OpportunityId))
        {
            Assert.Equal(Enumerable.Range(0, Each).Select(i => (long?)i), producer.Select(r => r.PairId));
        }
    }

    [Fact]
    public async Task Listeners_hear_each_batchs_risk_events_with_their_own_values_while_the_rows_are_reused_from_batch_to_batch()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var writer = new RecordWriter(database, TimeProvider.System, NullLogger<RecordWriter>.Instance) { MaxBatch = 300 };
        var heard = new List<(long? Opportunity, string Detail)>();
        var rowObjects = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var batches = 0;
        writer.Committed += rows =>
        {
            batches++;
            foreach (var row in rows.OfType<RiskEventRow>())
            {
                heard.Add((row.OpportunityId, row.Detail));
                rowObjects.Add(row);
            }
        };
        for (var i = 0; i < 3_000; i++) writer.Enqueue(new RiskEventRecord(Now, "StaleData", "Reject", i, null, $"#{i}"));

        await writer.StartAsync(CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await writer.FlushAsync(timeout.Token);
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 3_000).Select(i => ((long?)i, $"#{i}")), heard);
        Assert.True(batches >= 10, $"{batches} batches");
        // The rows were reused: one batch's worth of objects for ten batches' events.
        Assert.InRange(rowObjects.Count, 300, 301);
        await using var db = database.CreateDbContext();
        Assert.Equal(Enumerable.Range(0, 3_000).Select(i => $"#{i}"), await db.RiskEvents.OrderBy(r => r.Id).Select(r => r.Detail).ToListAsync());
    }

    private static void EnqueueNumbered(RecordWriter writer, int i)
    {
        if (i % 3 == 0) writer.Enqueue(new RiskEventRow { AtUtc = Now, Rule = "StaleData", Verdict = "Reject", Detail = $"#{i}" });
        else if (i % 3 == 1) writer.Enqueue(new RiskEventRecord(Now, "MaxTradeSize", "Resize", i, 7, $"#{i}"));
        else writer.Enqueue(new DeferredRecord(NumberedRiskEvents.Instance, $"#{i}", "StaleData", Now.AddSeconds(2), i, 9));
    }

    /// <summary>Builds a risk event row from a deferred record whose source is its detail ("#N"); anything else fails.</summary>
    private sealed class NumberedRiskEvents : IDeferredRows
    {
        public static readonly NumberedRiskEvents Instance = new();

        public void AddRows(in DeferredRecord record, List<object> rows)
        {
            var detail = (string)record.Source;
            if (!detail.StartsWith('#')) throw new FormatException($"'{detail}' is not a numbered detail");
            rows.Add(new RiskEventRow { AtUtc = record.Time, Rule = record.Text ?? "StaleData", Verdict = "Resize", OpportunityId = record.First, PairId = record.Second, Detail = detail });
        }
    }

    [Fact]
    public async Task Rows_survive_a_database_outage_and_are_written_when_it_returns()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var flaky = new FlakyFactory(database, failures: 3);
        var writer = new RecordWriter(flaky, TimeProvider.System, NullLogger<RecordWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        using var fault = FaultReport.Begin("Database unavailable (three failed connections)", "Database");
        fault.Inject(3);

        writer.Enqueue(new FillRow { FillId = "f1", ClientOrderId = "o1", Venue = "Kalshi", Symbol = "K:yes", Side = "Buy", Price = 0.4m, Quantity = 5, Fee = 0.09m, Liquidity = "Taker", AtUtc = Now });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await writer.FlushAsync(timeout.Token);
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(3, writer.Failures);
        await using var db = database.CreateDbContext();
        Assert.Equal("f1", (await db.Fills.SingleAsync()).FillId);
        fault.Survived("the fill was kept in memory and written when the database answered");
    }

    [Fact]
    public async Task A_full_queue_keeps_every_row_and_reports_the_backlog()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var writer = new RecordWriter(database, TimeProvider.System, NullLogger<RecordWriter>.Instance, capacity: 10);
        var backlog = new List<bool>();
        writer.BacklogChanged += backlog.Add;

        // Not started: nothing drains, so the queue fills and the rest overflows.
        for (var i = 0; i < 25; i++) writer.Enqueue(new RiskEventRow { AtUtc = Now, Rule = "StaleData", Verdict = "Reject", Detail = $"#{i}" });
        Assert.True(writer.Backlogged);
        Assert.Equal(25, writer.Pending);

        await writer.StartAsync(CancellationToken.None);
        await writer.FlushAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        Assert.False(writer.Backlogged);
        Assert.Equal([true, false], backlog);
        await using var db = database.CreateDbContext();
        Assert.Equal(25, await db.RiskEvents.CountAsync());
    }

    [Fact]
    public async Task Stopping_saves_what_is_still_queued()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var writer = new RecordWriter(database, TimeProvider.System, NullLogger<RecordWriter>.Instance);
        for (var i = 0; i < 50; i++) writer.Enqueue(new AuditEntry { AtUtc = Now, Actor = "t", Action = "a", Target = $"#{i}" });

        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        await using var db = database.CreateDbContext();
        Assert.Equal(50, await db.Audit.CountAsync());
    }

    [Fact]
    public async Task Stopping_in_the_middle_of_a_save_finishes_it_and_saves_the_rest()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var gated = new GatedFactory(database);
        var writer = new RecordWriter(gated, TimeProvider.System, NullLogger<RecordWriter>.Instance) { MaxBatch = 10 };
        for (var i = 0; i < 35; i++) writer.Enqueue(new AuditEntry { AtUtc = Now, Actor = "t", Action = "a", Target = $"#{i}" });

        await writer.StartAsync(CancellationToken.None);
        await gated.FirstSaveStarted.WaitAsync(TimeSpan.FromSeconds(30));
        var stopping = writer.StopAsync(CancellationToken.None);
        gated.Release();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        await using var db = database.CreateDbContext();
        var targets = await db.Audit.OrderBy(a => a.Id).Select(a => a.Target).ToListAsync();
        Assert.Equal(Enumerable.Range(0, 35).Select(i => $"#{i}"), targets);
        Assert.Equal(0, writer.Pending);
    }

    [Fact]
    public async Task Two_stops_at_once_save_every_queued_row_once_in_the_order_it_came()
    {
        // A test host's dispose and the app's own shutdown wait both stop the host, at the same time.
        using var database = await SqliteDatabase.MigratedAsync();
        // Each save after the first waits less than the one before: two stops draining the queue side by side would
        // have the later batch saved first.
        var gated = new GatedFactory(database, call => TimeSpan.FromMilliseconds(Math.Max(0, 300 - 30 * call)));
        var writer = new RecordWriter(gated, TimeProvider.System, NullLogger<RecordWriter>.Instance) { MaxBatch = 10 };
        for (var i = 0; i < 95; i++) writer.Enqueue(new AuditEntry { AtUtc = Now, Actor = "t", Action = "a", Target = $"#{i}" });

        await writer.StartAsync(CancellationToken.None);
        await gated.FirstSaveStarted.WaitAsync(TimeSpan.FromSeconds(30));
        var first = Task.Run(() => writer.StopAsync(CancellationToken.None));
        var second = Task.Run(() => writer.StopAsync(CancellationToken.None));
        gated.Release();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(30));

        await using var db = database.CreateDbContext();
        var targets = await db.Audit.OrderBy(a => a.Id).Select(a => a.Target).ToListAsync();
        Assert.Equal(Enumerable.Range(0, 95).Select(i => $"#{i}"), targets);
        Assert.Equal(0, writer.Pending);
    }

    [Fact]
    public async Task Rows_queued_past_the_capacity_are_saved_in_the_order_they_came_and_a_flush_waits_for_all_before_it()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var gated = new GatedFactory(database);
        var writer = new RecordWriter(gated, TimeProvider.System, NullLogger<RecordWriter>.Instance, capacity: 20) { MaxBatch = 7 };
        await writer.StartAsync(CancellationToken.None);

        writer.Enqueue(new AuditEntry { AtUtc = Now, Actor = "t", Action = "a", Target = "#0" });
        await gated.FirstSaveStarted.WaitAsync(TimeSpan.FromSeconds(30));
        // The database is stuck on the first save: the queue runs past its capacity while rows keep coming.
        for (var i = 1; i < 60; i++) writer.Enqueue(new AuditEntry { AtUtc = Now, Actor = "t", Action = "a", Target = $"#{i}" });
        Assert.True(writer.Backlogged);
        var flushed = writer.FlushAsync(CancellationToken.None);
        for (var i = 60; i < 70; i++) writer.Enqueue(new AuditEntry { AtUtc = Now, Actor = "t", Action = "a", Target = $"#{i}" });
        Assert.False(flushed.IsCompleted);

        gated.Release();
        await flushed.WaitAsync(TimeSpan.FromSeconds(30));
        await using (var db = database.CreateDbContext())
        {
            // Everything queued before the flush is saved when it completes.
            Assert.True(await db.Audit.CountAsync() >= 60);
        }
        await writer.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await writer.StopAsync(CancellationToken.None);

        Assert.False(writer.Backlogged);
        await using var check = database.CreateDbContext();
        var targets = await check.Audit.OrderBy(a => a.Id).Select(a => a.Target).ToListAsync();
        Assert.Equal(Enumerable.Range(0, 70).Select(i => $"#{i}"), targets);
    }

    [Fact]
    public async Task Rows_arriving_within_the_gather_delay_are_saved_in_one_batch()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var writer = new RecordWriter(database, TimeProvider.System, NullLogger<RecordWriter>.Instance) { GatherDelay = TimeSpan.FromSeconds(2) };
        var batches = new List<int>();
        writer.Committed += rows => { lock (batches) batches.Add(rows.Count); };
        await writer.StartAsync(CancellationToken.None);

        for (var i = 0; i < 10; i++) writer.Enqueue(Fill($"f{i}"));
        await writer.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await writer.StopAsync(CancellationToken.None);

        lock (batches) Assert.Equal([10], batches.Where(n => n > 0));
        await using var db = database.CreateDbContext();
        Assert.Equal(10, await db.Fills.CountAsync());
    }

    [Fact]
    public async Task A_full_batch_is_saved_at_once_whatever_the_gather_delay()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var writer = new RecordWriter(database, TimeProvider.System, NullLogger<RecordWriter>.Instance) { MaxBatch = 5, GatherDelay = TimeSpan.FromHours(1) };
        await writer.StartAsync(CancellationToken.None);

        for (var i = 0; i < 5; i++) writer.Enqueue(Fill($"f{i}"));
        // Well inside the hour: the delay is only for batches that are not full yet.
        await writer.WaitUntilWrittenAsync(5, TimeSpan.FromSeconds(30));
        await writer.StopAsync(CancellationToken.None);

        await using var db = database.CreateDbContext();
        Assert.Equal(5, await db.Fills.CountAsync());
    }

    [Fact]
    public async Task A_fill_reported_twice_in_one_batch_is_saved_once_and_the_batch_goes_through()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var writer = new RecordWriter(database, TimeProvider.System, NullLogger<RecordWriter>.Instance);
        var committed = new List<object>();
        writer.Committed += committed.AddRange;
        writer.Enqueue(Fill("f1"));
        writer.Enqueue(Fill("f1"));
        writer.Enqueue(Fill("f2"));

        await writer.StartAsync(CancellationToken.None);
        await writer.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        writer.Enqueue(Fill("f2"));
        await writer.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(0, writer.Failures);
        Assert.Equal(["f1", "f2"], committed.OfType<FillRow>().Select(f => f.FillId));
        await using var db = database.CreateDbContext();
        Assert.Equal(["f1", "f2"], await db.Fills.OrderBy(f => f.FillId).Select(f => f.FillId).ToListAsync());
    }

    [Fact]
    public async Task Stopping_while_the_database_is_away_keeps_trying_until_the_shutdown_time_runs_out()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        var flaky = new FlakyFactory(database, failures: int.MaxValue);
        var writer = new RecordWriter(flaky, TimeProvider.System, NullLogger<RecordWriter>.Instance);
        writer.Enqueue(Fill("f1"));
        await writer.StartAsync(CancellationToken.None);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await writer.StopAsync(deadline.Token).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(writer.Failures >= 2, $"only {writer.Failures} attempts");
        Assert.Equal(1, writer.Pending);
    }

    [Fact]
    public async Task Stopping_while_the_database_is_briefly_away_saves_once_it_returns()
    {
        using var database = await SqliteDatabase.MigratedAsync();
        // Rows still queued at stop meet a database that fails twice, then returns.
        var flaky = new FlakyFactory(database, failures: 2);
        var late = new RecordWriter(flaky, TimeProvider.System, NullLogger<RecordWriter>.Instance);
        using var fault = FaultReport.Begin("Database unavailable during shutdown", "Database");
        fault.Inject(2);
        late.Enqueue(Fill("f9"));
        await late.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, late.Failures);
        await using var db = database.CreateDbContext();
        Assert.Equal("f9", (await db.Fills.SingleAsync()).FillId);
        fault.Survived("the stop kept retrying within its time and saved the fill");
    }

    private static FillRow Fill(string id) => new()
    {
        FillId = id,
        ClientOrderId = "o1",
        Venue = "Kalshi",
        Symbol = "K:yes",
        Side = "Buy",
        Price = 0.4m,
        Quantity = 5,
        Fee = 0.09m,
        Liquidity = "Taker",
        AtUtc = Now,
    };

    private static OrderRow Order(string id, string status, decimal filled) => new()
    {
        ClientOrderId = id,
        Role = "FirstLeg",
        Venue = "Kalshi",
        Symbol = "K:yes",
        Side = "Buy",
        LimitPrice = 0.5m,
        Quantity = 10,
        TimeInForce = "Ioc",
        Status = status,
        FilledQuantity = filled,
        CreatedUtc = Now,
        UpdatedUtc = Now,
    };

    /// <summary>A database that is away for its first few connections.</summary>
    private sealed class FlakyFactory(SqliteDatabase database, int failures) : IDbContextFactory<ArbBotDbContext>
    {
        private int _left = failures;

        public ArbBotDbContext CreateDbContext() =>
            Interlocked.Decrement(ref _left) >= 0
                ? throw new InvalidOperationException("database unavailable (test)")
                : database.CreateDbContext();
    }

    /// <summary>A database whose first save waits until the test lets it go.</summary>
    private sealed class GatedFactory(SqliteDatabase database, Func<int, TimeSpan>? delayForCall = null) : IDbContextFactory<ArbBotDbContext>
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _gate = new(false);
        private int _calls;

        public Task FirstSaveStarted => _started.Task;

        public void Release() => _gate.Set();

        public ArbBotDbContext CreateDbContext()
        {
            var call = Interlocked.Increment(ref _calls);
            if (call == 1)
            {
                _started.TrySetResult();
                if (!_gate.Wait(TimeSpan.FromSeconds(60))) throw new TimeoutException("the test never released the first save");
            }
            else if (delayForCall is not null)
            {
                Thread.Sleep(delayForCall(call));
            }
            return database.CreateDbContext();
        }
    }
}

internal static class RecordWriterTestExtensions
{
    /// <summary>Polls until <paramref name="count"/> rows are written, failing after <paramref name="patience"/>.</summary>
    public static async Task WaitUntilWrittenAsync(this RecordWriter writer, long count, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (writer.Written < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"only {writer.Written} of {count} rows written");
            await Task.Delay(20);
        }
    }
}
