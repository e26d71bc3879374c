using System.Diagnostics;
using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Venues;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Benchmarks;

/// <summary>
/// The engine journaling at a fixed rate into a real SQLite file through the app's <see cref="EngineJournal"/> and
/// batching <see cref="RecordWriter"/>. Measures how long each journal call holds the calling (hub) thread — the engine
/// stall — and how many records per second reach the database. With <c>--mix 1</c> the journal calls are a desk's mix
/// rather than risk events only: of every ten, five risk events, an opportunity (two legs), two order transitions (each an
/// order row and a transition row), a fill and an execution outcome.
/// </summary>
internal static class PersistenceLoad
{
    public static int Run(Dictionary<string, string> options)
    {
        var rate = options.Double("rate", 20_000);
        var seconds = options.Double("seconds", 10);
        var total = (long)(rate * seconds);
        var mix = options.TryGetValue("mix", out var mixValue) && mixValue is "1" or "true";
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
            var registry = new InstrumentRegistry();
            var journal = new EngineJournal(writer, registry, NullLogger<EngineJournal>.Instance);
            var desk = new DeskRecords(registry);

            var slowMicroseconds = options.Double("slow-us", 1_000);
            var ticksPerRecord = Stopwatch.Frequency / rate;

            // Warm-up, timed apart: the first call of each kind pays for JIT compilation and the JSON serializer's metadata
            // (tens of ms, once per process), and tiered compilation recompiles the hot methods in the first seconds.
            var warm = (long)(rate * options.Double("warmup", 2));
            var warmStalls = new double[warm];
            var warmAttribution = new StallAttribution(warm);
            var warmStart = Stopwatch.GetTimestamp();
            var warmClock = Stopwatch.StartNew();
            for (long i = 0; i < warm; i++)
            {
                var due = (long)(i * ticksPerRecord);
                while (warmClock.ElapsedTicks < due) Thread.SpinWait(20);
                var record = mix ? desk.Next(i) : new RiskEvent(DateTimeOffset.UtcNow, RiskRule.PairCooldown, RiskVerdict.Reject, i, i % 500, "Rejected by the pair cooldown (bench)");
                warmAttribution.Before();
                var start = Stopwatch.GetTimestamp();
                DeskRecords.Journal(journal, record);
                warmStalls[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                warmAttribution.After(i, start);
            }
            writer.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
            var storedInWarmup = StoredCalls(contexts);
            // An experiment: every other thread of the process (the record writer's pool threads, the GC's, the JIT's) at a
            // lower priority, so that within the process only the journaling thread runs at the normal one.
            var niced = options.TryGetValue("others-nice", out var niceValue)
                ? FormattableString.Invariant($"; {ThreadCpu.NiceAllThreadsBut(ThreadCpu.CurrentThreadId(), int.Parse(niceValue, System.Globalization.CultureInfo.InvariantCulture))} other threads at nice {niceValue}")
                : "";

            using var suspensions = new RuntimeSuspensions();
            var stalls = new double[total];
            var attribution = new StallAttribution(total);
            using var sampler = options.ContainsKey("allocations") ? new AllocationSampler() : null;
            var clock = Stopwatch.StartNew();
            long maxPending = 0;
            var gen0 = GC.CollectionCount(0);
            var gen1 = GC.CollectionCount(1);
            var gen2 = GC.CollectionCount(2);
            var paused = GC.GetTotalPauseDuration();
            var processAllocated = GC.GetTotalAllocatedBytes(precise: true);
            long journalAllocated = 0;
            var processCpu = Process.GetCurrentProcess().TotalProcessorTime;
            var threadCpu = ThreadCpu.Nanoseconds();
            var steal = StolenSeconds();
            var runStart = Stopwatch.GetTimestamp();
            for (long t = 0; t < total; t++)
            {
                var i = warm + t;
                var due = (long)(t * ticksPerRecord);
                while (clock.ElapsedTicks < due) Thread.SpinWait(20);
                // The record is the engine's (allocated before the call); what the call itself allocates is the journal's.
                var record = mix ? desk.Next(i) : new RiskEvent(DateTimeOffset.UtcNow, RiskRule.PairCooldown, RiskVerdict.Reject, i, i % 500, "Rejected by the pair cooldown (bench)");
                var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                attribution.Before();
                var start = Stopwatch.GetTimestamp();
                DeskRecords.Journal(journal, record);
                stalls[t] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                attribution.After(t, start);
                journalAllocated += GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
                if ((t & 1023) == 0) maxPending = Math.Max(maxPending, writer.Pending);
            }
            var posted = clock.Elapsed.TotalSeconds;
            // Who used the 2 cores during the run: the journaling thread (pacer spinning + calls) and the rest of the process
            // (the record writer, the GC, the JIT, timers).
            var journalThreadCpu = (ThreadCpu.Nanoseconds() - threadCpu) / 1e9;
            var restCpu = (Process.GetCurrentProcess().TotalProcessorTime - processCpu).TotalSeconds - journalThreadCpu;
            var stolen = StolenSeconds() - steal;
            var cores = FormattableString.Invariant(
                $"processor time during the run: journaling thread {journalThreadCpu:F2} s (pacer spinning and calls), rest of the process {restCpu:F2} s (writer, GC, JIT, timers) over {posted:F2} s; the hypervisor took {stolen:F2} s of the machine's cores (steal)");
            var unsorted = (double[])stalls.Clone();
            var gcs = FormattableString.Invariant(
                $"GCs during the run gen0 {GC.CollectionCount(0) - gen0}, gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2}, paused {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F1} ms in all");
            writer.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
            var flushed = clock.Elapsed.TotalSeconds;
            // Until every row is stored: a writer that lags does most of its work (and allocating) after the last call.
            var allocatedUntilFlushed = GC.GetTotalAllocatedBytes(precise: true) - processAllocated;
            var untilFlushed = FormattableString.Invariant(
                $"{allocatedUntilFlushed / 1e6:N1} MB allocated in the process ({allocatedUntilFlushed / (double)total:N0} bytes per record), GCs gen0 {GC.CollectionCount(0) - gen0}, gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2}, paused {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F1} ms in all");
            writer.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            Thread.Sleep(1_000); // the runtime's events reach an in-process listener with a delay
            Array.Sort(stalls);
            using (var db = contexts.CreateDbContext())
            {
                var riskEvents = db.Set<RiskEventRow>().LongCount();
                var stored = StoredCalls(contexts) - storedInWarmup;
                var kinds = mix
                    ? FormattableString.Invariant($" (tables, warm-up included: risk events {riskEvents:N0}, opportunities {db.Set<OpportunityRow>().LongCount():N0}, order transitions {db.Set<OrderTransitionRow>().LongCount():N0} of {db.Set<OrderRow>().LongCount():N0} orders, fills {db.Set<FillRow>().LongCount():N0}, executions {db.Set<ExecutionRow>().LongCount():N0})")
                    : "";
                Console.WriteLine(FormattableString.Invariant($"""
                    warm-up         {warm:N0} calls before the run (not counted below): {warmStalls.Count(s => s > slowMicroseconds)} over {slowMicroseconds:F0} us, max {(warm > 0 ? warmStalls.Max() : 0):F0} us
                    persistence at {rate:N0} records/s for {posted:F1} s{(mix ? ", desk mix" : "")}: {total:N0} records journaled, {stored:N0} stored in SQLite{kinds}, all flushed {flushed - posted:F2} s after the last
                      throughput      {stored / flushed:N0} records/s stored over the run (writer failures {writer.Failures}, most pending {maxPending:N0}, backlogged {writer.Backlogged})
                      engine stall    per journal call p50 {stalls[total / 2]:F2} us, p99 {stalls[(long)(total * 0.99)]:F2} us, p99.9 {stalls[(long)(total * 0.999)]:F2} us, max {stalls[^1]:F1} us; over 1 ms: {stalls.Count(s => s > 1_000)}
                      allocation      {journalAllocated / (double)total:F1} bytes per journal call on the calling thread; {gcs}
                      until flushed   {untilFlushed}
                      cores           {cores}{niced}; {Machine.Describe()}
                    """));
                Console.WriteLine($"  runtime suspensions during the run and flush: {suspensions.Summary()}");
                Console.Write(attribution.Describe(unsorted, slowMicroseconds, runStart, t => KindOf(mix, warm + t), suspensions.During));
                if (options.ContainsKey("warmup-detail")) Console.Write(warmAttribution.Describe(warmStalls, slowMicroseconds, warmStart, i => KindOf(mix, i)));
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

    /// <summary>Journal calls stored: a transition is two rows (the order's state, upserted, and the transition), counted once.</summary>
    private static long StoredCalls(SqliteContexts contexts)
    {
        using var db = contexts.CreateDbContext();
        return db.Set<RiskEventRow>().LongCount() + db.Set<OpportunityRow>().LongCount() + db.Set<OrderTransitionRow>().LongCount()
            + db.Set<FillRow>().LongCount() + db.Set<ExecutionRow>().LongCount();
    }

    /// <summary>Processor time the hypervisor took from this virtual machine (all cores, /proc/stat "steal"), in seconds.</summary>
    private static double StolenSeconds()
    {
        if (!File.Exists("/proc/stat")) return 0;
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 8 ? long.Parse(fields[8], System.Globalization.CultureInfo.InvariantCulture) / 100.0 : 0;
    }

    private static string KindOf(bool mix, long i) => !mix ? "risk event" : (i % 10) switch
    {
        5 => "opportunity",
        6 or 7 => "order transition",
        8 => "fill",
        9 => "execution",
        _ => "risk event",
    };

    /// <summary>The engine's side of a desk's journal: the records it hands the journal, built before each timed call.</summary>
    private sealed class DeskRecords
    {
        private readonly InstrumentRegistry _registry;
        private readonly OpportunityLeg[] _legs;
        private readonly Market _kalshi;
        private readonly Market _polymarket;

        public DeskRecords(InstrumentRegistry registry)
        {
            _registry = registry;
            _kalshi = registry.AddMarket(new Market(VenueId.Kalshi, "KXBENCH-26", "KXBENCH", "Bench?", "r", "s", DateTimeOffset.UnixEpoch, TickSize.Cent, 1m, "Yes",
                FeeParameters.None), "KXBENCH-26:yes", "KXBENCH-26:no");
            _polymarket = registry.AddMarket(new Market(VenueId.Polymarket, "bench-26", "bench", "Bench?", "r", "s", DateTimeOffset.UnixEpoch, TickSize.Cent, 0.01m, "Yes",
                FeeParameters.None), "bench-26:yes", "bench-26:no");
            _legs =
            [
                new(_kalshi.Yes, VenueId.Kalshi, Side.Buy, Price.FromUnits(4_700), 0.4693m, 0.0175m, Price.FromUnits(4_600), 120m, 1_234, TimeSpan.FromMilliseconds(3.2)),
                new(_polymarket.No, VenueId.Polymarket, Side.Buy, Price.FromUnits(5_100), 0.5088m, 0.0m, Price.FromUnits(5_050), 85.5m, 987, TimeSpan.FromMilliseconds(11.7)),
            ];
        }

        /// <summary>Record number <paramref name="i"/> of the mix: of every ten, five risk events and one of each other kind.</summary>
        public object Next(long i)
        {
            var now = DateTimeOffset.UtcNow;
            var cycle = i / 10;
            var orderId = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"o{cycle}-l0-a0");
            return (i % 10) switch
            {
                5 => new Opportunity(cycle, "cross-venue", cycle % 500, now, _legs, 10m, 0.0219m, 0.0175m, 0.0044m, 0.044m, OpportunityDecision.Taken, "Taken at full size"),
                6 => new OrderTransition(orderId, cycle, cycle % 500, OrderRole.FirstLeg, VenueId.Kalshi, _kalshi.Yes, Side.Buy, Price.FromUnits(4_700), 10m,
                    TimeInForce.Ioc, OrderStatus.New, OrderStatus.Submitted, 0m, null, now, now),
                7 => new OrderTransition(orderId, cycle, cycle % 500, OrderRole.FirstLeg, VenueId.Kalshi, _kalshi.Yes, Side.Buy, Price.FromUnits(4_700), 10m,
                    TimeInForce.Ioc, OrderStatus.Submitted, OrderStatus.Filled, 10m, null, now),
                8 => new FillWithIds(new Fill("f" + orderId, orderId, "v" + orderId, VenueId.Kalshi, _kalshi.Yes, Side.Buy, Price.FromUnits(4_693), 10m, 0.0175m,
                    Liquidity.Taker, now), cycle, cycle % 500),
                9 => new ExecutionOutcome(cycle, cycle % 500, "cross-venue", ExecutionOutcomeKind.Hedged, 10m, 10m, 0m, 9.781m, 0.0175m, 0.044m, 0.0425m,
                    now.AddMilliseconds(-12), now, TimeSpan.FromMilliseconds(11.8), "Hedged 10 sets; locked 0.0425"),
                _ => new RiskEvent(now, RiskRule.PairCooldown, RiskVerdict.Reject, i, i % 500, "Rejected by the pair cooldown (bench)"),
            };
        }

        public static void Journal(EngineJournal journal, object record)
        {
            switch (record)
            {
                case RiskEvent riskEvent: journal.OnRiskEvent(riskEvent); break;
                case Opportunity opportunity: journal.OnOpportunity(opportunity); break;
                case OrderTransition transition: journal.OnOrderTransition(transition); break;
                case FillWithIds fill: journal.OnFill(fill.Fill, fill.OpportunityId, fill.PairId); break;
                case ExecutionOutcome outcome: journal.OnExecutionCompleted(outcome); break;
                default: throw new InvalidOperationException($"Not a journal record: {record}");
            }
        }

        private sealed record FillWithIds(Fill Fill, long OpportunityId, long PairId);
    }

    private sealed class SqliteContexts(string path) : IDbContextFactory<ArbBotDbContext>
    {
        private readonly DbContextOptions<ArbBotDbContext> _options = new DbContextOptionsBuilder<ArbBotDbContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = path }.ConnectionString).Options;

        public ArbBotDbContext CreateDbContext() => new(_options);
    }
}
