using System.Threading.Channels;
using ArbBot.Engine.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.MarketData;

/// <summary>
/// The single writer of every order book. Venue feeds post <see cref="BookEvent"/>s into a bounded channel; one loop
/// applies them in order and notifies only the listeners of the affected instrument. Anything that must read books
/// consistently (strategies, paper matching) runs on this loop, as a listener or as posted <see cref="IHubWork"/>.
/// </summary>
/// <remarks>
/// One bad event (an instrument the registry does not know, a failing <see cref="IHubWork"/>) or one failing listener
/// must not stop every other book from updating, so the loop catches per event and per listener, logs, counts the
/// failure in <see cref="ErrorCount"/> and carries on.
/// </remarks>
public sealed class MarketDataHub : IBookEventSink
{
    private readonly Channel<BookEvent> _channel;
    private readonly InstrumentRegistry _registry;
    private readonly TimeProvider _time;
    private readonly Lock _listenerGate = new();
    private OrderBook?[] _books = [];
    private IBookListener[][] _listenersByInstrument = [];
    private IBookListener[] _allListeners = [];
    private readonly ILogger _logger;
    /// <summary>A listener failing on every event would write a log line per event: each kind is logged once per 10 s.</summary>
    private readonly RepeatedErrorLog _errorLog;
    private long _eventsApplied;
    private long _errorCount;
    // Items in the channel, kept beside it so the hub can see "nothing queued" without taking the channel's lock.
    // Raised before a write and lowered after a read, so it never reads lower than the channel's true count.
    private long _queued;
    // Work the hub posts to itself while applying an event with nothing else queued: it runs right after that event,
    // exactly where the channel would have run it, without two trips through the channel's lock (see Post).
    private readonly Queue<IHubWork> _ownWork = new();
    private int _applyingThread;
    // The hub thread sleeps on this when the channel is empty; a writer sets it only while the hub says it sleeps
    // (_sleeping), so a busy hub costs writers nothing. No built-in spinning: the loop spins itself (SpinBeforeSleep).
    private readonly ManualResetEventSlim _wake = new(false, 0);
    private int _sleeping;
    private long _spinTicks;

    public MarketDataHub(InstrumentRegistry registry, TimeProvider time, int capacity = 65_536, ILogger<MarketDataHub>? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _registry = registry;
        _time = time;
        _logger = logger ?? NullLogger<MarketDataHub>.Instance;
        _errorLog = new RepeatedErrorLog(time, TimeSpan.FromSeconds(10));
        _channel = Channel.CreateBounded<BookEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
    }

    public TimeProvider Time => _time;

    public InstrumentRegistry Registry => _registry;

    /// <summary>Events applied since start (read from any thread).</summary>
    public long EventsApplied => Interlocked.Read(ref _eventsApplied);

    /// <summary>Events that failed to apply and listener calls that threw, since start (read from any thread).</summary>
    public long ErrorCount => Interlocked.Read(ref _errorCount);

    /// <summary>
    /// Receives a copy of every book event applied, with the hub's receive time (null: nothing is recorded). Set while
    /// wiring, before the hub runs; the recorder must hand the event off without blocking.
    /// </summary>
    public Recording.IBookEventRecorder? Recorder { get; set; }

    /// <summary>Events waiting in the channel.</summary>
    public int QueueLength => _channel.Reader.CanCount ? _channel.Reader.Count : 0;

    /// <summary>
    /// Replay only: how many more items of work the hub posts to itself during the current event run right after it
    /// (as the recording says the live hub did); the rest go through the queue. Negative (the default): the live rule,
    /// right after the event only when nothing else is queued.
    /// </summary>
    public int OwnWorkBudget { get; set; } = -1;

