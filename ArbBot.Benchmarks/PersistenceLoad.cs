using System.Diagnostics;
using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Risk;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Benchmarks;

/// <summary>
/// The engine journaling at a fixed rate into a real SQLite file through the app's <see cref="EngineJournal"/> and
/// batching <see cref="RecordWriter"/>. Measures how long each journal call holds the calling (hub) thread — the engine
/// stall — and how many records per second reach the database.
/// </summary>
internal static class PersistenceLoad
{
    public static int Run(Dictionary<string, string> options)
    {
        var rate = options.Double("rate", 20_000);
        var seconds = options.Double("seconds", 10);
        var total = (long)(rate * seconds);
        Console.WriteLine(Machine.Describe());
        if (options.TryGetValue("gc-latency", out var latencyMode)) System.Runtime.GCSettings.LatencyMode = Enum.Parse<System.Runtime.GCLatencyMode>(latencyMode);
        var folder = Directory.CreateTempSubdirectory("arbbot-persist-").FullName;
        try
        {
            var contexts = new SqliteContexts(Path.Combine(folder, "arbbot.db"));
            using (var db = contexts.CreateDbContext())
            {
                new SchemaMigrator(TimeProvider.System, NullLogger<SchemaMigrator>.Instance).MigrateAsync(db, CancellationToken.None).GetAwaiter().GetResult();
            }
            using var writer = new RecordWriter(contexts, TimeProvider.System, NullLogger<RecordWriter>.Instance);
            writer.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
            var journal = new EngineJournal(writer, new InstrumentRegistry(), NullLogger<EngineJournal>.Instance);

            var stalls = new double[total];
            using var sampler = options.ContainsKey("allocations") ? new AllocationSampler() : null;
            var clock = Stopwatch.StartNew();
            var ticksPerRecord = Stopwatch.Frequency / rate;
            long maxPending = 0;
            var gen0 = GC.CollectionCount(0);
            var gen1 = GC.CollectionCount(1);
            var gen2 = GC.CollectionCount(2);
            var paused = GC.GetTotalPauseDuration();
            long journalAllocated = 0;
            for (long i = 0; i < total; i++)
            {
                var due = (long)(i * ticksPerRecord);
                while (clock.ElapsedTicks < due) Thread.SpinWait(20);
                // The risk event is the engine's (allocated before the call); what the call itself allocates is the journal's.
                var riskEvent = new RiskEvent(DateTimeOffset.UtcNow, RiskRule.PairCooldown, RiskVerdict.Reject, i, i % 500, "Rejected by the pair cooldown (bench)");
                var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                var start = Stopwatch.GetTimestamp();
                journal.OnRiskEvent(riskEvent);
                stalls[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                journalAllocated += GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
                if ((i & 1023) == 0) maxPending = Math.Max(maxPending, writer.Pending);
            }
            var posted = clock.Elapsed.TotalSeconds;
            var gcs = FormattableString.Invariant(
                $"GCs during the run gen0 {GC.CollectionCount(0) - gen0}, gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2}, paused {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F1} ms in all");
            writer.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
            var flushed = clock.Elapsed.TotalSeconds;
            writer.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            Array.Sort(stalls);
            using (var db = contexts.CreateDbContext())
            {
                var stored = db.Set<RiskEventRow>().LongCount();
                Console.WriteLine(FormattableString.Invariant($"""
                    persistence at {rate:N0} records/s for {posted:F1} s: {total:N0} records journaled, {stored:N0} stored in SQLite, all flushed {flushed - posted:F2} s after the last
                      throughput      {stored / flushed:N0} records/s stored over the run (writer failures {writer.Failures}, most pending {maxPending:N0}, backlogged {writer.Backlogged})
                      engine stall    per journal call p50 {stalls[total / 2]:F2} us, p99 {stalls[(long)(total * 0.99)]:F2} us, p99.9 {stalls[(long)(total * 0.999)]:F2} us, max {stalls[^1]:F1} us; over 1 ms: {stalls.Count(s => s > 1_000)}
                      allocation      {journalAllocated / (double)total:F1} bytes per journal call on the calling thread; {gcs}
                    """));
            }
            if (sampler is not null) Console.WriteLine("allocation samples by type (whole process):" + Environment.NewLine + sampler.Top(20));
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class SqliteContexts(string path) : IDbContextFactory<ArbBotDbContext>
    {
        private readonly DbContextOptions<ArbBotDbContext> _options = new DbContextOptionsBuilder<ArbBotDbContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = path }.ConnectionString).Options;

        public ArbBotDbContext CreateDbContext() => new(_options);
    }
}
