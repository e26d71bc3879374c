using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Faults;

/// <summary>
/// Order faults against the fake Kalshi's trading side: a partial fill and then the private channels cut (the rest of
/// the fill happens while the desk is away and must be learned by REST reconciliation, once), and a run of venue rejects
/// (each a clear rejection, nothing left at the venue, the gateway still placing orders afterwards).
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class KalshiOrderFaultTests : IAsyncLifetime
{
    private const string Fed = "FED-23DEC-T3.00";

    private FakeKalshiServer _server = null!;
    private KalshiVenue _venue = null!;
    private KalshiOrderGateway _gateway = null!;
    private readonly InstrumentRegistry _registry = new();
    private readonly RecordingExecutionListener _listener = new();
    private readonly CapturedLogs _logs = new();
    private readonly CancellationTokenSource _stop = new();
    private Market _fed = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKalshiServer.StartAsync();
        _venue = KalshiVenue.Create(_server.ClientOptions(), TimeProvider.System, _logs);
        _fed = (await _venue.Instruments.DiscoverAsync(_registry, CancellationToken.None)).Single(m => m.MarketKey == Fed);
        _gateway = new KalshiOrderGateway(_venue.Rest, _venue.Options, _venue.Signer, _registry, _venue.FeeModel, TimeProvider.System, _listener,
            _logs.CreateLogger("gateway"), _venue.MarketData.IsTradable);
        _ = Task.Run(() => _gateway.RunAsync(_stop.Token));
        await WaitForAsync(() => _gateway.Reconciliations >= 1, "the private channels subscribed and reconciled");
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _gateway.Dispose();
        _venue.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_partial_fill_then_a_disconnect_still_reports_every_fill_once_through_reconciliation()
    {
        using var fault = FaultReport.Begin("Partial fill followed by a disconnect", "Kalshi");
        await _gateway.PlaceAsync(Order("pf-1", 0.60m, 10m), CancellationToken.None);
        await WaitForAsync(() => _listener.UpdatesFor("pf-1").Any(u => u.Status == OrderStatus.Submitted), "acknowledged");
        var orderId = Assert.Single(_server.Orders).OrderId;
        await _server.FillRestingAsync(orderId, 4m);
        await WaitForAsync(() => _listener.FillsFor("pf-1").Count == 1, "the partial fill pushed");

        _server.RefuseWebSockets = true;
        _server.DropConnections();
        fault.Inject();
        // The counterparty takes more while the desk cannot hear it.
        await _server.FillRestingAsync(orderId, 3m);
        var reconciled = _gateway.Reconciliations;
        _server.RefuseWebSockets = false;

        await WaitForAsync(() => _gateway.Reconciliations > reconciled && _listener.FillsFor("pf-1").Count == 2, "the missed fill learned by reconciliation");
        var fills = _listener.FillsFor("pf-1");
        Assert.Equal(_server.FillIds.Order(), fills.Select(f => f.FillId).Order());
        Assert.Equal(7m, fills.Sum(f => f.Quantity));
        Assert.Equal((OrderStatus.PartiallyFilled, 7m), (_listener.UpdatesFor("pf-1")[^1].Status, _listener.UpdatesFor("pf-1")[^1].FilledQuantity));
        fault.Survived("fill missed while disconnected reported once after reconnect + reconciliation; no fill doubled; order state right");
    }

    [Fact]
    public async Task Venue_rejects_are_clear_leave_nothing_at_the_venue_and_do_not_stop_trading()
    {
        using var fault = FaultReport.Begin("Order rejects", "Kalshi");
        _server.Balance = 1m;
        for (var i = 0; i < 3; i++)
        {
            await _gateway.PlaceAsync(Order($"rej-{i}", 0.30m, 10m), CancellationToken.None);
            fault.Inject();
        }

        foreach (var id in new[] { "rej-0", "rej-1", "rej-2" })
        {
            var update = Assert.Single(_listener.UpdatesFor(id));
            Assert.Equal(OrderStatus.Rejected, update.Status);
            Assert.Contains("insufficient_balance", update.Reason, StringComparison.Ordinal);
        }
        Assert.Empty(_server.Orders);

        _server.Balance = 10_000m;
        await _gateway.PlaceAsync(Order("after", 0.30m, 10m), CancellationToken.None);
        await WaitForAsync(() => _listener.UpdatesFor("after").Any(u => u.Status == OrderStatus.Submitted), "an order accepted after the rejects");
        fault.Survived("each reject reported with the venue's code; nothing resting at the venue; the next order accepted", timed: false);
    }

    private OrderRequest Order(string id, decimal price, decimal quantity) => new(id, _fed.No, Side.Buy, Price.FromDecimal(price), quantity, TimeInForce.Gtc);

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(20);
        }
    }
}
