using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues;
using ArbBot.Tests.Fixtures;
using ArbBot.Tests.Venues;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace ArbBot.Tests.Faults;

/// <summary>
/// Market-data faults every real venue must survive, each against the venue's loopback fake speaking its real wire
/// format: a connection dropped mid-stream, a half-open connection (open, silent, no pong, no close), malformed JSON and
/// unknown message types, a truncated update. Every time: no crash; the books stale while broken (as the strategies see
/// them, through a hub listener); the feed not Live and a warning logged (what the notification path watches); then
/// reconnected, resubscribed and rehydrated, the books equal to the fake's, level for level. Each test adds a row to
/// <see cref="FaultReport"/>.
/// </summary>
[Collection(FaultCollection.Name)]
public abstract class MarketDataFaultTests(ITestOutputHelper output)
{
    /// <summary>"Kalshi" or "Polymarket".</summary>
    protected abstract string VenueName { get; }

    /// <summary>Starts the fake and the venue, its WebSocket through a <see cref="BlackholeProxy"/> when asked.</summary>
    protected abstract Task<FaultHarness> StartAsync(bool throughProxy = false);

    [Fact]
    public async Task A_connection_dropped_mid_stream_marks_books_stale_then_recovers_them()
    {
        await using var fault = FaultReport.Begin("WebSocket dropped mid-stream", VenueName);
        await using var h = await StartAsync();
        var markets = await StartLiveAsync(h);
        var probe = h.Probe(markets[0]);

        for (var round = 1; round <= 3; round++)
        {
            var connections = h.Connections;
            probe.Reset();
            await h.Venue.DropConnectionAsync();
            fault.Inject();
            // What changes while the client is away must be in the books when it is back.
            await h.Venue.ChangeBookAsync(markets[0], round);
            await h.Venue.WaitForAsync(() => Task.FromResult(h.Connections > connections), "a reconnect");
            await FaultInjectingVenueContractTests.WaitUntilBooksMatchAsync(h.Venue, markets);
        }

        Assert.Contains(h.Venue.Posted, e => e.Kind == BookEventKind.Stale && e.Reason == StaleReason.Disconnected && e.Instrument == markets[0].Yes);
        Assert.True(probe.SawStale, "the strategy never saw the book stale while the connection was down");
        Assert.Contains(h.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal));
        Assert.Equal(FeedState.Live, h.Venue.Venue.MarketData.State);
        fault.Survived("stale (Disconnected) seen by a hub listener; warning logged; reconnected 3×; books equal the fake's");
        output.WriteLine(FaultReport.Render());
    }

    [Fact]
    public async Task A_half_open_connection_is_noticed_dropped_and_replaced()
    {
        await using var fault = FaultReport.Begin("Half-open connection (no data, no pong, no close)", VenueName);
        await using var h = await StartAsync(throughProxy: true);
        var proxy = h.Proxy!;
        var markets = await StartLiveAsync(h);
        var probe = h.Probe(markets[0]);
        var accepted = proxy.Accepted;

        proxy.BlackholeOpenConnections();
        fault.Inject();
        await h.Venue.ChangeBookAsync(markets[0], 1);

        await h.Venue.WaitForAsync(() => Task.FromResult(proxy.Accepted > accepted), "a new connection after the silence", TimeSpan.FromSeconds(45));
        await FaultInjectingVenueContractTests.WaitUntilBooksMatchAsync(h.Venue, markets);
        Assert.Contains(h.Venue.Posted, e => e.Kind == BookEventKind.Stale && e.Reason == StaleReason.Disconnected && e.Instrument == markets[0].Yes);
        Assert.True(probe.SawStale, "the strategy never saw the book stale while the connection was silent");
        Assert.Contains(h.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal));
        fault.Survived("silence detected by the keep-alive, books stale (Disconnected), new connection, books equal the fake's");
    }

    [Fact]
    public async Task Malformed_JSON_and_unknown_message_types_are_skipped_without_harm()
    {
        await using var fault = FaultReport.Begin("Malformed JSON and unknown message types", VenueName);
        await using var h = await StartLiveHarnessAsync();
        var markets = await StartLiveAsync(h);

        // The fakes' keep-alive is tight (three missed pongs, 600 ms), so a loaded machine can see a reconnect for silence
        // while the frames are in flight; they are then lost with the old connection. Such a round is sent again. A feed
        // that reconnected *because of* the garbage would do so every round and fail below.
        for (var round = 1; ; round++)
        {
            var connections = h.Connections;
            var warningsBefore = Warnings(h);
            foreach (var frame in GarbageFrames)
            {
                await h.SendRawAsync(frame);
                fault.Inject();
            }
            await h.Venue.ChangeBookAsync(markets[0], round);

            await FaultInjectingVenueContractTests.WaitUntilBooksMatchAsync(h.Venue, markets);
            try
            {
                await h.Venue.WaitForAsync(
                    () => Task.FromResult(Warnings(h) >= warningsBefore + 3 || h.Connections != connections),
                    "the unreadable frames logged");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message} Log:\n{string.Join('\n', h.Logs.Lines.TakeLast(30))}", e);
            }
            if (h.Connections == connections)
            {
                // Logged and the connection kept: give a late reconnect a moment to show before concluding.
                await Task.Delay(200);
                if (h.Connections == connections) break;
            }
            if (round == 3)
            {
                Assert.Fail($"the connection was replaced in each of 3 rounds of garbage frames; log:\n{string.Join('\n', h.Logs.Lines.TakeLast(30))}");
            }
            output.WriteLine($"round {round}: the connection was replaced while the frames were in flight; sending them again");
        }
        Assert.Equal(FeedState.Live, h.Venue.Venue.MarketData.State);
        fault.Survived("frames skipped with a warning each; same connection; books equal the fake's", timed: false);
    }

    private static int Warnings(FaultHarness h) => h.Logs.Lines.Count(l => l.StartsWith("Warning", StringComparison.Ordinal));

    [Fact]
    public async Task A_truncated_update_leaves_books_stale_until_they_are_rebuilt()
    {
        await using var fault = FaultReport.Begin("Truncated JSON update", VenueName);
        await using var h = await StartLiveHarnessAsync();
        var markets = await StartLiveAsync(h);
        var probe = h.Probe(markets[0]);

        h.TruncateNextUpdate();
        fault.Inject();
        await h.Venue.ChangeBookAsync(markets[0], 1);
        // The next update shows the hole (a seq gap on Kalshi, a top of book that disagrees on Polymarket).
        await h.Venue.ChangeBookAsync(markets[0], 2);

        await h.Venue.WaitForAsync(() => Task.FromResult(probe.SawStale), "the book marked stale");
        await FaultInjectingVenueContractTests.WaitUntilBooksMatchAsync(h.Venue, markets);
        Assert.Equal(FeedState.Live, h.Venue.Venue.MarketData.State);
        fault.Survived("lost update detected, book stale for the strategy, rebuilt from the venue; books equal the fake's");
    }

    private Task<FaultHarness> StartLiveHarnessAsync() => StartAsync();

    /// <summary>Discovers, streams and waits until every book equals the fake's.</summary>
    protected static async Task<IReadOnlyList<Market>> StartLiveAsync(FaultHarness h)
    {
        var markets = await h.Venue.DiscoverAsync();
        h.Venue.StartStreaming();
        await FaultInjectingVenueContractTests.WaitUntilBooksMatchAsync(h.Venue, markets);
        return markets;
    }

    /// <summary>Frames no venue sends on purpose: broken JSON, wrong shapes, unknown types, binary noise as text.</summary>
    protected static readonly string[] GarbageFrames =
    [
        "{\"type\":\"orderbook_delta\",\"sid\":",
        "not json at all",
        "[1,2,",
        "{\"type\":\"brand_new_message\",\"sid\":99,\"seq\":1,\"msg\":{}}",
        "{\"event_type\":\"brand_new_event\",\"market\":\"0x01\"}",
        "\"just a string\"",
        "{\"type\":42,\"event_type\":[]}",
        "\u0000\u0001\u0002\uFFFD",
    ];
}

