using System.Collections.Concurrent;
using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Venues.Polymarket.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.Venues.Polymarket.Trading;

/// <summary>Where a trade stands on chain: MATCHED → MINED → CONFIRMED, or RETRYING → FAILED.</summary>
public enum PolymarketTradeStatus
{
    Matched,
    Mined,
    Confirmed,
    Retrying,
    Failed,
}

/// <summary>One of our orders' share of a venue trade and how far its settlement got.</summary>
public sealed record PolymarketTradeSettlement(string TradeId, string ClientOrderId, string VenueOrderId, decimal Quantity, Price Price, Liquidity Liquidity, PolymarketTradeStatus Status, bool FillReported)
{
    /// <summary>True once nothing more will happen to the trade.</summary>
    public bool IsFinal => Status is PolymarketTradeStatus.Confirmed or PolymarketTradeStatus.Failed;
}

/// <summary>
/// Live orders on Polymarket's CLOB behind <see cref="IOrderGateway"/>. <see cref="PlaceAsync"/> checks the request
/// against the market (tick grid — updated by <see cref="ApplyTickSizeChange"/> —, minimum size, step) on the caller's
/// thread and acknowledges with <see cref="OrderStatus.Submitted"/>; signing (amounts with the official rounding, the
/// market's exchange, the version <c>GET /version</c> named), the balance check and the POST run in the background,
/// never on the hub thread.
/// </summary>
/// <remarks>
/// <para>
/// Fills come from the user channel's <c>trade</c> events (and from <c>GET /data/trades</c> after a reconnect or when
/// an order's trades are late), one <see cref="Fill"/> per trade and order, deduplicated by trade id, reported when the
/// trade is first seen MATCHED so the executor can hedge at once; each trade's settlement is then followed to
/// CONFIRMED or FAILED (<see cref="TradeSettlementChanged"/>); a trade that fails after its fill was reported is logged
/// as an error because the position it reported did not happen.
/// </para>
/// <para>
/// An order ends Filled when its fills reach its size, or Cancelled (with what filled) when the venue cancels it, a
/// FAK leaves a remainder, or a FOK is killed. The venue's notice that an order is done can overtake the trades that
/// filled it; the order then waits for those fills (up to <see cref="PolymarketTradingOptions.FillGracePeriod"/>,
/// then asks REST) so that no fill ever follows a final state.
/// </para>
/// <para>
/// Makers pay no fee; a taker's fee is C × rate × (p(1−p))^exponent with the rate the trade reports
/// (<c>fee_rate_bps</c>) or, when it reports none, the market's terms, and the market's exponent.
/// </para>
/// </remarks>
public sealed class PolymarketOrderGateway : IOrderGateway, IOrderStreamHealth, IPolymarketUserEventSink, IAsyncDisposable
{
    private readonly PolymarketClobTradingClient _client;
    private readonly PolymarketOrderFactory _factory;
    private readonly InstrumentRegistry _registry;
    private readonly IFeeModel _feeModel;
    private readonly PolymarketTradingOptions _options;
    private readonly TimeProvider _time;
    private readonly IExecutionListener _listener;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LiveOrder> _orders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LiveOrder> _byVenueId = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, PolymarketTradeSettlement> _settlements = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TickSize> _ticks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private readonly CancellationTokenSource _stopping = new();
    private PolymarketExchangeVersion? _version;
    private PolymarketBalance? _collateral;
    private int _balanceRefreshing;
    private int _balanceRefreshWanted;
    private Task? _channelRun;
    private PolymarketUserChannel? _channel;
    private readonly OrderStreamTracker _stream;

    /// <param name="client">The CLOB client with L2 credentials.</param>
    /// <param name="factory">Builds and signs orders for the wallet.</param>
    /// <param name="registry">Instruments (token ids), markets (tick, minimum size, fees) and events (neg risk).</param>
    /// <param name="feeModel">The venue's fee rule, for taker fills.</param>
    /// <param name="options">Grace period and retry settings.</param>
    /// <param name="time">Clock for timestamps and timers.</param>
    /// <param name="listener">Receives order updates and fills (called from background threads).</param>
    /// <param name="logger">Never given credentials.</param>
    public PolymarketOrderGateway(PolymarketClobTradingClient client, PolymarketOrderFactory factory, InstrumentRegistry registry, IFeeModel feeModel,
        PolymarketTradingOptions options, TimeProvider time, IExecutionListener listener, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(feeModel);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(listener);
        _client = client;
        _factory = factory;
        _registry = registry;
        _feeModel = feeModel;
        _options = options;
        _time = time;
        _listener = listener;
        _logger = logger ?? NullLogger.Instance;
        _stream = new OrderStreamTracker(time);
    }

