using ArbBot.Engine.Core;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Execution;

/// <summary>Writes every fill (and, at debug level, every order update) to the log, with the instrument's venue symbol.</summary>
public sealed class ExecutionLog(InstrumentRegistry registry, ILogger<ExecutionLog> logger) : IHubExecutionHandler
{
    public void OnOrderUpdate(OrderUpdate update) =>
        logger.LogDebug("Order {ClientOrderId} on {Instrument}: {Status} (filled {Filled}, remaining {Remaining}){Reason}",
            update.ClientOrderId, registry[update.Instrument], update.Status, update.FilledQuantity, update.RemainingQuantity,
            update.Reason is null ? "" : $": {update.Reason}");

    public void OnFill(Fill fill) =>
        logger.LogInformation("Fill {FillId}: {Side} {Quantity} {Instrument} @ {Price}, fee {Fee} ({Liquidity})",
            fill.FillId, fill.Side, fill.Quantity, registry[fill.Instrument], fill.Price, fill.Fee, fill.Liquidity);
}
