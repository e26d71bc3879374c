using System.Globalization;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Benchmarks;

/// <summary>
/// The <c>fanout</c> command: the real web app (ArbBot.Web, in this process, Kestrel on loopback, a temporary SQLite
/// database, its simulated venues running) with the latency load of <see cref="LatencyLoad"/> fed into its own hub: the
/// recording's 1,000 markets are registered in the app's registry, its 500 pairs approved and its multi-outcome events
/// watched, on the hub's thread. The engine's latency is measured in phases: no dashboard client, then
/// <c>--clients</c> SignalR clients on <c>/hubs/desk</c> taking every push, then none again; after two warm-up phases
/// (without and with a few clients) that are not compared. The ratio the target states divides the p99 with clients by
/// the settled phase before them; the ratio against the phase after them is printed too.
/// </summary>
internal static class FanOut
{
    public static int Run(Dictionary<string, string> options) => RunAsync(options).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var rate = options.Double("rate", 50_000);
        var seconds = options.Double("seconds", 12);
        var warmup = options.Double("warmup", 3);
        var clientCount = (int)options.Long("clients", 100);
        var perPhase = (long)(rate * (seconds + warmup));
        var path = LatencyLoad.LiveRecording(options, perPhase);
        Console.WriteLine(Machine.Describe());

        await using var app = await BenchApp.StartAsync(path, perPhase, "fanout-bench");
        var baseUrl = app.BaseUrl;
        var services = app.Services;
        var hub = app.Hub;
        var desk = app.Desk;
        var events = app.Events;

        var probe = new LatencyProbe(hub);
        probe.Watch(desk.Gateways.Values);
        var ingress = new long[events.Length];

