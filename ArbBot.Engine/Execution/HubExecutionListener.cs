using System.Collections.Concurrent;
using System.Threading.Channels;
using ArbBot.Engine.MarketData;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.Execution;

/// <summary>
/// Receives order updates and fills on the market-data hub's thread, where execution and portfolio state live.
/// Attach implementations to a <see cref="HubExecutionListener"/>; never hand one to a gateway directly.
/// </summary>
public interface IHubExecutionHandler
{
    /// <summary>An order changed state. Hub thread only.</summary>
    void OnOrderUpdate(OrderUpdate update);

    /// <summary>An order filled (in part). Hub thread only.</summary>
    void OnFill(Fill fill);
}

/// <summary>
/// The <see cref="IExecutionListener"/> to give gateways: it queues what they report, from any thread, and hands it to
/// the attached <see cref="IHubExecutionHandler"/>s on the hub's thread, in the order it arrived.
/// </summary>
/// <remarks>
/// Gateways report on their own threads (a socket reader, a timer, the caller of PlaceAsync). Posting each report as
/// separate hub work could reorder them when the hub's queue is full (a fallback async post can be overtaken by a later
/// synchronous one), so reports go into one queue and a single drain is scheduled per burst.
/// </remarks>
public sealed class HubExecutionListener : IExecutionListener
{
    private readonly MarketDataHub _hub;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<object> _pending = new();
    private readonly DrainWork _drain;
    private readonly Lock _gate = new();
    private IHubExecutionHandler[] _handlers = [];
    private int _scheduled;

    /// <summary>Creates a listener that delivers on <paramref name="hub"/>'s thread.</summary>
    public HubExecutionListener(MarketDataHub hub, ILogger<HubExecutionListener>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _hub = hub;
        _logger = logger ?? NullLogger<HubExecutionListener>.Instance;
        _drain = new DrainWork(this);
    }

    /// <summary>
    /// Adds a handler; reports already queued reach it too. Attach before orders are placed: gateways need this
    /// listener when they are built, and the executor needs the gateways, so attaching comes after construction.
    /// </summary>
    public void Attach(IHubExecutionHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate) Volatile.Write(ref _handlers, [.. _handlers, handler]);
    }

    /// <inheritdoc />
    public void OnOrderUpdate(OrderUpdate update) => Enqueue(update);

    /// <inheritdoc />
    public void OnFill(Fill fill) => Enqueue(fill);

    private void Enqueue(object report)
    {
        _pending.Enqueue(report);
        if (Interlocked.Exchange(ref _scheduled, 1) == 0) Schedule();
    }

    private void Schedule()
    {
        if (_hub.TryPost(BookEvent.Run(_drain))) return;
        _ = ScheduleWhenRoomAsync();
    }

    private async Task ScheduleWhenRoomAsync()
    {
        try
        {
            await _hub.PostAsync(_drain, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // The hub is shutting down; nothing runs on it any more.
        }
    }

    private void Drain()
    {
        // Cleared before reading, so a report queued while draining schedules another pass rather than being stranded.
        Volatile.Write(ref _scheduled, 0);
        var handlers = Volatile.Read(ref _handlers);
        while (_pending.TryDequeue(out var report))
        {
            foreach (var handler in handlers)
            {
                try
                {
                    if (report is Fill fill) handler.OnFill(fill);
                    else handler.OnOrderUpdate((OrderUpdate)report);
                }
                catch (Exception ex)
                {
                    // One failing handler must not keep the portfolio or the executor from hearing of a fill.
                    _logger.LogError(ex, "Execution handler {Handler} failed on {Report}", handler.GetType().Name, report);
                }
            }
        }
    }

    private sealed class DrainWork(HubExecutionListener owner) : IHubWork
    {
        public void Execute(MarketDataHub hub) => owner.Drain();
    }
}
