using System.ComponentModel.DataAnnotations;
using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Execution;

public sealed class PaperOrderGatewayTests
{
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(50);

    private readonly ManualTimeProvider _time = new();
    private readonly InstrumentRegistry _registry = new();
    private readonly MarketDataHub _hub;
    private readonly RecordingExecutionListener _listener = new();
    private readonly Market _market;
    private readonly PaperOrderGateway _gateway;

    public PaperOrderGatewayTests()
    {
        _hub = new MarketDataHub(_registry, _time);
        _market = _registry.AddMarket(
            NewMarket(VenueId.Kalshi, "KXFED-26DEC-T4.00", TickSize.Cent, minOrderSize: 1m, new FeeParameters(0.01m, 0.002m, 1)),
            "KXFED-26DEC-T4.00:yes", "KXFED-26DEC-T4.00:no");
        _gateway = new PaperOrderGateway(VenueId.Kalshi, _hub, _registry, new FlatRateFeeModel(), _time,
            new PaperExecutionOptions { Latency = Latency }, _listener);
    }

    private InstrumentId Yes => _market.Yes;

    [Fact]
    public async Task Ioc_buy_fills_what_the_book_shows_level_by_level_and_cancels_the_rest()
    {
        Book(bids: [], asks: [(0.40m, 3m), (0.41m, 4m), (0.43m, 10m)]);

        await Place("A", Side.Buy, 0.42m, 10m, TimeInForce.Ioc);
        Arrive();

        var fills = _listener.FillsFor("A");
        Assert.Equal(2, fills.Count);
        Assert.Equal((P(0.40m), 3m, 0.03m, Liquidity.Taker), (fills[0].Price, fills[0].Quantity, fills[0].Fee, fills[0].Liquidity));
        Assert.Equal((P(0.41m), 4m, 0.04m, Liquidity.Taker), (fills[1].Price, fills[1].Quantity, fills[1].Fee, fills[1].Liquidity));
        Assert.All(fills, f => Assert.Equal((VenueId.Kalshi, Yes, Side.Buy), (f.Venue, f.Instrument, f.Side)));
        Assert.NotEqual(fills[0].FillId, fills[1].FillId);

        var updates = _listener.UpdatesFor("A");
        Assert.Equal(
            [(OrderStatus.Submitted, 0m, 10m), (OrderStatus.PartiallyFilled, 3m, 7m), (OrderStatus.PartiallyFilled, 7m, 3m), (OrderStatus.Cancelled, 7m, 0m)],
            updates.Select(u => (u.Status, u.FilledQuantity, u.RemainingQuantity)));
        Assert.Contains("3 of 10 unfilled", updates[^1].Reason);
        AssertLegalLifecycle("A");
    }

    [Fact]
    public async Task A_post_only_order_that_would_take_is_rejected_one_that_would_not_rests_and_post_only_ioc_is_refused()
    {
        Book(bids: [(0.38m, 5m)], asks: [(0.40m, 5m)]);

        await _gateway.PlaceAsync(new OrderRequest("cross", Yes, Side.Buy, P(0.40m), 2m, TimeInForce.Gtc) { PostOnly = true }, CancellationToken.None);
        await _gateway.PlaceAsync(new OrderRequest("rest", Yes, Side.Buy, P(0.39m), 2m, TimeInForce.Gtd) { PostOnly = true, ExpiresAt = _time.GetUtcNow().AddHours(1) }, CancellationToken.None);
        await _gateway.PlaceAsync(new OrderRequest("ioc", Yes, Side.Buy, P(0.39m), 2m, TimeInForce.Ioc) { PostOnly = true }, CancellationToken.None);
        Arrive();

        Assert.Equal("post-only: 0.4 would take liquidity at 0.4", _listener.UpdatesFor("cross")[^1].Reason);
        Assert.Equal(OrderStatus.Rejected, _listener.UpdatesFor("cross")[^1].Status);
        Assert.Empty(_listener.FillsFor("cross"));
        Assert.Equal(OrderStatus.Submitted, _listener.UpdatesFor("rest")[^1].Status);
        var refused = _listener.UpdatesFor("ioc")[^1];
        Assert.Equal((OrderStatus.Rejected, "post-only orders rest on the book, so they cannot be immediate-or-cancel; use GTC or GTD"), (refused.Status, refused.Reason));
    }

