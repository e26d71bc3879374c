using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Events;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;

namespace ArbBot.Web.Hubs;

/// <summary>
/// The engine's events and state, throttled and reduced to what changed, for clients other than the dashboard's pages
/// (the SignalR hub). What the engine publishes is collected into bounded queues (<see cref="Collect"/>, called on the
/// hub's thread: it only enqueues and never blocks; when a queue is full the oldest item is dropped and counted). A desk
/// refresh (<see cref="Emit"/>, off the hub's thread) turns what was collected plus the snapshot's state into one
/// <see cref="DeskFeedEmission"/>: a delta against the previous batch (serialized once, for every client that took the
/// previous batch) and, only when some client needs it, the full state (serialized once, for new clients and clients
/// that missed a batch).
/// </summary>
/// <remarks>
/// Push rate: a batch is emitted at most once per <see cref="MinInterval"/> and, after a round of sends that put
/// B bytes on the wire in all (every client's payload counted), not before B / <see cref="BytesPerSecondBudget"/>
/// has passed (<see cref="NoteSent"/>). With n clients taking deltas of d bytes the rate is therefore
/// min(1 / MinInterval, budget / (n × d)) per second: it falls with the number of clients and the total stays within
/// the budget on average, however many clients connect.
/// </remarks>
public sealed class DeskFeed
{
    /// <summary>Most opportunities, trades or risk events held between two batches (each kind separately).</summary>
    public const int DefaultCapacity = 256;

    /// <summary>Bytes per second for all hub clients together, by default (4 MB/s: a fraction of one loopback core's work).</summary>
    public const long DefaultBytesPerSecondBudget = 4_000_000;

    /// <summary>How batches are written: the hub protocol's JSON settings (camelCase, enums as names).</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly InstrumentRegistry _registry;
    private readonly TimeProvider _time;
    private readonly DropOldestQueue<Opportunity> _opportunities;
    private readonly DropOldestQueue<ExecutionOutcome> _trades;
    private readonly DropOldestQueue<RiskEvent> _riskEvents;
    private readonly Channel<DeskFeedEmission> _batches;
    private readonly Lock _emitGate = new();
    private DateTimeOffset _lastEmit = DateTimeOffset.MinValue;
    private long _sequence;
    private long _droppedBatches;
    private long _lastRoundBytes;
    private Dictionary<SpreadKey, PairSpreadMessage> _spreads = [];
    private Dictionary<SpreadKey, PairSpreadMessage> _spareSpreads = [];
    private RiskStateMessage? _riskState;

