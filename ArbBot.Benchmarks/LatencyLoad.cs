using System.Globalization;
using System.Runtime;
using ArbBot.Engine.Recording;
using ArbBot.Engine.Replay;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Benchmarks;

/// <summary>
/// The <c>latency</c> command: the whole desk (<c>TradingDesk.Create</c> via <see cref="ReplayDesk"/>) on the real clock,
/// its hub running on its own thread as in the app, fed a generated recording at a fixed live rate by a pacing thread.
/// Reports, with <see cref="LatencyProbe"/>, ingress → every strategy decided (every event) and ingress → paper
/// gateway submit (events that produced an order), after a warm-up that is not counted.
/// </summary>
internal static class LatencyLoad
{
    public static int Run(Dictionary<string, string> options)
    {
        var rate = options.Double("rate", 50_000);
        var seconds = options.Double("seconds", 20);
        var warmup = options.Double("warmup", 3);
        var path = LiveRecording(options, (long)(rate * (seconds + warmup)));
        Console.WriteLine(Machine.Describe());

        var (replay, reader) = ReplayDesk.Open(path, new ReplayDeskOptions { Limits = WideLimits, Portfolio = RichPortfolio }, liveTime: TimeProvider.System);
        var events = Decode(reader, (long)(rate * (seconds + warmup)));
        var probe = new LatencyProbe(replay.Hub);
        probe.Watch(replay.Desk.Gateways.Values);
        var ingress = new long[events.Length];
        probe.Begin(ingress, (long)(rate * warmup));
        // --attribute 0 turns the tail attribution off (to see what its stamps cost); --slow-us sets what counts as slow.
        var attribution = options.Double("attribute", 1) != 0
            ? new TailAttribution(events.Length, () => replay.Hub.Sleeps, () => replay.Journal.Fills, () => probe.SubmitCalls)
            : null;
        probe.Attribution = attribution;
        if (attribution is not null) replay.Desk.SpikeHunter.Board.Updated += attribution.OnSpikePass;

        var reasons = new Dictionary<string, int>();
        var countReasons = options.ContainsKey("reasons");
        replay.Journal.OpportunityJournaled = o =>
        {
            if (!countReasons) return;
            var key = $"{o.Strategy} {o.Decision} {o.Reason[..Math.Min(50, o.Reason.Length)]}";
            reasons[key] = reasons.GetValueOrDefault(key) + 1;
        };
        var decisions = new Engine.Observability.LatencyHistogram();
        replay.Desk.Engine.DecisionLatency = decisions;
        replay.Desk.Engine.Deciding = probe.OnDeciding;
        var mode = PacedFeed.ModeOf(options);
        replay.Hub.SpinBeforeSleep = TimeSpan.FromMicroseconds(options.Double("spin-us", 0));
        // --hub-cpu N pins the hub's thread to processor N; --hub-fifo P gives it the real-time FIFO policy at priority P
        // (ArbBot:MarketData:HubProcessor / HubRealTimePriority in the app).
        replay.Hub.ThreadPlacement = new Engine.MarketData.HubThreadPlacement((int)options.Double("hub-cpu", -1), (int)options.Double("hub-fifo", 0));
        using var stop = new CancellationTokenSource();
        // --setup-gc 0 skips the app's set-up collection (EngineHost: one full compacting collection once the desk is wired,
        // before market data flows), to compare with it.
        if (options.Double("setup-gc", 1) != 0)
        {
            var (took, heap) = Engine.Hosting.SetUpCollection.Run();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"set-up collection before the feed: {took.TotalMilliseconds:F1} ms, heap {heap / 1048576.0:F1} MB"));
        }
        // Inline: the feeding thread is the hub's (it drains after each post); otherwise the hub runs as in the app.
        var hubLoop = mode == FeedMode.Inline ? null : StartHub(replay.Hub, stop.Token);
        using var sampler = options.ContainsKey("allocations") ? new AllocationSampler() : null;
        // Runtime suspensions (GC and others, e.g. tiered compilation's) and each collection's generation, thread and promotion.
        using var suspensions = attribution is not null ? new RuntimeSuspensions() : null;
        long measuredFrom = 0;
        // --gc-latency sustained|lowlatency|interactive|batch: the GC latency mode during the run (what a trading session could set).
        if (options.TryGetValue("gc-latency", out var latencyMode))
        {
            GCSettings.LatencyMode = latencyMode.ToLowerInvariant() switch
            {
                "sustained" => GCLatencyMode.SustainedLowLatency,
                "lowlatency" => GCLatencyMode.LowLatency,
                "batch" => GCLatencyMode.Batch,
                _ => GCLatencyMode.Interactive,
            };
        }
        // --refresh-ms N: the dashboard's refresh as the app runs it (the app's DeskMonitor, every N ms, from its own
        // loop), reporting how long each held the hub's thread; off by default, as before. --refresh-on-hub 1 takes the
        // whole snapshot on the hub as before the refresh moved off it (marks, every copy and sum).
        var refreshMs = options.Double("refresh-ms", 0);
        var refresh = new DashboardRefresh(replay, onHub: options.Double("refresh-on-hub", 0) != 0);
        var refreshLoop = refreshMs > 0 ? refresh.RunEvery(TimeSpan.FromMilliseconds(refreshMs), stop.Token) : Task.CompletedTask;
        var cpu = CpuClock.Start();
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetTotalAllocatedBytes();
        var paused = GC.GetTotalPauseDuration();
        var fed = PacedFeed.Run(replay.Hub, events, ingress, rate, mode: mode);
        var collections = (GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2);
        var allocatedPerEvent = (GC.GetTotalAllocatedBytes() - allocated) / (double)Math.Max(1, fed.Posted);
        var pausedMs = (GC.GetTotalPauseDuration() - paused).TotalMilliseconds;
        if (hubLoop is null)
        {
            replay.Hub.DrainPending();
        }
        else
        {
            while (replay.Hub.QueueLength > 0) Thread.Sleep(1);
            Thread.Sleep(200);
            stop.Cancel();
            try
            {
                refreshLoop.Wait();
            }
            catch (AggregateException e) when (e.InnerException is OperationCanceledException)
            {
            }
            try
            {
                hubLoop.Wait();
            }
            catch (AggregateException e) when (e.InnerException is OperationCanceledException)
            {
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            latency under a live load of {rate:N0} events/s ({warmup:F0} s warm-up not counted), whole desk, paper gateways
              feed            {fed.Describe(rate)}
            {cpu.Describe(fed.Posted)}, hub slept {replay.Hub.Sleeps:N0} times (spin before sleeping {replay.Hub.SpinBeforeSleep.TotalMicroseconds:F0} us); GC gen0/1/2 {collections.Item1}/{collections.Item2}/{collections.Item3} paused {pausedMs:F1} ms in all ({GCSettings.LatencyMode}), {allocatedPerEvent:F0} B allocated per event (whole process)
              desk            {replay.Journal.OpportunitiesTaken:N0} opportunities taken, {replay.Journal.OpportunitiesRejected:N0} rejected, {replay.Journal.OrdersSent:N0} orders, {replay.Journal.Fills:N0} fills, {probe.SubmitCalls:N0} orders submitted, hub errors {replay.Hub.ErrorCount}
              in -> decided   {probe.Decision.Describe()}
              in -> submitted {probe.Submit.Describe()}
                in -> applied       {probe.Queued.Describe()}
                applied -> found    {probe.Found.Describe()}
                found -> submitted  {probe.Executed.Describe()}
                  first found -> last found before the order  {probe.FirstToTakenFound.Describe()} ({probe.SubmittedAfterSeveralFound:N0} events found more than one)
                  last found -> submitted (the taken one)     {probe.TakenToSubmitted.Describe()}
            {Machine.Describe()}
            """));
        if (refreshMs > 0) Console.WriteLine($"  dashboard refresh every {refreshMs} ms: {refresh.Describe()}");
        if (replay.Hub.ThreadPlacementResult is { } placed) Console.WriteLine($"  hub thread placement: {placed}");
        var (cumulative, decided, decidedSeconds) = decisions.Read();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  risk gate + executor per opportunity (DeskEngine.OnOpportunity): {decided:N0} calls, mean {decidedSeconds / Math.Max(1, decided) * 1e6:F1} us, within 10/25/50/100/250 us: {string.Join(" / ", cumulative.Take(5).Select(c => (c * 100.0 / Math.Max(1, decided)).ToString("F0", CultureInfo.InvariantCulture) + "%"))}"));
        // --time-portfolio: what the dashboard's refresh (every 250 ms, on the hub thread) costs with the positions this run opened.
        if (options.ContainsKey("time-portfolio"))
        {
            var portfolio = replay.Desk.Portfolio;
            // The refresh's pieces as the app runs them: called often enough, and given time, to be compiled at full
            // optimization first (a method's first 30 calls run unoptimized code; the app refreshes 4 times a second).
            // No refresh ran during the run (no DeskMonitor here), so the first call marks every position whose book moved.
            for (var k = 0; k < 40; k++)
            {
                portfolio.RecomputeUnrealized();
                portfolio.Snapshot();
                replay.Desk.Engine.CrossVenue.SnapshotSpreads();
            }
            Thread.Sleep(500);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (var k = 0; k < 200; k++) portfolio.RecomputeUnrealized();
            var unchanged = watch.Elapsed / 200;
            var copyWatch = System.Diagnostics.Stopwatch.StartNew();
            for (var k = 0; k < 50; k++) portfolio.Snapshot();
            var portfolioCopy = copyWatch.Elapsed / 50;
            copyWatch.Restart();
            for (var k = 0; k < 50; k++) replay.Desk.Engine.CrossVenue.SnapshotSpreads();
            var spreadsCopy = copyWatch.Elapsed / 50;
            // A fill booked with this many positions open (as the hub does for every fill): fresh buys of one contract.
            var registry = replay.Hub.Registry;
            var fills = Enumerable.Range(0, Math.Min(400, registry.Count)).Select(k => new Engine.Execution.Fill($"bench-{k}", $"bench-{k}", null,
                registry[new Engine.Core.InstrumentId(k)].Venue, new Engine.Core.InstrumentId(k), Engine.Core.Side.Buy, Engine.Core.Price.FromUnits(5000), 1m, 0m,
                Engine.Venues.Liquidity.Taker, TimeProvider.System.GetUtcNow())).ToArray();
            var fillWatch = System.Diagnostics.Stopwatch.StartNew();
            foreach (var fill in fills) portfolio.ApplyFill(fill);
            var (groups, largestInstruments, largestSets) = portfolio.EquityGroupSizes();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  portfolio ApplyFill: {fillWatch.Elapsed.TotalMicroseconds / fills.Length:F1} us per fill ({groups:N0} groups of sets sharing instruments, the largest {largestInstruments} instruments in {largestSets} sets)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  dashboard refresh on the hub with {portfolio.OpenPositionCount:N0} markets open: RecomputeUnrealized {unchanged.TotalMicroseconds:F1} us with no book changed; portfolio Snapshot {portfolioCopy.TotalMicroseconds:F1} us; SnapshotSpreads {spreadsCopy.TotalMicroseconds:F1} us"));
        }
        if (attribution is not null)
        {
            var from = (long)(rate * warmup);
            measuredFrom = ingress[Math.Min(from, ingress.Length - 1)];
            // The collections first: the attribution below can take minutes when the hub fell far behind (a loaded machine).
            Console.WriteLine($"  runtime suspensions (whole run, warm-up included): {suspensions!.Summary()}");
            Console.WriteLine("  collections after the warm-up:" + Environment.NewLine + suspensions.Collections(measuredFrom));
            Console.WriteLine("  blocking collections after the warm-up, by generation:" + Environment.NewLine + suspensions.CollectionSummary(measuredFrom));
            Console.Write(attribution.Describe(ingress, from, options.Double("slow-us", 200), (int)options.Double("top", 12), suspensions.During));
        }
        foreach (var (reason, n) in reasons.OrderByDescending(r => r.Value).Take(12)) Console.WriteLine($"  {n,6} {reason}");
        if (sampler is not null) Console.WriteLine("allocation samples by thread and type:" + Environment.NewLine + sampler.Top(25));
        return 0;
    }

    /// <summary>Limits wide enough that every edge found is traded: the figure is the path's latency, not the limits' verdicts.</summary>
    public static Engine.Risk.RiskLimits WideLimits { get; } = new()
    {
        MaxOpenPositions = 10_000,
        MaxTotalExposure = 100_000_000m,
        DailyLossLimit = 1_000_000m,
        MaxDrawdown = 10_000_000m,
        CircuitBreakerFailures = 1_000,
    };

    /// <summary>Cash enough that no venue balance runs out during a run, so edges keep being traded.</summary>
    public static Engine.Portfolio.PortfolioOptions RichPortfolio => new()
    {
        StartingBalances = new() { [Engine.Core.VenueId.Kalshi] = 100_000_000m, [Engine.Core.VenueId.Polymarket] = 100_000_000m },
    };

    /// <summary>
    /// The recording to feed (--in), or a default one generated when missing: 1,000 markets, 500 pairs, ten times the
    /// usual dislocations so that hundreds of events produce orders and the submit percentiles have samples.
    /// </summary>
    public static string LiveRecording(Dictionary<string, string> options, long events)
    {
        if (options.TryGetValue("in", out var given)) return given;
        var path = Path.Combine(Path.GetTempPath(), "arbbot-bench-live.abrec");
        var needed = Math.Max(events, 1_500_000);
        if (File.Exists(path))
        {
            using var existing = RecordingReader.Open(path);
            long count = 0;
            while (count < needed && existing.TryRead(out _)) count++;
            if (count >= needed) return path;
        }
        Cli.Generate(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["out"] = path,
            ["events"] = needed.ToString(CultureInfo.InvariantCulture),
            ["rate"] = "50000",
            ["dislocations"] = "50",
        });
        return path;
    }

    public static Engine.MarketData.BookEvent[] Decode(RecordingReader reader, long count)
    {
        var recorded = new List<RecordedBookEvent>((int)Math.Min(count, 50_000_000));
        using (reader)
        {
            while (recorded.Count < count && reader.TryRead(out var e)) recorded.Add(e);
        }
        return PacedFeed.Tag(recorded, count);
    }

    /// <summary>Starts the hub's loop on its own thread, as the app does (<see cref="Engine.MarketData.MarketDataHub.RunAsync"/>).</summary>
    /// <summary>The app's dashboard refresh (<c>DeskMonitor</c>) on the replayed desk, with how long each held the hub's thread.</summary>
    private sealed class DashboardRefresh
    {
        private readonly List<double> _microseconds = [];
        private readonly Engine.Desk.DeskMonitor _monitor;
        private readonly bool _onHub;
        private long _adopted, _markedOnHub;
        private readonly List<(double Marks, double Executor)> _parts = [];

        public DashboardRefresh(ReplayDesk replay, bool onHub)
        {
            _onHub = onHub;
            // No database here: the writer is never started, so the few position and PnL rows it is given stay queued.
            var records = new Engine.Persistence.RecordWriter(new NoDatabase(), TimeProvider.System, NullLogger<Engine.Persistence.RecordWriter>.Instance);
            _monitor = new Engine.Desk.DeskMonitor(replay.Desk.Engine, replay.Desk.Portfolio, replay.Desk.Executor, replay.Controls, records,
                replay.Desk.Latency, replay.Hub, replay.Desk, TimeProvider.System, NullLogger<Engine.Desk.DeskMonitor>.Instance)
            {
                RefreshOffHub = !onHub,
            };
            // On the hub's thread, after the refresh's hub work: read after the run.
            _monitor.HubHeld = held =>
            {
                _microseconds.Add(held.TotalMicroseconds);
                var (adopted, markedOnHub) = replay.Desk.Portfolio.LastMarks;
                _adopted += adopted;
                _markedOnHub += markedOnHub;
                var (marks, executor) = _monitor.LastHubParts;
                _parts.Add((marks.TotalMicroseconds, executor.TotalMicroseconds));
            };
        }

        /// <summary>Refreshes every <paramref name="interval"/> as the app's loop does (one at a time, the next after the last).</summary>
        public Task RunEvery(TimeSpan interval, CancellationToken stop) => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(interval, stop).ConfigureAwait(false);
                await _monitor.RefreshAsync(stop).ConfigureAwait(false);
            }
        }, stop);

        /// <summary>How long the refreshes held the hub (read after the run).</summary>
        public string Describe()
        {
            if (_microseconds.Count == 0) return "no refresh ran";
            var sorted = _microseconds.Order().ToArray();
            return string.Create(CultureInfo.InvariantCulture,
                $"{sorted.Length} refreshes ({(_onHub ? "whole snapshot on the hub, as before" : "off the hub")}) held the hub p50 {sorted[sorted.Length / 2]:F0} us, p90 {sorted[sorted.Length * 9 / 10]:F0} us, max {sorted[^1]:F0} us, mean {sorted.Average():F0} us; marks adopted as prepared {_adopted:N0}, marked on the hub {_markedOnHub:N0}; last snapshot: {_monitor.Latest.Portfolio.Positions.Count:N0} positions, equity {_monitor.Latest.Portfolio.Equity}")
                + (_onHub ? "" : string.Create(CultureInfo.InvariantCulture,
                    $"; parts p50: marks {Median(p => p.Marks):F0} us, executor's figures {Median(p => p.Executor):F0} us; spreads copied off the hub, on it {_monitor.SpreadCopiesOnHub:N0} times"));
        }

        private double Median(Func<(double Marks, double Executor), double> part)
        {
            var sorted = _parts.Select(part).Order().ToArray();
            return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
        }

        private sealed class NoDatabase : Microsoft.EntityFrameworkCore.IDbContextFactory<Engine.Persistence.ArbBotDbContext>
        {
            public Engine.Persistence.ArbBotDbContext CreateDbContext() => throw new InvalidOperationException("The latency harness has no database.");
        }
    }

    public static Task StartHub(Engine.MarketData.MarketDataHub hub, CancellationToken stop) => hub.RunAsync(stop);
}
