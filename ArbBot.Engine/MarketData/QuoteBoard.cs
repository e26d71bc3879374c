using System.Collections.Concurrent;
using ArbBot.Engine.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.MarketData;

/// <summary>Top of one instrument's book as the dashboard shows it.</summary>
public sealed record Quote(
    InstrumentId Instrument,
    decimal? Bid,
    decimal BidSize,
    decimal? Ask,
    decimal AskSize,
    StaleReason Stale,
    /// <summary>When the best bid or ask price last moved.</summary>
    DateTimeOffset LastChange);

/// <summary>
/// The dashboard's view of every book's top, refreshed at a bounded rate however fast markets move.
/// On the hub's thread a book update only sets a dirty flag; every <see cref="PublishInterval"/> one posted work item
/// copies the tops of the dirty books as plain values into a reused buffer (nothing allocated on the hub), and the
/// board's own loop then turns the tops that changed into quotes and hands them to subscribers off the hub's thread.
/// A book whose levels moved below its top publishes nothing.
/// </summary>
public sealed class QuoteBoard : BackgroundService, IBookListener
{
    private readonly MarketDataHub _hub;
    private readonly TimeProvider _time;
    private readonly ILogger<QuoteBoard> _logger;
    private readonly ConcurrentDictionary<InstrumentId, Quote> _quotes = new();
    private readonly Lock _subscriberGate = new();
    private Action<IReadOnlyList<Quote>>[] _subscribers = [];
    private bool[] _dirty = new bool[256]; // hub thread only
    private int[] _dirtyList = new int[256]; // hub thread only
    private int _dirtyCount; // hub thread only
    private Top[] _tops = new Top[256]; // written on the hub by CopyTops, then read by the board's loop

    public QuoteBoard(MarketDataHub hub, TimeProvider time, ILogger<QuoteBoard> logger)
    {
        _hub = hub;
        _time = time;
        _logger = logger;
        hub.SubscribeAll(this);
    }

    /// <summary>At most one batch of changes per interval reaches subscribers (10 per second by default).</summary>
    public TimeSpan PublishInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The latest quote of every instrument that has a book.</summary>
    public IReadOnlyCollection<Quote> Current => _quotes.Values.ToArray();

    public bool TryGet(InstrumentId instrument, out Quote quote) => _quotes.TryGetValue(instrument, out quote!);

    /// <summary>Receives each batch of changed quotes, off the hub's thread. Dispose the result to stop.</summary>
    public IDisposable Subscribe(Action<IReadOnlyList<Quote>> onChanged)
    {
        lock (_subscriberGate) _subscribers = [.. _subscribers, onChanged];
        return new Subscription(this, onChanged);
    }

    void IBookListener.OnBookUpdated(OrderBook book)
    {
        var id = book.Instrument.Value;
        if (id >= _dirty.Length)
        {
            Array.Resize(ref _dirty, Math.Max(id + 1, _dirty.Length * 2));
        }
        if (_dirty[id]) return;
        _dirty[id] = true;
        if (_dirtyCount == _dirtyList.Length) Array.Resize(ref _dirtyList, _dirtyList.Length * 2);
        _dirtyList[_dirtyCount++] = id;
    }

    /// <summary>
    /// Copies the tops of the books changed since the last call into the buffer the board's loop reads next. Hub thread
    /// only; the loop reads the buffer only after this returns, and posts the next copy only after reading it.
    /// </summary>
    /// <returns>How many tops were copied.</returns>
    internal int CopyTops()
    {
        if (_tops.Length < _dirtyCount) _tops = new Top[Math.Max(_dirtyCount, _tops.Length * 2)];
        var count = 0;
        for (var i = 0; i < _dirtyCount; i++)
        {
            var id = _dirtyList[i];
            _dirty[id] = false;
            var book = _hub.TryGetBook(new InstrumentId(id));
            if (book is null) continue;
            ref var top = ref _tops[count++];
            top.Id = id;
            top.HasBid = book.HasBid;
            top.Bid = top.HasBid ? book.BestBid : default;
            top.HasAsk = book.HasAsk;
            top.Ask = top.HasAsk ? book.BestAsk : default;
            top.Stale = book.StaleReason;
            top.UpdateUtcTicks = book.LastUpdateUtcTicks;
        }
        _dirtyCount = 0;
        return count;
    }

    /// <summary>Turns the copied tops that changed into quotes and keeps them. The board's loop only (one writer).</summary>
    internal List<Quote> Publish(int count)
    {
        var changed = new List<Quote>(count);
        var now = _time.GetUtcNow();
        for (var i = 0; i < count; i++)
        {
            ref readonly var top = ref _tops[i];
            var instrument = new InstrumentId(top.Id);
            decimal? bid = top.HasBid ? top.Bid.Price.Value : null;
            decimal? ask = top.HasAsk ? top.Ask.Price.Value : null;
            var bidSize = top.HasBid ? top.Bid.Size : 0m;
            var askSize = top.HasAsk ? top.Ask.Size : 0m;
            _quotes.TryGetValue(instrument, out var previous);
            var pricesHeld = previous is not null && previous.Bid == bid && previous.Ask == ask;
            if (pricesHeld && previous!.BidSize == bidSize && previous.AskSize == askSize && previous.Stale == top.Stale) continue;
            var lastChange = pricesHeld ? previous!.LastChange
                : top.UpdateUtcTicks == 0 ? now : new DateTimeOffset(top.UpdateUtcTicks, TimeSpan.Zero);
            var quote = new Quote(instrument, bid, bidSize, ask, askSize, top.Stale, lastChange);
            _quotes[instrument] = quote;
            changed.Add(quote);
        }
        return changed;
    }

    /// <summary>Copies and publishes in one step, on the calling thread (tests drive the hub on their own thread).</summary>
    internal List<Quote> Collect() => Publish(CopyTops());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(PublishInterval, _time, stoppingToken).ConfigureAwait(false);
                var work = new CopyWork(this);
                await _hub.PostAsync(work, stoppingToken).ConfigureAwait(false);
                var copied = await work.Result.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
                var changed = Publish(copied);
                if (changed.Count == 0) continue;
                foreach (var subscriber in Volatile.Read(ref _subscribers))
                {
                    try
                    {
                        subscriber(changed);
                    }
                    catch (Exception ex)
                    {
                        _logger.LogWarning(ex, "A quote subscriber failed; it stays subscribed");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private sealed class CopyWork(QuoteBoard board) : IHubWork
    {
        public TaskCompletionSource<int> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(MarketDataHub hub) => Result.TrySetResult(board.CopyTops());
    }

    // One book's top as copied on the hub's thread.
    private struct Top
    {
        public int Id;
        public bool HasBid;
        public bool HasAsk;
        public BookLevel Bid;
        public BookLevel Ask;
        public StaleReason Stale;
        public long UpdateUtcTicks;
    }

    private sealed class Subscription(QuoteBoard board, Action<IReadOnlyList<Quote>> callback) : IDisposable
    {
        public void Dispose()
        {
            lock (board._subscriberGate) board._subscribers = board._subscribers.Where(s => s != callback).ToArray();
        }
    }
}