    [Fact]
    public async Task Sell_walks_bids_at_or_above_its_limit_and_is_filled_when_the_book_covers_it()
    {
        Book(bids: [(0.55m, 2m), (0.54m, 5m), (0.50m, 100m)], asks: [(0.60m, 10m)]);

        await Place("S", Side.Sell, 0.54m, 6m, TimeInForce.Ioc);
        Arrive();

        Assert.Equal([(P(0.55m), 2m), (P(0.54m), 4m)], _listener.FillsFor("S").Select(f => (f.Price, f.Quantity)));
        var last = _listener.UpdatesFor("S")[^1];
        Assert.Equal((OrderStatus.Filled, 6m, 0m), (last.Status, last.FilledQuantity, last.RemainingQuantity));
        AssertLegalLifecycle("S");
    }

    [Fact]
    public async Task Fok_is_cancelled_whole_when_the_book_cannot_fill_it_within_the_limit()
    {
        Book(bids: [], asks: [(0.40m, 3m), (0.41m, 4m), (0.45m, 100m)]);

        await Place("K", Side.Buy, 0.41m, 10m, TimeInForce.Fok);
        Arrive();

        Assert.Empty(_listener.FillsFor("K"));
        var last = _listener.UpdatesFor("K")[^1];
        Assert.Equal((OrderStatus.Cancelled, 0m), (last.Status, last.FilledQuantity));
        Assert.Contains("fill-or-kill", last.Reason);
        AssertLegalLifecycle("K");

        // The killed order took nothing, so the whole 7 within 0.41 is still there for the next order.
        await Place("after", Side.Buy, 0.41m, 7m, TimeInForce.Ioc);
        Arrive();
        Assert.Equal(7m, _listener.FillsFor("after").Sum(f => f.Quantity));
    }

    [Fact]
    public async Task Fok_fills_whole_across_levels_when_the_book_can()
    {
        Book(bids: [], asks: [(0.40m, 3m), (0.41m, 4m)]);

        await Place("K", Side.Buy, 0.41m, 5m, TimeInForce.Fok);
        Arrive();

        Assert.Equal([(P(0.40m), 3m), (P(0.41m), 2m)], _listener.FillsFor("K").Select(f => (f.Price, f.Quantity)));
        Assert.Equal(OrderStatus.Filled, _listener.UpdatesFor("K")[^1].Status);
        AssertLegalLifecycle("K");
    }

    [Fact]
    public async Task Gtc_rests_its_remainder_and_fills_as_maker_at_its_limit_when_the_book_crosses_it()
    {
        Book(bids: [(0.35m, 10m)], asks: [(0.40m, 3m), (0.45m, 10m)]);

        await Place("G", Side.Buy, 0.42m, 5m, TimeInForce.Gtc);
        Arrive();

        var taker = Assert.Single(_listener.FillsFor("G"));
        Assert.Equal((P(0.40m), 3m, Liquidity.Taker), (taker.Price, taker.Quantity, taker.Liquidity));
        var rested = _listener.UpdatesFor("G")[^1];
        Assert.Equal((OrderStatus.PartiallyFilled, 3m, 2m), (rested.Status, rested.FilledQuantity, rested.RemainingQuantity));

        // An ask below the limit appears: the resting buy is hit at its own price, as maker, with the maker fee.
        _hub.Apply(BookEvent.SetLevel(Yes, BookSide.Ask, P(0.41m), 1m));
        var maker = _listener.FillsFor("G")[^1];
        Assert.Equal((P(0.42m), 1m, 0.002m, Liquidity.Maker), (maker.Price, maker.Quantity, maker.Fee, maker.Liquidity));

        _hub.Apply(BookEvent.SetLevel(Yes, BookSide.Ask, P(0.42m), 5m));
        var fills = _listener.FillsFor("G");
        Assert.Equal((P(0.42m), 1m, Liquidity.Maker), (fills[^1].Price, fills[^1].Quantity, fills[^1].Liquidity));
        Assert.Equal(5m, fills.Sum(f => f.Quantity));
        Assert.Equal(OrderStatus.Filled, _listener.UpdatesFor("G")[^1].Status);
        AssertLegalLifecycle("G");
    }

