using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.ComponentModel.DataAnnotations;
using ArbBot.Engine.Events;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.CrossVenueArb;
using Microsoft.Extensions.Hosting;

namespace ArbBot.Engine.Desk;

/// <summary>How much spread history the dashboard keeps in memory (configuration section <c>ArbBot:Dashboard:SpreadHistory</c>).</summary>
public sealed class SpreadHistoryOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "ArbBot:Dashboard:SpreadHistory";

    /// <summary>Samples kept per pair, one per desk snapshot (four a second) in which the pair's spread changed.</summary>
    /// <value>From 10 to 100,000. Default 2400 (about ten minutes of a busy pair).</value>
    [Range(10, 100_000)]
    public int SamplesPerPair { get; set; } = 2400;

    /// <summary>Opportunity and trade markers kept per pair.</summary>
    /// <value>From 10 to 10,000. Default 500.</value>
    [Range(10, 10_000)]
    public int MarkersPerPair { get; set; } = 500;

    /// <summary>
    /// Pairs kept. Beyond it a new pair takes the place of the pair heard of least recently once that pair has been
    /// silent and its chart unread for a minute; a pair whose chart is opened takes the place of the least recently
    /// heard pair nobody is reading.
    /// </summary>
    /// <value>From 1 to 1000. Default 64.</value>
    [Range(1, 1000)]
    public int MaxPairs { get; set; } = 64;
}

/// <summary>One arb set's figures at a sample (the same meaning as in <see cref="ArbSetSpread"/>).</summary>
public readonly record struct SetEdgeSample(decimal GrossEdge, decimal NetEdge, decimal SizeAvailable);

/// <summary>
/// A pair's two arb sets at one moment. A set is null when its books could not be priced then (missing, stale or
/// without asks), so a chart shows a gap rather than an old number.
/// </summary>
/// <param name="Sequence">Increases with every sample and marker recorded, across all pairs; readers ask for what came after it.</param>
/// <remarks>A value kept in place in the pair's buffer: a busy desk samples hundreds of pairs four times a second.</remarks>
public readonly record struct SpreadSample(long Sequence, DateTimeOffset At, SetEdgeSample? First, SetEdgeSample? Second);

/// <summary>What a marker on a pair's spread history stands for.</summary>
public enum SpreadMarkerKind : byte
{
    /// <summary>An opportunity that passed the risk gate at full size.</summary>
    Taken,
    /// <summary>An opportunity that passed the risk gate at a smaller size.</summary>
    Resized,
    /// <summary>An opportunity the risk gate stopped.</summary>
    Rejected,
    /// <summary>An opportunity seen but not acted on for a reason outside risk.</summary>
    Skipped,
    /// <summary>An execution that ended (see <see cref="SpreadMarker.Outcome"/>).</summary>
    Trade,
}

/// <summary>An opportunity or a trade on a pair, placed on its spread history.</summary>
/// <param name="NetEdgePerSet">For an opportunity, its net edge per set; for a trade, the profit locked per set it holds (or the planned net edge when nothing was locked).</param>
/// <param name="Quantity">Sets: as decided for an opportunity, held at the end for a trade.</param>
/// <param name="Description">The opportunity's reason or the trade's summary, in words.</param>
/// <param name="Outcome">How a trade ended; null for an opportunity.</param>
public sealed record SpreadMarker(
    long Sequence,
    DateTimeOffset At,
    SpreadMarkerKind Kind,
    long OpportunityId,
    decimal NetEdgePerSet,
    decimal Quantity,
    string Description,
    ExecutionOutcomeKind? Outcome);

/// <summary>A pair's recorded samples and markers, oldest first (all of them, or those after a sequence).</summary>
/// <param name="LastSequence">The highest sequence recorded anywhere when this was read: pass it back to get only what follows.</param>
public sealed record PairSpreadHistory(long PairId, IReadOnlyList<SpreadSample> Samples, IReadOnlyList<SpreadMarker> Markers, long LastSequence);

