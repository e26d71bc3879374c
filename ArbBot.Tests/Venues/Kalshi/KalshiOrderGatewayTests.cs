using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Venues;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.Logging;

namespace ArbBot.Tests.Venues.Kalshi;

/// <summary>
/// The live Kalshi gateway, built with real credentials (key id + PEM) and used directly, against the loopback fake
/// Kalshi that verifies every signature, matches orders against its books and pushes fill and user_order messages.
/// </summary>
public sealed class KalshiOrderGatewayTests : IAsyncLifetime
{
    private const string Fed = "FED-23DEC-T3.00";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private FakeKalshiServer _server = null!;
    private KalshiVenue _venue = null!;
    private readonly InstrumentRegistry _registry = new();
    private readonly RecordingExecutionListener _listener = new();
    private readonly CapturedLogs _logs = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IDisposable> _owned = [];
    private Market _fed = null!;
    private string _keyBody = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKalshiServer.StartAsync();
        _keyBody = _server.PrivateKeyPem.Split('\n')[1];
        _venue = KalshiVenue.Create(_server.ClientOptions(), TimeProvider.System, _logs);
        var markets = await _venue.Instruments.DiscoverAsync(_registry, CancellationToken.None);
        _fed = markets.Single(m => m.MarketKey == Fed);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var d in _owned) d.Dispose();
        _venue.Dispose();
        await _server.DisposeAsync();
        // Whatever happened, nothing the gateway logged carries the key or a signature.
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("PRIVATE KEY", StringComparison.Ordinal) || l.Contains(KeyBody(), StringComparison.Ordinal));
    }

    /// <summary>A gateway streaming the private channels, once its first reconciliation is done.</summary>
    private async Task<KalshiOrderGateway> StartGatewayAsync(KalshiRestClient? rest = null, InstrumentRegistry? registry = null)
    {
        var gateway = new KalshiOrderGateway(rest ?? _venue.Rest, _venue.Options, _venue.Signer, registry ?? _registry, _venue.FeeModel, TimeProvider.System, _listener,
            _logs.CreateLogger("gateway"), _venue.MarketData.IsTradable);
        _owned.Add(gateway);
        _ = Task.Run(() => gateway.RunAsync(_stop.Token));
        await WaitForAsync(() => gateway.Reconciliations >= 1, "the private channels subscribed and reconciled");
        return gateway;
    }

    private OrderRequest Order(string id, bool yes, Side side, decimal price, decimal quantity, TimeInForce tif) =>
        new(id, yes ? _fed.Yes : _fed.No, side, Price.FromDecimal(price), quantity, tif);

    [Fact]
    public async Task An_ioc_buy_fills_what_the_book_offers_within_its_limit_by_push_and_cancels_the_rest()
    {
        var gateway = await StartGatewayAsync();

        // YES asks are 1 − NO bids: 0.44 × 146 and 0.46 × 20.
        await gateway.PlaceAsync(Order("ioc-1", yes: true, Side.Buy, 0.46m, 200m, TimeInForce.Ioc), CancellationToken.None);

        await WaitForAsync(() => _listener.UpdatesFor("ioc-1").Any(u => u.Status == OrderStatus.Cancelled) && _listener.FillsFor("ioc-1").Count == 2, "the IOC settled");
        var fills = _listener.FillsFor("ioc-1");
        Assert.Equal([(0.44m, 146m), (0.46m, 20m)], fills.Select(f => (f.Price.Value, f.Quantity)));
        Assert.All(fills, f => Assert.Equal(Liquidity.Taker, f.Liquidity));
        // The fee Kalshi reports: ceil(0.07 × 146 × 0.44 × 0.56) = 2.52.
        Assert.Equal(2.52m, fills[0].Fee);
        var final = _listener.UpdatesFor("ioc-1")[^1];
        Assert.Equal(OrderStatus.Cancelled, final.Status);
        Assert.Equal(166m, final.FilledQuantity);
        Assert.Equal("immediate-or-cancel: 34 of 200 unfilled at 0.46 or better", final.Reason);
        AssertLegalSequence(_listener.UpdatesFor("ioc-1"));
        var venueOrder = Assert.Single(_server.Orders);
        Assert.Equal(("yes", "buy", "canceled", 166m), (venueOrder.Side, venueOrder.Action, venueOrder.Status, venueOrder.Filled));
        Assert.DoesNotContain(_server.Book(Fed).No, l => l.Price >= 0.54m);
        Assert.Equal(0, _server.Rejected);
    }

    [Fact]
    public async Task A_gtd_post_only_reduce_only_order_is_sent_as_good_till_canceled_with_expiration_ts_post_only_and_reduce_only()
    {
        var gateway = await StartGatewayAsync();
        var expires = DateTimeOffset.UtcNow.AddHours(2);

        await gateway.PlaceAsync(Order("gtd-1", yes: true, Side.Buy, 0.30m, 10m, TimeInForce.Gtd) with { ExpiresAt = expires, PostOnly = true, ReduceOnly = true }, CancellationToken.None);

        await WaitForAsync(() => _listener.UpdatesFor("gtd-1").Any(u => u.Status == OrderStatus.Submitted), "acknowledged");
        using var body = System.Text.Json.JsonDocument.Parse(Assert.Single(_server.CreateBodies));
        var root = body.RootElement;
        Assert.Equal("good_till_canceled", root.GetProperty("time_in_force").GetString());
        Assert.Equal(expires.ToUnixTimeSeconds(), root.GetProperty("expiration_ts").GetInt64());
        Assert.True(root.GetProperty("post_only").GetBoolean());
        Assert.True(root.GetProperty("reduce_only").GetBoolean());
        Assert.Equal("0.3000", root.GetProperty("yes_price_dollars").GetString());
        Assert.Equal(0, _server.Rejected);
    }

    [Fact]
    public async Task Order_options_kalshi_cannot_take_are_rejected_with_a_reason_and_never_sent()
    {
        var gateway = await StartGatewayAsync();

        await gateway.PlaceAsync(Order("po-ioc", yes: true, Side.Buy, 0.30m, 10m, TimeInForce.Ioc) with { PostOnly = true }, CancellationToken.None);
        await gateway.PlaceAsync(Order("gtd-none", yes: true, Side.Buy, 0.30m, 10m, TimeInForce.Gtd), CancellationToken.None);
        await gateway.PlaceAsync(Order("gtc-expiry", yes: true, Side.Buy, 0.30m, 10m, TimeInForce.Gtc) with { ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) }, CancellationToken.None);

        Assert.Equal("post-only orders rest on the book, so they cannot be immediate-or-cancel; use GTC or GTD", Rejection("po-ioc"));
        Assert.Equal("a GTD (good-till-date) order needs an expiry", Rejection("gtd-none"));
        Assert.Equal("only GTD orders carry an expiry, not good-till-cancelled", Rejection("gtc-expiry"));
        Assert.Empty(_server.CreateBodies);

        string? Rejection(string id) => Assert.Single(_listener.UpdatesFor(id), u => u.Status == OrderStatus.Rejected).Reason;
    }

    [Fact]
    public async Task A_fill_or_kill_the_book_cannot_fill_whole_is_cancelled_with_nothing_filled()
    {
        var gateway = await StartGatewayAsync();

        await gateway.PlaceAsync(Order("fok-1", yes: false, Side.Buy, 0.78m, 400m, TimeInForce.Fok), CancellationToken.None);

        await WaitForAsync(() => _listener.UpdatesFor("fok-1").Any(u => u.Status.IsFinal()), "the FOK settled");
        var final = _listener.UpdatesFor("fok-1")[^1];
        Assert.Equal(OrderStatus.Cancelled, final.Status);
        Assert.Equal(0m, final.FilledQuantity);
        Assert.StartsWith("fill-or-kill:", final.Reason);
        Assert.Empty(_listener.FillsFor("fok-1"));
        Assert.Equal(333m, _server.Book(Fed).Yes[0].Size);
    }

    [Fact]
    public async Task A_resting_order_gets_partial_maker_fills_by_push_and_can_be_amended_decreased_and_cancelled()
    {
        var gateway = await StartGatewayAsync();
        await gateway.PlaceAsync(Order("gtc-1", yes: true, Side.Buy, 0.30m, 10m, TimeInForce.Gtc), CancellationToken.None);
        await WaitForAsync(() => _listener.UpdatesFor("gtc-1").Any(u => u.Status == OrderStatus.Submitted), "acknowledged");
        var orderId = Assert.Single(_server.Orders).OrderId;

        await _server.FillRestingAsync(orderId, 4m);
        await WaitForAsync(() => _listener.UpdatesFor("gtc-1").Any(u => u.Status == OrderStatus.PartiallyFilled && u.FilledQuantity == 4m), "the partial fill");
        var fill = Assert.Single(_listener.FillsFor("gtc-1"));
        Assert.Equal((0.30m, 4m, Liquidity.Maker, orderId), (fill.Price.Value, fill.Quantity, fill.Liquidity, fill.VenueOrderId));

        var amended = await gateway.AmendAsync("gtc-1", Price.FromDecimal(0.32m), 12m, CancellationToken.None);
        Assert.Equal((0.32m, 4m, 8m), (amended.Price.Value, amended.FillCount, amended.RemainingCount));
        Assert.Equal("gtc-1-a1", _server.Orders[0].ClientOrderId);

        var decreased = await gateway.DecreaseAsync("gtc-1", 3m, CancellationToken.None);
        Assert.Equal(5m, decreased.RemainingCount);

        await _server.FillRestingAsync(orderId, 1m);
        await WaitForAsync(() => _listener.FillsFor("gtc-1").Count == 2, "the second maker fill, matched through the amended client id");

        await gateway.CancelAsync("gtc-1", CancellationToken.None);
        await WaitForAsync(() => _listener.UpdatesFor("gtc-1").Any(u => u.Status == OrderStatus.Cancelled), "cancelled");
        var final = _listener.UpdatesFor("gtc-1")[^1];
        Assert.Equal((OrderStatus.Cancelled, 5m, "cancelled on request"), (final.Status, final.FilledQuantity, final.Reason));
        Assert.Equal("canceled", _server.Orders[0].Status);
        AssertLegalSequence(_listener.UpdatesFor("gtc-1"));
    }

    [Fact]
    public async Task Invalid_orders_are_rejected_with_a_reason_and_venue_refusals_carry_kalshis_code()
    {
        var gateway = await StartGatewayAsync();
        _server.Balance = 1m;

        await gateway.PlaceAsync(Order("off-grid", yes: true, Side.Buy, 0.305m, 10m, TimeInForce.Gtc), CancellationToken.None);
        await gateway.PlaceAsync(Order("fraction", yes: true, Side.Buy, 0.30m, 1.5m, TimeInForce.Gtc), CancellationToken.None);
        await gateway.PlaceAsync(Order("too-dear", yes: true, Side.Buy, 0.30m, 10m, TimeInForce.Gtc), CancellationToken.None);

        Assert.Equal("price 0.305 is off the 0.01 tick grid", Assert.Single(_listener.UpdatesFor("off-grid")).Reason);
        Assert.Equal("quantity 1.5 is not a multiple of the market's quantity step 1", Assert.Single(_listener.UpdatesFor("fraction")).Reason);
        var refused = Assert.Single(_listener.UpdatesFor("too-dear"));
        Assert.Equal(OrderStatus.Rejected, refused.Status);
        Assert.Equal("Kalshi rejected the order: Kalshi POST /portfolio/orders failed with 400 insufficient_balance: insufficient balance", refused.Reason);
        Assert.Equal(1, _server.CreateRequests);
        Assert.Empty(_server.Orders);
    }

    [Fact]
    public async Task A_create_whose_answer_times_out_is_found_by_its_client_order_id_and_never_doubled()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMilliseconds(400) };
        using var signer = _venue.Options.CreateSigner(TimeProvider.System);
        var rest = new KalshiRestClient(http, _venue.Options, signer, TimeProvider.System);
        var gateway = await StartGatewayAsync(rest);
        _server.StallNextCreate = TimeSpan.FromSeconds(2);

        await gateway.PlaceAsync(Order("slow-1", yes: true, Side.Buy, 0.30m, 10m, TimeInForce.Gtc), CancellationToken.None);
        // Placed again by a caller that gave up (and by a restarted desk, through a second gateway): still one order.
        await gateway.PlaceAsync(Order("slow-1", yes: true, Side.Buy, 0.30m, 10m, TimeInForce.Gtc), CancellationToken.None);
        var restartedListener = new RecordingExecutionListener();
        var again = new KalshiOrderGateway(_venue.Rest, _venue.Options, _venue.Signer, _registry, _venue.FeeModel, TimeProvider.System, restartedListener);
        _owned.Add(again);
        await again.PlaceAsync(Order("slow-1", yes: true, Side.Buy, 0.30m, 10m, TimeInForce.Gtc), CancellationToken.None);

        var order = Assert.Single(_server.Orders);
        Assert.Equal("slow-1", order.ClientOrderId);
        Assert.Equal(2, _server.CreateRequests);
        Assert.Equal(OrderStatus.Submitted, Assert.Single(_listener.UpdatesFor("slow-1")).Status);
        // The restarted gateway's create met 409 and adopted the existing order.
        var adopted = Assert.Single(restartedListener.UpdatesFor("slow-1"));
        Assert.Equal((OrderStatus.Submitted, order.OrderId), (adopted.Status, adopted.VenueOrderId));
    }

    [Fact]
    public async Task After_a_reconnect_fills_missed_while_disconnected_arrive_once_and_pushed_ones_are_not_doubled()
    {
        var gateway = await StartGatewayAsync();
        await gateway.PlaceAsync(Order("gtc-2", yes: false, Side.Buy, 0.60m, 10m, TimeInForce.Gtc), CancellationToken.None);
        await WaitForAsync(() => _listener.UpdatesFor("gtc-2").Any(u => u.Status == OrderStatus.Submitted), "acknowledged");
        var orderId = Assert.Single(_server.Orders).OrderId;
        await _server.FillRestingAsync(orderId, 3m);
        await WaitForAsync(() => _listener.FillsFor("gtc-2").Count == 1, "the first fill pushed");

        _server.RefuseWebSockets = true;
        _server.DropConnections();
        await _server.FillRestingAsync(orderId, 2m);
        var reconciled = gateway.Reconciliations;
        _server.RefuseWebSockets = false;

        await WaitForAsync(() => gateway.Reconciliations > reconciled, "reconciled after the reconnect");
        var fills = _listener.FillsFor("gtc-2");
        Assert.Equal(_server.FillIds.Order(), fills.Select(f => f.FillId).Order());
        Assert.Equal([3m, 2m], fills.Select(f => f.Quantity));
        Assert.All(fills, f => Assert.Equal((0.60m, _fed.No), (f.Price.Value, f.Instrument)));
        Assert.True(gateway.DuplicateFills >= 1, "the pushed fill came back from REST and was ignored");
        Assert.True(gateway.PushConnections >= 2);
        Assert.Equal((OrderStatus.PartiallyFilled, 5m), (_listener.UpdatesFor("gtc-2")[^1].Status, _listener.UpdatesFor("gtc-2")[^1].FilledQuantity));
    }

    [Fact]
    public async Task Writes_ride_through_429_answers_and_account_reads_follow_the_cursor()
    {
        var gateway = await StartGatewayAsync();
        _server.RateLimitEvery = 2;

        for (var i = 0; i < 3; i++)
        {
            await gateway.PlaceAsync(Order($"r-{i}", yes: true, Side.Buy, 0.20m + i / 100m, 2m, TimeInForce.Gtc), CancellationToken.None);
        }
        await gateway.PlaceAsync(Order("take", yes: true, Side.Buy, 0.44m, 6m, TimeInForce.Ioc), CancellationToken.None);
        await WaitForAsync(() => _listener.FillsFor("take").Count == 1, "the taker fill");

        Assert.True(_server.RateLimited >= 1);
        var open = await gateway.GetOpenOrdersAsync(Fed, CancellationToken.None);
        Assert.Equal(["r-0", "r-1", "r-2"], open.Select(o => o.ClientOrderId).Order());
        Assert.Equal([0.20m, 0.21m, 0.22m], open.Select(o => o.Price.Value).Order());
        var fills = await gateway.GetFillsAsync(Fed, null, CancellationToken.None);
        Assert.Equal((6m, 0.44m, KalshiSide.Yes), (Assert.Single(fills).Count, fills[0].YesPrice.Value, fills[0].Side));
        var position = Assert.Single(await gateway.GetPositionsAsync(CancellationToken.None));
        Assert.Equal((Fed, 6m), (position.Ticker, position.Position));
        var balance = await gateway.GetBalanceAsync(CancellationToken.None);
        Assert.Equal(_server.Balance, balance.Cash, 2);
        Assert.Equal(0, _server.Rejected);
    }

    [Fact]
    public async Task An_order_on_a_market_whose_lifecycle_closed_it_is_rejected_before_it_is_sent()
    {
        await using var h = new Harness(_venue);
        var fed = (await h.DiscoverAsync()).Single(m => m.MarketKey == Fed);
        h.StartStreaming();
        await _server.WaitForChannelAsync("market_lifecycle_v2", 1, Patience);
        await h.WaitForAsync(async () => (await h.ReadBookAsync(fed)).Yes is { IsStale: false }, "a fresh book");
        var gateway = await StartGatewayAsync(registry: h.Registry);

        await _server.PublishLifecycleAsync(Fed, "determined");
        await WaitForAsync(() => !_venue.MarketData.IsTradable(Fed), "the market closed");
        await gateway.PlaceAsync(new OrderRequest("late", fed.Yes, Side.Buy, Price.FromDecimal(0.44m), 1m, TimeInForce.Ioc), CancellationToken.None);

        Assert.Equal("market FED-23DEC-T3.00 is closed for trading on Kalshi", Assert.Single(_listener.UpdatesFor("late")).Reason);
        Assert.Equal(0, _server.CreateRequests);
        await h.WaitForAsync(async () => (await h.ReadBookAsync(fed)) is { Yes: { IsStale: true, Bids.Count: 0 }, No: { IsStale: true } }, "the closed market's books emptied and stale");
        // Quiet books get heartbeats while the connection is healthy; a closed one must stay stale.
        await Task.Delay(600);
        Assert.True((await h.ReadBookAsync(fed)).Yes!.IsStale);

        await _server.PublishLifecycleAsync(Fed, "activated");
        await h.WaitForAsync(async () => (await h.ReadBookAsync(fed)).Yes is { IsStale: false, Bids.Count: > 0 }, "a fresh snapshot after reactivation");
        Assert.True(_venue.MarketData.IsTradable(Fed));
    }

    [Fact]
    public async Task Errors_and_reasons_never_carry_the_key_or_a_signature()
    {
        using var http = new HttpClient();
        using var other = System.Security.Cryptography.RSA.Create(2048);
        using var wrongSigner = KalshiRequestSigner.FromPem(FakeKalshiServer.KeyId, other.ExportPkcs8PrivateKeyPem(), TimeProvider.System);
        var rest = new KalshiRestClient(http, _venue.Options, wrongSigner, TimeProvider.System, _logs.CreateLogger("rest"));
        var listener = new RecordingExecutionListener();
        var gateway = new KalshiOrderGateway(rest, _venue.Options, wrongSigner, _registry, _venue.FeeModel, TimeProvider.System, listener, _logs.CreateLogger("gateway"));
        _owned.Add(gateway);

        await gateway.PlaceAsync(Order("unsigned", yes: true, Side.Buy, 0.30m, 1m, TimeInForce.Gtc), CancellationToken.None);
        var e = await Assert.ThrowsAsync<KalshiApiException>(() => gateway.GetBalanceAsync(CancellationToken.None));

        var reason = Assert.Single(listener.UpdatesFor("unsigned")).Reason!;
        Assert.Contains("401 authentication_error", reason);
        foreach (var text in new[] { reason, e.Message, e.ToString() })
        {
            Assert.DoesNotContain(KeyBody(), text);
            Assert.DoesNotContain("PRIVATE KEY", text);
            Assert.DoesNotContain(KalshiRequestSigner.SignatureHeader, text);
        }
    }

    private string KeyBody() => _keyBody;

    private static void AssertLegalSequence(IReadOnlyList<OrderUpdate> updates)
    {
        var status = OrderStatus.New;
        foreach (var u in updates)
        {
            Assert.True(OrderStateMachine.IsLegal(status, u.Status), $"{status} → {u.Status} is not a legal move");
            status = u.Status;
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(20);
        }
    }

    private sealed class Harness(KalshiVenue venue) : VenueHarness(venue, TimeProvider.System);
}
