using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;

namespace ArbBot.Engine.Observability;

/// <summary>
/// Counters the engine updates as it works, for <c>/metrics</c>: decision latency, open orders, notification failures.
/// Every update is an interlocked add on a field (no lock, no allocation), safe on the hub's thread.
/// </summary>
public sealed class DeskMetrics
{
    private long _openOrders;
    private long _notificationFailures;
    private long _notificationsSent;
    private long _notificationsDropped;

    /// <summary>Time from an opportunity reaching the desk to its decision being made (risk gate, record, hand-off to execution).</summary>
    public LatencyHistogram DecisionLatency { get; } = new();

    /// <summary>Orders acknowledged and not final yet, as the desk's order transitions report them.</summary>
    public long OpenOrders => Interlocked.Read(ref _openOrders);

    public long NotificationFailures => Interlocked.Read(ref _notificationFailures);

    public long NotificationsSent => Interlocked.Read(ref _notificationsSent);

    /// <summary>Notifications dropped because the queue was full or the rate limit was exceeded.</summary>
    public long NotificationsDropped => Interlocked.Read(ref _notificationsDropped);

    /// <summary>Follows an order transition (hub thread): open orders go up on acknowledgement and down when final.</summary>
    public void OnOrderTransition(OrderTransition transition)
    {
        var delta = (IsOpen(transition.To) ? 1 : 0) - (IsOpen(transition.From) ? 1 : 0);
        if (delta != 0) Interlocked.Add(ref _openOrders, delta);
    }

    public void NotificationFailed() => Interlocked.Increment(ref _notificationFailures);

    public void NotificationSent() => Interlocked.Increment(ref _notificationsSent);

    public void NotificationDropped() => Interlocked.Increment(ref _notificationsDropped);

    private static bool IsOpen(OrderStatus status) => status is OrderStatus.Submitted or OrderStatus.PartiallyFilled;
}
