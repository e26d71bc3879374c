using System.Collections.Concurrent;
using System.Threading.Channels;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Events;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;

namespace ArbBot.Web.Hubs;

/// <summary>
/// The engine's events, throttled for clients other than the dashboard's pages (the SignalR hub). What the engine
/// publishes is collected into bounded queues (<see cref="Collect"/>, called on the hub's thread: it only enqueues and
/// never blocks; when a queue is full the oldest item is dropped and counted). Each desk refresh
/// (<see cref="Emit"/>, 4 a second) turns what was collected plus the snapshot's state into one
/// <see cref="DeskFeedBatch"/>, at most one per <see cref="MinInterval"/> however busy the markets are.
/// </summary>
public sealed class DeskFeed
{
    /// <summary>Most opportunities, trades or risk events held between two batches (each kind separately).</summary>
    public const int DefaultCapacity = 256;

    private readonly InstrumentRegistry _registry;
    private readonly TimeProvider _time;
    private readonly DropOldestQueue<Opportunity> _opportunities;
    private readonly DropOldestQueue<ExecutionOutcome> _trades;
    private readonly DropOldestQueue<RiskEvent> _riskEvents;
    private readonly Channel<DeskFeedBatch> _batches;
    private readonly Lock _emitGate = new();
    private DateTimeOffset _lastEmit = DateTimeOffset.MinValue;
    private long _sequence;
    private long _droppedBatches;

    public DeskFeed(InstrumentRegistry registry, TimeProvider time, int capacity = DefaultCapacity, TimeSpan? minInterval = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _registry = registry;
        _time = time;
        MinInterval = minInterval ?? TimeSpan.FromMilliseconds(100);
        _opportunities = new(capacity);
        _trades = new(capacity);
        _riskEvents = new(capacity);
        // A reader that falls behind loses the oldest batches (counted), never holds up the refresh loop.
        _batches = Channel.CreateBounded<DeskFeedBatch>(
            new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _droppedBatches));
    }

    /// <summary>The shortest time between two batches: 100 ms by default, so no client gets more than 10 a second.</summary>
    public TimeSpan MinInterval { get; }

    /// <summary>The batches, for the one reader that pushes them to clients.</summary>
    public ChannelReader<DeskFeedBatch> Batches => _batches.Reader;

    /// <summary>
    /// Items held now: opportunities, trades and risk events collected for the next batch plus batches not yet pushed.
    /// Bounded by design (three times the capacity, plus four batches); the soak test and /metrics watch it.
    /// </summary>
    public int Queued => _opportunities.Count + _trades.Count + _riskEvents.Count + (_batches.Reader.CanCount ? _batches.Reader.Count : 0);

    /// <summary>Batches the reader had not taken when newer ones arrived.</summary>
    public long DroppedBatches => Interlocked.Read(ref _droppedBatches);

    /// <summary>
    /// Takes one engine event (from <see cref="EngineJournal.Published"/>, on the hub's thread). Only opportunities,
    /// execution outcomes and risk events are kept; order steps and fills are in the trades' summaries.
    /// </summary>
    public void Collect(object published)
    {
        switch (published)
        {
            case Opportunity opportunity:
                _opportunities.Enqueue(opportunity);
                break;
            case ExecutionOutcome outcome:
                _trades.Enqueue(outcome);
                break;
            case RiskEvent riskEvent:
                _riskEvents.Enqueue(riskEvent);
                break;
        }
    }

    /// <summary>
    /// Builds the batch for a desk refresh and hands it to <see cref="Batches"/>; returns it, or null when the last
    /// batch is younger than <see cref="MinInterval"/> (what was collected waits for the next one).
    /// </summary>
    public DeskFeedBatch? Emit(DeskSnapshot snapshot)
    {
        lock (_emitGate)
        {
            var now = _time.GetUtcNow();
            if (now - _lastEmit < MinInterval) return null;
            _lastEmit = now;

            var opportunities = _opportunities.Drain(out var droppedOpportunities);
            var trades = _trades.Drain(out var droppedTrades);
            var riskEvents = _riskEvents.Drain(out var droppedRiskEvents);

            var batch = new DeskFeedBatch(
                ++_sequence,
                now,
                [.. snapshot.Spreads.Select(s => PairSpreadMessage.From(s, _registry))],
                [.. opportunities.Select(o => OpportunityMessage.From(o, _registry))],
                [.. trades.Select(TradeMessage.From)],
                [.. riskEvents.Select(RiskEventMessage.From)],
                RiskStateMessage.From(snapshot),
                new DroppedCounts(droppedOpportunities, droppedTrades, droppedRiskEvents, DroppedBatches));
            _batches.Writer.TryWrite(batch);
            return batch;
        }
    }

    /// <summary>
    /// A lock-free queue that keeps at most <c>capacity</c> items: a producer that finds it full drops the oldest item
    /// and counts it, so the producer (the hub's thread) never waits for the consumer.
    /// </summary>
    private sealed class DropOldestQueue<T>(int capacity)
    {
        private readonly ConcurrentQueue<T> _items = new();
        private int _count;
        private int _dropped;

        public int Count => Volatile.Read(ref _count);

        public void Enqueue(T item)
        {
            _items.Enqueue(item);
            if (Interlocked.Increment(ref _count) <= capacity) return;
            if (_items.TryDequeue(out _))
            {
                Interlocked.Decrement(ref _count);
                Interlocked.Increment(ref _dropped);
            }
        }

        /// <summary>Everything queued now, oldest first, and how many were dropped since the last drain.</summary>
        public List<T> Drain(out int dropped)
        {
            var items = new List<T>(Math.Min(Volatile.Read(ref _count), capacity));
            while (items.Count < capacity && _items.TryDequeue(out var item))
            {
                Interlocked.Decrement(ref _count);
                items.Add(item);
            }
            dropped = Interlocked.Exchange(ref _dropped, 0);
            return items;
        }
    }
}
