using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Venues;
using ArbBot.Tests.Execution;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Portfolio;

public sealed class RecentFillIdsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_resent_fill_within_the_window_is_refused_however_many_fills_came_between()
    {
        var ids = new RecentFillIds { Capacity = 1_000 };
        var now = Start;
        Assert.Equal(FillIdCheck.New, ids.TryAdd("trade-0", now, now));
        for (var i = 1; i < 999; i++)
        {
            now += TimeSpan.FromSeconds(30);
            Assert.Equal(FillIdCheck.New, ids.TryAdd($"trade-{i}", now, now));
        }

        // 998 fills and 8 h 19 min later (within a day, within 1,000 ids) the first is resent: still known.
        Assert.Equal(FillIdCheck.Repeated, ids.TryAdd("trade-0", Start, now));
        Assert.Equal(FillIdCheck.Repeated, ids.TryAdd("trade-500", Start + TimeSpan.FromSeconds(30 * 500), now));
        Assert.Null(ids.Horizon);
        Assert.Equal(0, ids.RefusedAsTooOld);
    }

    [Fact]
    public void Memory_stays_bounded_over_many_fills_and_a_forgotten_fill_resent_is_still_not_booked()
    {
        var ids = new RecentFillIds { Capacity = 500 };
        var now = Start;
        for (var i = 0; i < 100_000; i++)
        {
            now += TimeSpan.FromMilliseconds(2);
            Assert.Equal(FillIdCheck.New, ids.TryAdd($"trade-{i}", now, now));
            Assert.True(ids.Count <= 500, $"{ids.Count} ids remembered after {i + 1} fills");
        }

        // The first fill is long forgotten, but its resend carries its own (venue) time, at or before the horizon.
        Assert.Equal(FillIdCheck.TooOld, ids.TryAdd("trade-0", Start + TimeSpan.FromMilliseconds(2), now));
        Assert.Equal(FillIdCheck.TooOld, ids.TryAdd("trade-99499", Start + TimeSpan.FromMilliseconds(2 * 99_500), now));
        Assert.Equal(2, ids.RefusedAsTooOld);
        // The last 500 are still remembered by id; a new fill after the horizon is booked.
        Assert.Equal(FillIdCheck.Repeated, ids.TryAdd("trade-99500", Start + TimeSpan.FromMilliseconds(2 * 99_501), now));
        Assert.Equal(FillIdCheck.New, ids.TryAdd("trade-new", now, now));
    }

    [Fact]
    public void Ids_forgotten_at_the_cap_within_their_window_are_counted_and_the_cap_is_bounded()
    {
        var ids = new RecentFillIds { Capacity = 10 };
        var now = Start;
        for (var i = 0; i < 25; i++)
        {
            now += TimeSpan.FromSeconds(1);
            Assert.Equal(FillIdCheck.New, ids.TryAdd($"trade-{i}", now, now));
        }

        Assert.Equal(10, ids.Count);
        Assert.Equal(15, ids.ForgottenAtCapacity);
        // The horizon is the last forgotten fill's time: it is refused, the first remembered one is a repeat.
        Assert.Equal(FillIdCheck.TooOld, ids.TryAdd("trade-14", Start + TimeSpan.FromSeconds(15), now));
        Assert.Equal(FillIdCheck.Repeated, ids.TryAdd("trade-15", Start + TimeSpan.FromSeconds(16), now));
        Assert.Throws<ArgumentOutOfRangeException>(() => ids.Capacity = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => ids.Capacity = RecentFillIds.MaxCapacity + 1);
    }

    [Fact]
    public void An_id_is_forgotten_a_window_after_it_was_booked_and_its_resend_is_then_refused_as_too_old()
    {
        var ids = new RecentFillIds { Window = TimeSpan.FromHours(1) };
        Assert.Equal(FillIdCheck.New, ids.TryAdd("a", Start, Start));
        Assert.Equal(FillIdCheck.New, ids.TryAdd("b", Start + TimeSpan.FromMinutes(59), Start + TimeSpan.FromMinutes(59)));
        Assert.Equal(2, ids.Count);

        var later = Start + TimeSpan.FromMinutes(61);
        Assert.Equal(FillIdCheck.New, ids.TryAdd("c", later, later));

        Assert.Equal(2, ids.Count);
        Assert.Equal(Start, ids.Horizon);
        Assert.Equal(FillIdCheck.TooOld, ids.TryAdd("a", Start, later));
        Assert.Equal(FillIdCheck.Repeated, ids.TryAdd("b", Start + TimeSpan.FromMinutes(59), later));
    }

    [Fact]
    public void Old_fills_booked_together_in_any_order_are_all_booked_once_because_the_window_runs_on_the_booking_time()
    {
        // A reconciliation after a long outage reports fills made days ago, newest first.
        var ids = new RecentFillIds { Window = TimeSpan.FromHours(1) };
        var now = Start + TimeSpan.FromDays(3);
        for (var i = 9; i >= 0; i--) Assert.Equal(FillIdCheck.New, ids.TryAdd($"t{i}", Start + TimeSpan.FromMinutes(i), now));
        for (var i = 0; i < 10; i++) Assert.Equal(FillIdCheck.Repeated, ids.TryAdd($"t{i}", Start + TimeSpan.FromMinutes(i), now));
        Assert.Null(ids.Horizon);
    }

    [Fact]
    public void The_portfolio_books_a_fill_resent_within_the_window_once_and_keeps_a_bounded_memory_of_ids()
    {
        var time = new ManualTimeProvider(Start);
        var registry = new InstrumentRegistry();
        var hub = new MarketDataHub(registry, time);
        var market = registry.AddMarket(ExecutorHarness.NewMarket(VenueId.Kalshi, "KXFED-26DEC"), "KXFED-26DEC:yes", "KXFED-26DEC:no");
        var portfolio = new DeskPortfolio(hub, new Dictionary<VenueId, decimal> { [VenueId.Kalshi] = 1_000_000m }, TimeZoneInfo.Utc);
        portfolio.BookedFillIds.Capacity = 300;

        Fill Buy(int i) => new($"trade-{i}", $"o{i}", null, VenueId.Kalshi, market.Yes, Side.Buy, Price.FromDecimal(0.40m), 1m, 0m,
            Liquidity.Taker, Start + TimeSpan.FromSeconds(i));

        for (var i = 0; i < 5_000; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.True(portfolio.ApplyFill(Buy(i)));
            // A reconnect resends the fill of ten seconds ago.
            if (i >= 10) Assert.False(portfolio.ApplyFill(Buy(i - 10)));
        }

        Assert.Equal(5_000m, portfolio.QuantityOf(market.Yes));
        Assert.Equal(1_000_000m - 5_000 * 0.40m, portfolio.AvailableBalance(VenueId.Kalshi));
        Assert.Equal(300, portfolio.BookedFillIds.Count);
        // The first fill, forgotten, resent with its own time: refused, not booked a second time.
        Assert.False(portfolio.ApplyFill(Buy(0)));
        Assert.Equal(5_000m, portfolio.QuantityOf(market.Yes));
        Assert.Equal(1, portfolio.BookedFillIds.RefusedAsTooOld);
    }
}
