using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Venues;
using ArbBot.Engine.Venues.Polymarket.Signing;
using ArbBot.Engine.Venues.Polymarket.Trading;
using Microsoft.Extensions.Logging;
using static ArbBot.Tests.Venues.Polymarket.Trading.PolymarketTradingHarness;

namespace ArbBot.Tests.Venues.Polymarket.Trading;

public sealed class PolymarketOrderGatewayTests
{
    [Fact]
    public async Task Gtc_buy_takes_then_rests_then_cancel_ends_cancelled_with_both_fills()
    {
        await using var h = await StartAsync(negRisk: true, setup: s => s.SetAsks(YesToken, (0.50m, 4m), (0.60m, 100m)));

        await h.Gateway.PlaceAsync(h.Buy("gtc-1", 0.52m, 10m, TimeInForce.Gtc), CancellationToken.None);
        await EventuallyAsync(() => h.Recorded.FillsFor("gtc-1").Count == 1, "the taker fill");
        var order = Assert.Single(h.State.OrdersSnapshot());
        h.State.TakeResting(order.Id, 3m);
        await EventuallyAsync(() => h.Recorded.FillsFor("gtc-1").Count == 2, "the maker fill");
        await h.Gateway.CancelAsync("gtc-1", CancellationToken.None);
        await EventuallyAsync(() => h.Recorded.UpdatesFor("gtc-1").Any(u => u.Status.IsFinal()), "the final state");

        var fills = h.Recorded.FillsFor("gtc-1");
        Assert.Equal((Liquidity.Taker, 4m, Price.FromDecimal(0.50m)), (fills[0].Liquidity, fills[0].Quantity, fills[0].Price));
        Assert.Equal(4m * 0.25m * 0.0625m, fills[0].Fee);
        Assert.Equal((Liquidity.Maker, 3m, Price.FromDecimal(0.52m), 0m), (fills[1].Liquidity, fills[1].Quantity, fills[1].Price, fills[1].Fee));
        var statuses = h.Recorded.UpdatesFor("gtc-1").Select(u => u.Status).ToList();
        Assert.Equal([OrderStatus.Submitted, OrderStatus.PartiallyFilled, OrderStatus.PartiallyFilled, OrderStatus.Cancelled], statuses);
        var final = h.Recorded.UpdatesFor("gtc-1")[^1];
        Assert.Equal((7m, 0m, order.Id), (final.FilledQuantity, final.RemainingQuantity, final.VenueOrderId));
        Assert.Equal(0, h.State.SignatureRejected);
        Assert.Equal(0, h.State.AuthRejected);
        await EventuallyAsync(() => h.Gateway.Settlements.Count == 2 && h.Gateway.Settlements.All(s => s.Status == PolymarketTradeStatus.Confirmed), "settlement to CONFIRMED");
        await EventuallyAsync(() => h.Gateway.Collateral?.Balance == h.State.Collateral, "the balance refreshed after the fills");
        Assert.True(h.Gateway.BalanceReads >= 2);
    }

    [Fact]
    public async Task A_gtd_post_only_order_is_signed_with_its_expiry_plus_the_venues_minute_and_posted_as_gtd_post_only()
    {
        await using var h = await StartAsync(setup: s => s.SetAsks(YesToken, (0.60m, 100m)));
        var expires = DateTimeOffset.UtcNow.AddHours(1);

        await h.Gateway.PlaceAsync(h.Buy("gtd-1", 0.52m, 10m, TimeInForce.Gtd) with { ExpiresAt = expires, PostOnly = true }, CancellationToken.None);

        await EventuallyAsync(() => h.State.OrdersSnapshot().Count == 1, "the order resting on the exchange");
        var resting = Assert.Single(h.State.OrdersSnapshot());
        Assert.Equal(("GTD", "LIVE"), (resting.OrderType, resting.Status));
        using var body = System.Text.Json.JsonDocument.Parse(Assert.Single(h.State.OrderBodies));
        Assert.Equal("GTD", body.RootElement.GetProperty("orderType").GetString());
        Assert.True(body.RootElement.GetProperty("postOnly").GetBoolean());
        // The CLOB ends GTD orders a minute before the signed expiration, so the signed one is a minute later.
        Assert.Equal((expires.ToUnixTimeSeconds() + 60).ToString(System.Globalization.CultureInfo.InvariantCulture),
            body.RootElement.GetProperty("order").GetProperty("expiration").ToString());
        Assert.Equal(0, h.State.SignatureRejected);
    }