    /// <summary>
    /// How long the hub's thread keeps looking for the next event before it sleeps once its queue is empty. Zero (the
    /// default) sleeps at once: an idle desk uses no processor, and the next event pays the thread's wake-up (a few
    /// to tens of µs, more on a busy machine). A spin of e.g. 50 µs lets events arriving that close together find the
    /// thread awake, at the cost of up to that much processor time after every burst. Set before <see cref="RunAsync"/>.
    /// </summary>
    public TimeSpan SpinBeforeSleep
    {
        get => TimeSpan.FromTicks((long)(Volatile.Read(ref _spinTicks) * (double)TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromMilliseconds(10));
            Volatile.Write(ref _spinTicks, (long)(value.Ticks * (double)System.Diagnostics.Stopwatch.Frequency / TimeSpan.TicksPerSecond));
        }
    }

    /// <summary>
    /// Where the hub's thread runs (a processor, a real-time policy): applied by the thread to itself as
    /// <see cref="RunAsync"/> starts it. Default none. Set before <see cref="RunAsync"/>.
    /// </summary>
    public HubThreadPlacement ThreadPlacement { get; set; } = HubThreadPlacement.None;

    /// <summary>What applying <see cref="ThreadPlacement"/> did, in words; null until the thread has started.</summary>
    public string? ThreadPlacementResult { get; private set; }

    /// <summary>Times the hub's thread went to sleep on an empty queue since start (read from any thread).</summary>
    public long Sleeps => Interlocked.Read(ref _sleeps);

    private long _sleeps;

    public bool TryPost(in BookEvent bookEvent)
    {
        // Counted before the write, read by the sleeping hub after it says it sleeps: one of the two sees the other.
        Interlocked.Increment(ref _queued);
        if (_channel.Writer.TryWrite(bookEvent))
        {
            WakeIfSleeping();
            return true;
        }
        Interlocked.Decrement(ref _queued);
        return false;
    }

    private void WakeIfSleeping()
    {
        if (Volatile.Read(ref _sleeping) != 0) _wake.Set();
    }

    public ValueTask PostAsync(BookEvent bookEvent, CancellationToken cancellationToken) =>
        TryPost(bookEvent) ? ValueTask.CompletedTask : WriteWhenRoomAsync(bookEvent, cancellationToken);

