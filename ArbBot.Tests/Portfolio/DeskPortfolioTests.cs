using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Venues;
using ArbBot.Tests.Execution;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Portfolio;

public sealed class DeskPortfolioTests
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
    private readonly InstrumentRegistry _registry = new();
    private readonly MarketDataHub _hub;
    private readonly Market _k;
    private readonly Market _p;
    private int _fillId;

    public DeskPortfolioTests()
    {
        _hub = new MarketDataHub(_registry, _time);
        _k = _registry.AddMarket(ExecutorHarness.NewMarket(VenueId.Kalshi, "KXFED-26DEC"), "KXFED-26DEC:yes", "KXFED-26DEC:no");
        _p = _registry.AddMarket(ExecutorHarness.NewMarket(VenueId.Polymarket, "0xfed"), "tok-yes", "tok-no");
    }

    private DeskPortfolio New(TimeZoneInfo? zone = null) =>
        new(_hub, new Dictionary<VenueId, decimal> { [VenueId.Kalshi] = 1_000m, [VenueId.Polymarket] = 500m }, zone ?? TimeZoneInfo.Utc);

    [Fact]
    public void Selling_part_of_a_position_realizes_the_gain_over_average_cost_and_fees_count_as_realized_cost()
    {
        var portfolio = New();
        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.40m, 10m, fee: 0.10m));
        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.46m, 10m, fee: 0.10m));
        portfolio.ApplyFill(Fill(_k.Yes, Side.Sell, 0.50m, 5m, fee: 0.04m));

        var position = Assert.Single(portfolio.Snapshot().Positions);
        Assert.Equal((15m, 0.43m, 0.24m), (position.Quantity, position.AverageCost, position.FeesPaid));
        // 5 × (0.50 − 0.43) on the reduction.
        Assert.Equal(0.35m, position.RealizedPnl);
        Assert.Equal(0.35m - 0.24m, portfolio.RealizedPnl);
        Assert.Equal(0.24m, portfolio.FeesPaid);
        Assert.Equal(1_000m - 4.10m - 4.70m + 2.46m, portfolio.AvailableBalance(VenueId.Kalshi));
        Assert.Equal(500m, portfolio.AvailableBalance(VenueId.Polymarket));
    }

    [Fact]
    public void Rebuilt_fills_from_earlier_days_do_not_count_in_todays_pnl_once_the_day_starts_after_them()
    {
        var portfolio = New();
        // Yesterday: a round trip that lost 1.00.
        var yesterday = _time.GetUtcNow().AddDays(-1);
        Assert.True(portfolio.IsBeforeToday(yesterday));
        Assert.False(portfolio.IsBeforeToday(_time.GetUtcNow().AddHours(-11)));
        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.40m, 10m) with { Time = yesterday });
        portfolio.ApplyFill(Fill(_k.Yes, Side.Sell, 0.30m, 10m) with { Time = yesterday });
        Assert.Equal(-1m, portfolio.DailyPnl);

        portfolio.StartDayHere();
        Assert.Equal(0m, portfolio.DailyPnl);
        Assert.Equal(-1m, portfolio.RealizedPnl);

        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.40m, 10m));
        portfolio.ApplyFill(Fill(_k.Yes, Side.Sell, 0.45m, 10m));
        Assert.Equal(0.5m, portfolio.DailyPnl);
    }

    [Fact]
    public void Earlier_days_are_counted_in_the_configured_zone()
    {
        // 03:00 UTC on the 22nd is still the evening of the 21st in New York.
        _time.Advance(TimeSpan.FromHours(15)); // 2026-11-22 03:00 UTC
        var portfolio = New(TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        Assert.False(portfolio.IsBeforeToday(new DateTimeOffset(2026, 11, 21, 20, 0, 0, TimeSpan.Zero)));
        Assert.True(portfolio.IsBeforeToday(new DateTimeOffset(2026, 11, 21, 4, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Closing_a_position_leaves_no_cost_and_frees_the_market()
    {
        var portfolio = New();
        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.40m, 10m));
        portfolio.ApplyFill(Fill(_k.No, Side.Buy, 0.55m, 4m));
        Assert.Equal((1, true, 6.2m), (portfolio.OpenPositionCount, portfolio.HasPositionInMarket(_k.No), portfolio.PositionCostInMarket(_k.Yes)));

        portfolio.ApplyFill(Fill(_k.Yes, Side.Sell, 0.30m, 10m));
        portfolio.ApplyFill(Fill(_k.No, Side.Sell, 0.55m, 4m));

        Assert.Equal((0, false, 0m), (portfolio.OpenPositionCount, portfolio.HasPositionInMarket(_k.Yes), portfolio.PositionCostInMarket(_k.Yes)));
        Assert.Equal(-1m, portfolio.RealizedPnl);
    }

    [Fact]
    public void Total_exposure_is_the_cost_of_every_open_position_on_every_venue()
    {
        var portfolio = New();
        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.40m, 10m));
        portfolio.ApplyFill(Fill(_p.No, Side.Buy, 0.55m, 4m));
        Assert.Equal(4m + 2.2m, portfolio.TotalExposure);

        portfolio.ApplyFill(Fill(_k.Yes, Side.Sell, 0.50m, 10m));
        Assert.Equal(2.2m, portfolio.TotalExposure);
    }

    [Fact]
    public void Total_exposure_follows_averaging_partial_closes_and_a_flip_through_zero()
    {
        var portfolio = New();
        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.40m, 10m));
        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.60m, 10m));
        // 20 at an average of 0.50.
        Assert.Equal(10m, portfolio.TotalExposure);

        portfolio.ApplyFill(Fill(_k.Yes, Side.Sell, 0.70m, 5m));
        Assert.Equal(7.5m, portfolio.TotalExposure);

        // Selling 25 against 15 held closes them and opens 10 short at 0.65.
        portfolio.ApplyFill(Fill(_k.Yes, Side.Sell, 0.65m, 25m));
        portfolio.ApplyFill(Fill(_p.No, Side.Buy, 0.30m, 3m));
        Assert.Equal(6.5m + 0.9m, portfolio.TotalExposure);

        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.50m, 10m));
        portfolio.ApplyFill(Fill(_p.No, Side.Sell, 0.20m, 3m));
        Assert.Equal(0m, portfolio.TotalExposure);
        Assert.Equal(0, portfolio.OpenPositionCount);
    }

    [Fact]
    public void A_fill_seen_twice_is_booked_once()
    {
        var portfolio = New();
        var fill = Fill(_k.Yes, Side.Buy, 0.40m, 10m, fee: 0.1m);

        Assert.True(portfolio.ApplyFill(fill));
        Assert.False(portfolio.ApplyFill(fill));

        Assert.Equal(10m, portfolio.QuantityOf(_k.Yes));
        Assert.Equal(1_000m - 4.1m, portfolio.AvailableBalance(VenueId.Kalshi));
    }

    [Fact]
    public void Complete_sets_of_a_pair_lock_their_payout_minus_cost_and_their_share_of_fees()
    {
        var portfolio = New();
        portfolio.TrackSet(7, [_k.Yes, _p.No]);
        portfolio.TrackSet(7, [_k.No, _p.Yes]);
        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.47m, 50m, fee: 0.35m));
        portfolio.ApplyFill(Fill(_p.No, Side.Buy, 0.49m, 40m, fee: 0.28m));

        var holding = portfolio.HoldingOf(7);
        // 40 sets: 40 − 40 × 0.96 − (0.35 × 40/50 + 0.28); the 10 extra YES keep their own share of fees.
        Assert.Equal((40m, 38.4m, 1.04m), (holding.SetsHeld, holding.Cost, holding.LockedProfit));
        Assert.Equal(holding, Assert.Single(portfolio.Snapshot().Pairs));
        Assert.Equal(2, portfolio.OpenPositionCount);
    }

    [Fact]
    public void Complete_sets_count_at_their_settlement_value_in_equity_while_unrealized_pnl_stays_marked_to_mid()
    {
        var portfolio = New();
        portfolio.TrackSet(7, [_k.Yes, _p.No]);
        Book(_k.Yes, 0.44m, 0.47m);
        Book(_p.No, 0.46m, 0.49m);
        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.47m, 50m, fee: 0.35m));
        portfolio.ApplyFill(Fill(_p.No, Side.Buy, 0.49m, 40m, fee: 0.28m));
        portfolio.RecomputeUnrealized();

        // Marked to mid, buying at the asks shows a loss: 50 × (0.455 − 0.47) + 40 × (0.475 − 0.49).
        Assert.Equal(-1.35m, portfolio.UnrealizedPnl);
        // Equity: cash (start − 23.50 − 19.60 − fees 0.63) + 40 sets × $1 + the 10 unmatched YES at their 0.455 mid.
        Assert.Equal(portfolio.StartingEquity - 23.5m - 19.6m - 0.63m + 40m + 10m * 0.455m, portfolio.Equity);
        // So today's PnL shows what the sets lock in (less the unmatched leg's mark), not a spread-sized loss.
        Assert.Equal(portfolio.Equity - portfolio.StartingEquity, portfolio.DailyPnl);
        Assert.True(portfolio.DailyPnl > 0m);
        Assert.Equal(40m, portfolio.CompleteSets);
    }

    [Fact]
    public void A_market_registered_after_equity_was_first_computed_counts_in_equity_and_in_sets()
    {
        var portfolio = New();
        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.40m, 10m));
        Assert.Equal(portfolio.StartingEquity - 4m + 10m * 0.40m, portfolio.Equity);

        // Discovery adds markets while the desk runs: their instruments lie beyond every id seen so far.
        var late = _registry.AddMarket(ExecutorHarness.NewMarket(VenueId.Polymarket, "0xlate"), "late-yes", "late-no");
        portfolio.TrackSet(9, [_k.Yes, late.No]);
        portfolio.ApplyFill(Fill(late.No, Side.Buy, 0.55m, 6m));

        // 6 complete sets at $1, the 4 unmatched YES at their cost (no book): cash 1,500 − 4 − 3.30.
        Assert.Equal(portfolio.StartingEquity - 4m - 3.3m + 6m + 4m * 0.40m, portfolio.Equity);
        Assert.Equal(6m, portfolio.HoldingOf(9).SetsHeld);
    }

    [Fact]
    public void A_contract_in_both_a_pair_set_and_an_event_set_counts_once_pair_sets_first()
    {
        var portfolio = New();
        var other = _registry.AddMarket(ExecutorHarness.NewMarket(VenueId.Polymarket, "0xother"), "other-yes", "other-no");
        portfolio.TrackSet(7, [_k.Yes, _p.No]);
        portfolio.TrackEventSet("EVENT", [_p.No, other.No], 1m);
        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.40m, 5m));
        portfolio.ApplyFill(Fill(_p.No, Side.Buy, 0.50m, 8m));
        portfolio.ApplyFill(Fill(other.No, Side.Buy, 0.30m, 10m));

        // The pair takes 5 of the 8 NO; the event set gets the other 3; 7 of other.No stay free at cost.
        var cash = portfolio.StartingEquity - 2m - 4m - 3m;
        Assert.Equal(cash + 5m + 3m * 1m + 7m * 0.30m, portfolio.Equity);

        // A short leg makes no set: selling all of k.Yes frees the pair's NO for the event set.
        portfolio.ApplyFill(Fill(_k.Yes, Side.Sell, 0.45m, 5m));
        Assert.Equal(cash + 2.25m + 8m * 1m + 2m * 0.30m, portfolio.Equity);
    }

    [Fact]
    public void Unrealized_pnl_is_marked_to_the_books_mid_on_demand()
    {
        var portfolio = New();
        Book(_k.Yes, bid: 0.38m, ask: 0.42m);
        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.40m, 10m));
        Assert.Equal(0m, portfolio.UnrealizedPnl);

        Book(_k.Yes, bid: 0.50m, ask: 0.54m);
        Assert.Equal(0m, portfolio.UnrealizedPnl);
        Assert.Equal(1.2m, portfolio.RecomputeUnrealized());

        var position = Assert.Single(portfolio.Snapshot().Positions);
        Assert.Equal((0.52m, 1.2m), (position.Mark, position.UnrealizedPnl));
        Assert.Equal(1_500m + 1.2m, portfolio.Equity);
    }

    [Fact]
    public void A_book_with_an_empty_side_keeps_the_last_mark()
    {
        var portfolio = New();
        Book(_k.Yes, bid: 0.48m, ask: 0.52m);
        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.40m, 10m));
        _hub.Apply(BookEvent.Snapshot(_k.Yes, [], [new BookLevel(Price.FromDecimal(0.60m), 5m)]));

        Assert.Equal(1m, portfolio.RecomputeUnrealized());
    }

    [Fact]
    public void Drawdown_is_measured_from_the_peak_equity()
    {
        var portfolio = New();
        Book(_k.Yes, bid: 0.40m, ask: 0.40m);
        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.40m, 100m));
        Book(_k.Yes, bid: 0.50m, ask: 0.50m);
        portfolio.RecomputeUnrealized();
        Book(_k.Yes, bid: 0.44m, ask: 0.46m);
        portfolio.RecomputeUnrealized();

        Assert.Equal(1_510m, portfolio.PeakEquity);
        Assert.Equal(1_505m, portfolio.Equity);
        Assert.Equal(5m, portfolio.Drawdown);

        Book(_k.Yes, bid: 0.60m, ask: 0.60m);
        portfolio.RecomputeUnrealized();
        Assert.Equal(0m, portfolio.Drawdown);
    }

    [Fact]
    public void Daily_pnl_resets_at_midnight_in_the_configured_zone_not_at_utc_midnight()
    {
        // 12:00 UTC is 07:00 in New York (EST, UTC−5, in late November).
        var portfolio = New(TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        Book(_k.Yes, bid: 0.40m, ask: 0.40m);
        portfolio.ApplyFill(Fill(_k.Yes, Side.Buy, 0.40m, 100m, fee: 1m));
        Book(_k.Yes, bid: 0.45m, ask: 0.45m);
        portfolio.RecomputeUnrealized();
        Assert.Equal(4m, portfolio.DailyPnl);

        // 00:30 UTC is 19:30 in New York: the same trading day.
        _time.Advance(TimeSpan.FromHours(12.5));
        Assert.Equal(4m, portfolio.DailyPnl);

        // 05:01 UTC is 00:01 in New York: a new day starts from the equity at midnight.
        _time.Advance(TimeSpan.FromHours(4.5) + TimeSpan.FromMinutes(1));
        Assert.Equal(0m, portfolio.DailyPnl);
        Book(_k.Yes, bid: 0.43m, ask: 0.43m);
        portfolio.RecomputeUnrealized();
        Assert.Equal(-2m, portfolio.DailyPnl);
        Assert.Equal(2m, portfolio.Equity - portfolio.StartingEquity);
    }

    [Fact]
    public void Fills_reach_the_portfolio_through_the_hub_listener()
    {
        var portfolio = New();
        var listener = new HubExecutionListener(_hub);
        listener.Attach(portfolio);

        listener.OnFill(Fill(_p.No, Side.Buy, 0.49m, 20m));
        Assert.Equal(0m, portfolio.QuantityOf(_p.No));
        _hub.DrainPending();

        Assert.Equal(20m, portfolio.QuantityOf(_p.No));
        Assert.Equal(500m - 9.8m, portfolio.AvailableBalance(VenueId.Polymarket));
    }

    [Fact]
    public void Options_refuse_an_unknown_time_zone_and_a_negative_balance()
    {
        var options = new PortfolioOptions { TimeZone = "Mars/Olympus_Mons", StartingBalances = new() { [VenueId.Kalshi] = -1m } };

        var error = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() => new DeskPortfolio(_hub, options));

        Assert.Contains("starting balance", error.Message);
        var fine = new DeskPortfolio(_hub, new PortfolioOptions { TimeZone = "Europe/Berlin" });
        Assert.Equal(20_000m, fine.StartingEquity);
    }

    private void Book(InstrumentId instrument, decimal bid, decimal ask) =>
        _hub.Apply(BookEvent.Snapshot(instrument, [new BookLevel(Price.FromDecimal(bid), 100m)], [new BookLevel(Price.FromDecimal(ask), 100m)]));

    private Fill Fill(InstrumentId instrument, Side side, decimal price, decimal quantity, decimal fee = 0m)
    {
        var venue = _registry[instrument].Venue;
        _fillId++;
        return new Fill($"f{_fillId}", $"o{_fillId}", null, venue, instrument, side, Price.FromDecimal(price), quantity, fee, Liquidity.Taker, _time.GetUtcNow());
    }
}
