using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.Channels;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues;

namespace ArbBot.Engine.Execution;

/// <summary>
/// Paper execution for one venue: orders never reach the venue and are matched against the current L2 book held by
/// the <see cref="MarketDataHub"/>, whether that book comes from the simulator, the real venue or a replay.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="PlaceAsync"/> validates on the caller's thread and acknowledges with
/// <see cref="OrderStatus.Submitted"/>; after <see cref="PaperExecutionOptions.Latency"/> the order is handed to the
/// hub, so matching runs on the hub's single thread against a consistent book, the way an order meets the venue's
/// book only after its trip there. A buy takes asks at or below its limit, a sell takes bids at or above it, one
/// <see cref="Fill"/> per level at that level's price. IOC cancels what it could not fill, FOK fills whole or not at
/// all, and a GTC remainder rests and fills as maker, at its own limit, from liquidity that later crosses it.
/// A stale or missing book rejects the order with the reason "stale book".
/// </para>
/// <para>
/// Paper fills do not move the venue's book, so the gateway remembers, per price level, how much of the displayed
/// size it has already taken; that memory is dropped as soon as the level's displayed size changes, because the venue
/// has moved on and the new size is news.
/// </para>
/// <para>
/// Every <see cref="OrderUpdate"/> carries the cumulative <see cref="OrderUpdate.FilledQuantity"/>;
/// <see cref="OrderUpdate.RemainingQuantity"/> is what is still working, so it is 0 once the order is final.
/// </para>
/// </remarks>
public sealed class PaperOrderGateway : IOrderGateway, IOrderReconciliation, IBookListener, IDisposable
{
    private const string StaleBook = "stale book";

    private readonly MarketDataHub _hub;
    private readonly InstrumentRegistry _registry;
    private readonly IFeeModel _feeModel;
    private readonly TimeProvider _time;
    private readonly IExecutionListener _listener;
    private readonly TimeSpan _latency;
    private readonly string _idPrefix;

    // Every order placed and not finished yet, by client id, so a repeated id never creates a second order. Finished
    // ones move to _finished for a while (see FinishedOrderMemory), so a desk running for months does not keep every
    // order it ever placed.
    private readonly ConcurrentDictionary<string, PaperOrder> _orders = new(StringComparer.Ordinal);

    // Client ids of finished orders, oldest first, with when each finished, as values (no object per id: RecentIdRing);
    // locked (orders finish on timer threads too). An id is added here before it leaves _orders, and a placement adds
    // to _orders before looking here, so a repeat racing the order's end is always seen in one or the other.
    private readonly RecentIdRing<byte> _finished = new();
    private readonly Lock _finishedGate = new();
    private long _finishedForgottenAtCapacity;

    // Orders that are not final yet, for CancelAll and Dispose.
    private readonly ConcurrentDictionary<string, PaperOrder> _open = new(StringComparer.Ordinal);

    // Hub-thread only: resting orders and consumed liquidity per instrument this gateway has traded.
    private readonly Dictionary<int, InstrumentState> _instruments = [];
    private long _fillSequence;

    private long _orderSequence;
    private volatile bool _disposed;

    /// <summary>Creates the paper gateway of <paramref name="venue"/>.</summary>
    /// <param name="venue">The venue whose orders this gateway simulates; instruments of other venues are rejected.</param>
    /// <param name="hub">The hub holding the books to match against; matching runs on its thread.</param>
    /// <param name="registry">The registry the hub uses, for instruments, tick sizes, minimum sizes and fee terms.</param>
    /// <param name="feeModel">The venue's fee rule, charged per fill.</param>
    /// <param name="time">The clock for latency and timestamps.</param>
    /// <param name="options">Simulation settings; validated here.</param>
    /// <param name="listener">Receives order updates and fills.</param>
    /// <param name="idToken">The token in this gateway's order and fill ids (default: a random one); a replay passes the recorded one so ids match.</param>
    public PaperOrderGateway(
        VenueId venue,
        MarketDataHub hub,
        InstrumentRegistry registry,
        IFeeModel feeModel,
        TimeProvider time,
        PaperExecutionOptions options,
        IExecutionListener listener,
        string? idToken = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(feeModel);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(listener);
        // Instrument ids are only meaningful within one registry; a mismatch would match orders against the wrong books.
        if (!ReferenceEquals(hub.Registry, registry))
        {
            throw new ArgumentException("The hub must use the same instrument registry as the gateway.", nameof(registry));
        }
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);

