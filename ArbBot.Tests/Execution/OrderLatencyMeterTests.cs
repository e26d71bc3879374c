using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;

namespace ArbBot.Tests.Execution;

public sealed class OrderLatencyMeterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_venues_first_answer_to_each_order_gives_its_median_p95_and_last_latency()
    {
        var meter = new OrderLatencyMeter();
        // 1..20 ms: median (nearest rank, 10th of 20) is 10 ms, p95 (19th) is 19 ms; the last one was 7 ms.
        foreach (var ms in Enumerable.Range(1, 20).Where(ms => ms != 7).Append(7))
        {
            meter.Observe(Transition(VenueId.Kalshi, $"o{ms}", OrderStatus.New, OrderStatus.Submitted, sentAt: T0, at: T0.AddMilliseconds(ms)));
        }

        var kalshi = meter.Snapshot()[VenueId.Kalshi];

        Assert.Equal((20, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(19), TimeSpan.FromMilliseconds(7)),
            (kalshi.Samples, kalshi.Median, kalshi.P95, kalshi.Last));
        Assert.False(meter.Snapshot().ContainsKey(VenueId.Polymarket));
    }

    [Fact]
    public void Only_a_venues_answer_counts_not_later_moves_nor_our_own_timeout()
    {
        var meter = new OrderLatencyMeter();
        meter.Observe(Transition(VenueId.Polymarket, "a", OrderStatus.New, OrderStatus.Filled, T0, T0.AddMilliseconds(40)));
        meter.Observe(Transition(VenueId.Polymarket, "b", OrderStatus.New, OrderStatus.Rejected, T0, T0.AddMilliseconds(60)));
        // Not answers: a later move of an acknowledged order, our own cancel of a silent one, an order without a send time.
        meter.Observe(Transition(VenueId.Polymarket, "c", OrderStatus.Submitted, OrderStatus.Filled, T0, T0.AddSeconds(3)));
        meter.Observe(Transition(VenueId.Polymarket, "d", OrderStatus.New, OrderStatus.Cancelled, T0, T0.AddSeconds(5)));
        meter.Observe(Transition(VenueId.Polymarket, "e", OrderStatus.New, OrderStatus.Submitted, null, T0.AddSeconds(9)));

        var polymarket = meter.Snapshot()[VenueId.Polymarket];

        Assert.Equal((2, TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(60)), (polymarket.Samples, polymarket.Median, polymarket.P95));
    }

    [Fact]
    public void The_figures_cover_only_the_most_recent_window_of_answers()
    {
        var meter = new OrderLatencyMeter();
        for (var i = 0; i < OrderLatencyMeter.Window; i++)
        {
            meter.Observe(Transition(VenueId.Kalshi, $"slow{i}", OrderStatus.New, OrderStatus.Submitted, T0, T0.AddSeconds(2)));
        }
        for (var i = 0; i < OrderLatencyMeter.Window; i++)
        {
            meter.Observe(Transition(VenueId.Kalshi, $"fast{i}", OrderStatus.New, OrderStatus.Submitted, T0, T0.AddMilliseconds(5)));
        }

        var kalshi = meter.Snapshot()[VenueId.Kalshi];

        Assert.Equal((OrderLatencyMeter.Window, TimeSpan.FromMilliseconds(5)), (kalshi.Samples, kalshi.P95));
    }

    private static OrderTransition Transition(VenueId venue, string id, OrderStatus from, OrderStatus to, DateTimeOffset? sentAt, DateTimeOffset at) =>
        new(id, 1, 1, OrderRole.FirstLeg, venue, new InstrumentId(0), Side.Buy, Price.FromDecimal(0.5m), 10m, TimeInForce.Ioc, from, to, 0m, null, at, sentAt);
}
