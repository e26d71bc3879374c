using System.Diagnostics.CodeAnalysis;

namespace ArbBot.Engine.Strategies;

/// <summary>
/// Executes accepted opportunities of one strategy whose shape the arbitrage executor does not handle (a single-leg
/// entry). The desk engine routes by <see cref="Opportunity.Strategy"/> after the risk gate. Hub thread only.
/// </summary>
public interface IOpportunityExecutor
{
    /// <summary>Starts executing <paramref name="opportunity"/> for <paramref name="quantity"/>; false, naming why, when it cannot.</summary>
    bool TryExecute(Opportunity opportunity, decimal quantity, [NotNullWhen(false)] out string? refusal);
}
