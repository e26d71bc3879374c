using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Risk;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.Execution;

/// <summary>How one single order ended: what it filled, at what cost, and its final state.</summary>
public sealed record SingleOrderResult(
    string ClientOrderId,
    Side Side,
    OrderStatus FinalStatus,
    decimal Filled,
    /// <summary>Σ price × quantity of the fills (unconfirmed filled contracts priced at the limit, the worst case).</summary>
    decimal Notional,
    decimal Fees,
    DateTimeOffset? LastFillAt,
    string? Reason)
{
    public decimal AveragePrice => Filled > 0m ? Notional / Filled : 0m;
}

/// <summary>
/// Sends one IOC order at a limit price for a single-leg strategy (the spike hunter's entries and exits) and sees it to a
/// final state: every state change and fill goes to the journal (role <see cref="OrderRole.Single"/>, no pair), an order
/// without a final state after the order timeout is cancelled, and one still silent after the expiry grace is taken as
/// expired with what it reported filled — the same state machine and rules as the <see cref="ArbitrageExecutor"/>.
/// Hub thread only; attach it to the <see cref="HubExecutionListener"/> the gateways report to.
/// </summary>
public sealed class SingleOrderExecutor : IHubExecutionHandler
{
    private readonly MarketDataHub _hub;
    private readonly IReadOnlyDictionary<VenueId, IOrderGateway> _gateways;
    private readonly IEngineJournal _journal;
    private readonly Func<RiskLimits> _limits;
    private readonly TimeSpan _expiryGrace;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Order> _orders = new(StringComparer.Ordinal);

    public SingleOrderExecutor(MarketDataHub hub, IReadOnlyDictionary<VenueId, IOrderGateway> gateways, IEngineJournal journal,
        Func<RiskLimits> limits, TimeSpan expiryGrace, ILogger<SingleOrderExecutor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(gateways);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(limits);
        _hub = hub;
        _gateways = gateways;
        _journal = journal;
        _limits = limits;
        _expiryGrace = expiryGrace;
        _time = hub.Time;
        _logger = logger ?? NullLogger<SingleOrderExecutor>.Instance;
    }

    /// <summary>Orders without a settled outcome. Hub thread.</summary>
    public int OpenOrders => _orders.Values.Count(o => !o.Settled);

    /// <summary>
    /// Sends an IOC order; <paramref name="done"/> is called on the hub thread once it is final with every fill accounted
    /// for. False (naming why) when the venue has no gateway or the id was used before.
    /// </summary>
    public bool TrySend(string clientOrderId, long opportunityId, InstrumentId instrument, VenueId venue, Side side, Price limit, decimal quantity,
        Action<SingleOrderResult> done, [NotNullWhen(false)] out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(done);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        if (!_gateways.TryGetValue(venue, out var gateway))
        {
            refusal = $"no order gateway for {venue.DisplayName()}";
            return false;
        }
        if (_orders.ContainsKey(clientOrderId))
        {
            refusal = $"order {clientOrderId} was sent already";
            return false;
        }
        var request = new OrderRequest(clientOrderId, instrument, side, limit, quantity, TimeInForce.Ioc);
        var order = new Order(request, venue, opportunityId, done) { SentAt = _time.GetUtcNow() };
        _orders.Add(clientOrderId, order);
        order.Timer = StartTimer(order, _limits().OrderTimeout, expiry: false);
        refusal = null;
        try
        {
            var placing = gateway.PlaceAsync(request, CancellationToken.None);
            if (placing.IsCompletedSuccessfully) return true;
            if (placing.IsCompleted) placing.GetAwaiter().GetResult();
            else _ = ObservePlacementAsync(placing, order);
        }
        catch (Exception ex)
        {
            OnSendFailed(order, ex);
        }
        return true;
    }

    /// <inheritdoc />
    public void OnOrderUpdate(OrderUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (!_orders.TryGetValue(update.ClientOrderId, out var order)) return;
        if (update.FilledQuantity > order.ReportedFilled) order.ReportedFilled = update.FilledQuantity;
        if (order.Settled) return;
        switch (update.Status)
        {
            case OrderStatus.New:
                break;
            case OrderStatus.Submitted:
                Transition(order, OrderStatus.Submitted, update.Reason);
                break;
            case OrderStatus.PartiallyFilled:
            case OrderStatus.Filled:
                RecordFillProgress(order, update.Reason);
                break;
            default:
                RecordFillProgress(order, null);
                Transition(order, update.Status, update.Reason);
                break;
        }
        TrySettle(order);
    }

    /// <inheritdoc />
    public void OnFill(Fill fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        if (!_orders.TryGetValue(fill.ClientOrderId, out var order) || !order.FillIds.Add(fill.FillId)) return;
        _journal.OnFill(fill, order.OpportunityId, null);
        if (order.Settled)
        {
            // Given up on already: the position this bought or sold is no longer managed; say so loudly.
            var detail = string.Create(CultureInfo.InvariantCulture,
                $"late fill: {fill.Side.ToString().ToUpperInvariant()} {fill.Quantity:0.####} for order {fill.ClientOrderId} after it was taken as final");
            _logger.LogError("Late fill on single order {ClientOrderId}: {Detail}", fill.ClientOrderId, detail);
            _journal.OnUnhedgedExposure(null, fill.Instrument, fill.Side == Side.Buy ? fill.Quantity : -fill.Quantity, detail);
            return;
        }
        order.Fills.Add(fill);
        if (order.LastFillAt is not { } last || fill.Time > last) order.LastFillAt = fill.Time;
        RecordFillProgress(order, null);
        TrySettle(order);
    }

    private async Task ObservePlacementAsync(ValueTask placing, Order order)
    {
        try
        {
            await placing.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _hub.Post(new Work(() => OnSendFailed(order, ex)));
        }
    }

