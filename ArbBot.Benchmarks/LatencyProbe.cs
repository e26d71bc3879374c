using System.Diagnostics;
using System.Globalization;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Recording;

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
        _inner?.Record(in bookEvent, receivedUtcTicks);
        var index = bookEvent.Sequence - SequenceBase;
        _current = (ulong)index < (ulong)_ingress.Length ? index : -1;
    }

    public void OnBookUpdated(OrderBook book)
    {
        if (_current < 0) return;
        _hub.Post(new Stamp(this, _current));
    }

    private void OnSubmitting(OrderRequest request)
    {
        SubmitCalls++;
        var current = _current;
        if (current < 0 || current == _submittedFor) return;
        _submittedFor = current;
        if (current >= _measureFrom) Submit.RecordSince(_ingress[current]);
    }

    private sealed class Stamp(LatencyProbe probe, long index) : IHubWork
    {
        public void Execute(MarketDataHub hub)
        {
            if (index >= probe._measureFrom) probe.Decision.RecordSince(probe._ingress[index]);
            if (probe._current == index) probe._current = -1;
        }
    }
}

/// <summary>
/// Posts events into a hub at a fixed rate from the calling thread, as a venue feed would, stamping each one's ingress
/// time. Spins for the last half millisecond before each due time (a feed's socket read does not sleep either).
/// </summary>
internal static class PacedFeed
{
    public sealed record Result(long Posted, double Seconds, long Late, int MostQueued)
    {
        public double Rate => Posted / Math.Max(Seconds, 1e-9);

        public string Describe(double target) => string.Create(CultureInfo.InvariantCulture,
            $"{Posted:N0} events posted in {Seconds:F1} s = {Rate:N0}/s (target {target:N0}/s), {Late:N0} posted over 1 ms late, hub queue at most {MostQueued:N0}");
    }

    /// <summary>Tags each event with its index (in the sequence field) for <see cref="LatencyProbe"/>.</summary>
    public static BookEvent[] Tag(IReadOnlyList<RecordedBookEvent> recorded, long count)
    {
        var events = new BookEvent[Math.Min(count, recorded.Count)];
        for (var i = 0; i < events.Length; i++) events[i] = recorded[i].Event with { Sequence = LatencyProbe.SequenceBase + i };
        return events;
    }

    public static Result Run(MarketDataHub hub, BookEvent[] events, long[] ingress, double rate, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        var ticksPerEvent = Stopwatch.Frequency / rate;
        var spinWindow = Stopwatch.Frequency / 2000;
        long late = 0, posted = 0;
        var mostQueued = 0;
        for (long i = 0; i < events.Length && !cancellationToken.IsCancellationRequested; i++)
        {
            var due = start + (long)(i * ticksPerEvent);
            var spin = new SpinWait();
            long now;
            while ((now = Stopwatch.GetTimestamp()) < due)
            {
                if (due - now > spinWindow) Thread.Sleep(0);
                else spin.SpinOnce(-1);
            }
            if (now - due > Stopwatch.Frequency / 1000) late++;
            ingress[i] = Stopwatch.GetTimestamp();
            while (!hub.TryPost(in events[i])) Thread.Yield();
            posted++;
            if ((i & 1023) == 0) mostQueued = Math.Max(mostQueued, hub.QueueLength);
        }
        return new Result(posted, Stopwatch.GetElapsedTime(start).TotalSeconds, late, mostQueued);
    }
}