    [Fact]
    public async Task Order_options_polymarket_cannot_take_are_rejected_with_a_reason_and_never_posted()
    {
        await using var h = await StartAsync(withChannel: false, setup: s => s.SetAsks(YesToken, (0.60m, 100m)));

        await h.Gateway.PlaceAsync(h.Buy("po-fok", 0.52m, 10m, TimeInForce.Fok) with { PostOnly = true }, CancellationToken.None);
        await h.Gateway.PlaceAsync(h.Buy("reduce", 0.52m, 10m, TimeInForce.Gtc) with { ReduceOnly = true }, CancellationToken.None);
        await h.Gateway.PlaceAsync(h.Buy("gtd-short", 0.52m, 10m, TimeInForce.Gtd) with { ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(90) }, CancellationToken.None);

        Assert.Equal("post-only orders rest on the book, so they cannot be fill-or-kill; use GTC or GTD", Rejection("po-fok"));
        Assert.Equal("Polymarket has no reduce-only orders", Rejection("reduce"));
        Assert.StartsWith("Polymarket GTD orders must live at least 2 minutes", Rejection("gtd-short"));
        Assert.Empty(h.State.OrderBodies);

        string? Rejection(string id) => Assert.Single(h.Recorded.UpdatesFor(id), u => u.Status == OrderStatus.Rejected).Reason;
    }

    [Fact]
    public async Task Fill_or_kill_and_fill_and_kill_follow_the_venue()
    {
        await using var h = await StartAsync(setup: s => s.SetAsks(YesToken, (0.40m, 5m), (0.45m, 5m)));

        await h.Gateway.PlaceAsync(h.Buy("fok-killed", 0.45m, 20m, TimeInForce.Fok), CancellationToken.None);
        await h.Gateway.PlaceAsync(h.Buy("fok-full", 0.40m, 5m, TimeInForce.Fok), CancellationToken.None);
        await EventuallyAsync(() => h.Recorded.UpdatesFor("fok-killed").Any(u => u.Status.IsFinal()) && h.Recorded.UpdatesFor("fok-full").Any(u => u.Status.IsFinal()), "both FOKs final");
        await h.Gateway.PlaceAsync(h.Buy("fak", 0.45m, 8m, TimeInForce.Ioc), CancellationToken.None);
        await EventuallyAsync(() => h.Recorded.UpdatesFor("fak").Any(u => u.Status.IsFinal()), "the FAK final");

        var killed = h.Recorded.UpdatesFor("fok-killed")[^1];
        Assert.Equal(OrderStatus.Cancelled, killed.Status);
        Assert.StartsWith("fill-or-kill", killed.Reason, StringComparison.Ordinal);
        Assert.Empty(h.Recorded.FillsFor("fok-killed"));
        Assert.Equal((OrderStatus.Filled, 5m), (h.Recorded.UpdatesFor("fok-full")[^1].Status, h.Recorded.UpdatesFor("fok-full")[^1].FilledQuantity));
        var fak = h.Recorded.UpdatesFor("fak")[^1];
        Assert.Equal((OrderStatus.Cancelled, 5m), (fak.Status, fak.FilledQuantity));
        Assert.StartsWith("immediate-or-cancel: 3 of 8 unfilled", fak.Reason, StringComparison.Ordinal);
        Assert.Equal(5m, h.Recorded.FillsFor("fak").Sum(f => f.Quantity));
        Assert.True(h.Recorded.FillsFor("fak").All(f => f.Price == Price.FromDecimal(0.45m)));
    }

