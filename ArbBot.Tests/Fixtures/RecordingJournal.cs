using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;

namespace ArbBot.Tests.Fixtures;

/// <summary>Keeps everything the engine journals, in order, for assertions.</summary>
public sealed class RecordingJournal : IEngineJournal
{
    public List<Opportunity> Opportunities { get; } = [];
    public List<OrderTransition> Transitions { get; } = [];
    public List<(Fill Fill, long? OpportunityId, long? PairId)> Fills { get; } = [];
    public List<RiskEvent> RiskEvents { get; } = [];
    public List<ExecutionOutcome> Outcomes { get; } = [];
    public List<(long? PairId, InstrumentId Instrument, decimal Quantity, string Detail)> Exposures { get; } = [];

    public IReadOnlyList<OrderTransition> TransitionsOf(string clientOrderId) => [.. Transitions.Where(t => t.ClientOrderId == clientOrderId)];

    public void OnOpportunity(Opportunity opportunity) => Opportunities.Add(opportunity);
    public void OnOrderTransition(OrderTransition transition) => Transitions.Add(transition);
    public void OnFill(Fill fill, long? opportunityId, long? pairId) => Fills.Add((fill, opportunityId, pairId));
    public void OnRiskEvent(RiskEvent riskEvent) => RiskEvents.Add(riskEvent);
    public void OnExecutionCompleted(ExecutionOutcome outcome) => Outcomes.Add(outcome);
    public void OnUnhedgedExposure(long? pairId, InstrumentId instrument, decimal quantity, string detail) =>
        Exposures.Add((pairId, instrument, quantity, detail));
}
