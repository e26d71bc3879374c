using ArbBot.Engine.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Lifecycle;

/// <summary>
/// Logs each fill once it is saved ("Fill … recorded"): the first word the outside world hears of a fill comes after
/// the commit, so an operator never reads of a fill that a crash could still remove from the records.
/// </summary>
public sealed class DurableFillLog(RecordWriter writer, ILogger<DurableFillLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        writer.Committed += OnCommitted;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // The writer saves its last batch after this service stops; keep listening so those fills are logged too.
        return Task.CompletedTask;
    }

    private void OnCommitted(IReadOnlyList<object> rows)
    {
        foreach (var row in rows)
        {
            if (row is FillRow fill)
            {
                using var scope = logger.BeginScope(new Observability.Correlation(fill.OpportunityId, fill.PairId, fill.ClientOrderId));
                logger.LogInformation("Fill {FillId} recorded: {Venue} {Side} {Quantity} {Symbol} at {Price} (order {ClientOrderId})",
                    fill.FillId, fill.Venue, fill.Side, fill.Quantity, fill.Symbol, fill.Price, fill.ClientOrderId);
            }
        }
    }
}
