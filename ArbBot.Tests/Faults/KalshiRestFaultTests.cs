using ArbBot.Engine.Core;
using ArbBot.Engine.Observability;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Tests.Fixtures;
using ArbBot.Tests.Venues.Kalshi;

namespace ArbBot.Tests.Faults;

/// <summary>
/// REST faults against the fake Kalshi during discovery: 429 with Retry-After, a burst of 5xx, answers slower than the
/// client's read timeout. Every time discovery still completes with every market, the retries are logged, and each
/// failed attempt shows in <see cref="VenueApiHealth"/> (what the Overview page and /metrics show).
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class KalshiRestFaultTests
{
    [Fact]
    public async Task A_429_with_Retry_After_is_waited_out_then_discovery_completes()
    {
        await using var fault = FaultReport.Begin("REST 429 with Retry-After", "Kalshi");
        await using var h = await StartAsync();
        h.Server.RestFaults.Enqueue(new FakeKalshiServer.ScriptedFault(Status: 429, RetryAfter: "1"));
        h.Server.RestFaults.Enqueue(new FakeKalshiServer.ScriptedFault(Status: 429, RetryAfter: "1"));
        fault.Inject(2);

        var markets = await h.Venue.DiscoverAsync();

        Assert.Equal(await FaultFreeCountAsync(h), markets.Count);
        var log = h.Server.RestLog.ToList();
        for (var i = 0; i < log.Count - 1; i++)
        {
            // The venue said "1 second": the next request must not come sooner (a lower bound: a slow machine only waits longer).
            if (log[i].Status == 429) Assert.True(log[i + 1].At - log[i].At >= TimeSpan.FromMilliseconds(900), $"retried {log[i + 1].At - log[i].At} after a 429 with Retry-After: 1");
        }
        Assert.Contains(h.Health.Snapshot(), e => e.Venue == VenueId.Kalshi && e.Errors >= 1 && e.LastError == "HTTP 429 Too Many Requests");
        Assert.Contains(h.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("429", StringComparison.Ordinal));
        fault.Survived("Retry-After honoured (≥ 1 s before each retry); discovery complete; errors in VenueApiHealth; warnings logged");
    }

    [Fact]
    public async Task A_burst_of_5xx_is_retried_with_backoff_then_discovery_completes()
    {
        await using var fault = FaultReport.Begin("Burst of 5xx", "Kalshi");
        await using var h = await StartAsync();
        foreach (var status in new[] { 503, 500, 502, 504 }) h.Server.RestFaults.Enqueue(new FakeKalshiServer.ScriptedFault(Status: status));
        fault.Inject(4);

        var markets = await h.Venue.DiscoverAsync();

        Assert.Equal(await FaultFreeCountAsync(h), markets.Count);
        Assert.Equal(4, h.Health.Snapshot().Where(e => e.Venue == VenueId.Kalshi).Sum(e => e.Errors));
        Assert.Equal(4, h.Logs.Lines.Count(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("answered 50", StringComparison.Ordinal)));
        fault.Survived("4 consecutive 5xx retried with jittered backoff; discovery complete; 4 errors in VenueApiHealth");
    }

    [Fact]
    public async Task Answers_slower_than_the_read_timeout_are_abandoned_and_retried()
    {
        await using var fault = FaultReport.Begin("Response slower than the client timeout", "Kalshi");
        await using var h = await StartAsync(readTimeout: TimeSpan.FromMilliseconds(300));
        h.Server.RestFaults.Enqueue(new FakeKalshiServer.ScriptedFault(Delay: TimeSpan.FromSeconds(20)));
        h.Server.RestFaults.Enqueue(new FakeKalshiServer.ScriptedFault(Delay: TimeSpan.FromSeconds(20)));
        fault.Inject(2);

        var markets = await h.Venue.DiscoverAsync();

        Assert.Equal(await FaultFreeCountAsync(h), markets.Count);
        Assert.Equal(2, h.Logs.Lines.Count(l => l.Contains("did not answer within", StringComparison.Ordinal)));
        Assert.Contains(h.Health.Snapshot(), e => e.Venue == VenueId.Kalshi && e.Errors >= 2);
        fault.Survived("two reads abandoned after the 300 ms read timeout and retried; discovery complete; errors in VenueApiHealth");
    }

    /// <summary>What discovery finds with nothing injected (the fault queue is empty by now): the faulty run must have found the same.</summary>
    private static async Task<int> FaultFreeCountAsync(Harness h)
    {
        Assert.True(h.Server.RestFaults.IsEmpty);
        var all = await h.Venue.DiscoverAsync();
        Assert.NotEmpty(all);
        return all.Count;
    }

    private static async Task<Harness> StartAsync(TimeSpan? readTimeout = null)
    {
        var server = await FakeKalshiServer.StartAsync();
        var options = server.ClientOptions();
        if (readTimeout is { } t) options.ReadTimeout = t;
        var health = new VenueApiHealth(TimeProvider.System);
        var logs = new CapturedLogs();
        var venue = KalshiVenue.Create(options, TimeProvider.System, logs, new VenueApiHealthHandler(health, VenueId.Kalshi) { InnerHandler = new SocketsHttpHandler() });
        return new Harness(server, new KalshiVenueContractTests.KalshiHarness(server, venue), health, logs);
    }

    private sealed record Harness(FakeKalshiServer Server, KalshiVenueContractTests.KalshiHarness Venue, VenueApiHealth Health, CapturedLogs Logs) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Venue.DisposeAsync();
    }
}
