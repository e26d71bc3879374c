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
    /// <summary>When the best bid or ask last moved.</summary>
    DateTimeOffset LastChange,
    /// <summary>When the book last received any update.</summary>
    DateTimeOffset LastUpdate);

/// <summary>
/// The dashboard's view of every book's top, refreshed at a bounded rate however fast markets move.
/// On the hub's thread a book update only sets a dirty flag; every <see cref="PublishInterval"/> one posted work item
/// copies the tops of the dirty books, and the changes are handed to subscribers off the hub's thread.
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

    /// <summary>Copies the tops of the books changed since the last call. Hub thread only.</summary>
    internal List<Quote> Collect()
    {
        var changed = new List<Quote>(_dirtyCount);
        var now = _time.GetUtcNow();
        for (var i = 0; i < _dirtyCount; i++)
        {
            var id = _dirtyList[i];
            _dirty[id] = false;
            var book = _hub.TryGetBook(new InstrumentId(id));
            if (book is null) continue;
            decimal? bid = book.HasBid ? book.BestBid.Price.Value : null;
            decimal? ask = book.HasAsk ? book.BestAsk.Price.Value : null;
            var lastUpdate = book.LastUpdateUtcTicks == 0 ? now : new DateTimeOffset(book.LastUpdateUtcTicks, TimeSpan.Zero);
            var lastChange = lastUpdate;
            if (_quotes.TryGetValue(book.Instrument, out var previous) && previous.Bid == bid && previous.Ask == ask)
            {
                lastChange = previous.LastChange;
            }
            var quote = new Quote(book.Instrument, bid, book.HasBid ? book.BestBid.Size : 0m, ask, book.HasAsk ? book.BestAsk.Size : 0m,
                book.StaleReason, lastChange, lastUpdate);
            _quotes[book.Instrument] = quote;
            changed.Add(quote);
        }
        _dirtyCount = 0;
        return changed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(PublishInterval, _time, stoppingToken).ConfigureAwait(false);
                var work = new CollectWork(this);
                await _hub.PostAsync(work, stoppingToken).ConfigureAwait(false);
                var changed = await work.Result.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
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

    private sealed class CollectWork(QuoteBoard board) : IHubWork
    {
        public TaskCompletionSource<List<Quote>> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(MarketDataHub hub) => Result.TrySetResult(board.Collect());
    }

    private sealed class Subscription(QuoteBoard board, Action<IReadOnlyList<Quote>> callback) : IDisposable
    {
        public void Dispose()
        {
            lock (board._subscriberGate) board._subscribers = board._subscribers.Where(s => s != callback).ToArray();
        }
    }
}