/// <summary>
/// A bounded in-memory history of approved pairs' spreads, sampled from the desk snapshots, with markers for the
/// pair's opportunities and trades, for charts. Memory is bounded three ways: samples per pair, markers per pair and
/// pairs kept.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Record"/> is called by one writer (the desk monitor's refresh loop); <see cref="OnPublished"/> runs on the
/// hub's thread and only enqueues; readers on any thread get copies.
/// </para>
/// <para>
/// When more pairs are heard of than are kept, a kept pair gives its place only once it has been silent (no sample, no
/// marker) and its chart unread for <see cref="ForgetAfterSilence"/>; a pair whose chart someone opens takes the place
/// of the least recently heard pair nobody is reading. Before, the pair heard of least recently was forgotten at once:
/// with more busy pairs than places every record forgot and re-created most of them, so no chart kept more than a
/// sample or two, and each re-creation allocated fresh buffers four times a second (two thirds of the whole app's
/// allocation with 500 busy pairs). A place that changes hands keeps its buffers.
/// </para>
/// </remarks>
public sealed class SpreadHistory
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, PairTrack> _pairs = [];
    // Pairs whose chart asked for a history while none was kept, by when it last asked.
    private readonly Dictionary<long, DateTimeOffset> _wanted = [];
    // A snapshot's sets grouped by pair, reused from one record to the next.
    private readonly Dictionary<long, (ArbSetSpread? First, ArbSetSpread? Second)> _sets = [];
    private readonly ConcurrentQueue<object> _inbox = new();
    private int _inboxCount;
    private long _sequence;
    private long _droppedEvents;
    private int _pairsNotKept;
    // The latest snapshot's time: the clock reads and silences are measured by.
    private DateTimeOffset _now = DateTimeOffset.MinValue;
    // Within a record: no place was silent long enough as of this time, so none is as of an earlier one either (a pair
    // nobody asked for need not look again). Reads only make places busier.
    private DateTimeOffset? _noSilentPlaceAsOf;

    /// <summary>Creates the history with the configured bounds (the DI path).</summary>
    public SpreadHistory(SpreadHistoryOptions options) : this(options.SamplesPerPair, options.MarkersPerPair, options.MaxPairs)
    {
    }

    /// <param name="samplesPerPair">Samples kept per pair (at four a second, 2400 are ten minutes of a busy pair).</param>
    /// <param name="markersPerPair">Opportunity and trade markers kept per pair.</param>
    /// <param name="maxPairs">Pairs kept.</param>
    /// <param name="maxPendingEvents">Journal events waiting for the next <see cref="Record"/>; beyond it they are dropped and counted.</param>
    /// <param name="forgetAfterSilence">How long a kept pair must be silent and unread before another pair may take its place (default one minute).</param>
    public SpreadHistory(int samplesPerPair = 2400, int markersPerPair = 500, int maxPairs = 64, int maxPendingEvents = 10_000, TimeSpan? forgetAfterSilence = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerPair, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(markersPerPair, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPairs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPendingEvents, 1);
        var silence = forgetAfterSilence ?? TimeSpan.FromMinutes(1);
        ArgumentOutOfRangeException.ThrowIfLessThan(silence, TimeSpan.Zero);
        SamplesPerPair = samplesPerPair;
        MarkersPerPair = markersPerPair;
        MaxPairs = maxPairs;
        MaxPendingEvents = maxPendingEvents;
        ForgetAfterSilence = silence;
    }

    public int SamplesPerPair { get; }
    public int MarkersPerPair { get; }
    public int MaxPairs { get; }
    public int MaxPendingEvents { get; }

    /// <summary>How long a kept pair must be silent and its chart unread before another pair may take its place.</summary>
    public TimeSpan ForgetAfterSilence { get; }

    /// <summary>Journal events dropped because too many were waiting (only if <see cref="Record"/> stopped being called).</summary>
    public long DroppedEvents => Interlocked.Read(ref _droppedEvents);

    /// <summary>Pairs the latest <see cref="Record"/> had figures for but no place to keep them (every place busy).</summary>
    public int PairsNotKept => Volatile.Read(ref _pairsNotKept);

    /// <summary>Raised after each <see cref="Record"/>, on the recording thread, for live views.</summary>
    public event Action? Updated;

    /// <summary>
    /// A journal event (<see cref="EngineJournal.Published"/>): pair opportunities and execution outcomes are queued
    /// for the next <see cref="Record"/>; everything else is ignored. Never blocks.
    /// </summary>
    public void OnPublished(object published)
    {
        if (published is not (Opportunity { PairId: not null } or ExecutionOutcome { PairId: not null })) return;
        if (Interlocked.Increment(ref _inboxCount) > MaxPendingEvents)
        {
            Interlocked.Decrement(ref _inboxCount);
            Interlocked.Increment(ref _droppedEvents);
            return;
        }
        _inbox.Enqueue(published);
    }

    /// <summary>
    /// Records a snapshot: one sample per pair whose spread was re-evaluated since its last sample, after the markers
    /// queued since the last call. Single writer. Allocates nothing once the kept pairs' buffers have grown.
    /// </summary>
    public void Record(DeskSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_gate)
        {
            if (snapshot.At > _now) _now = snapshot.At;
            _noSilentPlaceAsOf = null;
            var notKept = 0;
            while (_inbox.TryDequeue(out var published))
            {
                Interlocked.Decrement(ref _inboxCount);
                AddMarker(published);
            }
            _sets.Clear();
            var spreads = snapshot.Spreads;
            for (var i = 0; i < spreads.Count; i++)
            {
                var spread = spreads[i];
                ref var sets = ref CollectionsMarshal.GetValueRefOrAddDefault(_sets, spread.PairId, out _);
                if (spread.SetIndex == 0) sets.First = spread;
                else sets.Second = spread;
            }
            foreach (var (pairId, (first, second)) in _sets)
            {
                var evaluated = Math.Max(first?.EvaluatedUtcTicks ?? 0, second?.EvaluatedUtcTicks ?? 0);
                // Never looked at yet: nothing to draw.
                if (evaluated == 0) continue;
                var track = Track(pairId, snapshot.At);
                if (track is null)
                {
                    notKept++;
                    continue;
                }
                if (evaluated == track.LastEvaluatedTicks) continue;
                track.LastEvaluatedTicks = evaluated;
                if (snapshot.At > track.LastActivity) track.LastActivity = snapshot.At;
                track.Samples.Add(new SpreadSample(++_sequence, snapshot.At, Edge(first), Edge(second)));
            }
            ForgetOldWishes();
            Volatile.Write(ref _pairsNotKept, notKept);
        }
        Updated?.Invoke();
    }

    /// <summary>The pairs with a history, by id.</summary>
    public IReadOnlyList<long> PairIds()
    {
        lock (_gate) return [.. _pairs.Keys.Order()];
    }

    /// <summary>
    /// Everything kept for a pair, or null if nothing is (never approved, not priced yet, or no place for it yet). A
    /// chart reading it keeps the pair's place; a pair without one gets the next place nobody is reading.
    /// </summary>
    public PairSpreadHistory? Get(long pairId) => Since(pairId, 0);

    /// <summary>What was recorded for a pair after <paramref name="afterSequence"/>, or null if nothing is kept for it (see <see cref="Get"/>).</summary>
    public PairSpreadHistory? Since(long pairId, long afterSequence)
    {
        lock (_gate)
        {
            if (!_pairs.TryGetValue(pairId, out var track))
            {
                // Bounded like the places: ids nobody approved are forgotten with the other wishes.
                if (_wanted.Count < MaxPairs || _wanted.ContainsKey(pairId)) _wanted[pairId] = _now;
                return null;
            }
            track.LastReadAt = _now;
            return new PairSpreadHistory(pairId, track.Samples.After(afterSequence, s => s.Sequence), track.Markers.After(afterSequence, m => m.Sequence), _sequence);
        }
    }

    /// <summary>The pair's latest opportunity marker (not trades), or null if none is kept.</summary>
    public SpreadMarker? LastOpportunity(long pairId)
    {
        lock (_gate)
        {
            if (!_pairs.TryGetValue(pairId, out var track)) return null;
            return track.Markers.LastOrDefault(m => m.Kind != SpreadMarkerKind.Trade);
        }
    }

    private void AddMarker(object published)
    {
        switch (published)
        {
            case Opportunity { PairId: { } pairId } opportunity:
                var kind = opportunity.Decision switch
                {
                    OpportunityDecision.Taken => SpreadMarkerKind.Taken,
                    OpportunityDecision.Resized => SpreadMarkerKind.Resized,
                    OpportunityDecision.Rejected => SpreadMarkerKind.Rejected,
                    _ => SpreadMarkerKind.Skipped,
                };
                AddMarker(pairId, opportunity.DetectedAt, kind, opportunity.Id, opportunity.NetEdgePerSet, opportunity.Quantity, opportunity.Reason, null);
                break;
            case ExecutionOutcome { PairId: { } pairId } outcome:
                var perSet = outcome.HedgedQuantity > 0m ? outcome.LockedProfit / outcome.HedgedQuantity
                    : outcome.PlannedQuantity > 0m ? outcome.ExpectedProfit / outcome.PlannedQuantity
                    : 0m;
                AddMarker(pairId, outcome.CompletedAt, SpreadMarkerKind.Trade, outcome.OpportunityId, perSet, outcome.HedgedQuantity, outcome.Summary, outcome.Kind);
                break;
        }
    }

    private void AddMarker(long pairId, DateTimeOffset at, SpreadMarkerKind kind, long opportunityId, decimal netEdge, decimal quantity, string text, ExecutionOutcomeKind? outcome)
    {
        // The trades page and the database keep every opportunity and trade; only the chart goes without.
        if (Track(pairId, at) is not { } track) return;
        if (at > track.LastActivity) track.LastActivity = at;
        track.Markers.Add(new SpreadMarker(++_sequence, at, kind, opportunityId, netEdge, quantity, text, outcome));
    }

    /// <summary>The pair's place, given one if there is room or a place may change hands; null if every place is busy.</summary>
    private PairTrack? Track(long pairId, DateTimeOffset now)
    {
        if (_pairs.TryGetValue(pairId, out var track)) return track;
        if (_pairs.Count < MaxPairs)
        {
            track = new PairTrack(pairId, SamplesPerPair, MarkersPerPair) { LastActivity = now };
            _pairs.Add(pairId, track);
            _wanted.Remove(pairId);
            return track;
        }
        var wanted = _wanted.ContainsKey(pairId);
        if (!wanted && _noSilentPlaceAsOf is { } asOf && now <= asOf) return null;
        PairTrack? place = null;
        foreach (var (_, candidate) in _pairs)
        {
            // A chart someone is reading keeps its pair; a pair still heard of keeps its place unless a chart wants another.
            if (_now - candidate.LastReadAt < ForgetAfterSilence) continue;
            if (!wanted && now - candidate.LastActivity < ForgetAfterSilence) continue;
            if (place is null || candidate.LastActivity < place.LastActivity) place = candidate;
        }
        if (place is null)
        {
            if (!wanted) _noSilentPlaceAsOf = now;
            return null;
        }
        _pairs.Remove(place.PairId);
        place.Reassign(pairId, now);
        _pairs.Add(pairId, place);
        _wanted.Remove(pairId);
        return place;
    }

    private void ForgetOldWishes()
    {
        if (_wanted.Count == 0) return;
        foreach (var (pairId, at) in _wanted)
        {
            // Removing while enumerating is allowed for Dictionary since .NET Core 3.0.
            if (_now - at >= ForgetAfterSilence) _wanted.Remove(pairId);
        }
    }

    // Figures are meaningful only once both books were fresh and had asks (the rule the Pairs page and API use too).
    private static SetEdgeSample? Edge(ArbSetSpread? spread) =>
        spread is { State: ArbSetState.NoEdge or ArbSetState.Edge } s ? new SetEdgeSample(s.GrossEdge, s.NetEdge, s.SizeAvailable) : null;

    private sealed class PairTrack(long pairId, int samples, int markers)
    {
        public long PairId { get; private set; } = pairId;
        public RingBuffer<SpreadSample> Samples { get; } = new(samples);
        public RingBuffer<SpreadMarker> Markers { get; } = new(markers);
        public long LastEvaluatedTicks { get; set; }
        public DateTimeOffset LastActivity { get; set; }
        public DateTimeOffset LastReadAt { get; set; } = DateTimeOffset.MinValue;

        /// <summary>Hands the place to another pair, keeping its buffers.</summary>
        public void Reassign(long pairId, DateTimeOffset now)
        {
            PairId = pairId;
            Samples.Clear();
            Markers.Clear();
            LastEvaluatedTicks = 0;
            LastActivity = now;
            LastReadAt = DateTimeOffset.MinValue;
        }
    }
}

