namespace ArbBot.Engine.Execution;

/// <summary>
/// The legal moves of an order: new → submitted → partially filled (repeatedly, as fills grow) → filled, and from any
/// non-final state to cancelled or expired; a rejection comes before any fill. Final states never change.
/// </summary>
public static class OrderStateMachine
{
    /// <summary>True when an order may move from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool IsLegal(OrderStatus from, OrderStatus to) => from switch
    {
        OrderStatus.New => to is OrderStatus.Submitted or OrderStatus.Rejected or OrderStatus.Cancelled or OrderStatus.Expired,
        OrderStatus.Submitted => to is OrderStatus.PartiallyFilled or OrderStatus.Filled or OrderStatus.Cancelled
            or OrderStatus.Rejected or OrderStatus.Expired,
        // Partially filled to itself is a move too: the filled quantity grew.
        OrderStatus.PartiallyFilled => to is OrderStatus.PartiallyFilled or OrderStatus.Filled or OrderStatus.Cancelled
            or OrderStatus.Expired,
        _ => false,
    };
}
