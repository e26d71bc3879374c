using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Venues.Kalshi;

/// <summary>The venue contract against the loopback fake Kalshi (REST + WebSocket, signatures verified).</summary>
public sealed class KalshiVenueContractTests : FaultInjectingVenueContractTests
{
    protected override async Task<FakeVenueHarness> StartFakeVenueAsync()
    {
        var server = await FakeKalshiServer.StartAsync();
        // Every third REST call is refused with 429: discovery must ride through it.
        server.RateLimitEvery = 3;
        var venue = KalshiVenue.Create(server.ClientOptions(), TimeProvider.System);
        return new KalshiHarness(server, venue);
    }

    /// <summary>A harness over the fake Kalshi, also used by the fault suite.</summary>
    internal sealed class KalshiHarness(FakeKalshiServer server, KalshiVenue venue) : FakeVenueHarness(venue, TimeProvider.System)
    {
        public override (IReadOnlyList<BookLevel> Bids, IReadOnlyList<BookLevel> Asks) ExpectedYesBook(Market market)
        {
            var (yes, no) = server.Book(market.MarketKey);
            return ([.. yes.Select(l => new BookLevel(Price.FromDecimal(l.Price), l.Size))],
                [.. no.Select(l => new BookLevel(Price.FromDecimal(1m - l.Price), l.Size))]);
        }

        public override Task ChangeBookAsync(Market market, int variant) => variant switch
        {
            // A new YES level, a NO level growing, a level removed entirely: each moves both of our books.
            1 => server.PublishDeltaAsync(market.MarketKey, "yes", 0.30m, 25m),
            2 => server.PublishDeltaAsync(market.MarketKey, "no", server.Book(market.MarketKey).No[0].Price, 7m),
            _ => server.PublishDeltaAsync(market.MarketKey, "yes", server.Book(market.MarketKey).Yes[0].Price, -server.Book(market.MarketKey).Yes[0].Size),
        };

        public override Task DropConnectionAsync()
        {
            server.DropConnections();
            return Task.CompletedTask;
        }

        public override Task SkipSequenceAndChangeBookAsync(Market market, int variant)
        {
            server.SkipNextSeq();
            return server.PublishDeltaAsync(market.MarketKey, "yes", 0.31m, 5m);
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            venue.Dispose();
            await server.DisposeAsync();
        }
    }
}
