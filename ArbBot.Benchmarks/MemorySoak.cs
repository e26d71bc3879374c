using System.Diagnostics;
using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Recording;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Benchmarks;

/// <summary>
/// The <c>soak</c> command: the memory target in real time. The real web app (<see cref="BenchApp"/>: hub, strategies,
/// risk, paper execution, portfolio, record writer into SQLite, dashboard refresh, SignalR feed) with a recording's
/// 1,000 markets and 500 approved pairs, fed on the real clock at <c>--rate</c> events per second for <c>--seconds</c>
/// (an hour by default) while <c>--clients</c> dashboard clients take every push. The recording is read as it is fed
/// (nothing decoded ahead), so what grows is the app's. Every <c>--sample-seconds</c> it prints resident memory, the GC
/// heap, threads, open descriptors and the queues; at the end it judges "steady" as the compressed soak test does (the
/// last third's median against the first third's) and resident memory against the target's 400 MB.
/// </summary>
internal static class MemorySoak
{
    private const double ResidentTargetMegabytes = 400;

    public static int Run(Dictionary<string, string> options) => RunAsync(options).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var rate = options.Double("rate", 5_000);
        var seconds = options.Double("seconds", 3_600);
        var clientCount = (int)options.Long("clients", 10);
        var every = TimeSpan.FromSeconds(options.Double("sample-seconds", 60));
        if (rate <= 0 || seconds <= 0 || clientCount < 0 || every <= TimeSpan.Zero) throw new ArgumentException("--rate, --seconds and --sample-seconds must be above zero and --clients not negative.");
        var path = Recording(options, (long)(rate * seconds));
        Console.WriteLine(Machine.Describe());

        // One event decoded: enough to read the catalog the recording starts with.
        await using var app = await BenchApp.StartAsync(path, 1, "soak-bench");
        var clients = new List<SignalRLoadClient>();
        for (var i = 0; i < clientCount; i++) clients.Add(await SignalRLoadClient.ConnectAsync(new Uri(app.BaseUrl, "/hubs/desk"), BenchApp.ReadKey));
        var records = app.Services.GetRequiredService<RecordWriter>();
        using var sampler = options.ContainsKey("allocations") ? new AllocationSampler() : null;
        using var suspensions = new RuntimeSuspensions();
        var started = Stopwatch.GetTimestamp();

