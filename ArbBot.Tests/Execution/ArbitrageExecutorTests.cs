using System.ComponentModel.DataAnnotations;
using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Venues;

namespace ArbBot.Tests.Execution;

public sealed class ArbitrageExecutorTests
{
    private readonly ExecutorHarness _h = new();

    private static Price P(decimal value) => Price.FromDecimal(value);

    [Fact]
    public void Both_legs_filling_lock_the_sets_and_report_them_in_a_sentence()
    {
        _h.Execute(_h.Opportunity());

        // The second leg waits for the first leg's answer.
        Assert.Single(_h.Kalshi.Placed);
        Assert.Empty(_h.Polymarket.Placed);
        _h.Pump();

        var first = Assert.Single(_h.Kalshi.Placed);
        Assert.Equal(("o1-l0-a1", Side.Buy, P(0.47m), 40m, TimeInForce.Ioc), (first.ClientOrderId, first.Side, first.LimitPrice, first.Quantity, first.TimeInForce));
        var second = Assert.Single(_h.Polymarket.Placed);
        // Worst price plus the 0.02 slippage tolerance, for exactly what the first leg filled.
        Assert.Equal(("o1-l1-a1", Side.Buy, P(0.51m), 40m, TimeInForce.Ioc), (second.ClientOrderId, second.Side, second.LimitPrice, second.Quantity, second.TimeInForce));

        var outcome = _h.Outcome;
        Assert.Equal(ExecutionOutcomeKind.Hedged, outcome.Kind);
        Assert.Equal((40m, 40m, 0m), (outcome.PlannedQuantity, outcome.HedgedQuantity, outcome.ResidualQuantity));
        Assert.Equal((38.4m, 0.56m, 1.04m), (outcome.NetCashOut, outcome.Fees, outcome.LockedProfit));
        Assert.Equal("Bought 40 YES on Kalshi at 0.47 and 40 NO on Polymarket at 0.49; locked $1.04 after $0.56 fees.", outcome.Summary);
        Assert.False(_h.Executor.HasOrderInFlight(ExecutorHarness.PairId));
        Assert.False(_h.Executor.IsExecuting(ExecutorHarness.PairId));
        Assert.Empty(_h.Journal.Exposures);
        Assert.All(_h.Journal.Fills, f => Assert.Equal((1L, ExecutorHarness.PairId), (f.OpportunityId!.Value, f.PairId!.Value)));
    }

    [Fact]
    public void The_thinner_leg_goes_first_whatever_its_position_in_the_opportunity()
    {
        _h.Book(_h.PolymarketNo, bids: [(0.47m, 100m)], asks: [(0.49m, 45m)]);
        _h.Book(_h.KalshiYes, bids: [(0.45m, 100m)], asks: [(0.47m, 400m)]);

        _h.Execute(_h.Opportunity());

        Assert.Equal("o1-l1-a1", Assert.Single(_h.Polymarket.Placed).ClientOrderId);
        Assert.Empty(_h.Kalshi.Placed);
    }

    [Theory]
    [InlineData(100, 300, VenueId.Polymarket)]
    [InlineData(400, 300, VenueId.Kalshi)]
    public void Equally_thin_legs_send_the_slower_venue_first(int kalshiMs, int polymarketMs, VenueId expectedFirst)
    {
        var h = new ExecutorHarness(new ArbitrageExecutorOptions
        {
            ExpectedLatency = new() { [VenueId.Kalshi] = TimeSpan.FromMilliseconds(kalshiMs), [VenueId.Polymarket] = TimeSpan.FromMilliseconds(polymarketMs) },
        });
        h.Book(h.KalshiYes, bids: [], asks: [(0.47m, 60m)]);
        h.Book(h.PolymarketNo, bids: [], asks: [(0.49m, 60m)]);

        h.Execute(h.Opportunity());

        var first = expectedFirst == VenueId.Kalshi ? h.Kalshi : h.Polymarket;
        var other = expectedFirst == VenueId.Kalshi ? h.Polymarket : h.Kalshi;
        Assert.Single(first.Placed);
        Assert.Empty(other.Placed);
    }

