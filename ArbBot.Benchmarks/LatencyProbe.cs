using System.Runtime.InteropServices;
using System.Diagnostics;
using System.Globalization;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Recording;
using ArbBot.Engine.Strategies;

namespace ArbBot.Benchmarks;

/// <summary>
/// Times the live path of paced book events through a running hub. Each paced event carries its index in its sequence
/// field (offset by <see cref="SequenceBase"/>, so a venue's own events in the same hub are told apart) and has its
/// ingress time stamped with <see cref="Stopwatch.GetTimestamp"/> just before it is posted. On the hub's thread:
/// <list type="bullet">
/// <item>as the hub starts applying an event (the hub's recorder hook) the probe notes which event is current;</item>
/// <item>after every listener of the book has run (this probe is the last listener of every book) it queues a stamp
/// behind the work those listeners queued (a multi-outcome set's deferred evaluation), so "decision" is the moment
/// every strategy has decided on the event, whether or not it traded;</item>
/// <item>the first order any paper gateway receives while that event is current is "order submitted" for it (second
/// legs and hedges, sent later on fills, are not: the stamp ends the event).</item>
/// </list>
/// Recording into the histograms allocates nothing; each stamp is one small object queued on the hub.
/// </summary>
internal sealed class LatencyProbe : IBookEventRecorder, IBookListener
{
    public const long SequenceBase = 1L << 40;

    private readonly MarketDataHub _hub;
    private readonly IBookEventRecorder? _inner;
    private long[] _ingress = [];
    private long _current = -1;
    private long _submittedFor = -1;
    private long _measureFrom;
    // Hub-thread stamps of the current event: when the hub started applying it, and when a strategy handed the desk
    // its first opportunity on it (before the risk gate).
    private long _appliedAt;
    private long _foundAt;
    private long _foundFor = -1;
    // The latest opportunity found on the current event and how many were found on it: the one an order follows.
    private long _lastFoundAt;
    private int _foundOnEvent;

    public LatencyProbe(MarketDataHub hub)
    {
        _hub = hub;
        _inner = hub.Recorder;
        hub.Recorder = this;
        hub.SubscribeAll(this);
    }

    /// <summary>Ingress → every strategy decided, for every paced event.</summary>
    public LogHistogram Decision { get; } = new();

    /// <summary>Ingress → a paper gateway's submit call, for the paced events that produced an order.</summary>
    public LogHistogram Submit { get; } = new();

    /// <summary>Ingress → the hub starts applying the event (queueing and waking), for the events that produced an order.</summary>
    public LogHistogram Queued { get; } = new();

    /// <summary>The hub starts applying the event → a strategy hands the desk its first opportunity on it (book update, listeners, strategies).</summary>
    public LogHistogram Found { get; } = new();

    /// <summary>The first opportunity found on the event → the first order reaches a paper gateway (risk gate, executor, router; opportunities refused before one is taken).</summary>
    public LogHistogram Executed { get; } = new();

    /// <summary>The last opportunity found on the event before its first order → that order reaches a paper gateway: the desk's own path for the opportunity it took (risk gate, executor, router).</summary>
    public LogHistogram TakenToSubmitted { get; } = new();

    /// <summary>The first opportunity found on the event → the last one before its first order (others refused, and the strategies' work between them); 0 when the first was taken.</summary>
    public LogHistogram FirstToTakenFound { get; } = new();

    /// <summary>Events whose first order followed more than one opportunity found on it.</summary>
    public long SubmittedAfterSeveralFound { get; private set; }

    /// <summary>Orders the paper gateways received, whatever caused them.</summary>
    public long SubmitCalls { get; private set; }

    /// <summary>Starts timing a run: ingress stamps by event index; events before <paramref name="measureFrom"/> are warm-up.</summary>
    public void Begin(long[] ingress, long measureFrom)
    {
        _ingress = ingress;
        _measureFrom = measureFrom;
    }

    /// <summary>Hooks every paper gateway's submit call.</summary>
    public void Watch(IEnumerable<IOrderGateway> gateways)
    {
        foreach (var gateway in gateways)
        {
            // The desk's gateways route to paper (or, once armed, live): hook the paper gateway behind the route.
            var inner = gateway is RoutedOrderGateway routed ? routed.Paper : gateway;
            if (inner is PaperOrderGateway paper) paper.Submitting = OnSubmitting;
        }
    }

