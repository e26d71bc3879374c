using System.Diagnostics;
using ArbBot.Engine.Events;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Recording;
using ArbBot.Engine.Replay;
using ArbBot.Engine.Strategies;

namespace ArbBot.Benchmarks;

/// <summary>
/// A live load: the desk on the real clock with its hub running on its own thread, fed a recording at a fixed rate by a
/// pacing thread that posts the events due every millisecond or so and sleeps in between, as a venue feed would. Measures, for every first leg the desk sends, the time from the moment the
/// triggering book event was posted to the hub to the moment the order left for the paper gateway; samples resident
/// memory every second.
/// </summary>
internal static class LiveLoad
{
    public static int Run(Dictionary<string, string> options)
    {
        var path = Cli.Recording(options);
        var rate = options.Double("rate", 50_000);
        var seconds = options.Double("seconds", 20);
        var total = (long)(rate * seconds);
        Console.WriteLine(Machine.Describe());

        // Events decoded up front: the pacing thread must not fall behind on decoding.
        // Limits wide enough that every edge found is traded: the figure is the path's latency, not the limits' verdicts.
        var limits = new Engine.Risk.RiskLimits
        {
            MaxOpenPositions = 10_000,
            MaxTotalExposure = 100_000_000m,
            DailyLossLimit = 1_000_000m,
            MaxDrawdown = 10_000_000m,
            CircuitBreakerFailures = 1_000,
        };
        var (desk, reader) = ReplayDesk.Open(path, new ReplayDeskOptions { Limits = limits }, liveTime: TimeProvider.System);
        var events = new RecordedBookEvent[total];
        long count = 0;
        using (reader)
        {
            while (count < total && reader.TryRead(out var e)) events[count++] = e;
        }

        // Post time of each event by its index; the index travels in the event's sequence field (replay only).
        var postedTicks = new long[count + 1];
        var probe = new CurrentEventProbe();
        desk.Hub.Recorder = probe;
        var triggeredBy = new Dictionary<long, long>();
        var latencies = new List<double>(1 << 16);
        desk.Journal.OpportunityJournaled = opportunity =>
        {
            if (opportunity.Decision is OpportunityDecision.Taken or OpportunityDecision.Resized && probe.Current > 0)
            {
                triggeredBy[opportunity.Id] = postedTicks[probe.Current];
            }
        };
        desk.Journal.OrderTransitioned = transition =>
        {
            if (transition.Role != OrderRole.FirstLeg || transition.From != Engine.Execution.OrderStatus.New) return;
            if (transition.OpportunityId is { } id && triggeredBy.Remove(id, out var posted) && transition.SentAt is { } sent)
            {
                latencies.Add((sent.UtcTicks - posted) / 10.0);
            }
        };

        using var stop = new CancellationTokenSource();
        // The hub's loop runs on a thread of its own, as in the app.
        var hubLoop = desk.Hub.RunAsync(stop.Token);

        var rss = new List<(double Seconds, long Bytes)>();
        var clock = Stopwatch.StartNew();
        var ticksPerEvent = Stopwatch.Frequency / rate;
        var nextSample = Stopwatch.Frequency;
        long posted = 0, behind = 0;
        for (long i = 0; i < count; i++)
        {
            var due = (long)(i * ticksPerEvent);
            // Blocks until the event is due, then posts every event due by then, as a socket reader does (no spinning core).
            while (clock.ElapsedTicks < due) Thread.Sleep(1);
            if (clock.ElapsedTicks - due > Stopwatch.Frequency / 1000) behind++;
            var e = events[i].Event with { Sequence = i + 1 };
            postedTicks[i + 1] = TimeProvider.System.GetUtcNow().UtcTicks;
            while (!desk.Hub.TryPost(e)) Thread.Yield();
            posted++;
            if (clock.ElapsedTicks >= nextSample)
            {
                rss.Add((clock.Elapsed.TotalSeconds, Environment.WorkingSet));
                nextSample += Stopwatch.Frequency;
            }
        }
        var postSeconds = clock.Elapsed.TotalSeconds;
        while (desk.Hub.QueueLength > 0) Thread.Sleep(1);
        Thread.Sleep(200);
        stop.Cancel();
        try
        {
            hubLoop.Wait();
        }
        catch (AggregateException e) when (e.InnerException is OperationCanceledException)
        {
        }

        latencies.Sort();
        Console.WriteLine(FormattableString.Invariant($"""
            live load at {rate:N0} events/s for {postSeconds:F1} s: {posted:N0} events posted ({posted / postSeconds:N0}/s), {behind:N0} posted over 1 ms late
              desk            {desk.Journal.OpportunitiesTaken:N0} opportunities taken, {desk.Journal.OrdersSent:N0} orders, {desk.Journal.Fills:N0} fills, hub errors {desk.Hub.ErrorCount}
              event in -> first leg sent, {latencies.Count:N0} orders: p50 {Percentile(latencies, 0.50):F1} us, p90 {Percentile(latencies, 0.90):F1} us, p99 {Percentile(latencies, 0.99):F1} us, p99.9 {Percentile(latencies, 0.999):F1} us, max {(latencies.Count > 0 ? latencies[^1] : 0):F1} us
              resident memory  first {(rss.Count > 0 ? rss[0].Bytes / 1e6 : 0):F0} MB, last {(rss.Count > 0 ? rss[^1].Bytes / 1e6 : 0):F0} MB, peak {(rss.Count > 0 ? rss.Max(r => r.Bytes) / 1e6 : 0):F0} MB (samples each second: {string.Join(" ", rss.Where((_, k) => k % Math.Max(1, rss.Count / 12) == 0).Select(r => (r.Bytes / 1e6).ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))})
            """));
        return 0;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>Told of each event just before the hub applies it (hub thread), so a journal call can find its trigger.</summary>
    private sealed class CurrentEventProbe : IBookEventRecorder
    {
        public long Current;

        public void Record(in BookEvent bookEvent, long receivedUtcTicks) => Current = bookEvent.Sequence;
    }
}
