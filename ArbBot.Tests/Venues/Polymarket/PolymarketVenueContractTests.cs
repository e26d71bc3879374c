using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues.Polymarket;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Venues.Polymarket;

/// <summary>The venue contract against the loopback fake Polymarket (Gamma, CLOB REST, market channel).</summary>
public sealed class PolymarketVenueContractTests : FaultInjectingVenueContractTests
{
    protected override async Task<FakeVenueHarness> StartFakeVenueAsync()
    {
        var server = await FakePolymarketServer.StartAsync();
        // Every fifth REST call is refused with 429: discovery and rehydration must ride through it.
        server.State.RateLimitEvery = 5;
        var venue = new PolymarketVenue(server.ClientOptions(), TimeProvider.System);
        return new PolymarketHarness(server, venue);
    }

    /// <summary>A harness over the fake Polymarket, also used by the feed's own tests.</summary>
    internal sealed class PolymarketHarness(FakePolymarketServer server, PolymarketVenue venue) : FakeVenueHarness(venue, TimeProvider.System)
    {
        public FakePolymarketServer Server { get; } = server;

        public FakePolymarketState State => Server.State;

        public PolymarketVenue Polymarket { get; } = venue;

        public override (IReadOnlyList<BookLevel> Bids, IReadOnlyList<BookLevel> Asks) ExpectedYesBook(Market market)
        {
            var (bids, asks) = State.YesBook(market.MarketKey);
            return ([.. bids.Select(l => new BookLevel(Price.FromDecimal(l.Price), l.Size))], [.. asks.Select(l => new BookLevel(Price.FromDecimal(l.Price), l.Size))]);
        }

        public override Task ChangeBookAsync(Market market, int variant)
        {
            var (bids, asks) = State.YesBook(market.MarketKey);
            return variant switch
            {
                // A new bid level below the best, the best ask growing, the best bid removed: each moves both tokens' books.
                1 => State.ChangeLevelAsync(market.MarketKey, bid: true, bids[^1].Price - 0.05m, 25m),
                2 => State.ChangeLevelAsync(market.MarketKey, bid: false, asks[0].Price, asks[0].Size + 7m),
                _ => State.ChangeLevelAsync(market.MarketKey, bid: true, bids[0].Price, 0m),
            };
        }

        public override Task DropConnectionAsync()
        {
            State.DropConnections();
            return Task.CompletedTask;
        }

        /// <summary>Polymarket has no sequence numbers: a lost message shows as a top of book that disagrees with the venue's.</summary>
        public override async Task SkipSequenceAndChangeBookAsync(Market market, int variant)
        {
            var (bids, asks) = State.YesBook(market.MarketKey);
            State.LoseNextUpdate();
            await State.ChangeLevelAsync(market.MarketKey, bid: true, bids[0].Price + market.TickSize.Value, 11m);
            await State.ChangeLevelAsync(market.MarketKey, bid: false, asks[^1].Price + 0.05m, 9m);
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            Polymarket.Dispose();
            await Server.DisposeAsync();
        }
    }
}
