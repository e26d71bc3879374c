using System.Globalization;
using ArbBot.Tests.Fixtures;
using Xunit.Abstractions;

namespace ArbBot.Tests.Hosting;

/// <summary>
/// The compressed soak (issue 10, Load): the real app in a child process (so nothing else the test run does counts
/// against it) on the simulator at ten times its normal event rate (a world step every 10 ms instead of 100 ms, ten
/// times the dislocations, the true pairs approved so it trades), with many SignalR dashboard clients taking every
/// push. Every few seconds the child's resident memory, thread count and open file descriptors are read from /proc and
/// its GC heap and internal queues (hub channel, records waiting for the database, dashboard feed) from /metrics.
/// Memory, threads and handles must stay flat and every queue bounded.
/// </summary>
/// <remarks>
/// "Flat" is judged robustly, so a loaded two-core CI machine cannot fail it by chance: the median of the last third
/// of the samples may not exceed the median of the first third by more than a share plus a fixed slack (warm-up
/// samples are not counted). A leak that grows for the whole run breaks it; a GC cycle or a thread-pool ramp does not.
/// </remarks>
public sealed class CompressedSoakTests(ITestOutputHelper output)
{
    [Fact]
    public Task A_minute_at_ten_times_the_event_rate_with_forty_dashboard_clients_stays_flat() =>
        SoakAsync(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(2), clients: 40);

    [LongRunFact]
    public Task Ten_minutes_at_ten_times_the_event_rate_with_a_hundred_dashboard_clients_stays_flat() =>
        SoakAsync(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(5), clients: 100);

