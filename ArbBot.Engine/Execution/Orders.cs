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
    TimeInForce TimeInForce)
{
    /// <summary>Rest only: refused (or cancelled) rather than take liquidity. Only with GTC or GTD.</summary>
    public bool PostOnly { get; init; }

    /// <summary>Only reduce an existing position, never open or increase one (Kalshi only).</summary>
    public bool ReduceOnly { get; init; }

    /// <summary>When a GTD order leaves the book; required with GTD and only with it.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>
/// The order options each venue can express, checked before anything is sent, with a message naming what is wrong.
/// Kalshi: fill_or_kill / immediate_or_cancel / good_till_canceled (GTD = good_till_canceled + expiration_ts), post_only,
/// reduce_only. Polymarket: FOK / FAK (our IOC) / GTC / GTD (+ expiration) and postOnly; no reduce-only.
/// </summary>
public static class OrderOptions
{
    /// <summary>Polymarket takes a GTD order off the book one minute before the expiration it carries (its security threshold).</summary>
    public static readonly TimeSpan PolymarketExpiryThreshold = TimeSpan.FromMinutes(1);

    /// <summary>Polymarket refuses an expiration less than three minutes ahead, so the shortest effective lifetime is two minutes.</summary>
    public static readonly TimeSpan PolymarketShortestGtd = TimeSpan.FromMinutes(2);

    /// <summary>Null when <paramref name="request"/>'s options are valid on <paramref name="venue"/> at <paramref name="now"/>; otherwise why not.</summary>
    public static string? Problem(OrderRequest request, VenueId venue, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Enum.IsDefined(request.TimeInForce)) return $"time in force {(int)request.TimeInForce} is not one of GTC, IOC, FOK, GTD";
        if (request.PostOnly && request.TimeInForce is TimeInForce.Ioc or TimeInForce.Fok)
        {
            return $"post-only orders rest on the book, so they cannot be {Name(request.TimeInForce)}; use GTC or GTD";
        }
        if (request.TimeInForce == TimeInForce.Gtd)
        {
            if (request.ExpiresAt is not { } expires) return "a GTD (good-till-date) order needs an expiry";
            if (expires <= now) return $"the GTD expiry {expires:u} is not in the future";
            if (venue == VenueId.Polymarket && expires - now < PolymarketShortestGtd)
            {
                return $"Polymarket GTD orders must live at least {PolymarketShortestGtd.TotalMinutes:0} minutes (expiry {expires:u})";
            }
        }
        else if (request.ExpiresAt is not null)
        {
            return $"only GTD orders carry an expiry, not {Name(request.TimeInForce)}";
        }
        if (request.ReduceOnly && venue == VenueId.Polymarket) return "Polymarket has no reduce-only orders";
        return null;
    }

    private static string Name(TimeInForce tif) => tif switch
    {
        TimeInForce.Ioc => "immediate-or-cancel",
        TimeInForce.Fok => "fill-or-kill",
        TimeInForce.Gtd => "good-till-date",
        _ => "good-till-cancelled",
    };
}

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
