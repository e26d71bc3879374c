using ArbBot.Engine.Notifications;
using ArbBot.Engine.Venues;

namespace ArbBot.Tests.Notifications;

public sealed class FeedAlertsTests
{
    private static readonly DateTimeOffset Started = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_live_feed_going_down_is_alerted_once_through_every_state_it_passes_and_its_return_once()
    {
        var alerts = new FeedAlerts(Started);
        var at = Started.AddSeconds(1);
        Assert.Null(alerts.Observe("Kalshi", FeedState.Connecting, at));
        Assert.Null(alerts.Observe("Kalshi", FeedState.Live, at));

        var down = alerts.Observe("Kalshi", FeedState.Disconnected, at.AddSeconds(10));
        Assert.Equal("⚠️ Kalshi market data is Disconnected: its books are stale and not traded.", down?.Text);
        Assert.Null(alerts.Observe("Kalshi", FeedState.Connecting, at.AddSeconds(12)));
        Assert.Null(alerts.Observe("Kalshi", FeedState.Degraded, at.AddSeconds(14)));

        Assert.Equal("✅ Kalshi market data is live again.", alerts.Observe("Kalshi", FeedState.Live, at.AddSeconds(16))?.Text);
        Assert.Null(alerts.Observe("Kalshi", FeedState.Live, at.AddSeconds(18)));
        Assert.NotNull(alerts.Observe("Kalshi", FeedState.Degraded, at.AddSeconds(20)));
    }

    [Fact]
    public void A_feed_that_never_comes_live_is_alerted_once_after_the_start_grace_and_its_first_time_live_announced()
    {
        var alerts = new FeedAlerts(Started) { StartGrace = TimeSpan.FromMinutes(2) };

        Assert.Null(alerts.Observe("Polymarket", FeedState.Connecting, Started.AddSeconds(119)));
        var alert = alerts.Observe("Polymarket", FeedState.Connecting, Started.AddSeconds(120));
        Assert.Equal("⚠️ Polymarket market data has not come live since the desk started at 01:00:00 UTC (it is Connecting): its markets are not traded.", alert?.Text);
        Assert.Null(alerts.Observe("Polymarket", FeedState.Disconnected, Started.AddMinutes(3)));
        Assert.Null(alerts.Observe("Kalshi", FeedState.Live, Started.AddMinutes(3)));

        Assert.Equal("✅ Polymarket market data is live.", alerts.Observe("Polymarket", FeedState.Live, Started.AddMinutes(4))?.Text);
        // From then on it is an ordinary feed: a drop is an outage.
        Assert.Equal("⚠️ Polymarket market data is Connecting: its books are stale and not traded.", alerts.Observe("Polymarket", FeedState.Connecting, Started.AddMinutes(5))?.Text);
    }

    [Fact]
    public void A_stopped_feed_is_never_alerted()
    {
        var alerts = new FeedAlerts(Started);
        Assert.Null(alerts.Observe("Kalshi", FeedState.Live, Started));
        Assert.Null(alerts.Observe("Kalshi", FeedState.Stopped, Started.AddMinutes(1)));
        Assert.Null(alerts.Observe("Polymarket", FeedState.Stopped, Started.AddHours(1)));
    }
}