    private async Task SoakAsync(TimeSpan duration, TimeSpan every, int clients)
    {
        var folder = Directory.CreateTempSubdirectory("arbbot-soak-").FullName;
        try
        {
            await using var desk = DeskProcess.Start(Path.Combine(folder, "arbbot.db"), new Dictionary<string, string>
            {
                ["ArbBot__Simulator__StepInterval"] = "00:00:00.010",
                ["ArbBot__Simulator__DislocationsPerHour"] = "120",
                ["Logging__LogLevel__Default"] = "Warning",
            });
            await desk.WaitForPhaseAsync("Running", TimeSpan.FromSeconds(90));
            Assert.True(await desk.ApproveTruePairsAsync() > 0, "No true pair was suggested to approve.");

            var hubUrl = new Uri(desk.BaseAddress, "/hubs/desk");
            var connected = new List<SignalRLoadClient>();
            try
            {
                for (var i = 0; i < clients; i++) connected.Add(await SignalRLoadClient.ConnectAsync(hubUrl, DeskProcess.AdminKey));

                // Warm-up (JIT, thread pool, first batches), not judged.
                var warmUp = Sample(desk, await MetricsAsync(desk));
                await Task.Delay(TimeSpan.FromSeconds(10));

                var samples = new List<SoakSample>();
                var end = DateTime.UtcNow + duration;
                while (DateTime.UtcNow < end)
                {
                    Assert.False(desk.HasExited, "The app exited during the soak.");
                    samples.Add(Sample(desk, await MetricsAsync(desk)));
                    await Task.Delay(every);
                }
                var received = connected.Sum(c => c.Updates);
                Report(samples, received, clients, duration);

                // It was a load: events flowed at many times the normal rate and every client got pushes all along.
                var events = samples[^1].BookEvents - warmUp.BookEvents;
                Assert.True(events > 0, "The hub applied no book event.");
                Assert.All(connected, c => Assert.True(c.Updates > 0, "A dashboard client received no push."));
                Assert.All(connected, c => Assert.True(c.Connected, "A dashboard client was disconnected."));

                AssertFlat(samples, "resident memory (MB)", s => s.ResidentBytes / 1e6, share: 0.25, slack: 64);
                AssertFlat(samples, "GC heap (MB)", s => s.GcHeapBytes / 1e6, share: 0.50, slack: 64);
                AssertFlat(samples, "threads", s => s.Threads, share: 0.50, slack: 16);
                AssertFlat(samples, "open file descriptors", s => s.OpenFiles, share: 0.50, slack: 32);
                // Queues: the hub's channel holds 65,536; the record writer's queue 100,000 before overflow; the
                // dashboard feed three times 256 items plus four batches. None may approach its bound.
                Assert.True(samples.Max(s => s.HubQueue) < 32_768, $"The hub queue reached {samples.Max(s => s.HubQueue)}.");
                Assert.True(samples.Max(s => s.RecordsPending) < 50_000, $"Records pending reached {samples.Max(s => s.RecordsPending)}.");
                Assert.True(samples.Max(s => s.FeedQueued) <= 3 * 256 + 4, $"The dashboard feed held {samples.Max(s => s.FeedQueued)}.");
                AssertFlat(samples, "records pending", s => s.RecordsPending, share: 1.0, slack: 5_000);
            }
            finally
            {
                foreach (var client in connected) await client.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private sealed record SoakSample(double Seconds, long ResidentBytes, long GcHeapBytes, int Threads, int OpenFiles, long HubQueue, long RecordsPending,
        long FeedQueued, long HubClients, long BookEvents);

    private static readonly DateTime Started = DateTime.UtcNow;

    private static SoakSample Sample(DeskProcess desk, IReadOnlyDictionary<string, double> metrics)
    {
        var status = File.ReadAllLines($"/proc/{desk.Id}/status");
        long Field(string name) => long.Parse(status.Single(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(':', 2)[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return new SoakSample(
            (DateTime.UtcNow - Started).TotalSeconds,
            Field("VmRSS") * 1024,
            (long)metrics.GetValueOrDefault("arbbot_gc_heap_bytes"),
            (int)Field("Threads"),
            Directory.GetFileSystemEntries($"/proc/{desk.Id}/fd").Length,
            (long)metrics.GetValueOrDefault("arbbot_hub_queue_length"),
            (long)metrics.GetValueOrDefault("arbbot_records_pending"),
            (long)metrics.GetValueOrDefault("arbbot_dashboard_feed_queued"),
            (long)metrics.GetValueOrDefault("arbbot_dashboard_hub_clients"),
            (long)metrics.GetValueOrDefault("arbbot_book_events_total"));
    }

    /// <summary>The unlabelled samples of /metrics by name.</summary>
    private static async Task<IReadOnlyDictionary<string, double>> MetricsAsync(DeskProcess desk)
    {
        var text = await desk.Http.GetStringAsync("/metrics");
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#' || line.Contains('{', StringComparison.Ordinal)) continue;
            var parts = line.Split(' ');
            if (parts.Length == 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) values[parts[0]] = value;
        }
        return values;
    }

    /// <summary>The last third's median may exceed the first third's by at most <paramref name="share"/> of it plus <paramref name="slack"/>.</summary>
    private static void AssertFlat(List<SoakSample> samples, string what, Func<SoakSample, double> value, double share, double slack)
    {
        var judged = Steadiness.Judge(what, samples.Select(value).ToArray(), share, slack);
        Assert.True(judged.Steady, $"{judged}; samples {string.Join(' ', samples.Select(s => value(s).ToString("F0", CultureInfo.InvariantCulture)))}");
    }

    private void Report(List<SoakSample> samples, long received, int clients, TimeSpan duration)
    {
        var seconds = samples[^1].Seconds - samples[0].Seconds;
        var rate = (samples[^1].BookEvents - samples[0].BookEvents) / Math.Max(1, seconds);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"soak {duration.TotalMinutes:0.#} min, {clients} hub clients ({received:N0} pushes received), {rate:N0} book events/s, {samples.Count} samples:"));
        output.WriteLine("  t(s)  RSS(MB)  GC(MB)  threads  fds  hubQ  records  feedQ  clients");
        foreach (var s in samples)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {s.Seconds,5:F0}  {s.ResidentBytes / 1e6,7:F0}  {s.GcHeapBytes / 1e6,6:F0}  {s.Threads,7}  {s.OpenFiles,3}  {s.HubQueue,4}  {s.RecordsPending,7}  {s.FeedQueued,5}  {s.HubClients,7}"));
        }
    }
}