    [Fact]
    public async Task Resting_gtc_does_not_fill_twice_from_the_same_displayed_size()
    {
        Book(bids: [(0.30m, 10m)], asks: [(0.50m, 10m)]);
        await Place("G", Side.Buy, 0.45m, 5m, TimeInForce.Gtc);
        Arrive();
        Assert.Empty(_listener.FillsFor("G"));

        _hub.Apply(BookEvent.SetLevel(Yes, BookSide.Ask, P(0.44m), 2m));
        Assert.Equal(2m, _listener.FillsFor("G").Sum(f => f.Quantity));

        // Other changes of the book leave the 2 at 0.44 as it was: it was already taken and must not fill again.
        _hub.Apply(BookEvent.SetLevel(Yes, BookSide.Bid, P(0.31m), 4m));
        _hub.Apply(BookEvent.SetLevel(Yes, BookSide.Ask, P(0.55m), 7m));
        _hub.Apply(BookEvent.Heartbeat(Yes));
        Assert.Equal(2m, _listener.FillsFor("G").Sum(f => f.Quantity));
        Assert.Equal(OrderStatus.PartiallyFilled, _listener.UpdatesFor("G")[^1].Status);

        // The venue's level moves on (new size): that size is news, and the rest of the order fills from it.
        _hub.Apply(BookEvent.AddLevel(Yes, BookSide.Ask, P(0.44m), 4m));
        Assert.Equal(5m, _listener.FillsFor("G").Sum(f => f.Quantity));
        Assert.Equal(OrderStatus.Filled, _listener.UpdatesFor("G")[^1].Status);
        AssertLegalLifecycle("G");
    }

    [Fact]
    public async Task Crossing_liquidity_goes_to_the_better_priced_resting_order_first()
    {
        Book(bids: [], asks: [(0.50m, 10m)]);
        await Place("early-low", Side.Buy, 0.44m, 3m, TimeInForce.Gtc);
        await Place("late-high", Side.Buy, 0.45m, 3m, TimeInForce.Gtc);
        Arrive();

        _hub.Apply(BookEvent.SetLevel(Yes, BookSide.Ask, P(0.43m), 4m));

        Assert.Equal([(P(0.45m), 3m)], _listener.FillsFor("late-high").Select(f => (f.Price, f.Quantity)));
        Assert.Equal([(P(0.44m), 1m)], _listener.FillsFor("early-low").Select(f => (f.Price, f.Quantity)));
    }

    [Fact]
    public async Task Resting_gtc_waits_while_the_book_is_stale_and_fills_once_it_is_fresh()
    {
        Book(bids: [], asks: [(0.50m, 10m)]);
        await Place("G", Side.Buy, 0.45m, 5m, TimeInForce.Gtc);
        Arrive();

        _hub.Apply(BookEvent.Stale(Yes, StaleReason.SequenceGap));
        _hub.Apply(BookEvent.SetLevel(Yes, BookSide.Ask, P(0.44m), 3m));
        Assert.Empty(_listener.FillsFor("G"));

        Book(bids: [], asks: [(0.44m, 3m), (0.50m, 10m)]);
        Assert.Equal(3m, _listener.FillsFor("G").Sum(f => f.Quantity));
    }

    [Fact]
    public async Task Order_does_not_match_before_the_latency_elapses_and_then_meets_the_book_as_it_is_then()
    {
        Book(bids: [], asks: [(0.40m, 10m)]);
        var placedAt = _time.GetUtcNow();

        await Place("L", Side.Buy, 0.45m, 5m, TimeInForce.Ioc);
        _time.Advance(Latency - TimeSpan.FromMilliseconds(1));
        _hub.DrainPending();
        Assert.Empty(_listener.Fills);
        Assert.Equal([OrderStatus.Submitted], _listener.UpdatesFor("L").Select(u => u.Status));

        // The book moves while the order travels; the order meets the moved book.
        Book(bids: [], asks: [(0.43m, 2m), (0.44m, 10m)]);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _hub.DrainPending();

        var fills = _listener.FillsFor("L");
        Assert.Equal([(P(0.43m), 2m), (P(0.44m), 3m)], fills.Select(f => (f.Price, f.Quantity)));
        Assert.All(fills, f => Assert.Equal(placedAt + Latency, f.Time));
        Assert.Equal(placedAt, _listener.UpdatesFor("L")[0].Time);
    }

    [Fact]
    public async Task Order_meeting_a_stale_book_is_rejected_without_fills()
    {
        Book(bids: [(0.39m, 10m)], asks: [(0.40m, 10m)]);
        _hub.Apply(BookEvent.Stale(Yes, StaleReason.Disconnected));

        await Place("X", Side.Buy, 0.45m, 5m, TimeInForce.Ioc);
        Arrive();

        Assert.Empty(_listener.Fills);
        var last = _listener.UpdatesFor("X")[^1];
        Assert.Equal((OrderStatus.Rejected, "stale book"), (last.Status, last.Reason));
        AssertLegalLifecycle("X");
    }

    [Fact]
    public async Task Order_for_an_instrument_without_a_book_is_rejected_as_stale_book()
    {
        await Place("X", Side.Buy, 0.45m, 5m, TimeInForce.Gtc);
        Arrive();

        var last = _listener.UpdatesFor("X")[^1];
        Assert.Equal((OrderStatus.Rejected, "stale book"), (last.Status, last.Reason));
    }

