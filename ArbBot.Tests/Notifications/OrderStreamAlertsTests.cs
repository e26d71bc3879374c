using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Notifications;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Notifications;

public sealed class OrderStreamAlertsTests
{
    private static readonly DateTimeOffset Armed = new(2026, 11, 21, 23, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Dropped = new(2026, 11, 21, 23, 5, 7, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = Dropped.AddSeconds(2);

    [Fact]
    public void A_live_order_stream_going_down_is_alerted_once_however_long_it_stays_down_and_its_return_once()
    {
        var alerts = new OrderStreamAlerts();
        var kalshiUp = new VenueOrderStream(VenueId.Kalshi, true, null, true);
        var polymarketUp = new VenueOrderStream(VenueId.Polymarket, true, null, true);
        var polymarketDown = new VenueOrderStream(VenueId.Polymarket, false, Dropped, true);

        Assert.Empty(alerts.Observe([kalshiUp, polymarketUp], Later));

        var down = Assert.Single(alerts.Observe([kalshiUp, polymarketDown], Later));
        Assert.Equal("venue", down.Category);
        Assert.Contains("Polymarket orders stream is down since 23:05:07 UTC", down.Text, StringComparison.Ordinal);
        Assert.Contains("fills may be missed", down.Text, StringComparison.Ordinal);
        for (var tick = 0; tick < 5; tick++) Assert.Empty(alerts.Observe([kalshiUp, polymarketDown], Later));

        var up = Assert.Single(alerts.Observe([kalshiUp, polymarketUp], Later));
        Assert.Contains("Polymarket orders stream is connected again", up.Text, StringComparison.Ordinal);
        Assert.Empty(alerts.Observe([kalshiUp, polymarketUp], Later));

        // A second outage is a new one: alerted again.
        Assert.Contains("Polymarket orders stream is down", Assert.Single(alerts.Observe([kalshiUp, polymarketDown], Later)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void On_paper_nothing_is_alerted_and_a_stream_still_making_its_first_connection_after_arming_is_not_an_outage()
    {
        var alerts = new OrderStreamAlerts();
        // Paper: the snapshot carries no live stream at all.
        for (var tick = 0; tick < 3; tick++) Assert.Empty(alerts.Observe([], Later));

        // Just armed, still connecting.
        Assert.Empty(alerts.Observe([new VenueOrderStream(VenueId.Kalshi, false, Armed, false)], Armed.AddSeconds(5)));
        Assert.Empty(alerts.Observe([new VenueOrderStream(VenueId.Kalshi, true, null, true)], Later));
        Assert.Contains("Kalshi orders stream is down", Assert.Single(alerts.Observe([new VenueOrderStream(VenueId.Kalshi, false, Dropped, true)], Later)).Text, StringComparison.Ordinal);

        // Disarmed while down: back on paper, no recovery message and nothing more.
        Assert.Empty(alerts.Observe([], Later));
        Assert.Empty(alerts.Observe([], Later));
        // Armed again while still down: that outage is alerted again (the desk is live on it once more).
        Assert.Single(alerts.Observe([new VenueOrderStream(VenueId.Kalshi, false, Dropped, true)], Later));
    }

    [Fact]
    public void The_tracker_keeps_the_start_of_an_outage_across_repeated_drops_and_clears_it_on_reconnect()
    {
        var time = new ManualTimeProvider(Armed);
        var tracker = new OrderStreamTracker(time);
        Assert.Equal(OrderStreamStatus.Connecting(Armed), tracker.Status);

        time.Advance(TimeSpan.FromSeconds(1));
        tracker.MarkConnected();
        Assert.Equal(new OrderStreamStatus(true, null, true), tracker.Status);

        time.Advance(Dropped - time.GetUtcNow());
        tracker.MarkDisconnected();
        time.Advance(TimeSpan.FromSeconds(30));
        // A failed reconnect attempt reports another drop: the outage still started at the first.
        tracker.MarkDisconnected();
        Assert.Equal(new OrderStreamStatus(false, Dropped, true), tracker.Status);

        tracker.MarkConnected();
        Assert.Equal(new OrderStreamStatus(true, null, true), tracker.Status);
    }

    [Fact]
    public void A_stream_that_never_connects_after_arming_is_alerted_once_after_the_grace_and_its_first_connection_announced()
    {
        var alerts = new OrderStreamAlerts { FirstConnectionGrace = TimeSpan.FromSeconds(60) };
        var connecting = new VenueOrderStream(VenueId.Polymarket, false, Armed, false);

        Assert.Empty(alerts.Observe([connecting], Armed.AddSeconds(59)));

        var alert = Assert.Single(alerts.Observe([connecting], Armed.AddSeconds(60)));
        Assert.Equal("venue", alert.Category);
        Assert.Contains("Polymarket orders stream has not connected since 23:00:00 UTC while trading LIVE", alert.Text, StringComparison.Ordinal);
        for (var tick = 0; tick < 5; tick++) Assert.Empty(alerts.Observe([connecting], Armed.AddMinutes(2 + tick)));

        Assert.Contains("Polymarket orders stream is connected", Assert.Single(alerts.Observe([new VenueOrderStream(VenueId.Polymarket, true, null, true)], Armed.AddMinutes(9))).Text, StringComparison.Ordinal);
    }
}