    [Fact]
    public void A_short_second_leg_is_retried_within_the_maximum_hedge_loss_and_completes_the_sets()
    {
        _h.Polymarket.Then(GatewayScript.Partial(25m, 0.49m)).Then(GatewayScript.FillAll(0.52m));

        _h.Execute(_h.Opportunity());
        _h.Pump();

        Assert.Equal(2, _h.Polymarket.Placed.Count);
        var retry = _h.Polymarket.Placed[1];
        // 1 + 0.03 hedge loss − 0.47 paid on Kalshi − 0.014 fees per set = 0.546, floored to the cent grid.
        Assert.Equal(("o1-l1-a2", Side.Buy, P(0.54m), 15m), (retry.ClientOrderId, retry.Side, retry.LimitPrice, retry.Quantity));
        Assert.Equal(OrderRole.Hedge, _h.Journal.TransitionsOf("o1-l1-a2")[0].Role);

        var outcome = _h.Outcome;
        Assert.Equal(ExecutionOutcomeKind.HedgedBeyondSlippage, outcome.Kind);
        Assert.Equal((40m, 0m), (outcome.HedgedQuantity, outcome.ResidualQuantity));
        // 40 sets pay 40; cost 18.8 + 25 × 0.49 + 15 × 0.52 = 38.85; fees 0.56.
        Assert.Equal(0.59m, outcome.LockedProfit);
        Assert.Contains("took a hedge retry beyond the slippage tolerance", outcome.Summary);
        Assert.Empty(_h.Kalshi.Placed.Skip(1));
    }

    [Fact]
    public void When_no_hedge_price_keeps_the_loss_within_limit_the_excess_of_the_first_leg_is_sold_back()
    {
        _h.Polymarket.Then(GatewayScript.Partial(25m, 0.49m));
        _h.Kalshi.Then(GatewayScript.FillAll(0.47m)).Then(GatewayScript.FillAll(0.45m));

        _h.Execute(_h.Opportunity());
        // Polymarket's ask runs away: nothing at or below the 0.54 the maximum hedge loss allows.
        _h.Book(_h.PolymarketNo, bids: [(0.47m, 100m)], asks: [(0.60m, 500m)]);
        _h.Pump();

        Assert.Single(_h.Polymarket.Placed);
        var unwind = _h.Kalshi.Placed[1];
        Assert.Equal(("o1-l0-a2", Side.Sell, P(0.45m), 15m, TimeInForce.Ioc), (unwind.ClientOrderId, unwind.Side, unwind.LimitPrice, unwind.Quantity, unwind.TimeInForce));
        Assert.Equal(OrderRole.Unwind, _h.Journal.TransitionsOf("o1-l0-a2")[0].Role);

        var outcome = _h.Outcome;
        Assert.Equal(ExecutionOutcomeKind.Unwound, outcome.Kind);
        Assert.Equal((25m, 0m), (outcome.HedgedQuantity, outcome.ResidualQuantity));
        Assert.Equal("Polymarket filled 25 of 40; sold back 15 YES on Kalshi at 0.45 (\u2212$0.30); 25 sets locked.", outcome.Summary);
        Assert.True(outcome.IsFailure);
        Assert.Empty(_h.Journal.Exposures);
    }

    [Fact]
    public void A_refused_unwind_is_retried_after_the_retry_interval_a_bounded_number_of_times_never_in_a_tight_loop()
    {
        _h.Polymarket.Then(GatewayScript.Partial(25m, 0.49m));
        _h.Kalshi.Then(GatewayScript.FillAll(0.47m));
        _h.Kalshi.DefaultScript = GatewayScript.Reject("venue busy");

        _h.Execute(_h.Opportunity());
        _h.Book(_h.PolymarketNo, bids: [(0.47m, 100m)], asks: [(0.60m, 500m)]);
        _h.Pump();

        // The first unwind went at once and was refused; the next waits for the retry interval.
        Assert.Equal(2, _h.Kalshi.Placed.Count);
        _h.Time.Advance(_h.Options.RetryInterval - TimeSpan.FromMilliseconds(1));
        _h.Pump();
        Assert.Equal(2, _h.Kalshi.Placed.Count);
        _h.Time.Advance(TimeSpan.FromMilliseconds(1));
        _h.Pump();
        Assert.Equal(3, _h.Kalshi.Placed.Count);

        // Then no more: the unwind rounds are bounded, and the residual is reported.
        _h.Time.Advance(TimeSpan.FromSeconds(10));
        _h.Pump();
        Assert.Equal(1 + _h.Options.MaxHedgeAttempts, _h.Kalshi.Placed.Count);
        Assert.Equal(ExecutionOutcomeKind.Residual, _h.Outcome.Kind);
        Assert.Equal(15m, _h.Outcome.ResidualQuantity);
    }