    [Theory]
    [InlineData("0.455", "5", "off the 0.01 tick grid")]
    [InlineData("0", "5", "outside [0.01, 0.99]")]
    [InlineData("1", "5", "outside [0.01, 0.99]")]
    [InlineData("0.45", "0", "must be positive")]
    [InlineData("0.45", "-2", "must be positive")]
    [InlineData("0.45", "0.5", "not a multiple of the market's quantity step 1")]
    public async Task Invalid_request_is_rejected_at_once_naming_the_problem(string price, string quantity, string reason)
    {
        Book(bids: [], asks: [(0.40m, 10m)]);

        await Place("bad", Side.Buy, decimal.Parse(price, CultureInfo.InvariantCulture), decimal.Parse(quantity, CultureInfo.InvariantCulture), TimeInForce.Ioc);

        // Rejected synchronously: no latency and no hub pass needed.
        var update = Assert.Single(_listener.UpdatesFor("bad"));
        Assert.Equal(OrderStatus.Rejected, update.Status);
        Assert.Contains(reason, update.Reason);
        Arrive();
        Assert.Empty(_listener.Fills);
        Assert.Single(_listener.UpdatesFor("bad"));
    }

    [Fact]
    public async Task Unknown_instrument_and_another_venues_instrument_are_rejected()
    {
        var polymarket = _registry.AddMarket(
            NewMarket(VenueId.Polymarket, "0xabc", TickSize.Cent, minOrderSize: 5m, FeeParameters.None), "111", "222");

        await _gateway.PlaceAsync(new OrderRequest("unknown", new InstrumentId(999), Side.Buy, P(0.40m), 5m, TimeInForce.Ioc), CancellationToken.None);
        await _gateway.PlaceAsync(new OrderRequest("foreign", polymarket.Yes, Side.Buy, P(0.40m), 5m, TimeInForce.Ioc), CancellationToken.None);

        var unknown = Assert.Single(_listener.UpdatesFor("unknown"));
        Assert.Equal(OrderStatus.Rejected, unknown.Status);
        Assert.Contains("unknown instrument", unknown.Reason);
        var foreign = Assert.Single(_listener.UpdatesFor("foreign"));
        Assert.Equal(OrderStatus.Rejected, foreign.Status);
        Assert.Contains("Polymarket", foreign.Reason);
    }

    [Fact]
    public async Task Order_off_a_tick_grid_changed_while_it_travelled_is_rejected()
    {
        var fine = _registry.AddMarket(
            NewMarket(VenueId.Kalshi, "KXFINE", TickSize.DeciCent, minOrderSize: 1m, FeeParameters.None), "KXFINE:yes", "KXFINE:no");
        _hub.Apply(BookEvent.Snapshot(fine.Yes, [], [new BookLevel(P(0.400m), 10m)]));

        await _gateway.PlaceAsync(new OrderRequest("T", fine.Yes, Side.Buy, P(0.405m), 5m, TimeInForce.Ioc), CancellationToken.None);
        _hub.Apply(BookEvent.TickSizeChange(fine.Yes, TickSize.Cent));
        Arrive();

        Assert.Empty(_listener.Fills);
        var last = _listener.UpdatesFor("T")[^1];
        Assert.Equal(OrderStatus.Rejected, last.Status);
        Assert.Contains("tick grid", last.Reason);
    }

    [Fact]
    public async Task Placing_an_existing_client_order_id_again_creates_no_second_order()
    {
        Book(bids: [], asks: [(0.40m, 100m)]);

        await Place("dup", Side.Buy, 0.40m, 5m, TimeInForce.Ioc);
        await Place("dup", Side.Buy, 0.40m, 50m, TimeInForce.Ioc);
        Arrive();
        await Place("dup", Side.Buy, 0.40m, 5m, TimeInForce.Ioc);
        Arrive();

        Assert.Equal(5m, _listener.FillsFor("dup").Sum(f => f.Quantity));
        Assert.Single(_listener.UpdatesFor("dup"), u => u.Status == OrderStatus.Submitted);
        AssertLegalLifecycle("dup");
    }