    /// <inheritdoc />
    public VenueId Venue => VenueId.Polymarket;

    /// <inheritdoc />
    public bool IsPaper => false;

    /// <summary>The exchange version orders are signed for (null before the first <c>GET /version</c>).</summary>
    public PolymarketExchangeVersion? ExchangeVersion
    {
        get
        {
            lock (_gate) return _version;
        }
    }

    /// <summary>The last pUSD balance and allowance read (null before the first).</summary>
    public PolymarketBalance? Collateral
    {
        get
        {
            lock (_gate) return _collateral;
        }
    }

    /// <summary>Balance reads so far (one at start, one per burst of fills, and before an order the cached balance cannot cover).</summary>
    public int BalanceReads { get; private set; }

    /// <summary>
    /// True while the user channel is connected and subscribed; false while it is down or presumed dead (fills then
    /// arrive only through reconciliation after it is back). Null when the gateway runs without a channel.
    /// </summary>
    public bool? UserChannelConnected => _channel?.IsConnected;

    /// <summary>The user channel's state, with when it went down (the desk shows and alerts it while live is armed).</summary>
    public OrderStreamStatus OrderStream => _stream.Status;

    /// <summary>REST reconciliations run so far.</summary>
    public int Reconciliations { get; private set; }

    /// <summary>Raised, under the gateway's lock, whenever a trade share is first seen or its settlement status changes.</summary>
    public event Action<PolymarketTradeSettlement>? TradeSettlementChanged;

    /// <summary>Every trade share seen so far with its latest status.</summary>
    public IReadOnlyList<PolymarketTradeSettlement> Settlements
    {
        get
        {
            lock (_gate) return [.. _settlements.Values];
        }
    }

    /// <summary>Reads the exchange version and the balance, then runs <paramref name="channel"/> (if given) until disposal.</summary>
    public async Task StartAsync(PolymarketUserChannel? channel, CancellationToken cancellationToken)
    {
        await RefreshVersionAsync(cancellationToken).ConfigureAwait(false);
        await RefreshBalanceAsync(cancellationToken).ConfigureAwait(false);
        _channel = channel;
        if (channel is not null) _channelRun = Task.Run(() => channel.RunAsync(this, _stopping.Token), CancellationToken.None);
    }