    private async ValueTask WriteWhenRoomAsync(BookEvent bookEvent, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _queued);
        try
        {
            await _channel.Writer.WriteAsync(bookEvent, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref _queued);
            throw;
        }
        WakeIfSleeping();
    }

    /// <summary>
    /// Queues <paramref name="work"/> without blocking the caller (a timer or a gateway callback): at once when the
    /// queue has room, else as soon as it has. Work posted while the hub shuts down is dropped: nothing runs any more.
    /// </summary>
    public void Post(IHubWork work)
    {
        // Posted by the hub to itself (a strategy deferring an evaluation) with nothing queued: run it right after the
        // current event, which is where the channel would run it, without the channel.
        if (_applyingThread == Environment.CurrentManagedThreadId && (OwnWorkBudget < 0 ? Volatile.Read(ref _queued) <= 0 : OwnWorkBudget-- > 0))
        {
            ArgumentNullException.ThrowIfNull(work);
            _ownWork.Enqueue(work);
            return;
        }
        if (TryPost(BookEvent.Run(work))) return;
        _ = PostWhenRoomAsync(work);
    }

    private async Task PostWhenRoomAsync(IHubWork work)
    {
        try
        {
            await PostAsync(work, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
        }
    }

    /// <summary>Runs <paramref name="work"/> on the hub's thread, after the events already queued.</summary>
    public ValueTask PostAsync(IHubWork work, CancellationToken cancellationToken) => PostAsync(BookEvent.Run(work), cancellationToken);

    /// <summary>Notifies <paramref name="listener"/> after every change of <paramref name="instrument"/>'s book.</summary>
    public void Subscribe(InstrumentId instrument, IBookListener listener)
    {
        lock (_listenerGate)
        {
            // Each instrument's list is immutable and replaced whole, so a reader sees the old list or the new one; the
            // table itself is copied only to grow it (copying it per subscription cost ~32 KB each time the paper
            // gateway started watching one more instrument).
            var table = _listenersByInstrument;
            if (instrument.Value >= table.Length)
            {
                var grown = new IBookListener[Math.Max(instrument.Value + 1, table.Length * 2)][];
                Array.Copy(table, grown, table.Length);
                for (var i = table.Length; i < grown.Length; i++) grown[i] = [];
                grown[instrument.Value] = [.. grown[instrument.Value], listener];
                Volatile.Write(ref _listenersByInstrument, grown);
                return;
            }
            Volatile.Write(ref table[instrument.Value], [.. table[instrument.Value], listener]);
        }
    }

    /// <summary>Notifies <paramref name="listener"/> after every change of any book.</summary>
    public void SubscribeAll(IBookListener listener)
    {
        lock (_listenerGate)
        {
            Volatile.Write(ref _allListeners, [.. _allListeners, listener]);
        }
    }

    public void Unsubscribe(IBookListener listener)
    {
        lock (_listenerGate)
        {
            Volatile.Write(ref _allListeners, _allListeners.Where(l => l != listener).ToArray());
            var table = _listenersByInstrument;
            for (var i = 0; i < table.Length; i++)
            {
                if (Array.IndexOf(table[i], listener) >= 0) Volatile.Write(ref table[i], table[i].Where(l => l != listener).ToArray());
            }
        }
    }

    /// <summary>The book of an instrument, or null if it has had no event yet. Only call this on the hub's thread.</summary>
    public OrderBook? TryGetBook(InstrumentId instrument) =>
        (uint)instrument.Value < (uint)_books.Length ? _books[instrument.Value] : null;

    /// <summary>Every book created so far. Only call this on the hub's thread.</summary>
    public IEnumerable<OrderBook> Books
    {
        get
        {
            foreach (var book in _books)
            {
                if (book is not null) yield return book;
            }
        }
    }

    /// <summary>
    /// Applies queued events until cancelled (the task then ends as cancelled) or the writer completes and the queue is
    /// drained. The loop runs on a dedicated thread of its own, started here, not on the thread pool: each event is
    /// taken up by the thread that is already waiting for it, without a hop through the pool's queue.
    /// </summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var placement = ThreadPlacement;
        var thread = new Thread(() =>
        {
            try
            {
                if (!placement.IsNone) PlaceThread(placement);
                Run(cancellationToken);
                done.TrySetResult();
            }
            catch (OperationCanceledException ex)
            {
                done.TrySetCanceled(ex.CancellationToken);
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        {
            Name = "arbbot-hub",
            IsBackground = true,
        };
        thread.Start();
        return done.Task;
    }

    private void PlaceThread(HubThreadPlacement placement)
    {
        var result = placement.ApplyToCurrentThread();
        ThreadPlacementResult = result;
        // Said loudly either way: a refused placement leaves the desk running as without it.
        if (result.Contains("refused", StringComparison.Ordinal) || result.Contains("Linux only", StringComparison.Ordinal) || result.Contains("beyond", StringComparison.Ordinal))
        {
            _logger.LogWarning("Hub thread placement: {Result}", result);
        }
        else
        {
            _logger.LogInformation("Hub thread placement: {Result}", result);
        }
    }

    private void Run(CancellationToken cancellationToken)
    {
        var reader = _channel.Reader;
        using var wakeOnCancel = cancellationToken.Register(static state => ((ManualResetEventSlim)state!).Set(), _wake);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            while (reader.TryRead(out var bookEvent))
            {
                Interlocked.Decrement(ref _queued);
                TryApply(in bookEvent);
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (reader.Completion.IsCompleted) return;
            if (SpinUntilQueued()) continue;

            _wake.Reset();
            Interlocked.Exchange(ref _sleeping, 1);
            // Said "sleeping" first, looked at the queue second; a writer counts first and looks at "sleeping" second.
            if (Volatile.Read(ref _queued) <= 0 && !reader.Completion.IsCompleted && !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _sleeps);
                // Completing the channel is not a write: look at it now and then, so Complete never needs a wake-up.
                _wake.Wait(100);
            }
            Volatile.Write(ref _sleeping, 0);
        }
    }

    /// <summary>Spins up to <see cref="SpinBeforeSleep"/> for something to be queued; true when something was.</summary>
    private bool SpinUntilQueued()
    {
        var budget = Volatile.Read(ref _spinTicks);
        if (Volatile.Read(ref _queued) > 0) return true;
        if (budget <= 0) return false;
        var until = System.Diagnostics.Stopwatch.GetTimestamp() + budget;
        var spin = 0;
        while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
        {
            if (Volatile.Read(ref _queued) > 0) return true;
            // A pause per check, and a yield now and then so a writer sharing this core gets to write.
            Thread.SpinWait(20);
            if ((++spin & 63) == 0) Thread.Yield();
        }
        return Volatile.Read(ref _queued) > 0;
    }

    /// <summary>
    /// Applies every event queued right now on the calling thread and returns how many applied without error (failures
    /// are counted in <see cref="ErrorCount"/>, as in <see cref="RunAsync"/>). For tests and replay, which drive the hub
    /// themselves; never call it while <see cref="RunAsync"/> is running.
    /// </summary>
    public int DrainPending()
    {
        var applied = 0;
        // The common case in replay: nothing queued, and no lock taken to find that out.
        if (Volatile.Read(ref _queued) <= 0) return 0;
        while (_channel.Reader.TryRead(out var bookEvent))
        {
            Interlocked.Decrement(ref _queued);
            if (TryApply(in bookEvent)) applied++;
        }
        return applied;
    }

    /// <summary>
    /// Replay only: runs the next queued item when it is work of the type <paramref name="workTag"/> names (see
    /// <see cref="Recording.RecordingFormat.WorkTag"/>) and returns true; anything else stays queued (false: the live hub
    /// ran work a replay does not have, such as a dashboard command).
    /// </summary>
    public bool TryRunQueuedWork(uint workTag)
    {
        if (Volatile.Read(ref _queued) <= 0 || !_channel.Reader.TryPeek(out var next)) return false;
        if (next.Kind != BookEventKind.Work || next.Work is null || Recording.RecordingFormat.WorkTag(next.Work.GetType()) != workTag) return false;
        _channel.Reader.TryRead(out next);
        Interlocked.Decrement(ref _queued);
        TryApply(in next);
        return true;
    }

    /// <summary>Stops accepting events; <see cref="RunAsync"/> returns once the queue is drained.</summary>
    public void Complete()
    {
        _channel.Writer.TryComplete();
        _wake.Set();
    }

    /// <summary>
    /// Applies one event and notifies listeners, on the calling thread. <see cref="RunAsync"/> calls this for every
    /// queued event; replay and benchmarks call it directly so the same code runs without the channel.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The event is for an instrument the registry does not know.</exception>
    public void Apply(in BookEvent e)
    {
        var outer = _applyingThread;
        _applyingThread = Environment.CurrentManagedThreadId;
        try
        {
            ApplyOne(in e);
            var ran = 0;
            while (_ownWork.TryDequeue(out var work))
            {
                RunOwnWork(work);
                ran++;
            }
            // Which work ran here rather than through the queue depends on what was queued: the recording says, so a replay does the same.
            if (ran > 0) Recorder?.RecordOwnWork(ran, _time.GetUtcNow().UtcTicks);
        }
        finally
        {
            _applyingThread = outer;
        }
    }

    private void RunOwnWork(IHubWork work)
    {
        try
        {
            work.Execute(this);
        }
        catch (Exception ex)
        {
            // As for work that came through the channel: counted and logged, and the hub carries on.
            Interlocked.Increment(ref _errorCount);
            if (_errorLog.ShouldLog(work.GetType(), ex, out var unlogged))
            {
                _logger.LogError(ex, "Hub work {Work} failed; the hub carries on ({Unlogged} more like it not logged since the last)", work.GetType().Name, unlogged);
            }
        }
    }

    private void ApplyOne(in BookEvent e)
    {
        if (e.Kind == BookEventKind.Work)
        {
            var work = e.Work ?? throw new ArgumentException("A work event carries no work.", nameof(e));
            Recorder?.RecordHubWork(work, _time.GetUtcNow().UtcTicks);
            work.Execute(this);
            return;
        }

        var book = GetOrCreateBook(e.Instrument);
        var now = _time.GetUtcNow().UtcTicks;
        // Recorded only once the instrument is known, so a recording never holds an event its catalog cannot place.
        Recorder?.Record(in e, now);
        switch (e.Kind)
        {
            case BookEventKind.Snapshot:
                book.ApplySnapshot(e.Bids ?? [], e.Asks ?? [], e.Sequence, now, e.VenueUtcTicks);
                break;
            case BookEventKind.SetLevel:
                book.SetLevel(e.Side, e.Price, e.Size, e.Sequence, now, e.VenueUtcTicks);
                break;
            case BookEventKind.AddLevel:
                book.AddToLevel(e.Side, e.Price, e.Size, e.Sequence, now, e.VenueUtcTicks);
                break;
            case BookEventKind.Clear:
                book.Clear(e.Reason);
                break;
            case BookEventKind.Stale:
                book.MarkStale(e.Reason);
                break;
            case BookEventKind.Heartbeat:
                book.ConfirmFresh(now);
                break;
            case BookEventKind.TickSize:
                book.TickSize = TickSize.FromDecimal(e.Price.Value);
                break;
        }
        _eventsApplied++;
        Notify(book);
    }

    /// <summary>Notifies the listeners of a book that changed outside <see cref="Apply"/> (e.g. the stale monitor). Hub thread only.</summary>
    public void Notify(OrderBook book)
    {
        var byInstrument = _listenersByInstrument;
        var id = book.Instrument.Value;
        if ((uint)id < (uint)byInstrument.Length) NotifyAll(byInstrument[id], book);
        NotifyAll(_allListeners, book);
    }

    /// <summary>
    /// Calls every listener in order inside one protected region (one call and one try per list, not per listener, on
    /// every event); a listener that throws is counted and logged and the ones after it still hear of the change.
    /// </summary>
    private void NotifyAll(IBookListener[] listeners, OrderBook book)
    {
        var i = 0;
        while (i < listeners.Length)
        {
            try
            {
                for (; i < listeners.Length; i++) listeners[i].OnBookUpdated(book);
            }
            catch (Exception ex)
            {
                // The book has changed already; the other listeners must still hear of it.
                Interlocked.Increment(ref _errorCount);
                if (_errorLog.ShouldLog(listeners[i].GetType(), ex, out var unlogged))
                {
                    _logger.LogError(ex, "Book listener {Listener} failed on instrument {Instrument} ({Unlogged} more like it not logged since the last)",
                        listeners[i].GetType().Name, book.Instrument, unlogged);
                }
                i++;
            }
        }
    }

    private bool TryApply(in BookEvent e)
    {
        try
        {
            Apply(in e);
            return true;
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _errorCount);
            if (_errorLog.ShouldLog(typeof(BookEvent), ex, out var unlogged))
            {
                _logger.LogError(ex, "Market-data event {Kind} for instrument {Instrument} failed; the hub carries on ({Unlogged} more like it not logged since the last)",
                    e.Kind, e.Instrument, unlogged);
            }
            return false;
        }
    }

    private OrderBook GetOrCreateBook(InstrumentId id)
    {
        var books = _books;
        if ((uint)id.Value < (uint)books.Length && books[id.Value] is { } existing) return existing;
        // Check before growing the array, so a bogus id (negative or huge) fails clearly instead of resizing or
        // indexing out of range.
        if ((uint)id.Value >= (uint)_registry.Count)
        {
            throw new KeyNotFoundException($"Book event for instrument {id}, which the registry does not know.");
        }
        if (id.Value >= books.Length)
        {
            Array.Resize(ref _books, Math.Max(id.Value + 1, Math.Max(64, books.Length * 2)));
        }
        var instrument = _registry[id];
        return _books[id.Value] = new OrderBook(id, instrument.TickSize);
    }
}
