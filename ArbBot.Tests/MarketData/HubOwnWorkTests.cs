using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.MarketData;

public sealed class HubOwnWorkTests
{
    private static (MarketDataHub Hub, Market Market) Hub()
    {
        var registry = new InstrumentRegistry();
        var market = registry.AddMarket(new Market(VenueId.Kalshi, "KXA", "KXA-E", "A?", "r", "s", DateTimeOffset.UnixEpoch, TickSize.Cent, 1m, "Yes",
            FeeParameters.None), "KXA:yes", "KXA:no");
        return (new MarketDataHub(registry, new ManualTimeProvider()), market);
    }

    [Fact]
    public void Work_a_listener_posts_with_nothing_queued_runs_right_after_its_event_and_before_the_next()
    {
        var (hub, market) = Hub();
        var log = new List<string>();
        hub.Subscribe(market.Yes, new PostingListener(hub, log));

        hub.TryPost(BookEvent.AddLevel(market.Yes, BookSide.Bid, Price.FromUnits(100), 1m));
        hub.TryPost(BookEvent.AddLevel(market.Yes, BookSide.Bid, Price.FromUnits(100), 1m));
        hub.DrainPending();

        // With the second event already queued, the first event's work waits behind it, as it always did.
        Assert.Equal(["event 1", "event 2", "work after 1", "work after 2"], log);

        log.Clear();
        hub.Apply(BookEvent.AddLevel(market.Yes, BookSide.Bid, Price.FromUnits(100), 1m));
        log.Add("next");

        Assert.Equal(["event 3", "work after 3", "next"], log);
        Assert.Equal(0, hub.QueueLength);
    }

    [Fact]
    public void Failing_work_the_hub_posted_to_itself_is_counted_and_the_hub_carries_on()
    {
        var (hub, market) = Hub();
        hub.Subscribe(market.Yes, new FailingPoster(hub));

        hub.Apply(BookEvent.AddLevel(market.Yes, BookSide.Bid, Price.FromUnits(100), 1m));
        hub.Apply(BookEvent.AddLevel(market.Yes, BookSide.Bid, Price.FromUnits(100), 1m));

        Assert.Equal(2, hub.ErrorCount);
        Assert.Equal(2m, hub.TryGetBook(market.Yes)!.BestBid.Size);
    }

    private sealed class PostingListener(MarketDataHub hub, List<string> log) : IBookListener
    {
        private int _events;

        public void OnBookUpdated(OrderBook book)
        {
            var n = ++_events;
            log.Add($"event {n}");
            hub.Post(new LogWork(log, $"work after {n}"));
        }
    }

    private sealed class LogWork(List<string> log, string text) : IHubWork
    {
        public void Execute(MarketDataHub hub) => log.Add(text);
    }

    private sealed class FailingPoster(MarketDataHub hub) : IBookListener
    {
        public void OnBookUpdated(OrderBook book) => hub.Post(new Failing());
    }

    private sealed class Failing : IHubWork
    {
        public void Execute(MarketDataHub hub) => throw new InvalidOperationException("boom");
    }
}