    public DeskFeed(InstrumentRegistry registry, TimeProvider time, int capacity = DefaultCapacity, TimeSpan? minInterval = null,
        long bytesPerSecondBudget = DefaultBytesPerSecondBudget)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerSecondBudget, 1);
        _registry = registry;
        _time = time;
        MinInterval = minInterval ?? TimeSpan.FromMilliseconds(100);
        BytesPerSecondBudget = bytesPerSecondBudget;
        _opportunities = new(capacity);
        _trades = new(capacity);
        _riskEvents = new(capacity);
        // A reader that falls behind loses the oldest batches (counted), never holds up the refresh loop; its clients
        // then get the full state with the next batch they take.
        _batches = Channel.CreateBounded<DeskFeedEmission>(
            new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _droppedBatches));
    }

    /// <summary>The shortest time between two batches: 100 ms by default, so no client gets more than 10 a second.</summary>
    public TimeSpan MinInterval { get; }

    /// <summary>Bytes per second that all clients' pushes together may average (see the class remarks for the rule).</summary>
    public long BytesPerSecondBudget { get; }

    /// <summary>The wait before the next batch: <see cref="MinInterval"/>, or longer when the last round sent many bytes.</summary>
    public TimeSpan CurrentInterval
    {
        get
        {
            var paced = TimeSpan.FromSeconds((double)Interlocked.Read(ref _lastRoundBytes) / BytesPerSecondBudget);
            return paced > MinInterval ? paced : MinInterval;
        }
    }

    /// <summary>The batches, for the one reader that pushes them to clients.</summary>
    public ChannelReader<DeskFeedEmission> Batches => _batches.Reader;

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
    /// Reports what the last round of sends put on the wire (all clients together): the next batch waits at least
    /// <paramref name="bytes"/> / <see cref="BytesPerSecondBudget"/>.
    /// </summary>
    public void NoteSent(long bytes) => Interlocked.Exchange(ref _lastRoundBytes, Math.Max(0, bytes));

    /// <summary>
    /// Builds the batch for a desk refresh and hands it to <see cref="Batches"/>; returns it, or null when the last
    /// batch is younger than <see cref="CurrentInterval"/> (what was collected and changed waits for the next one).
    /// </summary>
    public DeskFeedEmission? Emit(DeskSnapshot snapshot)
    {
        lock (_emitGate)
        {
            var now = _time.GetUtcNow();
            if (now - _lastEmit < CurrentInterval) return null;
            _lastEmit = now;

            var opportunities = _opportunities.Drain(out var droppedOpportunities);
            var trades = _trades.Drain(out var droppedTrades);
            var riskEvents = _riskEvents.Drain(out var droppedRiskEvents);

            // The state now, and how it differs from the previous batch's.
            // The two maps take turns (the previous batch's is refilled), and a set whose figures did not move keeps its
            // message: a refresh allocates only for what changed.
            var spreads = _spareSpreads;
            spreads.Clear();
            var changed = new List<PairSpreadMessage>();
            foreach (var spread in snapshot.Spreads)
            {
                var key = new SpreadKey(spread.PairId, spread.SetIndex);
                _spreads.TryGetValue(key, out var before);
                var message = PairSpreadMessage.From(spread, _registry, before);
                spreads[key] = message;
                if (!ReferenceEquals(message, before)) changed.Add(message);
            }
            var removed = new List<SpreadKey>();
            foreach (var key in _spreads.Keys)
            {
                if (!spreads.ContainsKey(key)) removed.Add(key);
            }
            var riskState = RiskStateMessage.From(snapshot);
            var riskChanged = riskState != _riskState;
            _spareSpreads = _spreads;
            _spreads = spreads;
            _riskState = riskState;

            var sequence = ++_sequence;
            var delta = new DeskFeedBatch(
                sequence,
                Full: false,
                BaseSequence: sequence - 1,
                now,
                changed,
                removed,
                [.. opportunities.Select(o => OpportunityMessage.From(o, _registry))],
                [.. trades.Select(TradeMessage.From)],
                [.. riskEvents.Select(RiskEventMessage.From)],
                riskChanged ? riskState : null,
                new DroppedCounts(droppedOpportunities, droppedTrades, droppedRiskEvents, DroppedBatches));
            var emission = new DeskFeedEmission(delta, spreads.Values.ToArray(), riskState);
            _batches.Writer.TryWrite(emission);
            return emission;
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

/// <summary>
/// One batch of the feed in its two forms: <see cref="Delta"/> for clients that took the previous batch, and the same
/// batch stating the whole state (<see cref="Full"/>) for the others. Each is serialized once, however many clients
/// receive it (<see cref="DeltaPayload"/> at once, <see cref="FullPayload"/> the first time a client needs it).
/// </summary>
public sealed class DeskFeedEmission
{
    private readonly Lazy<DeskFeedBatch> _full;
    private readonly Lazy<DeskFeedPayload> _fullPayload;

    internal DeskFeedEmission(DeskFeedBatch delta, IReadOnlyList<PairSpreadMessage> spreads, RiskStateMessage riskState)
    {
        Delta = delta;
        DeltaPayload = DeskFeedPayload.Serialize(delta);
        _full = new(() => delta with { Full = true, BaseSequence = null, Spreads = spreads, RemovedSpreads = [], RiskState = riskState });
        _fullPayload = new(() => DeskFeedPayload.Serialize(_full.Value));
    }

    public long Sequence => Delta.Sequence;

    /// <summary>What changed since batch <see cref="Sequence"/> − 1, and the events since then.</summary>
    public DeskFeedBatch Delta { get; }

    /// <summary>The whole state at this batch, and the same events as the delta.</summary>
    public DeskFeedBatch Full => _full.Value;

    public DeskFeedPayload DeltaPayload { get; }

    public DeskFeedPayload FullPayload => _fullPayload.Value;
}

/// <summary>
/// A batch already written as JSON: the hub writes these bytes as the push's argument as they are, so a batch costs one
/// serialization however many clients receive it.
/// </summary>
[JsonConverter(typeof(DeskFeedPayloadConverter))]
public sealed class DeskFeedPayload
{
    private DeskFeedPayload(long sequence, bool full, byte[] utf8Json)
    {
        Sequence = sequence;
        Full = full;
        Utf8Json = utf8Json;
    }

    public long Sequence { get; }

    public bool Full { get; }

    /// <summary>The batch as UTF-8 JSON (the hub protocol's settings).</summary>
    public ReadOnlyMemory<byte> Utf8Json { get; }

    public int Length => Utf8Json.Length;

    public static DeskFeedPayload Serialize(DeskFeedBatch batch) =>
        new(batch.Sequence, batch.Full, JsonSerializer.SerializeToUtf8Bytes(batch, DeskFeed.Json));

    private sealed class DeskFeedPayloadConverter : JsonConverter<DeskFeedPayload>
    {
        public override DeskFeedPayload Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var batch = JsonSerializer.Deserialize<DeskFeedBatch>(ref reader, DeskFeed.Json)
                ?? throw new JsonException("A desk feed batch cannot be null.");
            return Serialize(batch);
        }

        // Written once when the batch was made; validated then by the serializer that wrote it.
        public override void Write(Utf8JsonWriter writer, DeskFeedPayload value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Utf8Json.Span, skipInputValidation: true);
    }
}
