using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Venues;

namespace ArbBot.Tests.Execution;

/// <summary>What a <see cref="ScriptedOrderGateway"/> does with the next order it is sent.</summary>
public sealed record GatewayScript
{
    /// <summary>Contracts to fill (null: all of them); a shortfall is cancelled as an IOC remainder.</summary>
    public decimal? FillQuantity { get; init; }
    /// <summary>The fill price (null: the order's limit).</summary>
    public Price? FillPrice { get; init; }
    public string? RejectReason { get; init; }
    /// <summary>No acknowledgement, no fill, and cancels go unanswered.</summary>
    public bool NeverAnswer { get; init; }
    /// <summary>PlaceAsync throws, as when the connection drops mid-request.</summary>
    public bool Disconnect { get; init; }
    /// <summary>Acknowledge now, fill (all) after this delay, ignoring cancels.</summary>
    public TimeSpan? FillAfter { get; init; }

    public static GatewayScript FillAll(decimal? price = null) => new() { FillPrice = price is { } p ? Price.FromDecimal(p) : null };
    public static GatewayScript Partial(decimal quantity, decimal? price = null) =>
        new() { FillQuantity = quantity, FillPrice = price is { } p ? Price.FromDecimal(p) : null };
    public static GatewayScript Reject(string reason) => new() { RejectReason = reason };
    public static GatewayScript Silent() => new() { NeverAnswer = true };
    public static GatewayScript Disconnected() => new() { Disconnect = true };
    public static GatewayScript FillLate(TimeSpan delay) => new() { FillAfter = delay };
}

/// <summary>
/// An order gateway whose every answer a test scripts, one <see cref="GatewayScript"/> per order in sending order
/// (then <see cref="DefaultScript"/>). Answers go to the listener synchronously from PlaceAsync, as a gateway
/// thread would send them; a delayed fill comes from a timer of the test's clock.
/// </summary>
public sealed class ScriptedOrderGateway(VenueId venue, IExecutionListener listener, TimeProvider time, decimal feePerContract = 0m) : IOrderGateway
{
    private readonly Queue<GatewayScript> _scripts = new();
    private readonly List<ITimer> _timers = [];
    private int _fills;

    public VenueId Venue { get; } = venue;
    public bool IsPaper => false;
    public List<OrderRequest> Placed { get; } = [];

    /// <summary>What orders get once the scripts run out.</summary>
    public GatewayScript DefaultScript { get; set; } = GatewayScript.FillAll();
    public List<string> CancelRequests { get; } = [];

    public ScriptedOrderGateway Then(GatewayScript script)
    {
        _scripts.Enqueue(script);
        return this;
    }

    public ValueTask PlaceAsync(OrderRequest request, CancellationToken cancellationToken)
    {
        Placed.Add(request);
        var script = _scripts.Count > 0 ? _scripts.Dequeue() : DefaultScript;
        if (script.Disconnect) throw new IOException("connection reset by peer");
        if (script.NeverAnswer) return ValueTask.CompletedTask;
        if (script.RejectReason is { } reason)
        {
            Update(request, OrderStatus.Rejected, 0m, reason);
            return ValueTask.CompletedTask;
        }
        Update(request, OrderStatus.Submitted, 0m, null);
        if (script.FillAfter is { } delay)
        {
            _timers.Add(time.CreateTimer(_ => Execute(request, request.Quantity, script.FillPrice ?? request.LimitPrice), null, delay, Timeout.InfiniteTimeSpan));
            return ValueTask.CompletedTask;
        }
        Execute(request, Math.Min(request.Quantity, script.FillQuantity ?? request.Quantity), script.FillPrice ?? request.LimitPrice);
        return ValueTask.CompletedTask;
    }

    public ValueTask CancelAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        CancelRequests.Add(clientOrderId);
        return ValueTask.CompletedTask;
    }

    public ValueTask CancelAllAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private void Execute(OrderRequest request, decimal quantity, Price price)
    {
        if (quantity > 0m)
        {
            _fills++;
            listener.OnFill(new Fill($"{Venue}-f{_fills}", request.ClientOrderId, "v-" + request.ClientOrderId, Venue, request.Instrument,
                request.Side, price, quantity, quantity * feePerContract, Liquidity.Taker, time.GetUtcNow()));
        }
        if (quantity == request.Quantity)
        {
            Update(request, OrderStatus.Filled, quantity, null);
            return;
        }
        if (quantity > 0m) Update(request, OrderStatus.PartiallyFilled, quantity, null);
        Update(request, OrderStatus.Cancelled, quantity, $"immediate-or-cancel: {request.Quantity - quantity} unfilled");
    }

    private void Update(OrderRequest request, OrderStatus status, decimal filled, string? reason) =>
        listener.OnOrderUpdate(new OrderUpdate(request.ClientOrderId, "v-" + request.ClientOrderId, Venue, request.Instrument, status, filled,
            status.IsFinal() ? 0m : request.Quantity - filled, reason, time.GetUtcNow()));
}