        using var stop = new CancellationTokenSource();
        var feed = new StreamingFeed(app, path, rate);
        var feeding = Task.Factory.StartNew(() => feed.Run(stop.Token), TaskCreationOptions.LongRunning);
        var clock = Stopwatch.StartNew();
        var samples = new List<SoakSample>();
        Console.WriteLine($"feeding {rate:N0} events/s for {seconds:N0} s into the app with {clientCount} dashboard clients; a sample every {every.TotalSeconds:N0} s");
        Console.WriteLine("  time(s)    events  alloc(MB/s)  RSS(MB)  GC heap(MB)  committed(MB)  threads  fds  hub queue  records pending  records stored  gen0/1/2   paused(ms)  executions  pushes  trading");
        var next = every;
        SoakSample? previous = null;
        while (clock.Elapsed.TotalSeconds < seconds && !feeding.IsCompleted)
        {
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.WhenAny(feeding, Task.Delay(wait));
            if (feeding.IsCompleted) break;
            next += every;
            var sample = SoakSample.Take(clock.Elapsed, feed.Posted, app, records, clients.Sum(c => c.Updates));
            samples.Add(sample);
            Console.WriteLine(sample.Describe(previous));
            previous = sample;
        }
        stop.Cancel();
        await feeding;
        foreach (var client in clients) await client.DisposeAsync();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"feed: {feed.Posted:N0} events posted in {clock.Elapsed.TotalSeconds:F0} s = {feed.Posted / clock.Elapsed.TotalSeconds:N0}/s (target {rate:N0}/s), {feed.Passes} pass(es) over the recording, {feed.FullWaits:N0} waits on a full hub queue"));
        if (samples.Count < 3)
        {
            Console.WriteLine("too few samples to judge (run longer or sample more often)");
            return 1;
        }
        Console.WriteLine("collections over the run (each one stops every thread, the hub's too):" + Environment.NewLine + suspensions.CollectionSummary(started));
        if (sampler is not null) Console.WriteLine("allocation samples over the run (about one per 100 KB), by thread and type:" + Environment.NewLine + sampler.Top(40));
        var verdicts = new[]
        {
            Flat(samples, "resident memory (MB)", s => s.ResidentBytes / 1e6, share: 0.25, slack: 64),
            Flat(samples, "GC heap (MB)", s => s.GcHeapBytes / 1e6, share: 0.50, slack: 64),
            Flat(samples, "threads", s => s.Threads, share: 0.50, slack: 16),
            Flat(samples, "open file descriptors", s => s.OpenFiles, share: 0.50, slack: 32),
            Flat(samples, "records pending", s => s.RecordsPending, share: 1.0, slack: 5_000),
        };
        var peak = samples.Max(s => s.ResidentBytes) / 1e6;
        var underTarget = peak <= ResidentTargetMegabytes;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"resident memory peak {peak:F0} MB against the target's {ResidentTargetMegabytes:F0} MB: {(underTarget ? "met" : "MISSED")}"));
        return underTarget && verdicts.All(v => v) ? 0 : 1;
    }

    /// <summary>The recording to feed (--in), or one generated for the run's length at the run's rate when missing.</summary>
    private static string Recording(Dictionary<string, string> options, long events)
    {
        if (options.TryGetValue("in", out var given)) return given;
        var path = Path.Combine(Path.GetTempPath(), "arbbot-bench-soak.abrec");
        if (!File.Exists(path))
        {
            Cli.Generate(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["out"] = path,
                ["events"] = events.ToString(CultureInfo.InvariantCulture),
                ["rate"] = options.GetValueOrDefault("rate", "5000"),
            });
        }
        return path;
    }

    private static bool Flat(List<SoakSample> samples, string what, Func<SoakSample, double> value, double share, double slack)
    {
        var judged = Steadiness.Judge(what, samples.Select(value).ToArray(), share, slack);
        Console.WriteLine(judged);
        return judged.Steady;
    }

    private sealed record SoakSample(
        TimeSpan Elapsed, long Posted, long ResidentBytes, long GcHeapBytes, long CommittedBytes, int Threads, int OpenFiles,
        int HubQueue, int RecordsPending, long RecordsStored, int Gen0, int Gen1, int Gen2, TimeSpan Paused, int Executions, long Pushes, long Allocated, string Trading)
    {
        public static SoakSample Take(TimeSpan elapsed, long posted, BenchApp app, RecordWriter records, long pushes)
        {
            var gc = GC.GetGCMemoryInfo();
            using var process = Process.GetCurrentProcess();
            return new SoakSample(elapsed, posted, Environment.WorkingSet, gc.HeapSizeBytes, gc.TotalCommittedBytes, process.Threads.Count,
                Directory.GetFileSystemEntries("/proc/self/fd").Length, app.Hub.QueueLength, records.Pending, records.Written,
                GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(),
                app.Desk.Executor.Stats.Attempted, pushes, GC.GetTotalAllocatedBytes(), TradingState(app.Services.GetRequiredService<DeskMonitor>().Latest));
        }

        // The desk's own circuit breaker trips after CircuitBreakerFailures unwound or residual executions, as it would live.
        private static string TradingState(DeskSnapshot desk) =>
            desk.Controls.KillSwitchEngaged ? "killed" : desk.Controls.TradingPaused ? "paused" : desk.BreakerTripped ? "breaker" : "on";

        public string Describe(SoakSample? previous) => string.Create(CultureInfo.InvariantCulture,
            $"  {Elapsed.TotalSeconds,7:F0} {Posted,9:N0} {(Allocated - (previous?.Allocated ?? 0)) / 1e6 / (Elapsed - (previous?.Elapsed ?? TimeSpan.Zero)).TotalSeconds,12:F1} {ResidentBytes / 1e6,8:F0} {GcHeapBytes / 1e6,12:F0} {CommittedBytes / 1e6,14:F0} {Threads,8} {OpenFiles,4} {HubQueue,10:N0} {RecordsPending,16:N0} {RecordsStored,15:N0}  {Gen0}/{Gen1}/{Gen2} {Paused.TotalMilliseconds,12:F0} {Executions,11:N0} {Pushes,7:N0}  {Trading}");
    }

    /// <summary>
    /// Reads the recording as it feeds it (a socket reader's shape: nothing decoded ahead), posting every event due each
    /// millisecond into the app's hub under the app's instrument ids, from the start again if the recording runs out.
    /// </summary>
    private sealed class StreamingFeed(BenchApp app, string path, double rate)
    {
        private long _posted;

        public long Posted => Interlocked.Read(ref _posted);

        public int Passes { get; private set; }

        public long FullWaits { get; private set; }

        public void Run(CancellationToken cancellationToken)
        {
            var hub = app.Hub;
            var map = app.InstrumentMap;
            var start = Stopwatch.GetTimestamp();
            var ticksPerEvent = Stopwatch.Frequency / rate;
            long index = 0;
            while (!cancellationToken.IsCancellationRequested)
            {
                Passes++;
                using var reader = RecordingReader.Open(path, new InstrumentRegistry());
                var any = false;
                while (!cancellationToken.IsCancellationRequested && reader.TryRead(out var recorded))
                {
                    any = true;
                    var id = recorded.Event.Instrument.Value;
                    if (id >= map.Length) throw new InvalidDataException($"The recording names instrument {id} after its first event; the soak maps only the catalog it starts with ({map.Length} instruments).");
                    var due = start + (long)(index * ticksPerEvent);
                    while (Stopwatch.GetTimestamp() < due && !cancellationToken.IsCancellationRequested) Thread.Sleep(1);
                    var mapped = recorded.Event with { Instrument = map[id] };
                    while (!hub.TryPost(in mapped) && !cancellationToken.IsCancellationRequested)
                    {
                        FullWaits++;
                        Thread.Sleep(1);
                    }
                    index++;
                    Interlocked.Increment(ref _posted);
                }
                if (!any) throw new InvalidDataException($"The recording {path} has no events.");
            }
        }
    }
}
