using ArbBot.Engine.Core;
using ArbBot.Engine.Venues;

namespace ArbBot.Engine.Execution;

/// <summary>A limit order to place on a venue (or on its paper twin).</summary>
public sealed record OrderRequest(
    /// <summary>Our idempotency key: placing the same id twice never creates two orders.</summary>
    string ClientOrderId,
    InstrumentId Instrument,
    Side Side,
    Price LimitPrice,
    decimal Quantity,
    TimeInForce TimeInForce);

public enum OrderStatus : byte
{
    New,
    Submitted,
    PartiallyFilled,
    Filled,
    Cancelled,
    Rejected,
    Expired,
}

public static class OrderStatusExtensions
{
    /// <summary>True once nothing more can happen to the order.</summary>
    public static bool IsFinal(this OrderStatus status) =>
        status is OrderStatus.Filled or OrderStatus.Cancelled or OrderStatus.Rejected or OrderStatus.Expired;
}

/// <summary>A change in an order's state as the venue (or the paper gateway) reports it.</summary>
public sealed record OrderUpdate(
    string ClientOrderId,
    string? VenueOrderId,
    VenueId Venue,
    InstrumentId Instrument,
    OrderStatus Status,
    decimal FilledQuantity,
    decimal RemainingQuantity,
    string? Reason,
    DateTimeOffset Time);

/// <summary>One execution against an order.</summary>
public sealed record Fill(
    string FillId,
    string ClientOrderId,
    string? VenueOrderId,
    VenueId Venue,
    InstrumentId Instrument,
    Side Side,
    Price Price,
    decimal Quantity,
    /// <summary>The fee charged for this fill in dollars.</summary>
    decimal Fee,
    Liquidity Liquidity,
    DateTimeOffset Time);

/// <summary>Receives order updates and fills from gateways. Called from gateway threads; must not block.</summary>
public interface IExecutionListener
{
    void OnOrderUpdate(OrderUpdate update);

    void OnFill(Fill fill);
}

/// <summary>Places and cancels orders on one venue; results arrive through <see cref="IExecutionListener"/>.</summary>
public interface IOrderGateway
{
    VenueId Venue { get; }

    /// <summary>True for the paper gateway: fills are simulated and no order reaches the venue.</summary>
    bool IsPaper { get; }

    /// <summary>
    /// Sends an order. Returns once the gateway has accepted responsibility for it (the acknowledgement and fills follow
    /// as updates). A request that cannot be valid on the venue (off its tick grid, below its minimum size) is rejected
    /// with an update naming the reason.
    /// </summary>
    ValueTask PlaceAsync(OrderRequest request, CancellationToken cancellationToken);

    /// <summary>Cancels the unfilled rest of an order; a final order is left as it is.</summary>
    ValueTask CancelAsync(string clientOrderId, CancellationToken cancellationToken);

    /// <summary>Cancels every open order this gateway placed.</summary>
    ValueTask CancelAllAsync(CancellationToken cancellationToken);
}