    [Fact]
    public void An_excess_below_the_venues_minimum_order_is_reported_as_residual_without_sending_an_order()
    {
        // Polymarket fills a fraction of a share; Kalshi trades whole contracts, so 0.4 can be neither matched nor sold.
        _h.Kalshi.Then(GatewayScript.Partial(0m));
        _h.Polymarket.DefaultScript = GatewayScript.Partial(0.4m, 0.49m);
        _h.Book(_h.KalshiYes, bids: [(0.45m, 100m)], asks: [(0.47m, 500m)]);
        _h.Book(_h.PolymarketNo, bids: [(0.47m, 100m)], asks: [(0.49m, 1m)]);

        _h.Execute(_h.Opportunity());
        _h.Pump();
        _h.Time.Advance(TimeSpan.FromSeconds(10));
        _h.Pump();

        Assert.Equal(ExecutionOutcomeKind.Residual, _h.Outcome.Kind);
        Assert.Equal(0.4m, _h.Outcome.ResidualQuantity);
        Assert.All(_h.Polymarket.Placed.Skip(1), o => Assert.NotEqual(Side.Sell, o.Side));
    }

    [Fact]
    public void Unwinding_walks_down_the_bids_for_the_whole_excess()
    {
        _h.Book(_h.KalshiYes, bids: [(0.45m, 5m), (0.44m, 5m), (0.40m, 100m)], asks: [(0.47m, 50m)]);
        _h.Polymarket.Then(GatewayScript.Partial(28m, 0.49m));

        _h.Execute(_h.Opportunity());
        _h.Book(_h.PolymarketNo, bids: [], asks: []);
        _h.Pump();

        var unwind = _h.Kalshi.Placed[1];
        Assert.Equal((Side.Sell, 12m, P(0.40m)), (unwind.Side, unwind.Quantity, unwind.LimitPrice));
    }

    [Fact]
    public void When_nothing_can_be_sold_back_before_the_timeout_the_residual_stays_and_is_reported_loudly()
    {
        _h.Book(_h.KalshiYes, bids: [], asks: [(0.47m, 50m)]);
        _h.Polymarket.Then(GatewayScript.Partial(25m, 0.49m));

        _h.Execute(_h.Opportunity());
        _h.Book(_h.PolymarketNo, bids: [], asks: [(0.60m, 500m)]);
        _h.Pump();

        // Waiting for a bid: still executing, but no order is out.
        Assert.True(_h.Executor.IsExecuting(ExecutorHarness.PairId));
        Assert.False(_h.Executor.HasOrderInFlight(ExecutorHarness.PairId));
        Assert.Empty(_h.Journal.Outcomes);
        _h.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Empty(_h.Journal.Outcomes);
        _h.Advance(TimeSpan.FromSeconds(0.2));

        var outcome = _h.Outcome;
        Assert.Equal(ExecutionOutcomeKind.Residual, outcome.Kind);
        Assert.Equal((25m, 15m), (outcome.HedgedQuantity, outcome.ResidualQuantity));
        Assert.Equal("Polymarket filled 25 of 40; 15 YES on Kalshi left unhedged; 25 sets locked.", outcome.Summary);
        var exposure = Assert.Single(_h.Journal.Exposures);
        Assert.Equal((ExecutorHarness.PairId, _h.KalshiYes, 15m), (exposure.PairId!.Value, exposure.Instrument, exposure.Quantity));
        Assert.Equal(15m, _h.Executor.UnhedgedExposure(ExecutorHarness.PairId));
        Assert.Single(_h.Kalshi.Placed);
    }

    [Fact]
    public void A_bid_that_appears_before_the_timeout_is_used_to_unwind()
    {
        _h.Book(_h.KalshiYes, bids: [], asks: [(0.47m, 50m)]);
        _h.Polymarket.Then(GatewayScript.Partial(25m, 0.49m));
        _h.Execute(_h.Opportunity());
        _h.Book(_h.PolymarketNo, bids: [], asks: [(0.60m, 500m)]);
        _h.Pump();

        _h.Book(_h.KalshiYes, bids: [(0.44m, 100m)], asks: [(0.47m, 50m)]);
        _h.Advance(TimeSpan.FromMilliseconds(300));

        Assert.Equal((Side.Sell, 15m, P(0.44m)), (_h.Kalshi.Placed[1].Side, _h.Kalshi.Placed[1].Quantity, _h.Kalshi.Placed[1].LimitPrice));
        Assert.Equal(ExecutionOutcomeKind.Unwound, _h.Outcome.Kind);
    }

