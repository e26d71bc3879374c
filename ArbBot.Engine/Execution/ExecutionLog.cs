using ArbBot.Engine.Core;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Execution;

/// <summary>
/// Writes every fill and order update to the log at debug level as the gateway reports it, with the instrument's venue
/// symbol. The information-level fill line comes from <see cref="Lifecycle.DurableFillLog"/> once the fill is saved.
/// </summary>
public sealed class ExecutionLog(InstrumentRegistry registry, ILogger<ExecutionLog> logger) : IHubExecutionHandler
{
    public void OnOrderUpdate(OrderUpdate update) =>
        logger.LogDebug("Order {ClientOrderId} on {Instrument}: {Status} (filled {Filled}, remaining {Remaining}){Reason}",
            update.ClientOrderId, registry[update.Instrument], update.Status, update.FilledQuantity, update.RemainingQuantity,
            update.Reason is null ? "" : $": {update.Reason}");

    public void OnFill(Fill fill) =>
        logger.LogDebug("Fill {FillId} received: {Side} {Quantity} {Instrument} @ {Price}, fee {Fee} ({Liquidity})",
            fill.FillId, fill.Side, fill.Quantity, registry[fill.Instrument], fill.Price, fill.Fee, fill.Liquidity);
}