    [Fact]
    public async Task Orders_the_market_or_the_account_cannot_take_are_rejected_with_a_reason()
    {
        await using var h = await StartAsync(setup: s => s.Collateral = 3m);

        await h.Gateway.PlaceAsync(h.Buy("off-tick", 0.505m, 10m, TimeInForce.Gtc), CancellationToken.None);
        await h.Gateway.PlaceAsync(h.Buy("too-small", 0.5m, 0.5m, TimeInForce.Gtc), CancellationToken.None);
        await h.Gateway.PlaceAsync(h.Buy("too-dear", 0.5m, 10m, TimeInForce.Gtc), CancellationToken.None);
        await h.Gateway.PlaceAsync(h.Sell("no-shares", 0.5m, 2m, TimeInForce.Gtc), CancellationToken.None);
        await EventuallyAsync(() => new[] { "off-tick", "too-small", "too-dear", "no-shares" }.All(id => h.Recorded.UpdatesFor(id).Any(u => u.Status == OrderStatus.Rejected)), "four rejections");

        Assert.Contains("tick grid", h.Recorded.UpdatesFor("off-tick")[^1].Reason, StringComparison.Ordinal);
        Assert.Contains("minimum order size", h.Recorded.UpdatesFor("too-small")[^1].Reason, StringComparison.Ordinal);
        Assert.Equal("insufficient pUSD: the order needs 5, 3 is available", h.Recorded.UpdatesFor("too-dear")[^1].Reason);
        Assert.StartsWith("insufficient shares", h.Recorded.UpdatesFor("no-shares")[^1].Reason, StringComparison.Ordinal);
        Assert.Empty(h.State.OrdersSnapshot());

        // A tick_size_change to 0.001 makes 0.505 a valid price, rounded and signed with the new tick.
        h.Gateway.ApplyTickSizeChange(YesToken, TickSize.DeciCent);
        await h.Gateway.PlaceAsync(h.Buy("new-tick", 0.505m, 2m, TimeInForce.Gtc), CancellationToken.None);
        await EventuallyAsync(() => h.State.OrdersSnapshot().Count == 1, "the order on the venue");
        Assert.Equal(0.505m, h.State.OrdersSnapshot()[0].Price);
    }

    [Fact]
    public async Task Fills_missed_while_the_user_socket_was_down_are_reconciled_once_and_never_doubled()
    {
        await using var h = await StartAsync(setup: s => s.SetAsks(YesToken, (0.30m, 6m)));

        h.State.UserEventsLost = true;
        h.State.DropUserSockets();
        await h.Gateway.PlaceAsync(h.Buy("missed", 0.30m, 6m, TimeInForce.Gtc), CancellationToken.None);
        await h.State.WaitForUserConnectionAsync(2, TimeSpan.FromSeconds(10));
        await EventuallyAsync(() => h.Recorded.UpdatesFor("missed").Any(u => u.Status == OrderStatus.Filled), "the fill from REST reconciliation");
        h.State.UserEventsLost = false;
        // The venue now repeats the trade (later statuses) on the socket: same trade id, no second fill.
        foreach (var trade in h.State.TradesSnapshot()) h.State.Push(trade.ToJson(h.State));
        await Task.Delay(200);
        await h.Gateway.ReconcileAsync(CancellationToken.None);

        Assert.Equal(6m, Assert.Single(h.Recorded.FillsFor("missed")).Quantity);
        Assert.Equal(1, h.Recorded.UpdatesFor("missed").Count(u => u.Status == OrderStatus.Filled));
        Assert.True(h.Gateway.Reconciliations >= 1);
    }