    [Fact]
    public void A_first_leg_that_misses_buys_nothing_and_sends_no_second_leg()
    {
        _h.Kalshi.Then(GatewayScript.Partial(0m));

        _h.Execute(_h.Opportunity());
        _h.Pump();

        Assert.Empty(_h.Polymarket.Placed);
        var outcome = _h.Outcome;
        Assert.Equal(ExecutionOutcomeKind.NotFilled, outcome.Kind);
        Assert.Equal((0m, 0m, 0m), (outcome.HedgedQuantity, outcome.NetCashOut, outcome.LockedProfit));
        Assert.Equal("First leg missed: the Kalshi ask moved before the order arrived; nothing bought.", outcome.Summary);
        Assert.False(outcome.IsFailure);
    }

    [Fact]
    public void A_partially_filled_first_leg_sizes_the_second_leg_to_what_it_got()
    {
        _h.Kalshi.Then(GatewayScript.Partial(22m, 0.47m));

        _h.Execute(_h.Opportunity());
        _h.Pump();

        Assert.Equal(22m, Assert.Single(_h.Polymarket.Placed).Quantity);
        Assert.Equal((ExecutionOutcomeKind.Hedged, 22m), (_h.Outcome.Kind, _h.Outcome.HedgedQuantity));
    }

    [Fact]
    public void A_rejected_second_leg_is_retried_and_then_unwound_when_rejections_continue()
    {
        _h.Polymarket.Then(GatewayScript.Reject("insufficient balance")).Then(GatewayScript.Reject("insufficient balance"))
            .Then(GatewayScript.Reject("insufficient balance"));
        _h.Kalshi.Then(GatewayScript.FillAll(0.47m)).Then(GatewayScript.FillAll(0.45m));

        _h.Execute(_h.Opportunity());
        _h.Pump();

        // The later leg, then two hedge retries (the configured maximum), then the unwind.
        Assert.Equal(["o1-l1-a1", "o1-l1-a2", "o1-l1-a3"], _h.Polymarket.Placed.Select(r => r.ClientOrderId));
        var second = _h.Journal.TransitionsOf("o1-l1-a1");
        Assert.Equal((OrderStatus.New, OrderStatus.Rejected, "insufficient balance"), (second[0].From, second[0].To, second[0].Reason));
        Assert.Equal((Side.Sell, 40m), (_h.Kalshi.Placed[1].Side, _h.Kalshi.Placed[1].Quantity));
        var outcome = _h.Outcome;
        Assert.Equal((ExecutionOutcomeKind.Unwound, 0m), (outcome.Kind, outcome.HedgedQuantity));
        Assert.Equal("Polymarket filled 0 of 40; sold back 40 YES on Kalshi at 0.45 (\u2212$0.80); no sets locked.", outcome.Summary);
        _h.AssertLegalChains();
    }

    [Fact]
    public void A_first_leg_that_never_answers_is_cancelled_at_the_timeout_and_expired_after_the_grace()
    {
        _h.Kalshi.Then(GatewayScript.Silent());

        _h.Execute(_h.Opportunity());
        _h.Pump();
        Assert.True(_h.Executor.HasOrderInFlight(ExecutorHarness.PairId));

        _h.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(["o1-l0-a1"], _h.Kalshi.CancelRequests);
        Assert.True(_h.Executor.HasOrderInFlight(ExecutorHarness.PairId));
        Assert.Empty(_h.Journal.Outcomes);

        _h.Advance(TimeSpan.FromSeconds(2));
        var expiry = Assert.Single(_h.Journal.TransitionsOf("o1-l0-a1"));
        Assert.Equal((OrderStatus.New, OrderStatus.Expired), (expiry.From, expiry.To));
        Assert.False(_h.Executor.HasOrderInFlight(ExecutorHarness.PairId));
        Assert.Empty(_h.Polymarket.Placed);
        Assert.Equal(ExecutionOutcomeKind.NotFilled, _h.Outcome.Kind);
        Assert.Equal("First leg got no answer from Kalshi in time; cancelled it and assumed nothing bought.", _h.Outcome.Summary);
    }

    [Fact]
    public void A_silent_second_leg_expires_and_the_execution_goes_on_to_hedge_conservatively()
    {
        _h.Polymarket.Then(GatewayScript.Silent()).Then(GatewayScript.FillAll(0.50m));

        _h.Execute(_h.Opportunity());
        _h.Pump();
        Assert.Single(_h.Polymarket.Placed);

        _h.Advance(TimeSpan.FromSeconds(7));

        Assert.Equal(["o1-l1-a1"], _h.Polymarket.CancelRequests);
        // Assumed unfilled, so all 40 are bought again as a hedge.
        Assert.Equal(40m, _h.Polymarket.Placed[1].Quantity);
        Assert.Equal((ExecutionOutcomeKind.HedgedBeyondSlippage, 40m), (_h.Outcome.Kind, _h.Outcome.HedgedQuantity));
    }

