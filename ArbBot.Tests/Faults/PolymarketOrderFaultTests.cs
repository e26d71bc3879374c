using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Venues.Polymarket.Trading;
using ArbBot.Tests.Fixtures;
using ArbBot.Tests.Venues.Polymarket.Trading;
using Microsoft.Extensions.Logging;

namespace ArbBot.Tests.Faults;

/// <summary>
/// REST and order faults against the fake Polymarket exchange (signed orders, L2 REST, user channel): 429 with
/// Retry-After on an order's POST, 5xx on a POST and on reads, a POST answered after the client's timeout, venue
/// rejects, a partial fill followed by a user-channel disconnect, and a user channel that goes silent. Every time: each
/// order ends in a clear state, nothing rests at the venue that the desk does not know of, no fill is lost or doubled,
/// and the fills add up to the shares the venue says the account holds.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class PolymarketOrderFaultTests
{
    private static readonly string Yes = PolymarketTradingHarness.YesToken;

    [Fact]
    public async Task A_429_with_Retry_After_on_an_order_is_waited_out_in_full_and_the_order_placed_once()
    {
        await using var fault = FaultReport.Begin("REST 429 with Retry-After (order POST)", "Polymarket");
        await using var h = await PolymarketTradingHarness.StartAsync();
        // The client's longest backoff is 100 ms here: the venue's "1 second" must win over it.
        h.State.RestFaults.Enqueue(new FakePolymarketRestFaults.Fault(Status: 429, RetryAfter: "1", PathPrefix: "/order", Method: "POST"));
        fault.Inject();

        await h.Gateway.PlaceAsync(h.Buy("rl-1", 0.30m, 10m, TimeInForce.Gtc), CancellationToken.None);

        await WaitForAsync(() => h.State.OrdersSnapshot().Count == 1, "the order at the venue");
        var posts = h.State.RestFaults.For("/order").Where(l => l.Method == "POST").ToList();
        Assert.Equal(2, posts.Count);
        Assert.Equal(429, posts[0].Status);
        Assert.True(posts[1].At - posts[0].At >= TimeSpan.FromMilliseconds(900), $"retried {posts[1].At - posts[0].At} after a 429 with Retry-After: 1");
        Assert.DoesNotContain(h.Recorded.UpdatesFor("rl-1"), u => u.Status == OrderStatus.Rejected);
        Assert.Contains(h.Logger.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("answered 429", StringComparison.Ordinal));
        fault.Survived("POST /order retried once, ≥ 1 s later (Retry-After above the 100 ms backoff cap); one order at the venue; warning logged");
    }

    [Fact]
    public async Task A_burst_of_5xx_rejects_an_order_that_never_reached_the_book_and_reads_are_retried_through_it()
    {
        await using var fault = FaultReport.Begin("Burst of 5xx (order POST and reads)", "Polymarket");
        await using var h = await PolymarketTradingHarness.StartAsync();
        h.State.RestFaults.Enqueue(new FakePolymarketRestFaults.Fault(Status: 503, PathPrefix: "/order", Method: "POST"));
        fault.Inject();

        await h.Gateway.PlaceAsync(h.Buy("5xx-1", 0.30m, 10m, TimeInForce.Gtc), CancellationToken.None);

        // A 5xx on a POST may or may not have placed the order: the gateway must look it up by hash (not resend) and only then reject.
        await WaitForAsync(() => h.Recorded.UpdatesFor("5xx-1").Any(u => u.Status.IsFinal()), "the order's end");
        var end = h.Recorded.UpdatesFor("5xx-1")[^1];
        Assert.Equal(OrderStatus.Rejected, end.Status);
        Assert.Contains("503", end.Reason, StringComparison.Ordinal);
        Assert.Empty(h.State.OrdersSnapshot());
        Assert.Single(h.State.RestFaults.For("/order"), l => l.Method == "POST");
        Assert.Single(h.State.RestFaults.For("/data/order/"));
        // And cancelled by hash before the rejection, in case the POST was still on its way to the book.
        Assert.Single(h.State.RestFaults.For("/order"), l => l.Method == "DELETE");

        foreach (var status in new[] { 500, 502, 503, 504 }) h.State.RestFaults.Enqueue(new FakePolymarketRestFaults.Fault(Status: status, Method: "GET"));
        fault.Inject(4);
        var balance = await h.Gateway.RefreshBalanceAsync(CancellationToken.None);
        Assert.Equal(h.State.Collateral, balance.Balance);
        Assert.Equal(4, h.Logger.Lines.Count(l => l.Level == LogLevel.Warning && l.Text.Contains("answered 50", StringComparison.Ordinal)));

        await h.Gateway.PlaceAsync(h.Buy("5xx-2", 0.30m, 10m, TimeInForce.Gtc), CancellationToken.None);
        await WaitForAsync(() => h.State.OrdersSnapshot().Count == 1, "the next order placed");
        fault.Survived("POST 503 not resent, looked up and cancelled by hash, rejected with the status; 4 read 5xx retried; next order placed", timed: false);
    }

    [Fact]
    public async Task An_order_POST_answered_after_the_timeout_is_found_at_the_venue_not_lost_and_not_doubled()
    {
        await using var fault = FaultReport.Begin("Response slower than the client timeout (order POST)", "Polymarket");
        await using var h = await PolymarketTradingHarness.StartAsync(configure: o => o.RequestTimeout = TimeSpan.FromMilliseconds(300));
        // The venue takes the order at once and answers 20 s later: the client gives up long before.
        h.State.RestFaults.Enqueue(new FakePolymarketRestFaults.Fault(Delay: TimeSpan.FromSeconds(20), PathPrefix: "/order", Method: "POST"));
        fault.Inject();

        await h.Gateway.PlaceAsync(h.Buy("slow-1", 0.30m, 10m, TimeInForce.Gtc), CancellationToken.None);
        await WaitForAsync(() => h.State.RestFaults.For("/data/order/").Count >= 1, "the order looked up after the timeout");
        var order = Assert.Single(h.State.OrdersSnapshot());

        // The order is alive as far as the desk knows: a fill on it is reported, once.
        h.State.TakeResting(order.Id, 4m);
        await WaitForAsync(() => h.Recorded.FillsFor("slow-1").Count == 1 && h.Gateway.Settlements.All(s => s.IsFinal), "the fill reported and settled");
        Assert.DoesNotContain(h.Recorded.UpdatesFor("slow-1"), u => u.Status == OrderStatus.Rejected);
        Assert.Equal(OrderStatus.PartiallyFilled, h.Recorded.UpdatesFor("slow-1")[^1].Status);
        Assert.Equal(h.State.SharesOf(Yes), h.Recorded.FillsFor("slow-1").Sum(f => f.Quantity));
        Assert.Single(h.State.RestFaults.For("/order"), l => l.Method == "POST");

        await h.Gateway.CancelAsync("slow-1", CancellationToken.None);
        await WaitForAsync(() => h.Recorded.UpdatesFor("slow-1")[^1].Status == OrderStatus.Cancelled, "the order cancelled");
        Assert.Equal("CANCELED", Assert.Single(h.State.OrdersSnapshot()).Status);
        fault.Survived("POST abandoned after the 300 ms Trading:RequestTimeout, not resent, found by hash; its later fill reported once; cancel works");
    }

    [Fact]
    public async Task Venue_rejects_are_clear_leave_nothing_at_the_venue_and_do_not_stop_trading()
    {
        await using var fault = FaultReport.Begin("Order rejects", "Polymarket");
        await using var h = await PolymarketTradingHarness.StartAsync();
        h.State.SetAsks(Yes, (0.40m, 100m));

        // 1. Post-only crossing the book: the venue's errorMsg.
        await h.Gateway.PlaceAsync(h.Buy("rej-postonly", 0.45m, 10m, TimeInForce.Gtc) with { PostOnly = true }, CancellationToken.None);
        // 2. Fill-or-kill that cannot fill: killed, nothing filled.
        await h.Gateway.PlaceAsync(h.Buy("rej-fok", 0.40m, 500m, TimeInForce.Fok), CancellationToken.None);
        // 3. The account's pUSD spent elsewhere since the desk last looked: the venue refuses for balance.
        await WaitForAsync(() => h.Recorded.UpdatesFor("rej-fok").Any(u => u.Status.IsFinal()) && h.Recorded.UpdatesFor("rej-postonly").Any(u => u.Status.IsFinal()), "the first two ended");
        h.State.Collateral = 1m;
        await h.Gateway.PlaceAsync(h.Buy("rej-balance", 0.30m, 10m, TimeInForce.Gtc), CancellationToken.None);
        await WaitForAsync(() => h.Recorded.UpdatesFor("rej-balance").Any(u => u.Status.IsFinal()), "the balance reject");
        h.State.Collateral = 1000m;
        // 4. A plain 400 with an error and 5. a 401: refused outright.
        h.State.RestFaults.Enqueue(new FakePolymarketRestFaults.Fault(Status: 400, PathPrefix: "/order", Method: "POST"));
        await h.Gateway.PlaceAsync(h.Buy("rej-400", 0.30m, 10m, TimeInForce.Gtc), CancellationToken.None);
        await WaitForAsync(() => h.Recorded.UpdatesFor("rej-400").Any(u => u.Status.IsFinal()), "the 400 reject");
        h.State.RestFaults.Enqueue(new FakePolymarketRestFaults.Fault(Status: 401, PathPrefix: "/order", Method: "POST"));
        await h.Gateway.PlaceAsync(h.Buy("rej-401", 0.30m, 10m, TimeInForce.Gtc), CancellationToken.None);
        await WaitForAsync(() => h.Recorded.UpdatesFor("rej-401").Any(u => u.Status.IsFinal()), "the 401 reject");
        fault.Inject(5);

        Expect("rej-postonly", OrderStatus.Rejected, "post-only");
        Expect("rej-fok", OrderStatus.Cancelled, "fill-or-kill");
        Expect("rej-balance", OrderStatus.Rejected, "balance");
        Expect("rej-400", OrderStatus.Rejected, "400");
        Expect("rej-401", OrderStatus.Rejected, "401");
        Assert.Empty(h.Recorded.Fills);
        Assert.DoesNotContain(h.State.OrdersSnapshot(), o => o.Status == "LIVE");

        await h.Gateway.PlaceAsync(h.Buy("after", 0.30m, 10m, TimeInForce.Gtc), CancellationToken.None);
        await WaitForAsync(() => h.State.OrdersSnapshot().Any(o => o.Status == "LIVE"), "an order accepted after the rejects");
        fault.Survived("post-only, FOK, balance, 400 and 401 each end the order with the venue's reason; nothing resting; no fill; next order accepted", timed: false);

        void Expect(string id, OrderStatus status, string words)
        {
            var updates = h.Recorded.UpdatesFor(id);
            Assert.Equal(status, updates[^1].Status);
            Assert.Equal(1, updates.Count(u => u.Status.IsFinal()));
            Assert.Contains(words, updates[^1].Reason ?? "", StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task A_partial_fill_then_a_user_channel_disconnect_still_reports_every_fill_once_through_reconciliation()
    {
        await using var fault = FaultReport.Begin("Partial fill followed by a disconnect", "Polymarket");
        await using var h = await PolymarketTradingHarness.StartAsync();
        await h.Gateway.PlaceAsync(h.Buy("pf-1", 0.30m, 10m, TimeInForce.Gtc), CancellationToken.None);
        await WaitForAsync(() => h.State.OrdersSnapshot().Count == 1, "the order resting");
        var orderId = h.State.OrdersSnapshot()[0].Id;
        h.State.TakeResting(orderId, 4m);
        await WaitForAsync(() => h.Recorded.FillsFor("pf-1").Count == 1, "the partial fill pushed");

        // The channel drops and stays down while the counterparty takes more.
        h.State.RefuseUserConnections = true;
        h.State.DropUserSockets();
        fault.Inject();
        await WaitForAsync(() => h.Gateway.UserChannelConnected == false, "the channel seen down");
        var reconciled = h.Gateway.Reconciliations;
        h.State.TakeResting(orderId, 3m);
        h.State.RefuseUserConnections = false;

        await WaitForAsync(() => h.Gateway.Reconciliations > reconciled && h.Recorded.FillsFor("pf-1").Count == 2, "the missed fill learned by reconciliation");
        await WaitForAsync(() => h.Gateway.Settlements.Count == 2 && h.Gateway.Settlements.All(s => s.IsFinal), "both trades settled");
        var fills = h.Recorded.FillsFor("pf-1");
        Assert.Equal(fills.Count, fills.Select(f => f.FillId).Distinct().Count());
        Assert.Equal(7m, fills.Sum(f => f.Quantity));
        Assert.Equal(h.State.SharesOf(Yes), fills.Sum(f => f.Quantity));
        Assert.Equal((OrderStatus.PartiallyFilled, 7m), (h.Recorded.UpdatesFor("pf-1")[^1].Status, h.Recorded.UpdatesFor("pf-1")[^1].FilledQuantity));
        fault.Survived("fill missed while the user channel was down reported once after reconnect + reconciliation; fills equal the venue's shares; no fill doubled");
    }

    [Fact]
    public async Task A_silent_user_channel_is_given_up_replaced_and_its_missed_fill_reconciled()
    {
        await using var fault = FaultReport.Begin("Heartbeats missing (user channel)", "Polymarket");
        await using var h = await PolymarketTradingHarness.StartAsync();
        await h.Gateway.PlaceAsync(h.Buy("hb-1", 0.30m, 10m, TimeInForce.Gtc), CancellationToken.None);
        await WaitForAsync(() => h.State.OrdersSnapshot().Count == 1, "the order resting");
        var orderId = h.State.OrdersSnapshot()[0].Id;
        var connections = Interlocked.Read(ref h.State.UserConnections);

        // Open but mute: no PONG, no event. A fill now is pushed into the void.
        h.State.MuteUserSockets();
        fault.Inject();
        h.State.TakeResting(orderId, 5m);

        await WaitForAsync(() => Interlocked.Read(ref h.State.UserConnections) > connections, "a new user connection after the silence", seconds: 45);
        await WaitForAsync(() => h.Recorded.FillsFor("hb-1").Count == 1, "the missed fill reconciled");
        Assert.Contains(h.Logger.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("no PONG", StringComparison.Ordinal));
        Assert.Equal(5m, h.Recorded.FillsFor("hb-1").Single().Quantity);
        Assert.Equal(5m, h.State.SharesOf(Yes));
        fault.Survived("silence past Trading:SilenceTimeout (2 s) detected, socket replaced, the fill pushed into the dead socket found by reconciliation, once");
    }

    private static async Task WaitForAsync(Func<bool> condition, string what, double seconds = 30)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(20);
        }
    }
}