    [Fact]
    public async Task A_trade_that_fails_on_chain_is_followed_to_failed_and_said_loudly()
    {
        await using var h = await StartAsync(setup: s =>
        {
            s.SetAsks(YesToken, (0.70m, 2m));
            s.FailNextTrades(1);
        });
        var seen = new List<PolymarketTradeStatus>();
        h.Gateway.TradeSettlementChanged += s => seen.Add(s.Status);

        await h.Gateway.PlaceAsync(h.Buy("doomed", 0.70m, 2m, TimeInForce.Fok), CancellationToken.None);
        await EventuallyAsync(() => h.Gateway.Settlements.Any(s => s.Status == PolymarketTradeStatus.Failed), "the FAILED status");

        Assert.Equal([PolymarketTradeStatus.Matched, PolymarketTradeStatus.Retrying, PolymarketTradeStatus.Failed], seen);
        Assert.Single(h.Recorded.FillsFor("doomed"));
        Assert.Contains(h.Logger.Lines, l => l.Level == LogLevel.Error && l.Text.Contains("FAILED on chain", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_version_switch_on_the_venue_re_signs_the_order_for_the_other_exchange()
    {
        await using var h = await StartAsync(setup: s => s.SetAsks(YesToken, (0.20m, 5m)));
        Assert.Equal(PolymarketExchangeVersion.V2, h.Gateway.ExchangeVersion);

        h.State.Version = 1;
        await h.Gateway.PlaceAsync(h.Buy("v1", 0.20m, 5m, TimeInForce.Fok), CancellationToken.None);
        await EventuallyAsync(() => h.Recorded.UpdatesFor("v1").Any(u => u.Status.IsFinal()), "the order final");

        Assert.Equal(OrderStatus.Filled, h.Recorded.UpdatesFor("v1")[^1].Status);
        Assert.Equal(PolymarketExchangeVersion.V1, h.Gateway.ExchangeVersion);
        Assert.Contains("\"feeRateBps\"", h.State.OrderBodies.Last(), StringComparison.Ordinal);
        Assert.Equal(0, h.State.SignatureRejected);
    }

    [Fact]
    public async Task Cancel_all_cancels_only_this_gateways_open_orders_and_a_repeated_id_is_ignored()
    {
        await using var h = await StartAsync();

        await h.Gateway.PlaceAsync(h.Buy("rest-1", 0.10m, 5m, TimeInForce.Gtc), CancellationToken.None);
        await h.Gateway.PlaceAsync(h.Buy("rest-2", 0.11m, 5m, TimeInForce.Gtc, yes: false), CancellationToken.None);
        await h.Gateway.PlaceAsync(h.Buy("rest-1", 0.12m, 5m, TimeInForce.Gtc), CancellationToken.None);
        await EventuallyAsync(() => h.State.OrdersSnapshot().Count == 2 && h.Gateway.Settlements.Count == 0 && h.State.OrdersSnapshot().All(o => o.Status == "LIVE"), "two resting orders");
        await Task.Delay(100);
        await h.Gateway.CancelAllAsync(CancellationToken.None);
        await EventuallyAsync(() => new[] { "rest-1", "rest-2" }.All(id => h.Recorded.UpdatesFor(id).Any(u => u.Status == OrderStatus.Cancelled)), "both cancelled");

        Assert.All(h.State.OrdersSnapshot(), o => Assert.Equal("CANCELED", o.Status));
        Assert.Equal(2, h.Recorded.UpdatesFor("rest-1").Count);
    }

    [Fact]
    public async Task The_gateway_never_logs_or_throws_its_secrets()
    {
        await using var h = await StartAsync(setup: s => s.SetAsks(YesToken, (0.50m, 1m)));
        var secret = h.State.Credentials.Secret.Reveal();
        var passphrase = h.State.Credentials.Passphrase.Reveal();

        h.State.RateLimitNext(2);
        await h.Gateway.PlaceAsync(h.Buy("limited", 0.50m, 1m, TimeInForce.Ioc), CancellationToken.None);
        await EventuallyAsync(() => h.Recorded.UpdatesFor("limited").Any(u => u.Status.IsFinal()), "the order final");
        h.State.DropUserSockets();
        await h.State.WaitForUserConnectionAsync(2, TimeSpan.FromSeconds(10));
        // The venue replaces the credentials: every later call fails authentication.
        h.State.Credentials = h.State.NewCredentials();
        await h.Gateway.PlaceAsync(h.Buy("unauthorized", 0.50m, 1m, TimeInForce.Gtc), CancellationToken.None);
        await EventuallyAsync(() => h.Recorded.UpdatesFor("unauthorized").Any(u => u.Status == OrderStatus.Rejected), "the rejection");
        h.State.DropUserSockets();
        await Task.Delay(300);

        var texts = h.Logger.Lines.Select(l => l.Text).Concat(h.Recorded.Updates.Select(u => u.Reason ?? "")).ToList();
        Assert.Contains(texts, t => t.Contains("401", StringComparison.Ordinal));
        Assert.Contains(h.Logger.Lines, l => l.Text.Contains("429", StringComparison.Ordinal));
        foreach (var text in texts)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(passphrase, text, StringComparison.Ordinal);
            Assert.DoesNotContain("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", text, StringComparison.OrdinalIgnoreCase);
        }
    }
}