    [Fact]
    public void A_gateway_that_throws_leaves_the_order_unknown_until_it_expires_and_cancels_it_at_once()
    {
        _h.Kalshi.Then(GatewayScript.Disconnected());

        _h.Execute(_h.Opportunity());
        _h.Pump();

        Assert.Equal(["o1-l0-a1"], _h.Kalshi.CancelRequests);
        Assert.True(_h.Executor.HasOrderInFlight(ExecutorHarness.PairId));
        _h.Advance(TimeSpan.FromSeconds(7));

        var expiry = Assert.Single(_h.Journal.TransitionsOf("o1-l0-a1"));
        Assert.Equal(OrderStatus.Expired, expiry.To);
        Assert.Contains("sending failed (connection reset by peer)", expiry.Reason);
        Assert.Equal(ExecutionOutcomeKind.NotFilled, _h.Outcome.Kind);
        Assert.StartsWith("First leg could not be sent to Kalshi (connection reset by peer)", _h.Outcome.Summary);
        Assert.Empty(_h.Polymarket.Placed);
    }

    [Fact]
    public void A_fill_arriving_after_the_order_was_given_up_is_booked_and_reported_as_unhedged()
    {
        _h.Kalshi.Then(GatewayScript.FillLate(TimeSpan.FromSeconds(10)));

        _h.Execute(_h.Opportunity());
        _h.Pump();
        _h.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal(ExecutionOutcomeKind.NotFilled, _h.Outcome.Kind);
        Assert.Empty(_h.Journal.Exposures);

        _h.Advance(TimeSpan.FromSeconds(3));

        var late = Assert.Single(_h.Journal.Fills);
        Assert.Equal("o1-l0-a1", late.Fill.ClientOrderId);
        var exposure = Assert.Single(_h.Journal.Exposures);
        Assert.Equal((_h.KalshiYes, 40m), (exposure.Instrument, exposure.Quantity));
        Assert.Contains("late fill", exposure.Detail);
        Assert.Equal(40m, _h.Executor.UnhedgedExposure(ExecutorHarness.PairId));
    }

    [Fact]
    public void A_late_fill_resent_after_the_execution_ended_is_journaled_and_reported_once()
    {
        _h.Kalshi.Then(GatewayScript.FillLate(TimeSpan.FromSeconds(10)));
        _h.Execute(_h.Opportunity());
        _h.Pump();
        _h.Advance(TimeSpan.FromSeconds(10));
        var late = Assert.Single(_h.Journal.Fills);

        _h.Listener.OnFill(late.Fill);
        _h.Listener.OnOrderUpdate(new OrderUpdate("o1-l0-a1", "v1", VenueId.Kalshi, _h.KalshiYes, OrderStatus.Filled, 40m, 0m, null, _h.Time.GetUtcNow()));
        _h.Pump();

        Assert.Single(_h.Journal.Fills);
        Assert.Equal((1L, (long?)ExecutorHarness.PairId), (late.OpportunityId, late.PairId));
        var exposure = Assert.Single(_h.Journal.Exposures);
        Assert.Equal(40m, exposure.Quantity);
        Assert.Contains("BUY 40 YES on Kalshi for order o1-l0-a1 after the execution of opportunity 1 had ended", exposure.Detail);
    }

    [Fact]
    public void A_finished_executions_orders_are_recognised_until_the_retention_window_ends_and_forgotten_after()
    {
        var h = new ExecutorHarness(new ArbitrageExecutorOptions { ExpiryGrace = TimeSpan.FromSeconds(2), RetainCompletedFor = TimeSpan.FromMinutes(1) });
        h.Kalshi.Then(GatewayScript.Silent());
        h.Execute(h.Opportunity(id: 1));
        h.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal(ExecutionOutcomeKind.NotFilled, Assert.Single(h.Journal.Outcomes).Kind);

        // Within the window a count for the given-up order is still recognised.
        h.Advance(TimeSpan.FromSeconds(50));
        h.Listener.OnOrderUpdate(new OrderUpdate("o1-l0-a1", "v1", VenueId.Kalshi, h.KalshiYes, OrderStatus.PartiallyFilled, 5m, 35m, null, h.Time.GetUtcNow()));
        h.Pump();
        Assert.Equal(5m, Assert.Single(h.Journal.Exposures).Quantity);

        // Past it (the next execution prunes), the order is forgotten: its fill is not ours any more.
        h.Advance(TimeSpan.FromSeconds(11));
        h.Kalshi.Then(GatewayScript.Silent());
        h.Execute(h.Opportunity(id: 2));
        h.Listener.OnFill(new Fill("late", "o1-l0-a1", "v1", VenueId.Kalshi, h.KalshiYes, Side.Buy, Price.FromDecimal(0.47m), 5m, 0m, Liquidity.Taker, h.Time.GetUtcNow()));
        h.Pump();
        Assert.Empty(h.Journal.Fills);
        Assert.Single(h.Journal.Exposures);
    }

