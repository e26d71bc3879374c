using System.Text.Json;
using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Events;

/// <summary>
/// The engine's journal: turns what the engine did into rows for the batching <see cref="RecordWriter"/> and into live
/// events for the dashboard. Runs on the hub's thread and never waits.
/// </summary>
public sealed class EngineJournal(RecordWriter writer, InstrumentRegistry registry, ILogger<EngineJournal> logger) : IEngineJournal
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Dictionary<string, DateTime> _orderCreated = new(StringComparer.Ordinal);

    /// <summary>Everything journaled, for live views (raised on the hub's thread; handlers must be quick).</summary>
    public event Action<object>? Published;

    // Enum names come from a table throughout: Enum.ToString boxes the value (an allocation per column per row).
    public void OnOpportunity(Opportunity opportunity)
    {
        writer.Enqueue(new OpportunityRow
        {
            Id = opportunity.Id,
            Strategy = opportunity.Strategy,
            PairId = opportunity.PairId,
            DetectedUtc = opportunity.DetectedAt.UtcDateTime,
            Quantity = opportunity.Quantity,
            GrossEdgePerSet = opportunity.GrossEdgePerSet,
            TotalCosts = opportunity.TotalCosts,
            NetEdgePerSet = opportunity.NetEdgePerSet,
            ExpectedProfit = opportunity.ExpectedProfit,
            Decision = EnumNames<OpportunityDecision>.Of(opportunity.Decision),
            Reason = opportunity.Reason,
            LegsJson = JsonSerializer.Serialize(opportunity.Legs.Select(l => new
            {
                venue = EnumNames<VenueId>.Of(l.Venue),
                symbol = registry[l.Instrument].Symbol,
                side = EnumNames<Side>.Of(l.Side),
                worstPrice = l.WorstPrice.Value,
                averagePrice = l.AveragePrice,
                fee = l.Fee,
                topOfBook = l.TopOfBook.Value,
                depthWithinWorst = l.DepthWithinWorst,
                bookVersion = l.BookVersion,
                bookAgeMs = l.BookAge.TotalMilliseconds,
            }), Json),
        });
        Published?.Invoke(opportunity);
    }

    public void OnOrderTransition(OrderTransition transition)
    {
        var at = transition.At.UtcDateTime;
        if (!_orderCreated.TryGetValue(transition.ClientOrderId, out var created))
        {
            created = transition.SentAt?.UtcDateTime ?? at;
            _orderCreated[transition.ClientOrderId] = created;
        }
        if (transition.To.IsFinal()) _orderCreated.Remove(transition.ClientOrderId);
        writer.Enqueue(new OrderRow
        {
            ClientOrderId = transition.ClientOrderId,
            OpportunityId = transition.OpportunityId,
            PairId = transition.PairId,
            Role = EnumNames<OrderRole>.Of(transition.Role),
            Venue = EnumNames<VenueId>.Of(transition.Venue),
            Symbol = registry[transition.Instrument].Symbol,
            Side = EnumNames<Side>.Of(transition.Side),
            LimitPrice = transition.LimitPrice.Value,
            Quantity = transition.Quantity,
            TimeInForce = EnumNames<TimeInForce>.Of(transition.TimeInForce),
            Status = EnumNames<OrderStatus>.Of(transition.To),
            FilledQuantity = transition.FilledQuantity,
            Reason = transition.Reason,
            CreatedUtc = created,
            UpdatedUtc = at,
        });
        writer.Enqueue(new OrderTransitionRow
        {
            ClientOrderId = transition.ClientOrderId,
            FromStatus = EnumNames<OrderStatus>.Of(transition.From),
            ToStatus = EnumNames<OrderStatus>.Of(transition.To),
            FilledQuantity = transition.FilledQuantity,
            Reason = transition.Reason,
            AtUtc = at,
        });
        Published?.Invoke(transition);
    }

    public void OnFill(Fill fill, long? opportunityId, long? pairId)
    {
        writer.Enqueue(new FillRow
        {
            FillId = fill.FillId,
            ClientOrderId = fill.ClientOrderId,
            OpportunityId = opportunityId,
            PairId = pairId,
            Venue = EnumNames<VenueId>.Of(fill.Venue),
            Symbol = registry[fill.Instrument].Symbol,
            Side = EnumNames<Side>.Of(fill.Side),
            Price = fill.Price.Value,
            Quantity = fill.Quantity,
            Fee = fill.Fee,
            Liquidity = EnumNames<Venues.Liquidity>.Of(fill.Liquidity),
            AtUtc = fill.Time.UtcDateTime,
        });
        Published?.Invoke(fill);
    }

    public void OnRiskEvent(RiskEvent riskEvent)
    {
        // A value, not a row object: risk events are the most frequent record (every rejection), and a row object per
        // event meant garbage collections pausing the hub's thread. Names from a table: Enum.ToString boxes.
        writer.Enqueue(new RiskEventRecord(riskEvent.At.UtcDateTime, EnumNames<RiskRule>.Of(riskEvent.Rule), EnumNames<RiskVerdict>.Of(riskEvent.Verdict),
            riskEvent.OpportunityId, riskEvent.PairId, riskEvent.Detail));
        Published?.Invoke(riskEvent);
    }

    public void OnExecutionCompleted(ExecutionOutcome outcome)
    {
        writer.Enqueue(new ExecutionRow
        {
            OpportunityId = outcome.OpportunityId,
            PairId = outcome.PairId,
            Strategy = outcome.Strategy,
            Kind = EnumNames<ExecutionOutcomeKind>.Of(outcome.Kind),
            PlannedQuantity = outcome.PlannedQuantity,
            HedgedQuantity = outcome.HedgedQuantity,
            ResidualQuantity = outcome.ResidualQuantity,
            NetCashOut = outcome.NetCashOut,
            Fees = outcome.Fees,
            ExpectedProfit = outcome.ExpectedProfit,
            LockedProfit = outcome.LockedProfit,
            DetectedUtc = outcome.DetectedAt.UtcDateTime,
            CompletedUtc = outcome.CompletedAt.UtcDateTime,
            DetectionToLastFillMs = outcome.DetectionToLastFill.TotalMilliseconds,
            Summary = outcome.Summary,
        });
        if (outcome.Kind == ExecutionOutcomeKind.Residual)
        {
            using var scope = logger.BeginScope(new Observability.Correlation(outcome.OpportunityId, outcome.PairId));
            logger.LogError("UNHEDGED: execution {Opportunity} on pair {Pair} ended with {Residual} contracts unhedged: {Summary}",
                outcome.OpportunityId, outcome.PairId, outcome.ResidualQuantity, outcome.Summary);
        }
        Published?.Invoke(outcome);
    }

    public void OnUnhedgedExposure(long? pairId, InstrumentId instrument, decimal quantity, string detail)
    {
        if (quantity != 0m)
        {
            logger.LogError("UNHEDGED exposure on pair {Pair}: {Quantity} of {Instrument}: {Detail}", pairId, quantity, registry[instrument], detail);
        }
        else
        {
            logger.LogWarning("Unhedged exposure on pair {Pair} closed ({Instrument}): {Detail}", pairId, registry[instrument], detail);
        }
        Published?.Invoke(new UnhedgedExposure(pairId, instrument, quantity, detail));
    }
}

/// <summary>An enum's names, looked up without boxing the value (Enum.ToString boxes it: an allocation per call).</summary>
internal static class EnumNames<T>
    where T : struct, Enum
{
    private static readonly Dictionary<T, string> Names = Enum.GetValues<T>().Distinct().ToDictionary(v => v, v => v.ToString());

    public static string Of(T value) => Names.TryGetValue(value, out var name) ? name : value.ToString();
}

/// <summary>A pair's unhedged position changed (quantity 0 when it is gone).</summary>
public sealed record UnhedgedExposure(long? PairId, InstrumentId Instrument, decimal Quantity, string Detail);
