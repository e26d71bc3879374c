using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues;
using Xunit.Sdk;

namespace ArbBot.Tests.Venues;

/// <summary>
/// The contract for a venue tested against a loopback fake it can script: books follow the venue level for level,
/// a dropped connection and a skipped sequence number make books stale and then whole again.
/// </summary>
public abstract class FaultInjectingVenueContractTests : VenueContractTests
{
    /// <summary>Starts the venue and its fake.</summary>
    protected abstract Task<FakeVenueHarness> StartFakeVenueAsync();

    protected sealed override async Task<VenueHarness> StartVenueAsync() => await StartFakeVenueAsync();

    [Fact]
    public async Task Books_match_what_the_venue_serves_and_follow_its_changes()
    {
        await using var h = await StartFakeVenueAsync();
        var markets = await h.DiscoverAsync();
        h.StartStreaming();
        await WaitUntilBooksMatchAsync(h, markets);

        var market = markets[0];
        await h.ChangeBookAsync(market, 1);
        await h.ChangeBookAsync(market, 2);

        await WaitUntilBooksMatchAsync(h, [market]);
    }

    [Fact]
    public async Task A_dropped_connection_marks_books_stale_then_reconnects_and_resubscribes()
    {
        await using var h = await StartFakeVenueAsync();
        var markets = await h.DiscoverAsync();
        h.StartStreaming();
        await WaitUntilBooksMatchAsync(h, markets);

        await h.DropConnectionAsync();
        // What changes while the client is away must be in the books after it comes back.
        await h.ChangeBookAsync(markets[0], 3);

        await WaitUntilBooksMatchAsync(h, markets);
        Assert.Contains(h.Posted, e => e.Kind == BookEventKind.Stale && e.Reason == StaleReason.Disconnected && e.Instrument == markets[0].Yes);
        Assert.Equal(FeedState.Live, h.Venue.MarketData.State);
    }

    [Fact]
    public async Task A_sequence_gap_marks_books_stale_until_a_fresh_snapshot_restores_them()
    {
        await using var h = await StartFakeVenueAsync();
        var markets = await h.DiscoverAsync();
        h.StartStreaming();
        await WaitUntilBooksMatchAsync(h, markets);

        await h.SkipSequenceAndChangeBookAsync(markets[0], 4);

        await h.WaitForAsync(() => Task.FromResult(h.Posted.Any(e => e.Kind == BookEventKind.Stale && e.Reason == StaleReason.SequenceGap && e.Instrument == markets[0].Yes)), "the gap reported");
        await WaitUntilBooksMatchAsync(h, markets);
        Assert.Equal(FeedState.Live, h.Venue.MarketData.State);
    }

    /// <summary>Waits until every book is fresh and equals, level for level, what the fake serves.</summary>
    public static async Task WaitUntilBooksMatchAsync(FakeVenueHarness h, IReadOnlyList<Market> markets)
    {
        var last = "";
        try
        {
            await h.WaitForAsync(async () =>
            {
                foreach (var (market, yes, no) in await h.ReadBooksAsync(markets))
                {
                    var expected = h.ExpectedYesBook(market);
                    if (yes is null || no is null || yes.IsStale || no.IsStale || !yes.Bids.SequenceEqual(expected.Bids) || !yes.Asks.SequenceEqual(expected.Asks))
                    {
                        last = $"{market.MarketKey}: have {Describe(yes)}, expected bids {string.Join(" ", expected.Bids)} asks {string.Join(" ", expected.Asks)}";
                        return false;
                    }
                    // The venue's YES and NO books change in one message the feed posts as two events, so a read can
                    // land between them: not yet, rather than wrong. Disagreeing for the whole patience is a failure.
                    try
                    {
                        AssertConsistent(market, yes, no);
                    }
                    catch (XunitException e)
                    {
                        last = $"{market.MarketKey}: the YES and NO books disagree: {e.Message}";
                        return false;
                    }
                }
                return true;
            }, "books matching the venue");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} {last}", e);
        }
    }

    private static string Describe(BookView? b) => b is null ? "no book" : $"{b.Stale} bids {string.Join(" ", b.Bids)} asks {string.Join(" ", b.Asks)}";
}

/// <summary>A venue harness whose venue is a scriptable fake.</summary>
public abstract class FakeVenueHarness(IVenue venue, TimeProvider time) : VenueHarness(venue, time)
{
    /// <summary>The YES book the fake currently serves for a market (best first).</summary>
    public abstract (IReadOnlyList<BookLevel> Bids, IReadOnlyList<BookLevel> Asks) ExpectedYesBook(Market market);

    /// <summary>Changes a market's book at the venue (variant picks a different change each time).</summary>
    public abstract Task ChangeBookAsync(Market market, int variant);

    /// <summary>Drops the venue's connections.</summary>
    public abstract Task DropConnectionAsync();

    /// <summary>Changes a book with a message whose sequence number skips one.</summary>
    public abstract Task SkipSequenceAndChangeBookAsync(Market market, int variant);
}