    [Fact]
    public async Task A_finished_orders_id_is_remembered_for_the_memory_period_and_then_forgotten()
    {
        var gateway = new PaperOrderGateway(VenueId.Kalshi, _hub, _registry, new FlatRateFeeModel(), _time,
            new PaperExecutionOptions { Latency = Latency }, _listener)
        { FinishedOrderMemory = TimeSpan.FromHours(1) };
        Book(bids: [], asks: [(0.40m, 100m)]);
        await gateway.PlaceAsync(new OrderRequest("old", Yes, Side.Buy, P(0.40m), 5m, TimeInForce.Ioc), CancellationToken.None);
        await gateway.PlaceAsync(new OrderRequest("resting", Yes, Side.Buy, P(0.30m), 5m, TimeInForce.Gtc), CancellationToken.None);
        Arrive();
        Assert.Equal(OrderStatus.Filled, _listener.UpdatesFor("old")[^1].Status);

        // Within the hour a repeat is still ignored.
        _time.Advance(TimeSpan.FromMinutes(59));
        await gateway.PlaceAsync(new OrderRequest("old", Yes, Side.Buy, P(0.40m), 5m, TimeInForce.Ioc), CancellationToken.None);
        Arrive();
        Assert.Equal(5m, _listener.FillsFor("old").Sum(f => f.Quantity));
        Assert.Equal(2, gateway.RememberedOrders);

        // After it, the finished order is forgotten; the open one never is, however old.
        _time.Advance(TimeSpan.FromMinutes(2));
        await gateway.PlaceAsync(new OrderRequest("new", Yes, Side.Buy, P(0.40m), 1m, TimeInForce.Ioc), CancellationToken.None);
        Assert.Equal(2, gateway.RememberedOrders);
        await gateway.PlaceAsync(new OrderRequest("resting", Yes, Side.Buy, P(0.30m), 50m, TimeInForce.Gtc), CancellationToken.None);
        Arrive();
        Assert.Single(_listener.UpdatesFor("resting"), u => u.Status == OrderStatus.Submitted);
        Assert.Equal(OrderStatus.Submitted, _listener.UpdatesFor("resting")[^1].Status);
    }

    [Fact]
    public async Task At_most_the_memory_count_of_finished_orders_is_remembered_oldest_forgotten_first()
    {
        var gateway = GatewayRememberingThreeFinished();
        await FinishTenOrdersAsync(gateway, afterEach: () => { });
        // The last placement saw 9 finished before it: 3 kept, plus itself (finished after).
        Assert.Equal(4, gateway.RememberedOrders);

        // o0 was forgotten long ago: placing it again trades; o9 is remembered: ignored.
        await gateway.PlaceAsync(new OrderRequest("o0", Yes, Side.Buy, P(0.40m), 1m, TimeInForce.Ioc), CancellationToken.None);
        await gateway.PlaceAsync(new OrderRequest("o9", Yes, Side.Buy, P(0.40m), 1m, TimeInForce.Ioc), CancellationToken.None);
        Arrive();
        Assert.Equal(2m, _listener.FillsFor("o0").Sum(f => f.Quantity));
        Assert.Equal(1m, _listener.FillsFor("o9").Sum(f => f.Quantity));
    }

