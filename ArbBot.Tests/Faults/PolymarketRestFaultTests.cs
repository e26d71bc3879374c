using ArbBot.Engine.Core;
using ArbBot.Engine.Observability;
using ArbBot.Engine.Venues.Polymarket;
using ArbBot.Tests.Fixtures;
using ArbBot.Tests.Venues.Polymarket;

namespace ArbBot.Tests.Faults;

/// <summary>
/// REST faults against the fake Polymarket (Gamma and the CLOB's REST) during discovery: 429 with a Retry-After longer
/// than the client's own longest backoff, a burst of 5xx, answers slower than <see cref="PolymarketOptions.ReadTimeout"/>.
/// Every time discovery still completes with every market, each retry is logged and each failed attempt shows in
/// <see cref="VenueApiHealth"/> (the Overview page and /metrics).
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class PolymarketRestFaultTests
{
    [Fact]
    public async Task A_429_with_Retry_After_is_waited_out_in_full_then_discovery_completes()
    {
        await using var fault = FaultReport.Begin("REST 429 with Retry-After", "Polymarket");
        await using var h = await StartAsync();
        // The client's longest backoff is 200 ms here: the venue's "1 second" must win over it, not be cut to it.
        Assert.True(h.Venue.Polymarket.Options.RetryMaxDelay < TimeSpan.FromSeconds(1));
        h.Faults.Enqueue(new FakePolymarketRestFaults.Fault(Status: 429, RetryAfter: "1"));
        h.Faults.Enqueue(new FakePolymarketRestFaults.Fault(Status: 429, RetryAfter: "1"));
        fault.Inject(2);

        var markets = await h.Venue.DiscoverAsync();

        Assert.Equal(await FaultFreeCountAsync(h), markets.Count);
        var log = h.Faults.Log.ToList();
        Assert.Equal(2, log.Count(l => l.Status == 429));
        for (var i = 0; i < log.Count - 1; i++)
        {
            // A lower bound only: a slow machine waits longer, never shorter.
            if (log[i].Status == 429) Assert.True(log[i + 1].At - log[i].At >= TimeSpan.FromMilliseconds(900), $"retried {log[i + 1].At - log[i].At} after a 429 with Retry-After: 1");
        }
        Assert.Contains(h.Health.Snapshot(), e => e.Venue == VenueId.Polymarket && e.Errors >= 1 && e.LastError == "HTTP 429 Too Many Requests");
        Assert.Equal(2, h.Logs.Lines.Count(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("answered 429", StringComparison.Ordinal)));
        fault.Survived("Retry-After: 1 honoured in full (≥ 1 s, above the 200 ms backoff cap) before each retry; discovery complete; errors in VenueApiHealth; warnings logged");
    }

    [Fact]
    public async Task A_burst_of_5xx_is_retried_with_backoff_then_discovery_completes()
    {
        await using var fault = FaultReport.Begin("Burst of 5xx", "Polymarket");
        await using var h = await StartAsync();
        foreach (var status in new[] { 503, 500, 502, 504 }) h.Faults.Enqueue(new FakePolymarketRestFaults.Fault(Status: status));
        fault.Inject(4);

        var markets = await h.Venue.DiscoverAsync();

        Assert.Equal(await FaultFreeCountAsync(h), markets.Count);
        Assert.Equal(4, h.Health.Snapshot().Where(e => e.Venue == VenueId.Polymarket).Sum(e => e.Errors));
        Assert.Equal(4, h.Logs.Lines.Count(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("answered 50", StringComparison.Ordinal)));
        fault.Survived("4 consecutive 5xx retried with jittered backoff; discovery complete; 4 errors in VenueApiHealth");
    }

    [Fact]
    public async Task Answers_slower_than_the_read_timeout_are_abandoned_and_retried()
    {
        await using var fault = FaultReport.Begin("Response slower than the client timeout", "Polymarket");
        await using var h = await StartAsync(readTimeout: TimeSpan.FromMilliseconds(300));
        h.Faults.Enqueue(new FakePolymarketRestFaults.Fault(Delay: TimeSpan.FromSeconds(20)));
        h.Faults.Enqueue(new FakePolymarketRestFaults.Fault(Delay: TimeSpan.FromSeconds(20)));
        fault.Inject(2);

        var markets = await h.Venue.DiscoverAsync();

        Assert.Equal(await FaultFreeCountAsync(h), markets.Count);
        Assert.Equal(2, h.Logs.Lines.Count(l => l.Contains("did not answer within", StringComparison.Ordinal)));
        Assert.Contains(h.Health.Snapshot(), e => e.Venue == VenueId.Polymarket && e.Errors >= 2);
        fault.Survived("two reads abandoned after the 300 ms read timeout (new ArbBot:Polymarket:ReadTimeout) and retried; discovery complete; errors in VenueApiHealth");
    }

    /// <summary>What discovery finds with nothing injected (the fault queue is empty by now): the faulty run must have found the same.</summary>
    private static async Task<int> FaultFreeCountAsync(Harness h)
    {
        Assert.Equal(0, h.Faults.Pending);
        var all = await h.Venue.DiscoverAsync();
        Assert.NotEmpty(all);
        return all.Count;
    }

    private static async Task<Harness> StartAsync(TimeSpan? readTimeout = null)
    {
        var server = await FakePolymarketServer.StartAsync();
        var options = server.ClientOptions();
        if (readTimeout is { } t) options.ReadTimeout = t;
        var health = new VenueApiHealth(TimeProvider.System);
        var logs = new CapturedLogs();
        var venue = new PolymarketVenue(options, TimeProvider.System, logs, new VenueApiHealthHandler(health, VenueId.Polymarket) { InnerHandler = new SocketsHttpHandler() });
        return new Harness(new PolymarketVenueContractTests.PolymarketHarness(server, venue), health, logs);
    }

    private sealed record Harness(PolymarketVenueContractTests.PolymarketHarness Venue, VenueApiHealth Health, CapturedLogs Logs) : IAsyncDisposable
    {
        public FakePolymarketRestFaults Faults => Venue.State.RestFaults;

        public ValueTask DisposeAsync() => Venue.DisposeAsync();
    }
}