    [Fact]
    public void Past_the_cap_the_oldest_finished_orders_are_forgotten_and_a_late_fill_of_one_is_still_journaled_and_reported_once()
    {
        var h = new ExecutorHarness(new ArbitrageExecutorOptions { ExpiryGrace = TimeSpan.FromSeconds(2), MaxFinishedOrders = 100 });
        for (var id = 1; id <= 60; id++)
        {
            h.Execute(h.Opportunity(id: id));
            h.Pump();
            Assert.True(h.Executor.FinishedOrdersRemembered <= 100, $"{h.Executor.FinishedOrdersRemembered} finished orders remembered after {id} executions");
        }
        Assert.Equal(60, h.Journal.Outcomes.Count);
        // 120 orders finished (two per execution), 100 remembered: the first ten executions forgotten, whole.
        Assert.Equal(100, h.Executor.FinishedOrdersRemembered);
        Assert.Equal(20, h.Executor.FinishedOrdersForgottenAtCap);
        Assert.Empty(h.Journal.Exposures);
        var fillsBefore = h.Journal.Fills.Count;

        // A late fill of a forgotten order (and its resend): journaled once and reported whole, not dropped.
        var late = new Fill("late-1", "o1-l0-a1", "v1", VenueId.Kalshi, h.KalshiYes, Side.Buy, Price.FromDecimal(0.47m), 5m, 0m, Liquidity.Taker, h.Time.GetUtcNow());
        h.Listener.OnFill(late);
        h.Listener.OnFill(late);
        // Another desk part's order of the same opportunity number (the spike hunter's form) is not this executor's.
        h.Listener.OnFill(late with { FillId = "spike-1", ClientOrderId = "o2-e1" });
        h.Pump();

        Assert.Equal(fillsBefore + 1, h.Journal.Fills.Count);
        Assert.Equal(("late-1", 1L, (long?)null), (h.Journal.Fills[^1].Fill.FillId, h.Journal.Fills[^1].OpportunityId, h.Journal.Fills[^1].PairId));
        var exposure = Assert.Single(h.Journal.Exposures);
        Assert.Equal((h.KalshiYes, 5m), (exposure.Instrument, exposure.Quantity));
        Assert.Contains("late fill: BUY 5 YES on Kalshi for order o1-l0-a1 of opportunity 1, which was no longer remembered", exposure.Detail);

        // A remembered order's late fill is still booked against its own execution and pair.
        h.Listener.OnFill(late with { FillId = "late-2", ClientOrderId = "o60-l0-a1" });
        h.Pump();
        Assert.Equal((60L, (long?)ExecutorHarness.PairId), (h.Journal.Fills[^1].OpportunityId, h.Journal.Fills[^1].PairId));
        Assert.Equal(2, h.Journal.Exposures.Count);
        Assert.Contains("after the execution of opportunity 60 had ended", h.Journal.Exposures[^1].Detail);

        // Once the forgotten orders' own window would have ended, they are not ours any more, as without the cap.
        h.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        h.Listener.OnFill(late with { FillId = "late-3", ClientOrderId = "o2-l0-a1" });
        h.Pump();
        Assert.Equal(2, h.Journal.Exposures.Count);
    }

    [Fact]
    public void Orders_finishing_under_the_cap_are_all_remembered_for_their_window()
    {
        var h = new ExecutorHarness(new ArbitrageExecutorOptions { ExpiryGrace = TimeSpan.FromSeconds(2), MaxFinishedOrders = 100 });
        for (var id = 1; id <= 50; id++)
        {
            h.Execute(h.Opportunity(id: id));
            h.Pump();
        }

        Assert.Equal(100, h.Executor.FinishedOrdersRemembered);
        Assert.Equal(0, h.Executor.FinishedOrdersForgottenAtCap);
        // The first execution's order is still recognised: its late fill carries its pair.
        h.Listener.OnFill(new Fill("late", "o1-l1-a1", "v2", VenueId.Polymarket, h.PolymarketNo, Side.Buy, Price.FromDecimal(0.49m), 3m, 0m, Liquidity.Taker, h.Time.GetUtcNow()));
        h.Pump();
        var exposure = Assert.Single(h.Journal.Exposures);
        Assert.Equal(((long?)ExecutorHarness.PairId, 3m), (exposure.PairId, exposure.Quantity));
    }