    private void OnSendFailed(Order order, Exception ex)
    {
        _logger.LogWarning(ex, "Sending order {ClientOrderId} failed; its outcome is unknown until it answers or expires", order.Request.ClientOrderId);
        order.SendError = ex.Message;
        if (!order.Status.IsFinal()) RequestCancel(order);
    }

    private void RequestCancel(Order order)
    {
        try
        {
            var cancelling = _gateways[order.Venue].CancelAsync(order.Request.ClientOrderId, CancellationToken.None);
            if (!cancelling.IsCompletedSuccessfully) _ = ObserveCancelAsync(cancelling, order.Request.ClientOrderId);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Cancelling order {ClientOrderId} failed", order.Request.ClientOrderId);
        }
    }

    private async Task ObserveCancelAsync(ValueTask cancelling, string clientOrderId)
    {
        try
        {
            await cancelling.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Cancelling order {ClientOrderId} failed", clientOrderId);
        }
    }

    private void Transition(Order order, OrderStatus to, string? reason)
    {
        var from = order.Status;
        if (!OrderStateMachine.IsLegal(from, to)) return;
        order.Status = to;
        order.RecordedFilled = order.Filled;
        if (reason is not null) order.LastReason = reason;
        var r = order.Request;
        _journal.OnOrderTransition(new OrderTransition(r.ClientOrderId, order.OpportunityId, null, OrderRole.Single, order.Venue, r.Instrument, r.Side,
            r.LimitPrice, r.Quantity, r.TimeInForce, from, to, order.Filled, reason, _time.GetUtcNow(), order.SentAt));
    }

    private void RecordFillProgress(Order order, string? reason)
    {
        if (order.Status.IsFinal() || order.Filled <= order.RecordedFilled) return;
        if (order.Status == OrderStatus.New) Transition(order, OrderStatus.Submitted, "implied by a fill");
        Transition(order, order.Filled >= order.Request.Quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled, reason);
    }

    private void OnTimer(Order order, bool expiry)
    {
        if (order.Settled) return;
        order.Timer?.Dispose();
        order.Timer = null;
        if (!expiry)
        {
            if (!order.Status.IsFinal()) RequestCancel(order);
            order.Timer = StartTimer(order, _expiryGrace, expiry: true);
            return;
        }
        order.GraceElapsed = true;
        if (!order.Status.IsFinal())
        {
            var detail = order.SendError is { } error ? $"sending failed ({error}) and " : "";
            Transition(order, OrderStatus.Expired, string.Create(CultureInfo.InvariantCulture,
                $"{detail}no final state from {order.Venue.DisplayName()} in time; taken as filled {order.Filled:0.####} and no more"));
        }
        TrySettle(order);
    }

    private void TrySettle(Order order)
    {
        if (order.Settled || !order.Status.IsFinal()) return;
        if (order.FillQuantity < order.Filled && !order.GraceElapsed)
        {
            // A final update may overtake its fills; wait for them, but never past the grace period.
            order.Timer ??= StartTimer(order, _expiryGrace, expiry: true);
            return;
        }
        order.Settled = true;
        order.Timer?.Dispose();
        order.Timer = null;
        var unconfirmed = order.Filled - order.FillQuantity;
        var notional = order.Fills.Sum(f => f.Price.Value * f.Quantity) + unconfirmed * order.Request.LimitPrice.Value;
        var result = new SingleOrderResult(order.Request.ClientOrderId, order.Request.Side, order.Status, order.Filled, notional,
            order.Fills.Sum(f => f.Fee), order.LastFillAt, order.SendError ?? order.LastReason);
        // Settled orders stay known for a while so late fills are recognised; old ones are dropped here.
        Prune();
        try
        {
            order.Done(result);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Handling the outcome of order {ClientOrderId} failed", order.Request.ClientOrderId);
        }
    }

    private void Prune()
    {
        if (_orders.Count < 4096) return;
        foreach (var id in _orders.Where(e => e.Value.Settled).Select(e => e.Key).Take(2048).ToList()) _orders.Remove(id);
    }

    private ITimer StartTimer(Order order, TimeSpan due, bool expiry) =>
        _time.CreateTimer(static state => ((TimerTarget)state!).Fire(), new TimerTarget(this, order, expiry),
            due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);

    private sealed class TimerTarget(SingleOrderExecutor owner, Order order, bool expiry)
    {
        public void Fire() => owner._hub.Post(new Work(() => owner.OnTimer(order, expiry)));
    }

    private sealed class Work(Action action) : IHubWork
    {
        public void Execute(MarketDataHub hub) => action();
    }

    private sealed class Order(OrderRequest request, VenueId venue, long opportunityId, Action<SingleOrderResult> done)
    {
        public OrderRequest Request { get; } = request;
        public VenueId Venue { get; } = venue;
        public long OpportunityId { get; } = opportunityId;
        public Action<SingleOrderResult> Done { get; } = done;
        public HashSet<string> FillIds { get; } = new(StringComparer.Ordinal);
        public List<Fill> Fills { get; } = [];
        public OrderStatus Status { get; set; } = OrderStatus.New;
        public decimal ReportedFilled { get; set; }
        public decimal RecordedFilled { get; set; }
        public decimal FillQuantity => Fills.Sum(f => f.Quantity);
        public decimal Filled => Math.Max(ReportedFilled, FillQuantity);
        public DateTimeOffset? LastFillAt { get; set; }
        public string? LastReason { get; set; }
        public string? SendError { get; set; }
        public ITimer? Timer { get; set; }
        public bool GraceElapsed { get; set; }
        public bool Settled { get; set; }
        /// <summary>When the order left for the venue (for its response latency).</summary>
        public DateTimeOffset SentAt { get; init; }
    }
}
