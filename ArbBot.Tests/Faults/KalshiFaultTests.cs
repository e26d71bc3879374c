using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Tests.Fixtures;
using ArbBot.Tests.Venues;
using ArbBot.Tests.Venues.Kalshi;
using Xunit.Abstractions;

namespace ArbBot.Tests.Faults;

/// <summary>The market-data faults against the fake Kalshi, plus Kalshi's sequence numbers: duplicated, out of order, skipped.</summary>
public sealed class KalshiFaultTests(ITestOutputHelper output) : MarketDataFaultTests(output)
{
    protected override string VenueName => "Kalshi";

    protected override async Task<FaultHarness> StartAsync(bool throughProxy = false)
    {
        var server = await FakeKalshiServer.StartAsync();
        var options = server.ClientOptions();
        // Short keep-alive so a half-open connection is noticed in about a second, not twenty.
        options.KeepAliveInterval = TimeSpan.FromMilliseconds(200);
        options.KeepAliveTimeout = TimeSpan.FromSeconds(1);
        var proxy = throughProxy ? BlackholeProxy.Start(server.WebSocketUrl) : null;
        if (proxy is not null) options.WebSocketUrl = proxy.Via(server.WebSocketUrl);
        var logs = new CapturedLogs();
        var venue = KalshiVenue.Create(options, TimeProvider.System, logs);
        return new KalshiFaultHarness(server, venue, logs, proxy);
    }

    [Fact]
    public async Task Duplicate_and_out_of_order_sequence_numbers_are_not_applied_twice()
    {
        await using var fault = FaultReport.Begin("Duplicate and out-of-order sequence numbers", VenueName);
        await using var h = (KalshiFaultHarness)await StartAsync();
        var markets = await StartLiveAsync(h);
        await h.Venue.ChangeBookAsync(markets[0], 1);
        await h.Venue.ChangeBookAsync(markets[0], 2);
        await FaultInjectingVenueContractTests.WaitUntilBooksMatchAsync(h.Venue, markets);

        await h.Server.ResendDeltaAsync(back: 0);
        await h.Server.ResendDeltaAsync(back: 1);
        await h.Server.ResendDeltaAsync(back: 0);
        fault.Inject(3);
        // A fresh, correct delta after the replays: applied once, on top of the right book.
        await h.Venue.ChangeBookAsync(markets[0], 1);

        await FaultInjectingVenueContractTests.WaitUntilBooksMatchAsync(h.Venue, markets);
        Assert.Equal(0, h.Kalshi.MarketData is KalshiMarketDataFeed f ? f.Gaps : -1);
        fault.Survived("replayed deltas ignored (a level applied twice would differ from the fake's book)", timed: false);
    }

    [Fact]
    public async Task A_skipped_sequence_number_marks_books_stale_until_a_fresh_snapshot()
    {
        await using var fault = FaultReport.Begin("Skipped sequence number", VenueName);
        await using var h = (KalshiFaultHarness)await StartAsync();
        var markets = await StartLiveAsync(h);
        var probe = h.Probe(markets[0]);

        for (var round = 0; round < 3; round++)
        {
            probe.Reset();
            await h.Venue.SkipSequenceAndChangeBookAsync(markets[0], round);
            fault.Inject();
            await h.Venue.WaitForAsync(() => Task.FromResult(probe.SawStale), "the book stale after the gap");
            await FaultInjectingVenueContractTests.WaitUntilBooksMatchAsync(h.Venue, markets);
        }

        Assert.Contains(h.Venue.Posted, e => e.Kind == BookEventKind.Stale && e.Reason == StaleReason.SequenceGap);
        Assert.Contains(h.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("seq", StringComparison.Ordinal));
        fault.Survived("gap → stale (SequenceGap) for the strategy → get_snapshot → books equal the fake's, 3×");
    }

    private sealed class KalshiFaultHarness(FakeKalshiServer server, KalshiVenue venue, CapturedLogs logs, BlackholeProxy? proxy)
        : FaultHarness(new KalshiVenueContractTests.KalshiHarness(server, venue), logs, proxy)
    {
        public FakeKalshiServer Server { get; } = server;

        public KalshiVenue Kalshi { get; } = venue;

        public override long Connections => ((KalshiMarketDataFeed)Kalshi.MarketData).Connections;

        public override Task SendRawAsync(string frame) => Server.SendRawAsync(frame);

        public override void TruncateNextUpdate() => Server.TruncateNextDelta();
    }
}