    [Theory]
    [InlineData(99)]
    [InlineData(10_000_001)]
    public void A_cap_on_finished_orders_out_of_range_is_refused(int cap)
    {
        var error = Assert.Throws<ValidationException>(() => new ExecutorHarness(new ArbitrageExecutorOptions { MaxFinishedOrders = cap }));
        Assert.Contains("MaxFinishedOrders", error.Message);
    }

    [Fact]
    public void A_venue_counting_a_fill_after_expiry_without_its_details_is_still_reported_once()
    {
        _h.Kalshi.Then(GatewayScript.Silent());
        _h.Execute(_h.Opportunity());
        _h.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal(ExecutionOutcomeKind.NotFilled, _h.Outcome.Kind);

        var late = new OrderUpdate("o1-l0-a1", "v1", VenueId.Kalshi, _h.KalshiYes, OrderStatus.Filled, 12m, 0m, null, _h.Time.GetUtcNow());
        _h.Listener.OnOrderUpdate(late);
        _h.Listener.OnOrderUpdate(late);
        _h.Pump();

        var exposure = Assert.Single(_h.Journal.Exposures);
        Assert.Equal((_h.KalshiYes, 12m), (exposure.Instrument, exposure.Quantity));
    }

    [Fact]
    public void While_an_order_of_a_pair_is_in_flight_no_other_execution_of_that_pair_starts()
    {
        _h.Kalshi.Then(GatewayScript.Silent());
        _h.Execute(_h.Opportunity(id: 1));

        Assert.True(_h.Executor.HasOrderInFlight(ExecutorHarness.PairId));
        Assert.False(_h.Executor.TryExecute(_h.Opportunity(id: 2), 40m, out var refusal));
        Assert.Contains("still executing opportunity 1", refusal);
        Assert.Single(_h.Kalshi.Placed);

        // Another pair is not held up.
        Assert.True(_h.Executor.TryExecute(_h.Opportunity(id: 3, pairId: 8), 40m, out _));
        Assert.Equal(2, _h.Kalshi.Placed.Count);

        _h.Advance(TimeSpan.FromSeconds(7));
        Assert.False(_h.Executor.HasOrderInFlight(ExecutorHarness.PairId));
        Assert.True(_h.Executor.TryExecute(_h.Opportunity(id: 4), 40m, out _));
    }

    [Fact]
    public void Client_order_ids_derive_from_opportunity_leg_and_attempt_and_an_opportunity_runs_once()
    {
        _h.Polymarket.Then(GatewayScript.Partial(30m, 0.49m));
        _h.Execute(_h.Opportunity(id: 42));
        _h.Pump();

        Assert.Equal(["o42-l0-a1"], _h.Kalshi.Placed.Select(r => r.ClientOrderId));
        Assert.Equal(["o42-l1-a1", "o42-l1-a2"], _h.Polymarket.Placed.Select(r => r.ClientOrderId));
        Assert.False(_h.Executor.TryExecute(_h.Opportunity(id: 42), 40m, out var refusal));
        Assert.Contains("executed already", refusal);
    }

    [Fact]
    public void A_fill_reported_twice_is_counted_once()
    {
        _h.Execute(_h.Opportunity());
        _h.Pump();
        var fill = _h.Journal.Fills[0].Fill;

        _h.Listener.OnFill(fill);
        _h.Pump();

        Assert.Equal(2, _h.Journal.Fills.Count);
        Assert.Equal((40m, 0m), (_h.Outcome.HedgedQuantity, _h.Outcome.ResidualQuantity));
        Assert.Empty(_h.Journal.Exposures);
    }

