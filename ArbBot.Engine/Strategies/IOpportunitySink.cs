namespace ArbBot.Engine.Strategies;

/// <summary>
/// Receives the opportunities a strategy finds, on the market-data hub's thread (typically: risk gate, then execution,
/// then the journal). Must be quick and must not block.
/// </summary>
public interface IOpportunitySink
{
    void OnOpportunity(Opportunity opportunity);
}
