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
/// <remarks>
/// Every record is queued as a value (<see cref="DeferredRecord"/>, <see cref="RiskEventRecord"/>) that refers to the
/// engine's own immutable object; its rows — and an opportunity's legs as JSON — are built on the writer's thread. The hub's
/// thread therefore allocates nothing per record: allocations there made it trigger garbage collections itself, in the
/// middle of a journal call (bench/RESULTS.md, Persistence). What is stored is unchanged.
/// </remarks>
public sealed class EngineJournal : IEngineJournal
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Dictionary<string, DateTime> _orderCreated = new(StringComparer.Ordinal);
    private readonly RecordWriter _writer;
    private readonly InstrumentRegistry _registry;
    private readonly ILogger<EngineJournal> _logger;
    private readonly OpportunityRows _opportunityRows;

    public EngineJournal(RecordWriter writer, InstrumentRegistry registry, ILogger<EngineJournal> logger)
    {
        _writer = writer;
        _registry = registry;
        _logger = logger;
        _opportunityRows = new OpportunityRows(registry);
    }

    /// <summary>Everything journaled, for live views (raised on the hub's thread; handlers must be quick).</summary>
    public event Action<object>? Published;

    public void OnOpportunity(Opportunity opportunity)
    {
        // The legs' symbols are looked up and the legs serialized on the writer's thread (registry reads by id are lock-free).
        _writer.Enqueue(new DeferredRecord(_opportunityRows, opportunity));
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
        _writer.Enqueue(new DeferredRecord(TransitionRows.Instance, transition, _registry[transition.Instrument].Symbol, created));
        Published?.Invoke(transition);
    }

    public void OnFill(Fill fill, long? opportunityId, long? pairId)
    {
        _writer.Enqueue(new DeferredRecord(FillRows.Instance, fill, _registry[fill.Instrument].Symbol, default, opportunityId, pairId));
        Published?.Invoke(fill);
    }

    public void OnRiskEvent(RiskEvent riskEvent)
    {
        // Names from a table: Enum.ToString boxes.
        _writer.Enqueue(new RiskEventRecord(riskEvent.At.UtcDateTime, EnumNames<RiskRule>.Of(riskEvent.Rule), EnumNames<RiskVerdict>.Of(riskEvent.Verdict),
            riskEvent.OpportunityId, riskEvent.PairId, riskEvent.Detail));
        Published?.Invoke(riskEvent);
    }

    public void OnExecutionCompleted(ExecutionOutcome outcome)
    {
        _writer.Enqueue(new DeferredRecord(ExecutionRows.Instance, outcome));
        if (outcome.Kind == ExecutionOutcomeKind.Residual)
        {
            using var scope = _logger.BeginScope(new Observability.Correlation(outcome.OpportunityId, outcome.PairId));
            _logger.LogError("UNHEDGED: execution {Opportunity} on pair {Pair} ended with {Residual} contracts unhedged: {Summary}",
                outcome.OpportunityId, outcome.PairId, outcome.ResidualQuantity, outcome.Summary);
        }
        Published?.Invoke(outcome);
    }

    public void OnUnhedgedExposure(long? pairId, InstrumentId instrument, decimal quantity, string detail)
    {
        if (quantity != 0m)
        {
            _logger.LogError("UNHEDGED exposure on pair {Pair}: {Quantity} of {Instrument}: {Detail}", pairId, quantity, _registry[instrument], detail);
        }
        else
        {
            _logger.LogWarning("Unhedged exposure on pair {Pair} closed ({Instrument}): {Detail}", pairId, _registry[instrument], detail);
        }
        Published?.Invoke(new UnhedgedExposure(pairId, instrument, quantity, detail));
    }

    // The row builders run on the record writer's thread. Enum names come from a table throughout: Enum.ToString boxes the
    // value (an allocation per column per row).

    /// <summary>An opportunity's row, its legs as JSON.</summary>
    private sealed class OpportunityRows(InstrumentRegistry registry) : IDeferredRows
    {
        public void AddRows(in DeferredRecord record, List<object> rows)
        {
            var opportunity = (Opportunity)record.Source;
            rows.Add(new OpportunityRow
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
        }
    }

    /// <summary>An order transition: the order's state (upserted) and the transition. Text: the symbol; Time: when the order was created.</summary>
    private sealed class TransitionRows : IDeferredRows
    {
        public static readonly TransitionRows Instance = new();

        public void AddRows(in DeferredRecord record, List<object> rows)
        {
            var transition = (OrderTransition)record.Source;
            var at = transition.At.UtcDateTime;
            rows.Add(new OrderRow
            {
                ClientOrderId = transition.ClientOrderId,
                OpportunityId = transition.OpportunityId,
                PairId = transition.PairId,
                Role = EnumNames<OrderRole>.Of(transition.Role),
                Venue = EnumNames<VenueId>.Of(transition.Venue),
                Symbol = record.Text!,
                Side = EnumNames<Side>.Of(transition.Side),
                LimitPrice = transition.LimitPrice.Value,
                Quantity = transition.Quantity,
                TimeInForce = EnumNames<TimeInForce>.Of(transition.TimeInForce),
                Status = EnumNames<OrderStatus>.Of(transition.To),
                FilledQuantity = transition.FilledQuantity,
                Reason = transition.Reason,
                CreatedUtc = record.Time,
                UpdatedUtc = at,
            });
            rows.Add(new OrderTransitionRow
            {
                ClientOrderId = transition.ClientOrderId,
                FromStatus = EnumNames<OrderStatus>.Of(transition.From),
                ToStatus = EnumNames<OrderStatus>.Of(transition.To),
                FilledQuantity = transition.FilledQuantity,
                Reason = transition.Reason,
                AtUtc = at,
            });
        }
    }

    /// <summary>A fill. Text: the symbol; First, Second: the opportunity and pair it belongs to.</summary>
    private sealed class FillRows : IDeferredRows
    {
        public static readonly FillRows Instance = new();

        public void AddRows(in DeferredRecord record, List<object> rows)
        {
            var fill = (Fill)record.Source;
            rows.Add(new FillRow
            {
                FillId = fill.FillId,
                ClientOrderId = fill.ClientOrderId,
                OpportunityId = record.First,
                PairId = record.Second,
                Venue = EnumNames<VenueId>.Of(fill.Venue),
                Symbol = record.Text!,
                Side = EnumNames<Side>.Of(fill.Side),
                Price = fill.Price.Value,
                Quantity = fill.Quantity,
                Fee = fill.Fee,
                Liquidity = EnumNames<Venues.Liquidity>.Of(fill.Liquidity),
                AtUtc = fill.Time.UtcDateTime,
            });
        }
    }

    /// <summary>An execution's outcome.</summary>
    private sealed class ExecutionRows : IDeferredRows
    {
        public static readonly ExecutionRows Instance = new();

        public void AddRows(in DeferredRecord record, List<object> rows)
        {
            var outcome = (ExecutionOutcome)record.Source;
            rows.Add(new ExecutionRow
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
        }
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