    [Fact]
    public void Every_order_transition_is_recorded_in_order_and_legal()
    {
        _h.Polymarket.Then(GatewayScript.Partial(25m, 0.49m)).Then(GatewayScript.FillAll(0.52m));

        _h.Execute(_h.Opportunity());
        _h.Pump();

        Assert.Equal([(OrderStatus.New, OrderStatus.Submitted), (OrderStatus.Submitted, OrderStatus.Filled)],
            _h.Journal.TransitionsOf("o1-l0-a1").Select(t => (t.From, t.To)));
        var partial = _h.Journal.TransitionsOf("o1-l1-a1");
        Assert.Equal([(OrderStatus.New, OrderStatus.Submitted, 0m), (OrderStatus.Submitted, OrderStatus.PartiallyFilled, 25m), (OrderStatus.PartiallyFilled, OrderStatus.Cancelled, 25m)],
            partial.Select(t => (t.From, t.To, t.FilledQuantity)));
        Assert.All(partial, t => Assert.Equal((OrderRole.SecondLeg, 1L, (long?)ExecutorHarness.PairId), (t.Role, t.OpportunityId!.Value, t.PairId)));
        Assert.Equal(OrderRole.FirstLeg, _h.Journal.TransitionsOf("o1-l0-a1")[0].Role);
        _h.AssertLegalChains();
    }

    [Fact]
    public void Executions_of_three_legs_match_every_leg_to_the_first()
    {
        var third = _h.Registry.AddMarket(ExecutorHarness.NewMarket(VenueId.Polymarket, "0xthird"), "t3-yes", "t3-no");
        _h.Book(third.Yes, bids: [], asks: [(0.03m, 500m), (0.04m, 500m)]);
        var two = _h.Opportunity();
        var leg = two.Legs[1] with { Instrument = third.Yes, WorstPrice = P(0.03m), AveragePrice = 0.03m };
        _h.Polymarket.Then(GatewayScript.FillAll(0.49m)).Then(GatewayScript.Partial(10m, 0.03m)).Then(GatewayScript.FillAll(0.04m));

        _h.Execute(two with { Legs = [two.Legs[0], two.Legs[1], leg] });
        _h.Pump();

        Assert.Equal(["o1-l1-a1", "o1-l2-a1", "o1-l2-a2"], _h.Polymarket.Placed.Select(r => r.ClientOrderId));
        // 1 + 0.03 − 0.47 − 0.49 − 0.021 fees per set = 0.049, floored to 0.04.
        Assert.Equal((Side.Buy, 30m, P(0.04m)), (_h.Polymarket.Placed[2].Side, _h.Polymarket.Placed[2].Quantity, _h.Polymarket.Placed[2].LimitPrice));
        Assert.Equal((ExecutionOutcomeKind.HedgedBeyondSlippage, 40m), (_h.Outcome.Kind, _h.Outcome.HedgedQuantity));
    }

    [Fact]
    public void Stats_count_attempts_and_each_kind_of_outcome()
    {
        var start = _h.Time.GetUtcNow();
        _h.Execute(_h.Opportunity(id: 1));
        _h.Pump();

        _h.Kalshi.Then(GatewayScript.Partial(0m));
        _h.Execute(_h.Opportunity(id: 2));
        _h.Pump();

        _h.Polymarket.Then(GatewayScript.Partial(25m, 0.49m));
        _h.Advance(TimeSpan.FromSeconds(1));
        _h.Execute(_h.Opportunity(id: 3));
        _h.Book(_h.PolymarketNo, bids: [], asks: [(0.60m, 500m)]);
        _h.Pump();

        _h.Kalshi.Then(GatewayScript.Silent());
        _h.Execute(_h.Opportunity(id: 4));

        var stats = _h.Executor.Stats;
        // Both made money: the unwound one kept 25 sets whose locked profit outweighs the small loss selling back the rest.
        Assert.Equal(new ExecutionStats(4, 2, 1, 0, 1, 0, 1, 1, TimeSpan.Zero, Profitable: 2), stats);
        Assert.Equal(1.0, stats.WinRate);
        Assert.Equal(1, _h.Executor.FailedExecutionsSince(start));
        Assert.Equal(0, _h.Executor.FailedExecutionsSince(start + TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void Detection_to_last_fill_is_measured_from_the_opportunity()
    {
        var opportunity = _h.Opportunity();
        _h.Time.Advance(TimeSpan.FromMilliseconds(120));
        _h.Polymarket.Then(GatewayScript.FillLate(TimeSpan.FromMilliseconds(80)));

        _h.Execute(opportunity);
        _h.Pump();
        _h.Advance(TimeSpan.FromMilliseconds(80));

        Assert.Equal(TimeSpan.FromMilliseconds(200), _h.Outcome.DetectionToLastFill);
        Assert.Equal(TimeSpan.FromMilliseconds(200), _h.Executor.Stats.AverageDetectionToLastFill);
    }
}
