using ArbBot.Engine.Core;

namespace ArbBot.Engine.Execution;

/// <summary>
/// A live gateway's private order stream (the venue's push channel for fills and order updates): while it is down,
/// fills reach the desk late, through the REST reconciliation that follows the next reconnect.
/// </summary>
public interface IOrderStreamHealth
{
    /// <summary>The stream's state now; one read, safe from any thread.</summary>
    OrderStreamStatus OrderStream { get; }
}

/// <summary>An order stream's state.</summary>
/// <param name="Connected">True while the stream is open and subscribed.</param>
/// <param name="DisconnectedSince">When it went down (or started trying to connect); null while connected.</param>
/// <param name="EverConnected">True once it has been connected at least once.</param>
public sealed record OrderStreamStatus(bool Connected, DateTimeOffset? DisconnectedSince, bool EverConnected)
{
    /// <summary>A stream that has not connected yet, trying since <paramref name="since"/>.</summary>
    public static OrderStreamStatus Connecting(DateTimeOffset since) => new(false, since, false);
}

/// <summary>One venue's live order stream as the desk's snapshot shows it (only while live trading is armed).</summary>
public sealed record VenueOrderStream(VenueId Venue, bool Connected, DateTimeOffset? DisconnectedSince, bool EverConnected);

/// <summary>
/// Tracks an order stream's state for a gateway: written by the stream's reader, read from any thread as one immutable
/// value (a single volatile reference, so a reader never sees "connected" with a stale outage time).
/// </summary>
public sealed class OrderStreamTracker(TimeProvider time)
{
    private volatile OrderStreamStatus _status = OrderStreamStatus.Connecting(time.GetUtcNow());

    /// <summary>The current state.</summary>
    public OrderStreamStatus Status => _status;

    /// <summary>The stream is open and subscribed.</summary>
    public void MarkConnected() => _status = new OrderStreamStatus(true, null, true);

    /// <summary>The stream dropped (the first drop of an outage sets its start; later ones keep it).</summary>
    public void MarkDisconnected()
    {
        var current = _status;
        if (!current.Connected) return;
        _status = new OrderStreamStatus(false, time.GetUtcNow(), current.EverConnected);
    }
}
