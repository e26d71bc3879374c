using System.Diagnostics;
using System.Globalization;
using ArbBot.Engine.Recording;
using ArbBot.Engine.Replay;

namespace ArbBot.Benchmarks;

/// <summary>The harness commands: generate a recording, replay it through the whole desk.</summary>
internal static class Cli
{
    public static int Usage()
    {
        Console.Error.WriteLine("""
            usage: dotnet run -c Release --project ArbBot.Benchmarks -- <command> [--name value ...]
              generate --out FILE [--events 10000000] [--rate 50000] [--markets 500] [--seed 7] [--dislocations 5]
              replay   [--in FILE] [--events N] [--rate R] [--memory-events 2000000] [--warm-events N] [--max N] [--chunk N]
                       [--without cross,multi,paper,spike,books]
                       whole desk on a replay clock as fast as possible (generates FILE when missing); --without
                       takes parts away (decisions change: for splitting the per-event cost, never for comparing builds)
              load     [--in FILE] [--rate 50000] [--seconds 20]
                       paced live load on the real clock: event in -> first order sent latency, resident memory
              latency  [--in FILE] [--rate 50000] [--seconds 20] [--warmup 3] [--feed batch|spin|inline] [--attribute 0|1] [--slow-us 200] [--gc-latency sustained]
                       paced live load, whole desk: ingress -> every strategy decided, ingress -> paper gateway submit
              fanout   [--in FILE] [--rate 50000] [--seconds 12] [--warmup 3] [--clients 100] [--browsers N] [--page /spreads] [--allocations 1]
                       the web app in-process under the latency load: engine p99 with 0, N, then 0 SignalR clients
              soak     [--in FILE] [--rate 5000] [--seconds 3600] [--clients 10] [--sample-seconds 60] [--allocations 1]
                       the web app in-process on the real clock: resident memory, GC heap, threads and queues over the run
              persist  [--rate 20000] [--seconds 10] [--mix 1] [--allocations 1] [--gc-latency MODE] [--slow-us 1000] [--warmup 2] [--others-nice N]
                       engine journal -> SQLite record writer under load; longest enqueue stall (--mix 1: a desk's
                       mix of risk events, opportunities, order transitions, fills and executions)
              smoke    [--events 300000] [--floor 60000]
                       the regression guard scripts/test.sh runs (fails below the floor, per processor-second)
              micro    [BenchmarkDotNet args, e.g. --filter * --job short]
            """);
        return 2;
    }