    public void Record(in BookEvent bookEvent, long receivedUtcTicks)
    {
        _appliedAt = Stopwatch.GetTimestamp();
        _inner?.Record(in bookEvent, receivedUtcTicks);
        var index = bookEvent.Sequence - SequenceBase;
        _current = (ulong)index < (ulong)_ingress.Length ? index : -1;
        if (_current >= 0) Attribution?.OnApplied(_current, _appliedAt);
    }

    /// <summary>When set, stamps the hub's processor time, GC pauses and the desk's counts as each paced event is applied (hub thread).</summary>
    public TailAttribution? Attribution { get; set; }

    /// <summary>Notes the moment a strategy hands the desk an opportunity: give it <c>DeskEngine.Deciding</c>.</summary>
    public void OnDeciding(Opportunity opportunity)
    {
        Attribution?.OnFound();
        if (_current < 0) return;
        _lastFoundAt = Stopwatch.GetTimestamp();
        if (_foundFor == _current)
        {
            _foundOnEvent++;
            return;
        }
        _foundFor = _current;
        _foundAt = _lastFoundAt;
        _foundOnEvent = 1;
    }

    public void OnBookUpdated(OrderBook book)
    {
        if (_current < 0) return;
        // Stamps are reused (taken and given back on the hub's thread only): one new object per book event was a quarter
        // of the run's allocation, and the collections it caused ran on the hub, inside the figures being measured.
        var stamp = _freeStamps.Count > 0 ? _freeStamps.Pop() : new Stamp(this);
        stamp.Index = _current;
        _hub.Post(stamp);
    }

    private readonly Stack<Stamp> _freeStamps = new();

    private void OnSubmitting(OrderRequest request)
    {
        SubmitCalls++;
        var current = _current;
        if (current < 0 || current == _submittedFor) return;
        _submittedFor = current;
        if (current < _measureFrom) return;
        var now = Stopwatch.GetTimestamp();
        Submit.Record(LogHistogram.ToNanoseconds(now - _ingress[current]));
        Queued.Record(LogHistogram.ToNanoseconds(_appliedAt - _ingress[current]));
        if (_foundFor == current)
        {
            Found.Record(LogHistogram.ToNanoseconds(_foundAt - _appliedAt));
            Executed.Record(LogHistogram.ToNanoseconds(now - _foundAt));
            TakenToSubmitted.Record(LogHistogram.ToNanoseconds(now - _lastFoundAt));
            FirstToTakenFound.Record(LogHistogram.ToNanoseconds(_lastFoundAt - _foundAt));
            if (_foundOnEvent > 1) SubmittedAfterSeveralFound++;
        }
    }

    private sealed class Stamp(LatencyProbe probe) : IHubWork
    {
        public long Index { get; set; }

        public void Execute(MarketDataHub hub)
        {
            var index = Index;
            if (index >= probe._measureFrom) probe.Decision.RecordSince(probe._ingress[index]);
            if (probe._current == index) probe._current = -1;
            probe._freeStamps.Push(this);
        }
    }
}

/// <summary>How <see cref="PacedFeed"/> hands events to the hub.</summary>
internal enum FeedMode
{
    /// <summary>Every ~1 ms (the batch interval) the events due are posted together; the thread sleeps in between, as a socket reader blocks.</summary>
    Batch,

    /// <summary>Each event posted at its own due time, spin-waiting the last half millisecond (the first harness: it kept a core busy).</summary>
    Spin,

    /// <summary>
    /// Each event posted at its own due time; the thread sleeps in a high-resolution timer (<c>clock_nanosleep</c>) until
    /// then, as a socket reader woken for each message: no core kept busy by the producer, and no 1 ms timer granularity.
    /// </summary>
    Sleep,

    /// <summary>The feeding thread applies each event itself at its due time (post, then drain on the same thread): no thread hop, no queue; the path alone.</summary>
    Inline,
}

/// <summary>
/// Posts events into a hub at a fixed rate from the calling thread, as a venue feed would, stamping each one's ingress
/// time just before it is posted. By default (<see cref="FeedMode.Batch"/>) the thread blocks between batches of the
/// events due, as a socket reader does, so the measurement is the desk's, not a producer's starving it of a core.
/// </summary>
internal static class PacedFeed
{
    public sealed record Result(long Posted, double Seconds, long Late, int MostQueued, FeedMode Mode, LogHistogram Delay)
    {
        public double Rate => Posted / Math.Max(Seconds, 1e-9);