/// <summary>Fault tests run one at a time: each opens sockets and waits on timers, and CI has two cores.</summary>
[CollectionDefinition(Name)]
public sealed class FaultCollection
{
    public const string Name = "Faults";
}

/// <summary>A venue harness plus what the fault tests need: raw frames, a truncated update, logs, a probe listener.</summary>
public abstract class FaultHarness(FakeVenueHarness venue, CapturedLogs logs, BlackholeProxy? proxy) : IAsyncDisposable
{
    public FakeVenueHarness Venue { get; } = venue;

    /// <summary>The proxy the venue's WebSocket goes through, when the test asked for one.</summary>
    public BlackholeProxy? Proxy { get; } = proxy;

    public CapturedLogs Logs { get; } = logs;

    /// <summary>Connections the venue's feed has opened.</summary>
    public abstract long Connections { get; }

    public abstract Task SendRawAsync(string frame);

    public abstract void TruncateNextUpdate();

    /// <summary>Subscribes a listener, as a strategy would be, to a market's YES book.</summary>
    public StaleProbe Probe(Market market)
    {
        var probe = new StaleProbe();
        Venue.Hub.Subscribe(market.Yes, probe);
        return probe;
    }

    public async ValueTask DisposeAsync()
    {
        await Venue.DisposeAsync();
        if (Proxy is not null) await Proxy.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A hub listener (on the hub's thread, like a strategy) noting whether it was ever shown a stale book.</summary>
public sealed class StaleProbe : IBookListener
{
    private volatile bool _sawStale;

    public bool SawStale => _sawStale;

    public void Reset() => _sawStale = false;

    public void OnBookUpdated(OrderBook book)
    {
        if (book.IsStale) _sawStale = true;
    }
}