    public static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Expected --name value, got '{args[i]}'.");
            options[args[i][2..]] = args[i + 1];
        }
        return options;
    }

    public static long Long(this Dictionary<string, string> options, string name, long fallback) =>
        options.TryGetValue(name, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public static double Double(this Dictionary<string, string> options, string name, double fallback) =>
        options.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public static int Generate(Dictionary<string, string> options)
    {
        var path = options.TryGetValue("out", out var o) ? o : DefaultRecording;
        var generator = new SyntheticRecordingOptions
        {
            Events = options.Long("events", 10_000_000),
            EventsPerSecond = options.Double("rate", 50_000),
            MarketsPerVenue = (int)options.Long("markets", 500),
            Seed = (int)options.Long("seed", 7),
            DislocationsPer10k = (int)options.Long("dislocations", 5),
        };
        var watch = Stopwatch.StartNew();
        var written = SyntheticRecording.Generate(path, generator);
        Console.WriteLine(FormattableString.Invariant(
            $"generated {written:N0} events ({generator.MarketsPerVenue * 4:N0} instruments, {generator.MarketsPerVenue:N0} pairs) to {path}: {new FileInfo(path).Length / 1e6:F1} MB ({new FileInfo(path).Length / (double)written:F2} bytes/event) in {watch.Elapsed.TotalSeconds:F1} s"));
        return 0;
    }

    public static string DefaultRecording => Path.Combine(Path.GetTempPath(), "arbbot-bench-50k.abrec");

    /// <summary>The recording to use: the given file, or the default one, generated when missing.</summary>
    public static string Recording(Dictionary<string, string> options)
    {
        var path = options.TryGetValue("in", out var i) ? i : DefaultRecording;
        if (!File.Exists(path))
        {
            Generate(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["out"] = path,
                ["events"] = options.Long("events", 10_000_000).ToString(CultureInfo.InvariantCulture),
                ["rate"] = options.Double("rate", 50_000).ToString(CultureInfo.InvariantCulture),
            });
        }
        return path;
    }

    public static int Replay(Dictionary<string, string> options)
    {
        var path = Recording(options);
        Console.WriteLine(Machine.Describe());

        // 1. The engine alone: events decoded into memory first, then replayed (what the desk itself sustains).
        var inMemory = options.Long("memory-events", 2_000_000);
        var (warm, warmReader) = ReplayDesk.Open(path);
        // Warm-up: JIT and tiering before measuring. Tiered PGO compiles a hot method three times (quick, instrumented,
        // optimized) on a background thread; measured after only 200,000 events (before session 11) a third to a half of
        // the measured run's samples were still in quick-JIT code, which understated the desk's steady rate by ~30%.
        // Warming over as many events as are measured leaves every path the measured run takes optimized.
        using (warmReader) warm.Run(warmReader, options.Long("warm-events", inMemory));
        // --wide-limits 1: the latency harness's limits and balances (every edge found is traded: thousands of orders,
        // fills, hedges and unwinds instead of a few dozen), so a digest covers the order and fill paths too.
        var (engineDesk, engineReader) = options.Double("wide-limits", 0) != 0
            ? ReplayDesk.Open(path, new ReplayDeskOptions { Limits = LatencyLoad.WideLimits, Portfolio = LatencyLoad.RichPortfolio })
            : ReplayDesk.Open(path);
        RecordedBookEvent[] events;
        using (engineReader)
        {
            var list = new List<RecordedBookEvent>((int)Math.Min(inMemory, 50_000_000));
            while (list.Count < inMemory && engineReader.TryRead(out var e)) list.Add(e);
            events = [.. list];
        }
        // --digest: a SHA-256 of everything the desk journaled (opportunities with their reasons, risk events with their
        // words, order transitions), to show a change of the engine's speed changed none of its decisions or records.
        var digest = options.ContainsKey("digest") ? new JournalDigest(engineDesk.Journal) : null;
        if (options.TryGetValue("without", out var without)) TakeAway(engineDesk, without);
        using var sampler = options.ContainsKey("allocations") ? new AllocationSampler() : null;
        var cpu = CpuClock.Start();
        var engine = engineDesk.Run(events);
        Console.WriteLine(cpu.Describe(engine.Events, callerRuns: true));
        Print("engine only (events in memory)", engine);
        if (digest is not null) Console.WriteLine(digest.Describe());
        if (sampler is not null) Console.WriteLine("allocation samples by type:" + Environment.NewLine + sampler.Top(15));
        events = [];
        // --engine-only: skip the file pass (iterating on the engine; the two passes make the same decisions).
        if (options.ContainsKey("engine-only")) return 0;

        // 2. End to end: decoding the file and replaying it on the same core.
        var (desk, reader) = ReplayDesk.Open(path);
        ReplayReport full;
        using (reader)
        {
            var fullCpu = CpuClock.Start();
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var chunk = options.Long("chunk", long.MaxValue);
            var max = options.Long("max", long.MaxValue);
            long replayed = 0, errors = 0;
            var elapsed = TimeSpan.Zero;
            var samples = new List<string>();
            // In chunks when asked, printing resident memory after each: the "steady memory" figure of a long recording.
            while (replayed < max)
            {
                var part = desk.Run(reader, Math.Min(chunk, max - replayed));
                replayed += part.Events;
                errors += part.Errors;
                elapsed += part.Elapsed;
                if (chunk != long.MaxValue)
                {
                    samples.Add(FormattableString.Invariant($"{replayed / 1e6:F0}M:{Environment.WorkingSet / 1e6:F0}MB/{GC.GetTotalMemory(false) / 1e6:F0}MB"));
                }
                if (part.Events < Math.Min(chunk, max - replayed + part.Events)) break;
            }
            full = desk.Report(replayed, errors, elapsed, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, 0, 0);
            Console.WriteLine(fullCpu.Describe(full.Events, callerRuns: true));
            if (samples.Count > 0)
            {
                Console.WriteLine($"  memory by events replayed (resident/GC heap): {string.Join(' ', samples)}; replay clock at {desk.Clock!.GetUtcNow():u}");
            }
        }
        Print("file -> decode -> whole desk", full);
        Console.WriteLine(FormattableString.Invariant($"resident memory after the run: {Environment.WorkingSet / 1e6:F0} MB; GC heap {GC.GetTotalMemory(false) / 1e6:F0} MB"));
        return 0;
    }

    /// <summary>
    /// Takes parts of the desk away for the measured run (<c>--without</c>), so the per-event cost can be split: the
    /// strategies (<c>cross</c>, <c>multi</c>) and the paper gateways (<c>paper</c>) stop hearing of book changes, the
    /// spike hunter (<c>spike</c>) stops sampling, and <c>books</c> leaves the hub with no listener at all.
    /// </summary>
    private static void TakeAway(ReplayDesk desk, string parts)
    {
        foreach (var part in parts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (part)
            {
                case "cross":
                    desk.Hub.Unsubscribe(desk.Desk.Engine.CrossVenue);
                    break;
                case "multi":
                    if (desk.Desk.Engine.MultiOutcome is { } multi) desk.Hub.Unsubscribe(multi);
                    break;
                case "paper":
                    foreach (var route in desk.Desk.Routes.Values)
                    {
                        if (route.Paper is Engine.MarketData.IBookListener listener) desk.Hub.Unsubscribe(listener);
                    }
                    break;
                case "spike":
                    desk.Desk.SpikeHunter.Dispose();
                    break;
                case "books":
                    TakeAway(desk, "cross,multi,paper,spike");
                    break;
                default:
                    throw new ArgumentException($"--without takes cross, multi, paper, spike or books, not '{part}'.");
            }
        }
    }

    public static void Print(string title, ReplayReport r) => Console.WriteLine(FormattableString.Invariant($"""
        {title}:
          events          {r.Events:N0} in {r.Elapsed.TotalSeconds:F2} s = {r.EventsPerSecond:N0} events/s
          desk            {r.OpportunitiesTaken:N0} opportunities taken, {r.OpportunitiesRejected:N0} rejected, {r.OrdersSent:N0} orders, {r.Fills:N0} fills, {r.Executions:N0} executions ({r.HedgedExecutions:N0} hedged), {r.TimersFired:N0} timers, equity {r.Equity:N2}
          errors          {r.Errors:N0}
          allocations     {r.AllocatedBytes / (double)Math.Max(1, r.Events):F1} bytes/event (gen0 {r.Gen0Collections}, gen2 {r.Gen2Collections} when measured)
        """));
}
