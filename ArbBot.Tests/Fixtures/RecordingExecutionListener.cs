using ArbBot.Engine.Execution;

namespace ArbBot.Tests.Fixtures;

/// <summary>Keeps every order update and fill a gateway reports, in the order reported (as a gateway's listener or attached to the hub's).</summary>
public sealed class RecordingExecutionListener : IExecutionListener, IHubExecutionHandler
{
    private readonly Lock _gate = new();
    private readonly List<OrderUpdate> _updates = [];
    private readonly List<Fill> _fills = [];

    public IReadOnlyList<OrderUpdate> Updates
    {
        get
        {
            lock (_gate) return [.. _updates];
        }
    }

    public IReadOnlyList<Fill> Fills
    {
        get
        {
            lock (_gate) return [.. _fills];
        }
    }

    public IReadOnlyList<OrderUpdate> UpdatesFor(string clientOrderId) => [.. Updates.Where(u => u.ClientOrderId == clientOrderId)];

    public IReadOnlyList<Fill> FillsFor(string clientOrderId) => [.. Fills.Where(f => f.ClientOrderId == clientOrderId)];

    public void OnOrderUpdate(OrderUpdate update)
    {
        lock (_gate) _updates.Add(update);
    }

    public void OnFill(Fill fill)
    {
        lock (_gate) _fills.Add(fill);
    }
}