        Venue = venue;
        _hub = hub;
        _registry = registry;
        _feeModel = feeModel;
        _time = time;
        _listener = listener;
        _latency = options.Latency;
        // A per-instance token keeps order and fill ids unique across restarts, so stored fills never collide.
        _idPrefix = $"paper-{venue.DisplayName().ToLowerInvariant()}-{idToken ?? Guid.NewGuid().ToString("N")[..8]}";
    }

    /// <inheritdoc />
    public VenueId Venue { get; }

    /// <inheritdoc />
    public bool IsPaper => true;

    /// <summary>
    /// Observability: called on the caller's thread (the hub's, for the desk) as each order reaches
    /// <see cref="PlaceAsync"/>, before anything else. The benchmark harness times "book event in → order submitted"
    /// with it. Must be quick and must not throw; set while wiring, before orders flow.
    /// </summary>
    public Action<OrderRequest>? Submitting { get; set; }

    /// <summary>
    /// How long the client id of a finished order is remembered (and a repeat of it ignored). A repeated id comes from a
    /// retried placement, seconds later, never a day later; the desk's own ids never repeat. Default one day.
    /// </summary>
    public TimeSpan FinishedOrderMemory { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The most finished orders remembered, whatever their age: past it the oldest are forgotten first (counted in
    /// <see cref="FinishedOrdersForgottenAtCapacity"/>) and a repeat of a forgotten id would be a new paper order.
    /// From 1 to 10,000,000; default 100,000 (~9 MB at most, kept as values).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 1 or above 10,000,000.</exception>
    public int FinishedOrderMemoryCount
    {
        get => _finishedOrderMemoryCount;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 10_000_000);
            _finishedOrderMemoryCount = value;
        }
    }

    private readonly int _finishedOrderMemoryCount = 100_000;

    /// <summary>Orders whose client id is remembered now: the open ones and the finished ones not yet forgotten.</summary>
    public int RememberedOrders
    {
        get
        {
            lock (_finishedGate) return _orders.Count + _finished.Count;
        }
    }

    /// <summary>
    /// Finished orders' ids forgotten because <see cref="FinishedOrderMemoryCount"/> was reached before
    /// <see cref="FinishedOrderMemory"/> ended: a repeat of one of them would be taken as a new order. Paper only; the
    /// desk's own ids never repeat.
    /// </summary>
    public long FinishedOrdersForgottenAtCapacity => Interlocked.Read(ref _finishedForgottenAtCapacity);

    /// <inheritdoc />
    /// <remarks>
    /// A client order id this gateway has seen before, whatever became of that order (even a rejection), is ignored:
    /// no second order, no update; a finished order's id is remembered for <see cref="FinishedOrderMemory"/> (at most
    /// <see cref="FinishedOrderMemoryCount"/> of them).
    /// </remarks>
    public ValueTask PlaceAsync(OrderRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.ClientOrderId, nameof(request));
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        Submitting?.Invoke(request);

        ForgetOldFinishedOrders();
        var order = new PaperOrder(this, request, NextOrderId());
        if (!_orders.TryAdd(request.ClientOrderId, order)) return ValueTask.CompletedTask;
        if (WasFinished(request.ClientOrderId))
        {
            _orders.TryRemove(KeyValuePair.Create(request.ClientOrderId, order));
            return ValueTask.CompletedTask;
        }

        var problem = Validate(request);
        if (problem is not null)
        {
            TryTransition(order, OrderStatus.Rejected, problem);
            return ValueTask.CompletedTask;
        }

        _open[request.ClientOrderId] = order;
        // A cancel racing this call may already have finished the order; then it must not travel on.
        if (!TryTransition(order, OrderStatus.Submitted, null)) return ValueTask.CompletedTask;
        Dispatch(order);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>Cancels a resting remainder, or an order still travelling to the book (it then never matches).</remarks>
    public ValueTask CancelAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientOrderId);
        if (!_open.TryGetValue(clientOrderId, out var order)) return ValueTask.CompletedTask;
        return _hub.PostAsync(new CancelWork(this, order), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask CancelAllAsync(CancellationToken cancellationToken) =>
        _open.IsEmpty ? ValueTask.CompletedTask : _hub.PostAsync(new CancelWork(this, null), cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// The paper venue lives in this process: its open orders are the ones this instance placed, and its fills reached
    /// the desk as they happened. After a restart it therefore reports no open order and no fill, and the desk closes
    /// the orders its records still show as open (they died with the process that placed them).
    /// </remarks>
    public Task<VenueOrderReport> ReportAsync(DateTimeOffset fillsSince, CancellationToken cancellationToken) =>
        Task.FromResult(new VenueOrderReport([.. _open.Keys], []));

    /// <summary>Stops watching books and drops pending latency timers; orders still open get no further updates.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _hub.Unsubscribe(this);
        foreach (var order in _open.Values) Interlocked.Exchange(ref order.Timer, null)?.Dispose();
    }

    void IBookListener.OnBookUpdated(OrderBook book)
    {
        if (!_instruments.TryGetValue(book.Instrument.Value, out var state)) return;
        ForgetMovedLevels(book, state);
        // No fill on stale data: resting orders wait for a trustworthy book.
        if (state.Resting.Count == 0 || book.IsStale) return;

        var market = _registry.MarketOf(book.Instrument);
        for (var i = 0; i < state.Resting.Count;)
        {
            var order = state.Resting[i];
            Match(order, book, state, market, Liquidity.Maker);
            if (order.Status.IsFinal())
            {
                order.Resting = false;
                state.Resting.RemoveAt(i);
            }
            else
            {
                i++;
            }
        }
    }

    private string? Validate(OrderRequest request)
    {
        if ((uint)request.Instrument.Value >= (uint)_registry.Count) return $"unknown instrument {request.Instrument}";
        var instrument = _registry[request.Instrument];
        if (instrument.Venue != Venue)
        {
            return $"instrument {instrument} is on {instrument.Venue.DisplayName()}, not {Venue.DisplayName()}";
        }

        Market market;
        try
        {
            market = _registry.MarketOf(request.Instrument);
        }
        catch (KeyNotFoundException)
        {
            // Registration publishes the instrument a moment before its market; until then it is not tradable.
            return $"unknown instrument {request.Instrument}: no market";
        }

        if (request.Quantity <= 0m) return $"quantity {request.Quantity} must be positive";
        if (market.RoundDownToStep(request.Quantity) != request.Quantity)
        {
            return $"quantity {request.Quantity} is not a multiple of the market's quantity step {market.QuantityStep}";
        }
        if (request.Quantity < market.MinOrderSize)
        {
            return $"quantity {request.Quantity} is below the market's minimum order size {market.MinOrderSize}";
        }

        var tick = market.TickSize;
        if (!request.LimitPrice.IsOnGrid(tick)) return $"price {request.LimitPrice} is off the {tick} tick grid";
        if (request.LimitPrice < tick.MinPrice || request.LimitPrice > tick.MaxPrice)
        {
            return $"price {request.LimitPrice} is outside [{tick.MinPrice}, {tick.MaxPrice}]";
        }
        return OrderOptions.Problem(request, Venue, _time.GetUtcNow());
    }

    private void Dispatch(PaperOrder order)
    {
        if (_latency == TimeSpan.Zero)
        {
            Post(order);
            return;
        }
        var timer = _time.CreateTimer(static state => ((PaperOrder)state!).OnLatencyElapsed(), order, _latency, Timeout.InfiniteTimeSpan);
        Volatile.Write(ref order.Timer, timer);
        // A short latency can fire before the timer was stored; the callback then could not dispose it.
        if (Volatile.Read(ref order.LatencyElapsed)) Interlocked.Exchange(ref order.Timer, null)?.Dispose();
    }

    private void Post(IHubWork work) => _hub.Post(work);

    /// <summary>The order has reached the simulated venue: match it now, on the hub thread.</summary>
    private void Arrive(PaperOrder order)
    {
        if (order.Status.IsFinal()) return;
        var request = order.Request;
        var book = _hub.TryGetBook(request.Instrument);
        if (book is null || book.IsStale)
        {
            TryTransition(order, OrderStatus.Rejected, StaleBook);
            return;
        }
        // The venue may have changed its tick while the order travelled (Polymarket tick_size_change).
        if (!request.LimitPrice.IsOnGrid(book.TickSize))
        {
            TryTransition(order, OrderStatus.Rejected, $"price {request.LimitPrice} is off the {book.TickSize} tick grid");
            return;
        }

        var state = StateOf(request.Instrument);
        var market = _registry.MarketOf(request.Instrument);
        if (request.TimeInForce == TimeInForce.Fok)
        {
            var available = AvailableWithin(book, state, request);
            if (available < request.Quantity)
            {
                TryTransition(order, OrderStatus.Cancelled,
                    $"fill-or-kill: only {available} of {request.Quantity} available at {request.LimitPrice} or better");
                return;
            }
        }

        if (request.PostOnly)
        {
            var opposite = request.Side == Side.Buy ? BookSide.Ask : BookSide.Bid;
            if (book.Depth(opposite) > 0 && Crosses(request, book.Level(opposite, 0).Price))
            {
                TryTransition(order, OrderStatus.Rejected, $"post-only: {request.LimitPrice} would take liquidity at {book.Level(opposite, 0).Price}");
                return;
            }
        }

        Match(order, book, state, market, Liquidity.Taker);
        if (order.Status.IsFinal()) return;

        if (request.TimeInForce is TimeInForce.Gtc or TimeInForce.Gtd)
        {
            Rest(order, state);
            // A GTD remainder rests until its expiry, then the venue cancels it (both venues report it cancelled).
            if (request.TimeInForce == TimeInForce.Gtd) ScheduleExpiry(order);
            return;
        }
        var unfilled = request.Quantity - order.Filled;
        TryTransition(order, OrderStatus.Cancelled,
            $"immediate-or-cancel: {unfilled} of {request.Quantity} unfilled at {request.LimitPrice} or better");
    }

    /// <summary>Walks the opposite side within the limit, filling from size this gateway has not taken yet.</summary>
    private void Match(PaperOrder order, OrderBook book, InstrumentState state, Market market, Liquidity liquidity)
    {
        var request = order.Request;
        var side = request.Side == Side.Buy ? BookSide.Ask : BookSide.Bid;
        var depth = book.Depth(side);
        for (var i = 0; i < depth; i++)
        {
            var remaining = request.Quantity - order.Filled;
            if (remaining <= 0m) break;
            var level = book.Level(side, i);
            if (!Crosses(request, level.Price)) break;
            var available = state.Available(side, level);
            if (available <= 0m) continue;
            var quantity = Math.Min(available, remaining);
            state.Consume(side, level, quantity);
            // A taker pays the resting price; a maker is filled at its own limit by whoever crossed it.
            var price = liquidity == Liquidity.Taker ? level.Price : request.LimitPrice;
            ExecuteFill(order, market, price, quantity, liquidity);
        }
    }

    private static decimal AvailableWithin(OrderBook book, InstrumentState state, OrderRequest request)
    {
        var side = request.Side == Side.Buy ? BookSide.Ask : BookSide.Bid;
        var depth = book.Depth(side);
        decimal total = 0m;
        for (var i = 0; i < depth && total < request.Quantity; i++)
        {
            var level = book.Level(side, i);
            if (!Crosses(request, level.Price)) break;
            total += state.Available(side, level);
        }
        return total;
    }

    private static bool Crosses(OrderRequest request, Price levelPrice) =>
        request.Side == Side.Buy ? levelPrice <= request.LimitPrice : levelPrice >= request.LimitPrice;

    private void ExecuteFill(PaperOrder order, Market market, Price price, decimal quantity, Liquidity liquidity)
    {
        var now = _time.GetUtcNow();
        var fee = _feeModel.Fee(market.Fees, price, quantity, liquidity);
        var fillId = Id("-f", ++_fillSequence);
        var request = order.Request;
        bool final;
        lock (order.Gate)
        {
            var remaining = request.Quantity - (order.Filled + quantity);
            var status = remaining == 0m ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
            if (!IsLegal(order.Status, status)) return;
            order.Filled += quantity;
            order.Status = status;
            _listener.OnFill(new Fill(fillId, request.ClientOrderId, order.VenueOrderId, Venue, request.Instrument,
                request.Side, price, quantity, fee, liquidity, now));
            _listener.OnOrderUpdate(new OrderUpdate(request.ClientOrderId, order.VenueOrderId, Venue, request.Instrument,
                status, order.Filled, remaining, null, now));
            final = status.IsFinal();
        }
        if (final) Close(order);
    }

    /// <summary>Moves the order to <paramref name="status"/> and reports it, unless that transition is not legal.</summary>
    private bool TryTransition(PaperOrder order, OrderStatus status, string? reason)
    {
        var request = order.Request;
        lock (order.Gate)
        {
            if (!IsLegal(order.Status, status)) return false;
            order.Status = status;
            var remaining = status.IsFinal() ? 0m : request.Quantity - order.Filled;
            // Reported under the order's lock so a racing cancel cannot overtake the acknowledgement.
            _listener.OnOrderUpdate(new OrderUpdate(request.ClientOrderId, order.VenueOrderId, Venue, request.Instrument,
                status, order.Filled, remaining, reason, _time.GetUtcNow()));
        }
        if (status.IsFinal()) Close(order);
        return true;
    }

    private static bool IsLegal(OrderStatus from, OrderStatus to) => !from.IsFinal() && to switch
    {
        OrderStatus.Submitted => from == OrderStatus.New,
        OrderStatus.Rejected => from is OrderStatus.New or OrderStatus.Submitted,
        OrderStatus.PartiallyFilled or OrderStatus.Filled => from is OrderStatus.Submitted or OrderStatus.PartiallyFilled,
        OrderStatus.Cancelled => true,
        _ => false,
    };

    // Called once per order: an order reaches a final status once (IsLegal refuses any move from one).
    private void Close(PaperOrder order)
    {
        _open.TryRemove(order.Request.ClientOrderId, out _);
        Interlocked.Exchange(ref order.Timer, null)?.Dispose();
        // A finished order is remembered only to refuse its client id again: its entry keeps the id and a shared marker,
        // not the order (its request, lock and ids: ~0.5 KB a finished order kept for a day, which the collections on the
        // hub had to promote through every generation at the latency harness's ~550 orders a second).
        var id = order.Request.ClientOrderId;
        var finishedAt = _time.GetUtcNow().UtcTicks;
        lock (_finishedGate)
        {
            if (!_finished.TryFind(id, out _)) _finished.Add(id, finishedAt, 0);
        }
        _orders.TryRemove(KeyValuePair.Create(id, order));
    }

    private bool WasFinished(string clientOrderId)
    {
        lock (_finishedGate) return _finished.TryFind(clientOrderId, out _);
    }

    private void ForgetOldFinishedOrders()
    {
        var oldest = _time.GetUtcNow().UtcTicks - FinishedOrderMemory.Ticks;
        lock (_finishedGate)
        {
            while (_finished.Count > 0)
            {
                var expired = _finished.TimeOf(_finished.Oldest) < oldest;
                if (!expired && _finished.Count <= FinishedOrderMemoryCount) break;
                if (!expired) _finishedForgottenAtCapacity++;
                _finished.ForgetOldest();
            }
        }
    }

    /// <summary>Rests a GTC remainder behind the resting orders of this gateway at the same or a better price.</summary>
    private static void Rest(PaperOrder order, InstrumentState state)
    {
        var request = order.Request;
        var index = state.Resting.Count;
        for (var i = 0; i < state.Resting.Count; i++)
        {
            var other = state.Resting[i].Request;
            if (other.Side != request.Side) continue;
            var worse = request.Side == Side.Buy ? other.LimitPrice < request.LimitPrice : other.LimitPrice > request.LimitPrice;
            if (worse)
            {
                index = i;
                break;
            }
        }
        state.Resting.Insert(index, order);
        order.Resting = true;
    }

    private void ScheduleExpiry(PaperOrder order)
    {
        var due = order.Request.ExpiresAt!.Value - _time.GetUtcNow();
        if (due <= TimeSpan.Zero)
        {
            Expire(order);
            return;
        }
        // The latency timer has fired and been released by now, so the order's timer slot is free; closing disposes it.
        var timer = _time.CreateTimer(static state => ((PaperOrder)state!).OnExpiryDue(), order, due, Timeout.InfiniteTimeSpan);
        Volatile.Write(ref order.Timer, timer);
        if (order.Status.IsFinal()) Interlocked.Exchange(ref order.Timer, null)?.Dispose();
    }

    /// <summary>The order's good-till-date has passed: cancels what is left of it, on the hub thread.</summary>
    private void Expire(PaperOrder order)
    {
        if (order.Status.IsFinal()) return;
        var request = order.Request;
        var unfilled = request.Quantity - order.Filled;
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"good-till-date: expired at {request.ExpiresAt!.Value:yyyy-MM-dd HH:mm:ss}Z with {unfilled} of {request.Quantity} unfilled");
        RemoveResting(order);
        TryTransition(order, OrderStatus.Cancelled, reason);
    }

    private void RemoveResting(PaperOrder order)
    {
        if (order.Resting && _instruments.TryGetValue(order.Request.Instrument.Value, out var state))
        {
            state.Resting.Remove(order);
            order.Resting = false;
        }
    }

    private void CancelOnHub(PaperOrder order)
    {
        if (!TryTransition(order, OrderStatus.Cancelled, "cancelled on request")) return;
        RemoveResting(order);
    }

    private InstrumentState StateOf(InstrumentId instrument)
    {
        if (_instruments.TryGetValue(instrument.Value, out var state)) return state;
        state = new InstrumentState();
        _instruments.Add(instrument.Value, state);
        // Watching every traded book (not only those with resting orders) lets the consumed-size memory notice each
        // change of a level, including one that changes and changes back between two orders.
        _hub.Subscribe(instrument, this);
        return state;
    }

    private static void ForgetMovedLevels(OrderBook book, InstrumentState state)
    {
        var consumed = state.Consumed;
        for (var i = consumed.Count - 1; i >= 0; i--)
        {
            // What paper fills took stays taken while the level lives, whatever its size does: the venue never saw
            // those fills, so a level that grew may only have grown behind them. Only a level that is gone (its queue
            // traded or cancelled away) is forgotten.
            var entry = consumed[i];
            var displayed = DisplayedAt(book, entry.Side, entry.Price);
            if (displayed <= 0m) consumed.RemoveAt(i);
            else if (displayed != entry.Displayed) consumed[i] = entry with { Displayed = displayed };
        }
    }

    private static decimal DisplayedAt(OrderBook book, BookSide side, Price price)
    {
        var depth = book.Depth(side);
        for (var i = 0; i < depth; i++)
        {
            var level = book.Level(side, i);
            if (level.Price == price) return level.Size;
            // Levels run best first; once past the price it is not on the book.
            if (side == BookSide.Ask ? level.Price > price : level.Price < price) break;
        }
        return 0m;
    }

    private string NextOrderId() => Id("-o", Interlocked.Increment(ref _orderSequence));

    /// <summary>
    /// "{prefix}{marker}{sequence}", one string per id: the number is formatted on the stack rather than into a string of
    /// its own that is concatenated and dropped (two allocations per order and per fill on the hub). The text is the same.
    /// </summary>
    private string Id(string marker, long sequence)
    {
        Span<char> text = stackalloc char[128];
        return text.TryWrite(CultureInfo.InvariantCulture, $"{_idPrefix}{marker}{sequence}", out var written)
            ? new string(text[..written])
            : string.Concat(_idPrefix, marker, sequence.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>An order's mutable state. Its status changes under <see cref="Gate"/>; matching state is hub-thread only.</summary>
    private sealed class PaperOrder(PaperOrderGateway gateway, OrderRequest request, string venueOrderId) : IHubWork
    {
        public readonly Lock Gate = new();
        public readonly OrderRequest Request = request;
        public readonly string VenueOrderId = venueOrderId;
        public OrderStatus Status = OrderStatus.New;
        public decimal Filled;
        public bool Resting;
        public ITimer? Timer;
        public bool LatencyElapsed;

        public void OnLatencyElapsed()
        {
            Volatile.Write(ref LatencyElapsed, true);
            Interlocked.Exchange(ref Timer, null)?.Dispose();
            gateway.Post(this);
        }

        public void OnExpiryDue()
        {
            Interlocked.Exchange(ref Timer, null)?.Dispose();
            gateway.Post(new ExpireWork(gateway, this));
        }

        public void Execute(MarketDataHub hub) => gateway.Arrive(this);
    }

    private sealed class ExpireWork(PaperOrderGateway gateway, PaperOrder order) : IHubWork
    {
        public void Execute(MarketDataHub hub) => gateway.Expire(order);
    }

    /// <summary>Cancels one order, or every open order when <see cref="PaperOrder"/> is null, on the hub thread.</summary>
    private sealed class CancelWork(PaperOrderGateway gateway, PaperOrder? order) : IHubWork
    {
        public void Execute(MarketDataHub hub)
        {
            if (order is not null)
            {
                gateway.CancelOnHub(order);
                return;
            }
            foreach (var open in gateway._open.Values) gateway.CancelOnHub(open);
        }
    }

    /// <summary>Displayed size this gateway has taken from one level, valid while the level still shows that size.</summary>
    private readonly record struct ConsumedLevel(BookSide Side, Price Price, decimal Displayed, decimal Consumed);

    private sealed class InstrumentState
    {
        /// <summary>Resting GTC remainders, in price-time priority per side.</summary>
        public readonly List<PaperOrder> Resting = [];

        /// <summary>A handful of entries at most (levels recently taken from), so a linear scan beats a map.</summary>
        public readonly List<ConsumedLevel> Consumed = [];

        public decimal Available(BookSide side, BookLevel level)
        {
            var i = IndexOf(side, level.Price);
            if (i < 0) return level.Size;
            return Math.Max(0m, level.Size - Consumed[i].Consumed);
        }

        public void Consume(BookSide side, BookLevel level, decimal quantity)
        {
            var i = IndexOf(side, level.Price);
            if (i < 0)
            {
                Consumed.Add(new ConsumedLevel(side, level.Price, level.Size, quantity));
                return;
            }
            var entry = Consumed[i];
            Consumed[i] = entry with { Displayed = level.Size, Consumed = entry.Consumed + quantity };
        }

        private int IndexOf(BookSide side, Price price)
        {
            for (var i = 0; i < Consumed.Count; i++)
            {
                if (Consumed[i].Side == side && Consumed[i].Price == price) return i;
            }
            return -1;
        }
    }
}