        var phases = new List<(string Name, long DecidedP99, long SubmitP99)>();
        DashboardBrowsers? browsers = null;
        async Task Phase(string name, IReadOnlyList<SignalRLoadClient> clients)
        {
            var pageUpdatesBefore = browsers is null ? null : (await browsers.ReadAsync()).Updates;
            var chromiumBefore = browsers is null ? 0 : DashboardBrowsers.ChromiumSeconds();
            var pagesWatch = System.Diagnostics.Stopwatch.StartNew();
            probe.Decision.Reset();
            probe.Submit.Reset();
            probe.Begin(ingress, (long)(rate * warmup));
            var received = clients.Sum(c => c.Updates);
            var bytes = clients.Sum(c => c.Bytes);
            var cpu = CpuClock.Start();
            var gcBefore = GcCount.Start();
            using var sampler = options.ContainsKey("allocations") ? new AllocationSampler() : null;
            var fed = await Task.Factory.StartNew(() => PacedFeed.Run(hub, events, ingress, rate), TaskCreationOptions.LongRunning);
            while (hub.QueueLength > 0) await Task.Delay(1);
            await Task.Delay(300);
            var updates = clients.Sum(c => c.Updates) - received;
            var pushedBytes = clients.Sum(c => c.Bytes) - bytes;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                {name}: {clients.Count(c => c.Connected)} of {clients.Count} dashboard clients connected, {updates:N0} pushes received ({updates / Math.Max(1, clients.Count) / fed.Seconds:F1}/s per client, {pushedBytes / 1e6 / fed.Seconds:F2} MB/s in all, {pushedBytes / Math.Max(1, updates):N0} B per push; {gcBefore.Describe()})
                  feed            {fed.Describe(rate)}
                {cpu.Describe(fed.Posted)}
                  in -> decided   {probe.Decision.Describe()}
                  in -> submitted {probe.Submit.Describe()}
                  {Machine.Describe()}
                """));
            if (sampler is not null) Console.WriteLine("  allocation samples (about one per 100 KB), by thread and type:" + Environment.NewLine + sampler.Top(30));
            if (browsers is not null)
            {
                var chromium = DashboardBrowsers.ChromiumSeconds() - chromiumBefore;
                var window = pagesWatch.Elapsed.TotalSeconds;
                var (pageUpdates, live, mostRows) = await browsers.ReadAsync();
                var perPage = pageUpdates.Select((u, i) => (u - pageUpdatesBefore![i]) / window).Order().ToArray();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  dashboard pages {live} of {browsers.Count} circuits live, at most {mostRows} table rows on a page; DOM updates applied per page per second min {perPage[0]:F1} / median {perPage[perPage.Length / 2]:F1} / max {perPage[^1]:F1}; chromium (nice 19) used {chromium / window:P0} of one core over the phase's {window:F1} s"));
            }
            phases.Add((name, probe.Decision.ValueAt(0.99), probe.Submit.ValueAt(0.99)));
        }

        // Warm-up (JIT, tiering, the app's first refreshes and connections), not compared: the first measured phase
        // without clients must be as settled as the one after the clients.
        await Phase("warm-up without clients (not compared)", []);
        var warmupClients = new List<SignalRLoadClient>();
        for (var i = 0; i < Math.Min(clientCount, 10); i++) warmupClients.Add(await SignalRLoadClient.ConnectAsync(new Uri(baseUrl, "/hubs/desk"), BenchApp.ReadKey));
        await Phase("warm-up with clients (not compared)", warmupClients);
        foreach (var client in warmupClients) await client.DisposeAsync();
        phases.Clear();

        await Phase("no dashboard client", []);
        var clients = new List<SignalRLoadClient>();
        var hubUrl = new Uri(baseUrl, "/hubs/desk");
        for (var i = 0; i < clientCount; i++) clients.Add(await SignalRLoadClient.ConnectAsync(hubUrl, BenchApp.ReadKey));
        await Phase($"{clientCount} dashboard clients", clients);
        foreach (var client in clients) await client.DisposeAsync();
        await Phase("no dashboard client again", []);

        // --browsers N: the same again with N real dashboard pages (Blazor circuits) in chromium instead of hub clients.
        var browserCount = (int)options.Long("browsers", 0);
        if (browserCount > 0)
        {
            var pagePath = options.GetValueOrDefault("page", "/spreads");
            browsers = await DashboardBrowsers.OpenAsync(baseUrl, BenchApp.AdminUser, BenchApp.AdminPassword, browserCount, pagePath);
            await Phase($"{browserCount} dashboard pages ({pagePath}) in chromium", []);
            await browsers.DisposeAsync();
            browsers = null;
            await Phase("no dashboard page again", []);
        }

        var feed = services.GetRequiredService<ArbBot.Web.Hubs.DeskFeed>();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"push budget {feed.BytesPerSecondBudget / 1e6:F1} MB/s for all clients together, at most one push per {feed.MinInterval.TotalMilliseconds:F0} ms; batches dropped before sending {feed.DroppedBatches:N0}"));
        static string Compare(long with, long without) => without <= 0 || with <= 0
            ? "no samples in one of the phases"
            : string.Create(CultureInfo.InvariantCulture, $"{with / (double)without:F2}x ({with / 1e3:F1} us vs {without / 1e3:F1} us)");
        string Ratio(int with, string against, int phase) =>
            $"against {against}: in -> decided {Compare(phases[with].DecidedP99, phases[phase].DecidedP99)}, in -> submitted {Compare(phases[with].SubmitP99, phases[phase].SubmitP99)}";
        Console.WriteLine($"engine p99 with {clientCount} clients / without, {Ratio(1, "the settled phase before the clients (the target's ratio)", 0)}");
        Console.WriteLine($"engine p99 with {clientCount} clients / without, {Ratio(1, "the phase after the clients", 2)}");
        if (phases.Count == 5)
        {
            Console.WriteLine($"engine p99 with {browserCount} dashboard pages / without, {Ratio(3, "the phase before the pages", 2)}");
            Console.WriteLine($"engine p99 with {browserCount} dashboard pages / without, {Ratio(3, "the phase after the pages", 4)}");
        }
        return 0;
    }

    /// <summary>Garbage collections per generation during a phase, the time the runtime was paused for them and the collector.</summary>
    private readonly record struct GcCount(int Gen0, int Gen1, int Gen2, TimeSpan Paused, long Allocated)
    {
        public static GcCount Start() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
            GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());

        public string Describe() => string.Create(CultureInfo.InvariantCulture,
            $"GCs gen0 {GC.CollectionCount(0) - Gen0}, gen1 {GC.CollectionCount(1) - Gen1}, gen2 {GC.CollectionCount(2) - Gen2}, paused {(GC.GetTotalPauseDuration() - Paused).TotalMilliseconds:F1} ms, {(GC.GetTotalAllocatedBytes() - Allocated) / 1e6:F0} MB allocated ({(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, {System.Runtime.GCSettings.LatencyMode})");
    }
}
