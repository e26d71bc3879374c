using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues;

namespace ArbBot.Tests.Venues;

/// <summary>
/// What every venue must do, whatever its data source: discover markets into the registry, stream books into the
/// market-data hub that are consistent (NO mirrors YES, never crossed, on the market's grid), report its state and
/// freshness, and stop when asked. Each venue's tests subclass this against its own loopback fake or simulator.
/// </summary>
public abstract class VenueContractTests
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>Starts the venue under test (and whatever it talks to).</summary>
    protected abstract Task<VenueHarness> StartVenueAsync();

    [Fact]
    public async Task Discovery_registers_each_market_with_its_yes_and_no_instruments()
    {
        await using var h = await StartVenueAsync();
        var markets = await h.DiscoverAsync();

        Assert.NotEmpty(markets);
        foreach (var m in markets)
        {
            Assert.Equal(h.Venue.Id, m.Venue);
            Assert.True(h.Registry.TryGetMarket(m.Venue, m.MarketKey, out var registered));
            Assert.Equal(m, registered);
            var yes = h.Registry[m.Yes];
            var no = h.Registry[m.No];
            Assert.True(yes.IsYes);
            Assert.False(no.IsYes);
            Assert.Equal(m.MarketKey, yes.MarketKey);
            Assert.Equal(m.TickSize, yes.TickSize);
            Assert.True(h.Registry.TryGetEvent(m.Venue, m.EventKey, out _), $"{m.MarketKey}: event {m.EventKey} is not registered");
            Assert.True(m.Fees.TakerRate >= 0m && m.Fees.MakerRate >= 0m);
            Assert.True(m.QuantityStep > 0m && m.MinOrderSize >= m.QuantityStep);
        }
    }

    [Fact]
    public async Task Streams_consistent_books_for_the_discovered_markets_and_reports_itself_live()
    {
        await using var h = await StartVenueAsync();
        var markets = await h.DiscoverAsync();
        h.StartStreaming();

        await h.WaitForAsync(async () => (await h.ReadBooksAsync(markets)).All(b => b.Yes is { IsStale: false } && b.No is { IsStale: false }), "every book fresh");
        Assert.Equal(FeedState.Live, h.Venue.MarketData.State);
        var heard = new DateTimeOffset(h.Venue.MarketData.LastMessageUtcTicks, TimeSpan.Zero);
        Assert.True(heard > h.Time.GetUtcNow() - TimeSpan.FromMinutes(1), $"last message at {heard:O} is not recent");
        foreach (var (market, yes, no) in await h.ReadBooksAsync(markets))
        {
            AssertConsistent(market, yes!, no!);
        }
    }

    [Fact]
    public async Task Stops_when_cancelled()
    {
        await using var h = await StartVenueAsync();
        var markets = await h.DiscoverAsync();
        h.StartStreaming();
        await h.WaitForAsync(() => Task.FromResult(h.Venue.MarketData.State == FeedState.Live), "the feed live");

        await h.StopStreamingAsync();

        Assert.Equal(FeedState.Stopped, h.Venue.MarketData.State);
    }

    /// <summary>A NO book is the YES book seen from the other side; neither is crossed; every price is on the grid.</summary>
    protected static void AssertConsistent(Market market, BookView yes, BookView no)
    {
        Assert.Equal(yes.Asks.Select(l => (l.Price.Complement, l.Size)), no.Bids.Select(l => (l.Price, l.Size)));
        Assert.Equal(yes.Bids.Select(l => (l.Price.Complement, l.Size)), no.Asks.Select(l => (l.Price, l.Size)));
        foreach (var book in new[] { yes, no })
        {
            if (book.Bids.Count > 0 && book.Asks.Count > 0) Assert.True(book.Bids[0].Price < book.Asks[0].Price, $"{market.MarketKey} is crossed");
            Assert.All(book.Bids.Concat(book.Asks), l => Assert.True(l.Price.IsOnGrid(market.TickSize) && l.Size > 0m, $"{market.MarketKey}: level {l} is off the grid or empty"));
        }
    }
}