        public string Describe(double target) => string.Create(CultureInfo.InvariantCulture,
            $"{Posted:N0} events posted ({Mode.ToString().ToLowerInvariant()}) in {Seconds:F1} s = {Rate:N0}/s (target {target:N0}/s), {Late:N0} posted over 2 ms after due, hub queue at most {MostQueued:N0}; posted after due: p50 {Delay.ValueAt(0.5) / 1e3:F0} us, p99 {Delay.ValueAt(0.99) / 1e3:F0} us, max {Delay.Max / 1e3:F0} us");
    }

    /// <summary>Tags each event with its index (in the sequence field) for <see cref="LatencyProbe"/>.</summary>
    public static BookEvent[] Tag(IReadOnlyList<RecordedBookEvent> recorded, long count)
    {
        var events = new BookEvent[Math.Min(count, recorded.Count)];
        for (var i = 0; i < events.Length; i++) events[i] = recorded[i].Event with { Sequence = LatencyProbe.SequenceBase + i };
        return events;
    }

    public static FeedMode ModeOf(Dictionary<string, string> options) =>
        options.TryGetValue("feed", out var mode) ? Enum.Parse<FeedMode>(mode, ignoreCase: true) : FeedMode.Batch;

    public static Result Run(MarketDataHub hub, BookEvent[] events, long[] ingress, double rate, CancellationToken cancellationToken = default, FeedMode mode = FeedMode.Batch)
    {
        var start = Stopwatch.GetTimestamp();
        var ticksPerEvent = Stopwatch.Frequency / rate;
        var spinWindow = Stopwatch.Frequency / 2000;
        var batchTicks = Stopwatch.Frequency / 1000;
        var lateTicks = Stopwatch.Frequency / 500;
        var delay = new LogHistogram();
        long late = 0, posted = 0;
        var mostQueued = 0;
        for (long i = 0; i < events.Length && !cancellationToken.IsCancellationRequested; i++)
        {
            var due = start + (long)(i * ticksPerEvent);
            long now = Stopwatch.GetTimestamp();
            if (now < due)
            {
                if (mode == FeedMode.Sleep)
                {
                    while ((now = Stopwatch.GetTimestamp()) < due) PreciseSleep.For(due - now);
                }
                else if (mode == FeedMode.Batch)
                {
                    // Block until this event is due, then post every event due by then: a socket read hands over what arrived.
                    while ((now = Stopwatch.GetTimestamp()) < due) Thread.Sleep(due - now > batchTicks ? (int)((due - now) / batchTicks) : 1);
                }
                else
                {
                    var spin = new SpinWait();
                    while ((now = Stopwatch.GetTimestamp()) < due)
                    {
                        if (due - now > spinWindow) Thread.Sleep(mode == FeedMode.Inline ? 1 : 0);
                        else spin.SpinOnce(-1);
                    }
                }
            }
            if (now - due > lateTicks) late++;
            delay.Record(LogHistogram.ToNanoseconds(now - due));
            ingress[i] = Stopwatch.GetTimestamp();
            while (!hub.TryPost(in events[i]))
            {
                if (mode == FeedMode.Inline) hub.DrainPending();
                else Thread.Yield();
            }
            if (mode == FeedMode.Inline) hub.DrainPending();
            posted++;
            if ((i & 1023) == 0) mostQueued = Math.Max(mostQueued, hub.QueueLength);
        }
        return new Result(posted, Stopwatch.GetElapsedTime(start).TotalSeconds, late, mostQueued, mode, delay);
    }
}

/// <summary>Sleeps for a span shorter than a millisecond: <c>clock_nanosleep</c> on Linux (Thread.Sleep's unit is 1 ms).</summary>
internal static class PreciseSleep
{
    private const int ClockMonotonic = 1;

    [DllImport("libc", EntryPoint = "clock_nanosleep")]
    private static extern int ClockNanosleep(int clock, int flags, in ThreadCpu.TimeSpec request, IntPtr remaining);

    /// <summary>Sleeps about <paramref name="stopwatchTicks"/> (the OS wakes the thread late by its timer slack and scheduling).</summary>
    public static void For(long stopwatchTicks)
    {
        if (!OperatingSystem.IsLinux())
        {
            Thread.Sleep(1);
            return;
        }
        var nanoseconds = (long)(stopwatchTicks * (1e9 / Stopwatch.Frequency));
        var request = new ThreadCpu.TimeSpec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
        ClockNanosleep(ClockMonotonic, 0, in request, IntPtr.Zero);
    }
}