    [Fact]
    public async Task Finished_ids_forgotten_at_the_count_before_their_memory_period_are_counted_and_the_count_is_bounded()
    {
        var gateway = GatewayRememberingThreeFinished();
        await FinishTenOrdersAsync(gateway, afterEach: () => Assert.True(gateway.RememberedOrders <= 4, $"{gateway.RememberedOrders} remembered"));

        // The last placement saw nine finished before it and kept three: six forgotten within their day.
        Assert.Equal(6, gateway.FinishedOrdersForgottenAtCapacity);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PaperOrderGateway(VenueId.Kalshi, _hub, _registry, new FlatRateFeeModel(), _time,
            new PaperExecutionOptions { Latency = Latency }, _listener)
        { FinishedOrderMemoryCount = 0 });
    }

    [Fact]
    public void Racing_placements_of_one_client_order_id_create_one_order()
    {
        Book(bids: [], asks: [(0.40m, 100m)]);
        using var start = new Barrier(4);

        // Dedicated threads: blocking pool threads on a barrier would wait for the pool to grow.
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            Place("race", Side.Buy, 0.40m, 5m, TimeInForce.Ioc).AsTask().GetAwaiter().GetResult();
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Arrive();

        Assert.Single(_listener.UpdatesFor("race"), u => u.Status == OrderStatus.Submitted);
        Assert.Equal(5m, _listener.FillsFor("race").Sum(f => f.Quantity));
    }

    [Fact]
    public async Task A_gtd_remainder_rests_until_its_expiry_then_is_cancelled_and_later_liquidity_does_not_fill_it()
    {
        Book(bids: [], asks: [(0.40m, 2m), (0.50m, 10m)]);
        var expiresAt = _time.GetUtcNow().AddMinutes(5);
        await _gateway.PlaceAsync(new OrderRequest("D", Yes, Side.Buy, P(0.45m), 5m, TimeInForce.Gtd) { ExpiresAt = expiresAt }, CancellationToken.None);
        Arrive();
        Assert.Equal((OrderStatus.PartiallyFilled, 2m), (_listener.UpdatesFor("D")[^1].Status, _listener.UpdatesFor("D")[^1].FilledQuantity));

        // Before its expiry the remainder still rests and is filled by crossing liquidity.
        _time.Advance(TimeSpan.FromMinutes(4));
        _hub.DrainPending();
        _hub.Apply(BookEvent.SetLevel(Yes, BookSide.Ask, P(0.44m), 1m));
        Assert.Equal(3m, _listener.FillsFor("D").Sum(f => f.Quantity));

        _time.Advance(TimeSpan.FromMinutes(1));
        _hub.DrainPending();
        var expired = _listener.UpdatesFor("D")[^1];
        Assert.Equal((OrderStatus.Cancelled, 3m, 0m), (expired.Status, expired.FilledQuantity, expired.RemainingQuantity));
        Assert.StartsWith("good-till-date: expired at", expired.Reason);
        Assert.Contains("with 2 of 5 unfilled", expired.Reason);

        _hub.Apply(BookEvent.SetLevel(Yes, BookSide.Ask, P(0.43m), 10m));
        Assert.Equal(3m, _listener.FillsFor("D").Sum(f => f.Quantity));
        Assert.Single(_listener.UpdatesFor("D"), u => u.Status == OrderStatus.Cancelled);
        AssertLegalLifecycle("D");
    }

    [Fact]
    public async Task A_gtd_order_whose_expiry_passes_while_it_travels_is_cancelled_on_arrival_after_taking_what_crosses()
    {
        Book(bids: [], asks: [(0.40m, 2m), (0.50m, 10m)]);
        await _gateway.PlaceAsync(new OrderRequest("late", Yes, Side.Buy, P(0.45m), 5m, TimeInForce.Gtd) { ExpiresAt = _time.GetUtcNow().AddMilliseconds(10) }, CancellationToken.None);
        Arrive();

        Assert.Equal(2m, _listener.FillsFor("late").Sum(f => f.Quantity));
        var last = _listener.UpdatesFor("late")[^1];
        Assert.Equal((OrderStatus.Cancelled, 2m), (last.Status, last.FilledQuantity));
        Assert.Contains("with 3 of 5 unfilled", last.Reason);
        AssertLegalLifecycle("late");
    }

    [Fact]
    public async Task Cancel_removes_a_resting_remainder_so_later_crossing_liquidity_does_not_fill_it()
    {
        Book(bids: [], asks: [(0.40m, 2m), (0.50m, 10m)]);
        await Place("G", Side.Buy, 0.45m, 5m, TimeInForce.Gtc);
        Arrive();

        await _gateway.CancelAsync("G", CancellationToken.None);
        _hub.DrainPending();

        var cancelled = _listener.UpdatesFor("G")[^1];
        Assert.Equal((OrderStatus.Cancelled, 2m, 0m), (cancelled.Status, cancelled.FilledQuantity, cancelled.RemainingQuantity));

        _hub.Apply(BookEvent.SetLevel(Yes, BookSide.Ask, P(0.44m), 10m));
        await _gateway.CancelAsync("G", CancellationToken.None);
        await _gateway.CancelAsync("never-placed", CancellationToken.None);
        _hub.DrainPending();

        Assert.Equal(2m, _listener.FillsFor("G").Sum(f => f.Quantity));
        Assert.Single(_listener.UpdatesFor("G"), u => u.Status == OrderStatus.Cancelled);
        Assert.Empty(_listener.UpdatesFor("never-placed"));
        AssertLegalLifecycle("G");
    }

    [Fact]
    public async Task Cancel_before_the_latency_elapses_stops_the_order_from_matching()
    {
        Book(bids: [], asks: [(0.40m, 10m)]);

        await Place("C", Side.Buy, 0.45m, 5m, TimeInForce.Ioc);
        await _gateway.CancelAsync("C", CancellationToken.None);
        Arrive();

        Assert.Empty(_listener.Fills);
        Assert.Equal([OrderStatus.Submitted, OrderStatus.Cancelled], _listener.UpdatesFor("C").Select(u => u.Status));
    }

    [Fact]
    public async Task Cancel_all_cancels_every_open_order_and_leaves_final_ones_alone()
    {
        Book(bids: [(0.30m, 10m)], asks: [(0.50m, 10m)]);
        await Place("buy", Side.Buy, 0.45m, 5m, TimeInForce.Gtc);
        await Place("sell", Side.Sell, 0.55m, 5m, TimeInForce.Gtc);
        await Place("done", Side.Buy, 0.50m, 1m, TimeInForce.Ioc);
        Arrive();

        await _gateway.CancelAllAsync(CancellationToken.None);
        _hub.DrainPending();

        Assert.Equal(OrderStatus.Cancelled, _listener.UpdatesFor("buy")[^1].Status);
        Assert.Equal(OrderStatus.Cancelled, _listener.UpdatesFor("sell")[^1].Status);
        Assert.Equal(OrderStatus.Filled, _listener.UpdatesFor("done")[^1].Status);
        AssertLegalLifecycle("buy");
        AssertLegalLifecycle("sell");
        AssertLegalLifecycle("done");
    }

    [Fact]
    public async Task Two_iocs_against_the_same_unchanged_level_cannot_both_take_its_full_size()
    {
        Book(bids: [], asks: [(0.40m, 5m), (0.42m, 5m)]);

        await Place("first", Side.Buy, 0.40m, 5m, TimeInForce.Ioc);
        await Place("second", Side.Buy, 0.40m, 5m, TimeInForce.Ioc);
        Arrive();

        Assert.Equal(5m, _listener.FillsFor("first").Sum(f => f.Quantity));
        Assert.Empty(_listener.FillsFor("second"));
        Assert.Equal(OrderStatus.Cancelled, _listener.UpdatesFor("second")[^1].Status);

        // A later order sees only what is left of a partly taken level.
        _hub.Apply(BookEvent.SetLevel(Yes, BookSide.Ask, P(0.41m), 4m));
        await Place("third", Side.Buy, 0.41m, 3m, TimeInForce.Ioc);
        await Place("fourth", Side.Buy, 0.41m, 3m, TimeInForce.Ioc);
        Arrive();
        Assert.Equal(3m, _listener.FillsFor("third").Sum(f => f.Quantity));
        Assert.Equal([(P(0.41m), 1m)], _listener.FillsFor("fourth").Select(f => (f.Price, f.Quantity)));
    }

    [Fact]
    public async Task Size_taken_by_paper_fills_stays_taken_while_the_level_lives_and_only_growth_is_new()
    {
        Book(bids: [], asks: [(0.40m, 5m)]);
        await Place("first", Side.Buy, 0.40m, 5m, TimeInForce.Ioc);
        Arrive();

        // The level grows to 6: the venue never saw our 5, so only 1 may be new liquidity.
        _hub.Apply(BookEvent.SetLevel(Yes, BookSide.Ask, P(0.40m), 6m));
        await Place("second", Side.Buy, 0.40m, 10m, TimeInForce.Ioc);
        Arrive();
        Assert.Equal(1m, _listener.FillsFor("second").Sum(f => f.Quantity));

        // Growth again frees only the growth beyond what paper fills took.
        _hub.Apply(BookEvent.SetLevel(Yes, BookSide.Ask, P(0.40m), 9m));
        await Place("third", Side.Buy, 0.40m, 10m, TimeInForce.Ioc);
        Arrive();
        Assert.Equal(3m, _listener.FillsFor("third").Sum(f => f.Quantity));

        // Once the level is gone and comes back, it is a new queue: all of it is there to take.
        _hub.Apply(BookEvent.SetLevel(Yes, BookSide.Ask, P(0.40m), 0m));
        _hub.Apply(BookEvent.SetLevel(Yes, BookSide.Ask, P(0.40m), 4m));
        await Place("fourth", Side.Buy, 0.40m, 10m, TimeInForce.Ioc);
        Arrive();
        Assert.Equal(4m, _listener.FillsFor("fourth").Sum(f => f.Quantity));
    }

    [Fact]
    public async Task Zero_latency_matches_on_the_next_hub_pass_without_waiting_for_the_clock()
    {
        var gateway = new PaperOrderGateway(VenueId.Kalshi, _hub, _registry, new FlatRateFeeModel(), _time,
            new PaperExecutionOptions { Latency = TimeSpan.Zero }, _listener);
        Book(bids: [], asks: [(0.40m, 10m)]);

        await gateway.PlaceAsync(new OrderRequest("Z", Yes, Side.Buy, P(0.40m), 2m, TimeInForce.Ioc), CancellationToken.None);
        _hub.DrainPending();

        Assert.Equal(2m, _listener.FillsFor("Z").Sum(f => f.Quantity));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10_001)]
    public void Latency_outside_zero_to_ten_seconds_is_refused(int milliseconds)
    {
        var options = new PaperExecutionOptions { Latency = TimeSpan.FromMilliseconds(milliseconds) };

        Assert.Throws<ValidationException>(() =>
            new PaperOrderGateway(VenueId.Kalshi, _hub, _registry, new FlatRateFeeModel(), _time, options, _listener));
    }

    [Fact]
    public void Gateway_is_paper_for_its_venue_with_a_fifty_millisecond_default_latency()
    {
        Assert.True(_gateway.IsPaper);
        Assert.Equal(VenueId.Kalshi, _gateway.Venue);
        Assert.Equal(TimeSpan.FromMilliseconds(50), new PaperExecutionOptions().Latency);
    }

    /// <summary>Every order starts Submitted or Rejected, its filled size never shrinks, and nothing follows a final state.</summary>
    private void AssertLegalLifecycle(string clientOrderId)
    {
        var updates = _listener.UpdatesFor(clientOrderId);
        Assert.NotEmpty(updates);
        Assert.Contains(updates[0].Status, new[] { OrderStatus.Submitted, OrderStatus.Rejected });
        for (var i = 1; i < updates.Count; i++)
        {
            Assert.False(updates[i - 1].Status.IsFinal(), $"{clientOrderId}: {updates[i].Status} after final {updates[i - 1].Status}");
            Assert.True(updates[i].FilledQuantity >= updates[i - 1].FilledQuantity);
        }
        Assert.Equal(_listener.FillsFor(clientOrderId).Sum(f => f.Quantity), updates[^1].FilledQuantity);
        var fillIds = _listener.Fills.Select(f => f.FillId).ToList();
        Assert.Equal(fillIds.Count, fillIds.Distinct().Count());
    }

    private ValueTask Place(string clientOrderId, Side side, decimal price, decimal quantity, TimeInForce timeInForce) =>
        _gateway.PlaceAsync(new OrderRequest(clientOrderId, Yes, side, P(price), quantity, timeInForce), CancellationToken.None);

    /// <summary>Lets in-flight orders reach the book: the latency passes, then the hub runs the posted matching.</summary>
    private void Arrive()
    {
        _time.Advance(Latency);
        _hub.DrainPending();
    }

    private void Book((decimal Price, decimal Size)[] bids, (decimal Price, decimal Size)[] asks) =>
        _hub.Apply(BookEvent.Snapshot(Yes,
            [.. bids.Select(l => new BookLevel(P(l.Price), l.Size))],
            [.. asks.Select(l => new BookLevel(P(l.Price), l.Size))]));

    private static Market NewMarket(VenueId venue, string key, TickSize tick, decimal minOrderSize, FeeParameters fees) =>
        new(venue, key, key + "-EVENT", "Will the test pass?", "Resolves YES if it does.", "CI", new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero),
            tick, minOrderSize, "Yes", fees, QuantityStep: venue == VenueId.Polymarket ? 0.01m : 1m);

    [Theory]
    [InlineData("4.99", "below the market's minimum order size 5")]
    [InlineData("5.001", "not a multiple of the market's quantity step 0.01")]
    public async Task Polymarket_quantities_must_reach_the_minimum_and_keep_to_cents_of_a_share(string quantity, string reason)
    {
        var polymarket = _registry.AddMarket(
            NewMarket(VenueId.Polymarket, "0xsteps", TickSize.Cent, minOrderSize: 5m, FeeParameters.None), "333", "444");
        var gateway = new PaperOrderGateway(VenueId.Polymarket, _hub, _registry, new FlatRateFeeModel(), _time, new PaperExecutionOptions(), _listener);

        await gateway.PlaceAsync(new OrderRequest("poly-bad", polymarket.Yes, Side.Buy, P(0.40m),
            decimal.Parse(quantity, CultureInfo.InvariantCulture), TimeInForce.Ioc), CancellationToken.None);

        var update = Assert.Single(_listener.UpdatesFor("poly-bad"));
        Assert.Equal(OrderStatus.Rejected, update.Status);
        Assert.Contains(reason, update.Reason);
    }

    private static Price P(decimal value) => Price.FromDecimal(value);

    private PaperOrderGateway GatewayRememberingThreeFinished()
    {
        var gateway = new PaperOrderGateway(VenueId.Kalshi, _hub, _registry, new FlatRateFeeModel(), _time,
            new PaperExecutionOptions { Latency = Latency }, _listener)
        { FinishedOrderMemoryCount = 3 };
        Book(bids: [], asks: [(0.40m, 1_000m)]);
        return gateway;
    }

    /// <summary>Places o0..o9, each an immediate-or-cancel buy that fills and finishes on arrival.</summary>
    private async Task FinishTenOrdersAsync(PaperOrderGateway gateway, Action afterEach)
    {
        for (var i = 0; i < 10; i++)
        {
            await gateway.PlaceAsync(new OrderRequest($"o{i}", Yes, Side.Buy, P(0.40m), 1m, TimeInForce.Ioc), CancellationToken.None);
            Arrive();
            afterEach();
        }
    }
}
