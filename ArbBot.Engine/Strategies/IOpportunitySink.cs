namespace ArbBot.Engine.Strategies;

/// <summary>
/// Receives the opportunities a strategy finds, on the market-data hub's thread (typically: risk gate, then execution,
/// then the journal). Must be quick and must not block.
/// </summary>
public interface IOpportunitySink
{
    void OnOpportunity(Opportunity opportunity);

    /// <summary>
    /// Asked by a strategy that has found an opportunity of pair <paramref name="pairId"/> (or, for a set without a pair,
    /// of the event <paramref name="eventKey"/>) before it builds it. True when the sink has already settled it: it would
    /// reject any opportunity of that pair or event right now, for a reason the opportunity itself cannot change, and
    /// would record nothing about this one (repeated rejections are thinned); it has counted the rejection as if it had
    /// been handed over. The strategy then only takes the opportunity's id, so later ids stay as they would have been.
    /// False (the default): build the opportunity and call <see cref="OnOpportunity"/>.
    /// </summary>
    /// <remarks>
    /// A persisting edge is found again on every book change while, for example, the circuit breaker is tripped or the
    /// pair cools down; building it (legs, formatted reason) only for a rejection nobody records was most of what the
    /// desk allocated.
    /// </remarks>
    bool SettledWithoutBuilding(long? pairId, string? eventKey) => false;
}