    /// <summary>Asks <c>GET /version</c> which exchange version to sign for.</summary>
    public async Task<PolymarketExchangeVersion> RefreshVersionAsync(CancellationToken cancellationToken)
    {
        var version = await _client.GetVersionAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate) _version = version;
        return version;
    }

    /// <summary>Reads the pUSD balance and allowance.</summary>
    public async Task<PolymarketBalance> RefreshBalanceAsync(CancellationToken cancellationToken)
    {
        var balance = await _client.GetBalanceAllowanceAsync(null, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _collateral = balance;
            BalanceReads++;
        }
        return balance;
    }

    /// <summary>A <c>tick_size_change</c> for a token: later orders are checked and rounded with the new tick.</summary>
    public void ApplyTickSizeChange(string tokenId, TickSize tick)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenId);
        _ticks[tokenId] = tick;
    }

    /// <inheritdoc />
    public ValueTask PlaceAsync(OrderRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.ClientOrderId, nameof(request));
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);

        var (target, problem) = Resolve(request);
        var order = new LiveOrder(request, target, _time.GetUtcNow());
        lock (_gate)
        {
            // A client order id seen before, whatever became of it, never makes a second order.
            if (!_orders.TryAdd(request.ClientOrderId, order)) return ValueTask.CompletedTask;
            if (problem is not null)
            {
                Transition(order, OrderStatus.Rejected, problem);
                return ValueTask.CompletedTask;
            }
            Transition(order, OrderStatus.Submitted, null);
        }
        Background(() => SendAsync(order));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>An order still on its way is cancelled as soon as the venue has acknowledged it.</remarks>
    public ValueTask CancelAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientOrderId);
        LiveOrder? order;
        lock (_gate)
        {
            if (!_orders.TryGetValue(clientOrderId, out order) || order.Status.IsFinal()) return ValueTask.CompletedTask;
            order.CancelRequested = true;
            if (!order.Acknowledged) return ValueTask.CompletedTask;
        }
        return new ValueTask(Background(() => CancelOnVenueAsync([order])));
    }

    /// <inheritdoc />
    /// <remarks>Only orders this gateway placed: <c>DELETE /orders</c> with their ids, never the account-wide cancel-all.</remarks>
    public ValueTask CancelAllAsync(CancellationToken cancellationToken)
    {
        List<LiveOrder> acknowledged;
        lock (_gate)
        {
            var open = _orders.Values.Where(o => !o.Status.IsFinal()).ToList();
            foreach (var order in open) order.CancelRequested = true;
            acknowledged = open.Where(o => o.Acknowledged).ToList();
        }
        return acknowledged.Count == 0 ? ValueTask.CompletedTask : new ValueTask(Background(() => CancelOnVenueAsync(acknowledged)));
    }

    /// <summary>Asks REST for the trades and states of every open order (after a reconnect, and when fills are late).</summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        List<LiveOrder> open;
        lock (_gate)
        {
            Reconciliations++;
            open = _orders.Values.Where(o => !o.Status.IsFinal() && o.Acknowledged && o.VenueOrderId is not null).ToList();
        }
        if (open.Count == 0) return;
        foreach (var group in open.GroupBy(o => o.Target!.TokenId))
        {
            // A minute of slack: the venue stamps match times in whole seconds and clocks differ.
            var after = group.Min(o => o.SentAt).ToUnixTimeSeconds() - 60;
            foreach (var trade in await _client.GetTradesAsync(null, group.Key, after, cancellationToken).ConfigureAwait(false)) OnTrade(trade);
        }
        foreach (var order in open)
        {
            var state = await _client.GetOrderAsync(order.VenueOrderId!, cancellationToken).ConfigureAwait(false);
            if (state is not null) ApplyOrderState(state);
        }
    }

    /// <summary>Stops the user channel and the timers; orders on the venue stay as they are.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var order in _orders.Values) order.GraceTimer?.Dispose();
        }
        var tasks = _background.Keys.ToList();
        if (_channelRun is not null) tasks.Add(_channelRun);
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or PolymarketApiException)
        {
            // Stopping: background work ends however it ends.
        }
        _stopping.Dispose();
    }

    void IPolymarketUserEventSink.OnConnected(int connection)
    {
        _stream.MarkConnected();
        // The first connection follows StartAsync; later ones may have missed events while the socket was down.
        if (connection > 1) Background(() => ReconcileAsync(_stopping.Token));
    }

    void IPolymarketUserEventSink.OnDisconnected(string reason)
    {
        _stream.MarkDisconnected();
        _logger.LogWarning("Polymarket user channel lost ({Reason}); fills will be reconciled over REST on reconnect", reason);
    }

    void IPolymarketUserEventSink.OnOrder(PolymarketOpenOrder order) => ApplyOrderState(order);

    /// <summary>Handles a trade from the user channel or from REST: fills for our orders in it, once per trade and order, and its settlement status.</summary>
    public void OnTrade(PolymarketTrade trade)
    {
        ArgumentNullException.ThrowIfNull(trade);
        var status = ParseTradeStatus(trade.Status);
        var filled = false;
        lock (_gate)
        {
            if (trade.TakerOrderId is { } takerId && _byVenueId.TryGetValue(takerId, out var taker))
            {
                filled |= ApplyTradeShare(trade, taker, status, FillTerms(trade.Size, trade.Price), Liquidity.Taker);
            }
            foreach (var maker in trade.MakerOrders ?? [])
            {
                // A maker entry without an order id is not ours to fill (and must not throw on the user channel's thread).
                if (maker?.OrderId is { } makerId && _byVenueId.TryGetValue(makerId, out var ours))
                {
                    filled |= ApplyTradeShare(trade, ours, status, FillTerms(maker.MatchedAmount, maker.Price), Liquidity.Maker);
                }
            }
        }
        if (filled) RefreshBalanceSoon();
    }

    /// <summary>
    /// A trade's size and price as a fill, or null when either is missing, unreadable, not positive, or the price lies
    /// outside [0, 1]: venue text never becomes a fill on faith (a bad trade is skipped with a warning and left to
    /// reconciliation). Prices finer than the 0.0001 grid are rounded to it.
    /// </summary>
    internal static (decimal Quantity, Price Price)? FillTerms(string? size, string? price)
    {
        if (!decimal.TryParse(size, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var quantity) || quantity <= 0m) return null;
        if (!decimal.TryParse(price, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var p) || p < 0m || p > 1m) return null;
        return (quantity, Price.FromDecimal(Math.Round(p, 4, MidpointRounding.ToEven)));
    }

    private bool ApplyTradeShare(PolymarketTrade trade, LiveOrder order, PolymarketTradeStatus status, (decimal Quantity, Price Price)? terms, Liquidity liquidity)
    {
        var key = trade.Id + ":" + order.VenueOrderId;
        if (_settlements.TryGetValue(key, out var known))
        {
            if (known.Status == status || known.IsFinal) return false;
            var updated = known with { Status = status };
            _settlements[key] = updated;
            if (status == PolymarketTradeStatus.Failed && known.FillReported)
            {
                // The fill was reported at MATCHED; the chain did not settle it, so the position it reported is not there.
                _logger.LogError("Polymarket trade {TradeId} of order {ClientOrderId} FAILED on chain after its fill of {Quantity} was reported; the position must be checked",
                    trade.Id, order.Request.ClientOrderId, known.Quantity);
            }
            TradeSettlementChanged?.Invoke(updated);
            return false;
        }
        if (terms is not { } fill)
        {
            _logger.LogWarning("Polymarket trade {TradeId} for order {ClientOrderId} has no usable size or price; skipped", trade.Id, order.Request.ClientOrderId);
            return false;
        }
        var (quantity, fillPrice) = fill;
        var report = status != PolymarketTradeStatus.Failed && !order.Status.IsFinal();
        var settlement = new PolymarketTradeSettlement(trade.Id, order.Request.ClientOrderId, order.VenueOrderId!, quantity, fillPrice, liquidity, status, report);
        _settlements[key] = settlement;
        if (report)
        {
            var fee = Fee(order, trade.FeeRateBps, fillPrice, quantity, liquidity);
            order.Filled += quantity;
            _listener.OnFill(new Fill(key, order.Request.ClientOrderId, order.VenueOrderId, Venue, order.Request.Instrument, order.Request.Side,
                fillPrice, quantity, fee, liquidity, _time.GetUtcNow()));
            if (order.Filled >= order.Request.Quantity) Transition(order, OrderStatus.Filled, null);
            else if (!TryFinishPending(order)) Transition(order, OrderStatus.PartiallyFilled, null);
        }
        else if (order.Status.IsFinal() && status != PolymarketTradeStatus.Failed)
        {
            _logger.LogError("Polymarket trade {TradeId} for order {ClientOrderId} arrived after the order ended {Status}; not reported as a fill",
                trade.Id, order.Request.ClientOrderId, order.Status);
        }
        TradeSettlementChanged?.Invoke(settlement);
        return report;
    }

    private decimal Fee(LiveOrder order, string? feeRateBps, Price price, decimal quantity, Liquidity liquidity)
    {
        if (liquidity == Liquidity.Maker) return 0m;
        var terms = order.Target!.Market.Fees;
        // An unreadable or absurd rate falls back to the market's terms: throwing here, after the trade was noted but
        // before its fill was reported, would lose the fill for good (a retry sees the trade as known).
        if (decimal.TryParse(feeRateBps, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var bps) && bps is >= 0m and <= 10_000m)
        {
            terms = PolymarketFeeModel.Parameters(bps / 10_000m, terms.Exponent);
        }
        return _feeModel.Fee(terms, price, quantity, liquidity);
    }

    private void ApplyOrderState(PolymarketOpenOrder state)
    {
        lock (_gate)
        {
            if (!_byVenueId.TryGetValue(state.Id, out var order) || order.Status.IsFinal()) return;
            var matched = PolymarketWire.Decimal(state.SizeMatched) ?? 0m;
            var type = state.Type?.ToUpperInvariant();
            var status = state.Status?.ToUpperInvariant() ?? "";
            if (type == "CANCELLATION" || status.StartsWith("CANCEL", StringComparison.Ordinal) || status == "INVALID")
            {
                var reason = order.CancelRequested ? "cancelled" : $"cancelled by Polymarket ({(status.Length > 0 ? status : "CANCELLATION")})";
                SetPending(order, OrderStatus.Cancelled, reason, matched);
            }
            else if (status == "MATCHED" && matched > 0m)
            {
                // Fully matched: the trades bring the fills; make sure a missing one is looked for.
                SetPending(order, OrderStatus.Filled, null, matched);
            }
        }
    }

    private async Task SendAsync(LiveOrder order)
    {
        var token = _stopping.Token;
        try
        {
            var version = ExchangeVersion ?? await RefreshVersionAsync(token).ConfigureAwait(false);
            var payload = Build(order, version);
            var shortfall = await CheckBalanceAsync(order, payload, token).ConfigureAwait(false);
            if (shortfall is not null)
            {
                lock (_gate) Transition(order, OrderStatus.Rejected, shortfall);
                return;
            }

            PolymarketOrderResponse response;
            try
            {
                response = await Post(order, payload, token).ConfigureAwait(false);
            }
            catch (PolymarketApiException e) when (e.IsOrderVersionMismatch)
            {
                // The venue switched exchanges under us: ask which one, sign again, send once more.
                var current = await RefreshVersionAsync(token).ConfigureAwait(false);
                _logger.LogWarning("Polymarket refused order {ClientOrderId} for its exchange version; re-signing for {Version}", order.Request.ClientOrderId, current);
                payload = Build(order, current);
                response = await Post(order, payload, token).ConfigureAwait(false);
            }
            OnPlaced(order, response);
        }
        catch (PolymarketApiException e) when (e.IsUncertain && order.VenueOrderId is { } id)
        {
            // The POST may have reached the book. The order id is the order's hash, so the venue can say whether it did.
            PolymarketOpenOrder? state = null;
            try
            {
                state = await _client.GetOrderAsync(id, token).ConfigureAwait(false);
            }
            catch (PolymarketApiException lookup)
            {
                _logger.LogWarning("Polymarket order {ClientOrderId}: lookup after an unanswered POST failed ({Problem})", order.Request.ClientOrderId, lookup.Message);
            }
            if (state is null)
            {
                // Unknown to the venue now, but a POST still in flight there could land later and rest unseen. Cancel by
                // hash before giving up (harmless when there is nothing to cancel); if something was cancelled, it had
                // arrived after all, and its state (what matched before the cancel) is what counts.
                try
                {
                    var cancelled = await _client.CancelOrderAsync(id, token).ConfigureAwait(false);
                    if (cancelled.Canceled?.Contains(id, StringComparer.OrdinalIgnoreCase) == true) state = await _client.GetOrderAsync(id, token).ConfigureAwait(false);
                }
                catch (PolymarketApiException doubt)
                {
                    _logger.LogWarning("Polymarket order {ClientOrderId}: cancel-on-doubt after an unanswered POST failed ({Problem})", order.Request.ClientOrderId, doubt.Message);
                }
            }
            if (state is null)
            {
                lock (_gate) Transition(order, OrderStatus.Rejected, $"could not send: {e.Message}");
                return;
            }
            lock (_gate) order.Acknowledged = true;
            ApplyOrderState(state);
            if (order.CancelRequested) await CancelOnVenueAsync([order]).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PolymarketApiException or PolymarketCredentialException or ArgumentException or InvalidOperationException)
        {
            lock (_gate) Transition(order, OrderStatus.Rejected, $"could not send: {e.Message}");
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Disposed while sending.
        }
    }

    private PolymarketSignedOrderPayload Build(LiveOrder order, PolymarketExchangeVersion version)
    {
        var request = order.Request;
        var target = order.Target!;
        // The CLOB ends a GTD order one minute before the expiration it carries: carry the expiry plus that minute.
        var expiration = request.TimeInForce == TimeInForce.Gtd ? (request.ExpiresAt!.Value + OrderOptions.PolymarketExpiryThreshold).ToUnixTimeSeconds() : 0;
        var payload = _factory.CreateLimitOrder(version, target.TokenId, request.Side, request.LimitPrice.Value, request.Quantity, target.Tick, target.NegRisk, expiration);
        lock (_gate)
        {
            // Registered before the POST: the user channel can report a match before the POST's answer arrives.
            if (order.VenueOrderId is { } previous) _byVenueId.Remove(previous);
            order.VenueOrderId = payload.OrderId;
            order.Notional = payload.Notional;
            _byVenueId[payload.OrderId] = order;
        }
        return payload;
    }

    private Task<PolymarketOrderResponse> Post(LiveOrder order, PolymarketSignedOrderPayload payload, CancellationToken cancellationToken)
    {
        var type = order.Request.TimeInForce switch
        {
            TimeInForce.Fok => PolymarketOrderType.Fok,
            TimeInForce.Ioc => PolymarketOrderType.Fak,
            TimeInForce.Gtd => PolymarketOrderType.Gtd,
            _ => PolymarketOrderType.Gtc,
        };
        return _client.PostOrderAsync(new PolymarketOrderPost(payload, type, order.Request.PostOnly), cancellationToken);
    }

    /// <summary>Null when the account can pay for the order; otherwise the reason it cannot.</summary>
    private async Task<string?> CheckBalanceAsync(LiveOrder order, PolymarketSignedOrderPayload payload, CancellationToken cancellationToken)
    {
        if (order.Request.Side == Side.Sell)
        {
            var shares = await _client.GetBalanceAllowanceAsync(payload.TokenId, cancellationToken).ConfigureAwait(false);
            return shares.Available >= payload.Shares ? null
                : $"insufficient shares: the order sells {Text(payload.Shares)}, the account has {Text(shares.Available)} available";
        }
        for (var attempt = 0; ; attempt++)
        {
            decimal available;
            lock (_gate)
            {
                // What other open buys may still spend is spoken for.
                var reserved = _orders.Values.Where(o => o != order && !o.Status.IsFinal() && o.Request.Side == Side.Buy && o.Notional > 0m)
                    .Sum(o => o.Notional * Math.Max(0m, o.Request.Quantity - o.Filled) / o.Request.Quantity);
                available = _collateral is { } c ? c.Available - reserved : -1m;
            }
            if (available >= payload.Notional) return null;
            if (attempt > 0) return $"insufficient pUSD: the order needs {Text(payload.Notional)}, {Text(Math.Max(0m, available))} is available";
            await RefreshBalanceAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void OnPlaced(LiveOrder order, PolymarketOrderResponse response)
    {
        var request = order.Request;
        bool cancelNow;
        lock (_gate)
        {
            if (!response.Success)
            {
                var message = response.ErrorMessage is { Length: > 0 } m ? m : "refused without a reason";
                var killed = request.TimeInForce is TimeInForce.Fok or TimeInForce.Ioc && IsNoMatch(message);
                if (killed)
                {
                    var kind = request.TimeInForce == TimeInForce.Fok ? "fill-or-kill" : "immediate-or-cancel";
                    Transition(order, OrderStatus.Cancelled, $"{kind}: {message}");
                }
                else
                {
                    Transition(order, OrderStatus.Rejected, message);
                }
                return;
            }
            if (response.OrderId is { Length: > 0 } id && !string.Equals(id, order.VenueOrderId, StringComparison.OrdinalIgnoreCase))
            {
                // The venue's id is the order hash; a different one means it hashed something else. Track both.
                _logger.LogWarning("Polymarket gave order {ClientOrderId} id {VenueId}, not its hash {Hash}", request.ClientOrderId, id, order.VenueOrderId);
                _byVenueId[id] = order;
            }
            order.Acknowledged = true;
            if (request.TimeInForce is TimeInForce.Fok or TimeInForce.Ioc)
            {
                // What did not match at once is gone: the order ends with what matched (taking amount of a BUY is shares).
                var matchedShares = PolymarketWire.Decimal(request.Side == Side.Buy ? response.TakingAmount : response.MakingAmount)
                    ?? (string.Equals(response.Status, "matched", StringComparison.OrdinalIgnoreCase) ? request.Quantity : 0m);
                var expected = Math.Min(request.Quantity, matchedShares);
                var kind = request.TimeInForce == TimeInForce.Fok ? "fill-or-kill" : "immediate-or-cancel";
                SetPending(order, expected >= request.Quantity ? OrderStatus.Filled : OrderStatus.Cancelled,
                    $"{kind}: {Text(request.Quantity - expected)} of {Text(request.Quantity)} unfilled at {request.LimitPrice} or better", expected);
            }
            else if (PolymarketWire.Decimal(request.Side == Side.Buy ? response.TakingAmount : response.MakingAmount) is { } matched && matched >= request.Quantity)
            {
                // Fully matched on arrival: its trades must show up; if the socket missed them, the grace timer asks REST.
                SetPending(order, OrderStatus.Filled, null, request.Quantity);
            }
            cancelNow = order.CancelRequested && !order.Status.IsFinal();
        }
        if (cancelNow) Background(() => CancelOnVenueAsync([order]));
    }

    private static bool IsNoMatch(string message) =>
        message.Contains("FOK", StringComparison.OrdinalIgnoreCase) || message.Contains("FAK", StringComparison.OrdinalIgnoreCase)
        || message.Contains("fully filled", StringComparison.OrdinalIgnoreCase) || message.Contains("no orders found to match", StringComparison.OrdinalIgnoreCase);

    private async Task CancelOnVenueAsync(IReadOnlyList<LiveOrder> orders)
    {
        var token = _stopping.Token;
        var ids = orders.Select(o => o.VenueOrderId!).ToList();
        PolymarketCancelResponse response;
        try
        {
            response = ids.Count == 1
                ? await _client.CancelOrderAsync(ids[0], token).ConfigureAwait(false)
                : await _client.CancelOrdersAsync(ids, token).ConfigureAwait(false);
        }
        catch (PolymarketApiException e)
        {
            _logger.LogWarning("Polymarket cancel of {Count} order(s) failed: {Problem}", ids.Count, e.Message);
            return;
        }
        foreach (var order in orders)
        {
            // How much matched decides when the cancellation may be reported: after the fills, never before.
            var state = await _client.GetOrderAsync(order.VenueOrderId!, token).ConfigureAwait(false);
            if (state is not null)
            {
                ApplyOrderState(state);
            }
            else if (response.Canceled?.Contains(order.VenueOrderId!, StringComparer.OrdinalIgnoreCase) == true)
            {
                lock (_gate) SetPending(order, OrderStatus.Cancelled, "cancelled", order.Filled);
            }
        }
    }

    /// <summary>
    /// Records that the venue says the order is done with <paramref name="matched"/> shares filled, and reports the final
    /// state once the fills got there; until then a timer asks REST for the missing trades.
    /// </summary>
    private void SetPending(LiveOrder order, OrderStatus final, string? reason, decimal matched)
    {
        if (order.Status.IsFinal()) return;
        order.PendingFinal = final;
        order.PendingReason = reason;
        order.PendingMatched = Math.Max(order.PendingMatched, matched);
        if (TryFinishPending(order)) return;
        order.GraceTimer ??= _time.CreateTimer(_ => Background(() => FinishLateAsync(order)), null, _options.FillGracePeriod, Timeout.InfiniteTimeSpan);
    }

    private bool TryFinishPending(LiveOrder order)
    {
        if (order.PendingFinal is not { } final || order.Filled < order.PendingMatched) return false;
        if (order.Filled >= order.Request.Quantity) final = OrderStatus.Filled;
        Transition(order, final, final == OrderStatus.Filled ? null : order.PendingReason);
        return true;
    }

    private async Task FinishLateAsync(LiveOrder order)
    {
        try
        {
            foreach (var trade in await _client.GetTradesAsync(null, order.Target!.TokenId, order.SentAt.ToUnixTimeSeconds() - 60, _stopping.Token).ConfigureAwait(false)) OnTrade(trade);
        }
        catch (PolymarketApiException e)
        {
            _logger.LogWarning("Polymarket trades lookup for order {ClientOrderId} failed: {Problem}", order.Request.ClientOrderId, e.Message);
        }
        lock (_gate)
        {
            Reconciliations++;
            if (order.Status.IsFinal() || TryFinishPending(order)) return;
            // The venue said more matched than any trade shows; end the order on what is known and say so.
            _logger.LogError("Polymarket order {ClientOrderId}: the venue reports {Matched} matched but only {Filled} was seen in trades after {Grace}",
                order.Request.ClientOrderId, order.PendingMatched, order.Filled, _options.FillGracePeriod);
            order.PendingMatched = order.Filled;
            TryFinishPending(order);
        }
    }

    private void Transition(LiveOrder order, OrderStatus to, string? reason)
    {
        if (order.Status == to && to != OrderStatus.PartiallyFilled) return;
        if (!OrderStateMachine.IsLegal(order.Status, to)) return;
        order.Status = to;
        if (to.IsFinal())
        {
            order.GraceTimer?.Dispose();
            order.GraceTimer = null;
        }
        var remaining = to.IsFinal() ? 0m : Math.Max(0m, order.Request.Quantity - order.Filled);
        _listener.OnOrderUpdate(new OrderUpdate(order.Request.ClientOrderId, order.VenueOrderId, Venue, order.Request.Instrument, to, order.Filled, remaining, reason, _time.GetUtcNow()));
    }

    private (OrderTarget? Target, string? Problem) Resolve(OrderRequest request)
    {
        if ((uint)request.Instrument.Value >= (uint)_registry.Count) return (null, $"unknown instrument {request.Instrument}");
        var instrument = _registry[request.Instrument];
        if (instrument.Venue != Venue) return (null, $"instrument {instrument} is on {instrument.Venue.DisplayName()}, not Polymarket");
        if (!_registry.TryGetMarket(Venue, instrument.MarketKey, out var market)) return (null, $"unknown instrument {request.Instrument}: no market");
        var tick = _ticks.TryGetValue(instrument.Symbol, out var changed) ? changed : market.TickSize;
        var negRisk = _registry.TryGetEvent(Venue, market.EventKey, out var venueEvent) && venueEvent.NegRisk;
        var target = new OrderTarget(instrument.Symbol, market, tick, negRisk);
        if (request.Quantity <= 0m) return (target, $"quantity {request.Quantity} must be positive");
        if (market.RoundDownToStep(request.Quantity) != request.Quantity) return (target, $"quantity {request.Quantity} is not a multiple of the market's quantity step {market.QuantityStep}");
        if (request.Quantity < market.MinOrderSize) return (target, $"quantity {request.Quantity} is below the market's minimum order size {market.MinOrderSize}");
        if (!request.LimitPrice.IsOnGrid(tick)) return (target, $"price {request.LimitPrice} is off the {tick} tick grid");
        if (request.LimitPrice < tick.MinPrice || request.LimitPrice > tick.MaxPrice) return (target, $"price {request.LimitPrice} is outside [{tick.MinPrice}, {tick.MaxPrice}]");
        return (target, OrderOptions.Problem(request, Venue, _time.GetUtcNow()));
    }

    private void RefreshBalanceSoon()
    {
        // One refresh at a time: a burst of fills needs one read after it, not one per fill. A fill that arrives while a
        // read is under way asks for one more read, so the last read always follows the last fill.
        Volatile.Write(ref _balanceRefreshWanted, 1);
        if (Interlocked.Exchange(ref _balanceRefreshing, 1) == 1) return;
        Background(async () =>
        {
            try
            {
                while (Interlocked.Exchange(ref _balanceRefreshWanted, 0) == 1)
                {
                    try
                    {
                        await RefreshBalanceAsync(_stopping.Token).ConfigureAwait(false);
                    }
                    catch (PolymarketApiException e)
                    {
                        _logger.LogWarning("Polymarket balance refresh failed: {Problem}", e.Message);
                    }
                }
            }
            finally
            {
                Volatile.Write(ref _balanceRefreshing, 0);
                // A request that came in between the loop's last check and the flag's release still gets its read.
                if (Volatile.Read(ref _balanceRefreshWanted) == 1 && !_stopping.IsCancellationRequested) RefreshBalanceSoon();
            }
        });
    }

    private Task Background(Func<Task> work)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // Disposed.
            }
            catch (Exception e) when (e is PolymarketApiException or HttpRequestException)
            {
                _logger.LogWarning("Polymarket background work failed: {Problem}", e.Message);
            }
        });
        _background[task] = 0;
        _ = task.ContinueWith(t => _background.TryRemove(t, out _), TaskScheduler.Default);
        return task;
    }

    private static PolymarketTradeStatus ParseTradeStatus(string? status) => status?.ToUpperInvariant() switch
    {
        "MINED" => PolymarketTradeStatus.Mined,
        "CONFIRMED" => PolymarketTradeStatus.Confirmed,
        "RETRYING" => PolymarketTradeStatus.Retrying,
        "FAILED" => PolymarketTradeStatus.Failed,
        _ => PolymarketTradeStatus.Matched,
    };

    private static string Text(decimal value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private sealed record OrderTarget(string TokenId, Market Market, TickSize Tick, bool NegRisk);

    private sealed class LiveOrder(OrderRequest request, OrderTarget? target, DateTimeOffset sentAt)
    {
        public OrderRequest Request { get; } = request;
        public OrderTarget? Target { get; } = target;
        public DateTimeOffset SentAt { get; } = sentAt;
        public OrderStatus Status { get; set; } = OrderStatus.New;
        public string? VenueOrderId { get; set; }
        public bool Acknowledged { get; set; }
        public bool CancelRequested { get; set; }
        public decimal Filled { get; set; }
        public decimal Notional { get; set; }
        public OrderStatus? PendingFinal { get; set; }
        public string? PendingReason { get; set; }
        public decimal PendingMatched { get; set; }
        public ITimer? GraceTimer { get; set; }
    }
}
