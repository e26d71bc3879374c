using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;

namespace ArbBot.Engine.Replay;

/// <summary>
/// The journal of a replay run: counts what the desk decided and did (a replay stores nothing), and lets the harness
/// watch opportunities and order transitions as they happen (latency probes). Called on the hub's thread.
/// </summary>
public sealed class ReplayJournal(bool keepRecords = false) : IEngineJournal
{
    /// <summary>Every opportunity, order transition, fill and execution outcome, in order, when built to keep them (reports, parity).</summary>
    public List<Opportunity> Opportunities { get; } = [];
    public List<OrderTransition> Transitions { get; } = [];
    public List<Fill> FillLog { get; } = [];
    public List<ExecutionOutcome> Outcomes { get; } = [];

    public long OpportunitiesTaken { get; private set; }
    public long OpportunitiesRejected { get; private set; }
    public long OrdersSent { get; private set; }
    public long OrderTransitions { get; private set; }
    public long Fills { get; private set; }
    public long Executions { get; private set; }
    public long HedgedExecutions { get; private set; }
    public long RiskEvents { get; private set; }
    public long UnhedgedAlerts { get; private set; }

    /// <summary>Raised for every opportunity journaled (taken, resized or rejected), before it executes.</summary>
    public Action<Opportunity>? OpportunityJournaled { get; set; }

    /// <summary>Raised for every risk event journaled (after the desk's thinning).</summary>
    public Action<RiskEvent>? RiskEventJournaled { get; set; }

    /// <summary>Raised for every order transition.</summary>
    public Action<OrderTransition>? OrderTransitioned { get; set; }

    public void OnOpportunity(Opportunity opportunity)
    {
        if (opportunity.Decision is OpportunityDecision.Taken or OpportunityDecision.Resized) OpportunitiesTaken++;
        else OpportunitiesRejected++;
        if (keepRecords) Opportunities.Add(opportunity);
        OpportunityJournaled?.Invoke(opportunity);
    }

    public void OnOrderTransition(OrderTransition transition)
    {
        OrderTransitions++;
        if (transition.From == OrderStatus.New) OrdersSent++;
        if (keepRecords) Transitions.Add(transition);
        OrderTransitioned?.Invoke(transition);
    }

    public void OnFill(Fill fill, long? opportunityId, long? pairId)
    {
        Fills++;
        if (keepRecords) FillLog.Add(fill);
    }

    public void OnRiskEvent(RiskEvent riskEvent)
    {
        RiskEvents++;
        RiskEventJournaled?.Invoke(riskEvent);
    }

    public void OnExecutionCompleted(ExecutionOutcome outcome)
    {
        Executions++;
        if (keepRecords) Outcomes.Add(outcome);
        if (outcome.Kind is ExecutionOutcomeKind.Hedged or ExecutionOutcomeKind.HedgedBeyondSlippage) HedgedExecutions++;
    }

    public void OnUnhedgedExposure(long? pairId, InstrumentId instrument, decimal quantity, string detail) => UnhedgedAlerts++;
}