/// <summary>A venue under test with a running market-data hub and a recording of what the feed posted.</summary>
public abstract class VenueHarness : IAsyncDisposable, IBookEventSink
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<BookEvent> _posted = [];
    private Task? _hub;
    private CancellationTokenSource? _feedStop;
    private Task? _feed;

    protected VenueHarness(IVenue venue, TimeProvider time)
    {
        Venue = venue;
        Time = time;
        Registry = new InstrumentRegistry();
        Hub = new MarketDataHub(Registry, time);
        _hub = Task.Run(() => Hub.RunAsync(_stop.Token));
    }

    public IVenue Venue { get; }

    public TimeProvider Time { get; }

    public InstrumentRegistry Registry { get; }

    public MarketDataHub Hub { get; }

    public Task<IReadOnlyList<Market>> DiscoverAsync() => Venue.Instruments.DiscoverAsync(Registry, _stop.Token);

    public void StartStreaming()
    {
        _feedStop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        _feed = Task.Run(() => Venue.MarketData.RunAsync(this, _feedStop.Token));
    }

    public async Task StopStreamingAsync()
    {
        await _feedStop!.CancelAsync();
        await _feed!.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Every event the feed posted so far, in order.</summary>
    public IReadOnlyList<BookEvent> Posted
    {
        get
        {
            lock (_posted) return [.. _posted];
        }
    }

    public bool TryPost(in BookEvent bookEvent)
    {
        lock (_posted) _posted.Add(bookEvent);
        return Hub.TryPost(bookEvent);
    }

    public ValueTask PostAsync(BookEvent bookEvent, CancellationToken cancellationToken)
    {
        lock (_posted) _posted.Add(bookEvent);
        return Hub.PostAsync(bookEvent, cancellationToken);
    }

    /// <summary>Copies the books of <paramref name="markets"/> on the hub's thread (null for a book not yet created).</summary>
    public async Task<IReadOnlyList<(Market Market, BookView? Yes, BookView? No)>> ReadBooksAsync(IEnumerable<Market> markets)
    {
        var read = new ReadBooks([.. markets]);
        await Hub.PostAsync(read, _stop.Token);
        return await read.Done.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async Task<(BookView? Yes, BookView? No)> ReadBookAsync(Market market)
    {
        var (_, yes, no) = (await ReadBooksAsync([market]))[0];
        return (yes, no);
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing with <paramref name="what"/> after the patience runs out.</summary>
    public async Task WaitForAsync(Func<Task<bool>> condition, string what, TimeSpan? patience = null)
    {
        // Generous: CI machines are small and shared; a pass is as fast as the condition allows anyway.
        var deadline = DateTime.UtcNow + (patience ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(20);
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_feed is not null) await _feed.WaitAsync(TimeSpan.FromSeconds(10));
            if (_hub is not null) await _hub.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
        _feedStop?.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class ReadBooks(List<Market> markets) : IHubWork
    {
        public TaskCompletionSource<IReadOnlyList<(Market, BookView?, BookView?)>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(MarketDataHub hub) =>
            Done.TrySetResult([.. markets.Select(m => (m, BookView.Of(hub.TryGetBook(m.Yes)), BookView.Of(hub.TryGetBook(m.No))))]);
    }
}

/// <summary>A copy of a book: levels best first, its stale mark and last sequence.</summary>
public sealed record BookView(IReadOnlyList<BookLevel> Bids, IReadOnlyList<BookLevel> Asks, StaleReason Stale, long Sequence)
{
    public bool IsStale => Stale != StaleReason.None;

    public static BookView? Of(OrderBook? book) => book is null ? null : new BookView(
        [.. Enumerable.Range(0, book.BidDepth).Select(i => book.Level(BookSide.Bid, i))],
        [.. Enumerable.Range(0, book.AskDepth).Select(i => book.Level(BookSide.Ask, i))],
        book.StaleReason,
        book.Sequence);
}