/// <summary>
/// A buffer of at most a fixed number of items that overwrites its oldest item; enumerates oldest first. Its storage
/// grows by doubling up to the capacity, so a pair with little history holds little. Not thread-safe.
/// </summary>
internal sealed class RingBuffer<T>(int capacity) : IEnumerable<T>
{
    private const int FirstStorage = 16;
    private T[] _items = new T[Math.Min(capacity, FirstStorage)];
    private int _start;

    public int Count { get; private set; }

    /// <summary>The most items kept.</summary>
    public int Capacity => capacity;

    public void Add(T item)
    {
        if (Count == _items.Length && _items.Length < capacity)
        {
            var grown = new T[Math.Min(capacity, _items.Length * 2)];
            for (var i = 0; i < Count; i++) grown[i] = _items[(_start + i) % _items.Length];
            _items = grown;
            _start = 0;
        }
        if (Count < _items.Length)
        {
            _items[(_start + Count) % _items.Length] = item;
            Count++;
            return;
        }
        _items[_start] = item;
        _start = (_start + 1) % _items.Length;
    }

    /// <summary>Empties the buffer and keeps its storage.</summary>
    public void Clear()
    {
        Array.Clear(_items);
        _start = 0;
        Count = 0;
    }

    /// <summary>Copies the items whose key is above <paramref name="after"/> (keys increase in insertion order).</summary>
    public T[] After(long after, Func<T, long> key)
    {
        // Walk back from the newest: live readers usually want the last few items only.
        var n = 0;
        while (n < Count && key(_items[(_start + Count - 1 - n) % _items.Length]) > after) n++;
        var result = new T[n];
        for (var i = 0; i < n; i++) result[i] = _items[(_start + Count - n + i) % _items.Length];
        return result;
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return _items[(_start + i) % _items.Length];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Feeds the <see cref="SpreadHistory"/> from the desk monitor's snapshots and the engine journal's events.</summary>
public sealed class SpreadHistoryFeed(SpreadHistory history, DeskMonitor monitor, EngineJournal journal) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        journal.Published += history.OnPublished;
        monitor.Refreshed += history.Record;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        monitor.Refreshed -= history.Record;
        journal.Published -= history.OnPublished;
        return Task.CompletedTask;
    }
}
