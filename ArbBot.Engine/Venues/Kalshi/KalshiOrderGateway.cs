using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Venues.Kalshi.Wire;
using ArbBot.Engine.Venues.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.Venues.Kalshi;

/// <summary>
/// Real orders on Kalshi: create (buy/sell, YES/NO, a dollar price on the market's grid, a count, fill-or-kill,
/// immediate-or-cancel or good-till-cancelled, post-only, reduce-only), cancel, amend, decrease, and the account's
/// open orders, fills, positions and balance, all through <see cref="KalshiRestClient"/> (write bucket for changes,
/// read bucket for queries). Order updates and fills reach the <see cref="IExecutionListener"/> by push from the
/// authenticated <c>user_orders</c> and <c>fill</c> WebSocket channels (<see cref="RunAsync"/>), and from REST answers.
/// </summary>
/// <remarks>
/// <para>
/// Idempotency: the engine's client order id is sent as Kalshi's <c>client_order_id</c>. A create whose answer is lost
/// (timeout, connection reset, 5xx) is looked up by that id before it is sent again with the same id, and a venue
/// answer of 409 (id already used) adopts the existing order; a retried create never makes a second order.
/// </para>
/// <para>
/// Fills are keyed by Kalshi's trade id: the same fill arriving by push and again from the REST reconciliation that
/// follows every (re)connect of the private channels is reported once. The fee is the one the fill reports
/// (<c>fee_cost</c>); only when it has none is it computed with the venue's fee model.
/// </para>
/// <para>
/// Status mapping: resting (or pending) is submitted, or partially filled once it has fills; executed is filled;
/// canceled is cancelled, with a reason naming why (fill-or-kill not filled in full, immediate-or-cancel remainder,
/// post-only would have crossed, on request). A 4xx answer to a create rejects the order with the venue's error
/// code and message. Messages never carry headers, signatures or keys.
/// </para>
/// </remarks>
public sealed class KalshiOrderGateway : IOrderGateway, IOrderStreamHealth, IDisposable
{
    private const int MaxCreateAttempts = 3;

    private readonly KalshiRestClient _rest;
    private readonly KalshiOptions _options;
    private readonly KalshiRequestSigner? _signer;
    private readonly InstrumentRegistry _registry;
    private readonly IFeeModel _fees;
    private readonly TimeProvider _time;
    private readonly IExecutionListener _listener;
    private readonly ILogger _logger;
    private readonly Func<string, bool> _isTradable;
    private readonly RetryDelays _delays;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LiveOrder> _orders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LiveOrder> _byVenueId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LiveOrder> _byVenueClientId = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tradeIds = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly OrderStreamTracker _stream;
    private long _pushConnections;
    private long _reconciliations;
    private long _duplicateFills;
    private int _running;
    private volatile bool _disposed;

    /// <param name="rest">The signed REST client (its token buckets pace every call).</param>
    /// <param name="options">WebSocket URL and reconnect delays.</param>
    /// <param name="signer">Signs the WebSocket handshake of the private channels; null disables push (REST only).</param>
    /// <param name="registry">Instruments, markets, tick grids and fee terms.</param>
    /// <param name="fees">Kalshi's fee model, for fills that report no fee.</param>
    /// <param name="time">The clock.</param>
    /// <param name="listener">Receives order updates and fills.</param>
    /// <param name="logger">Connection and venue problems (never with headers or keys).</param>
    /// <param name="isTradable">Whether a market (by ticker) is open for trading; orders on a closed market are rejected before they are sent.</param>
    public KalshiOrderGateway(
        KalshiRestClient rest,
        KalshiOptions options,
        KalshiRequestSigner? signer,
        InstrumentRegistry registry,
        IFeeModel fees,
        TimeProvider time,
        IExecutionListener listener,
        ILogger? logger = null,
        Func<string, bool>? isTradable = null)
    {
        ArgumentNullException.ThrowIfNull(rest);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(fees);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(listener);
        if (!rest.IsAuthenticated) throw new ArgumentException("Trading on Kalshi needs a signed REST client.", nameof(rest));
        _rest = rest;
        _options = options;
        _signer = signer;
        _registry = registry;
        _fees = fees;
        _time = time;
        _listener = listener;
        _logger = logger ?? NullLogger.Instance;
        _isTradable = isTradable ?? (_ => true);
        _delays = new RetryDelays(options.RetryBaseDelay, options.RetryMaxDelay);
        _stream = new OrderStreamTracker(time);
    }

    /// <summary>Creates the gateway of a real <see cref="KalshiVenue"/>, with its REST client, signer and market states.</summary>
    public static KalshiOrderGateway For(KalshiVenue venue, InstrumentRegistry registry, TimeProvider time, IExecutionListener listener, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(venue);
        return new KalshiOrderGateway(venue.Rest, venue.Options, venue.Signer, registry, venue.FeeModel, time, listener,
            loggers?.CreateLogger<KalshiOrderGateway>(), venue.MarketData.IsTradable);
    }

    /// <inheritdoc />
    public VenueId Venue => VenueId.Kalshi;

    /// <inheritdoc />
    public bool IsPaper => false;

    /// <summary>Private-channel connections opened so far.</summary>
    public long PushConnections => Interlocked.Read(ref _pushConnections);

    /// <summary>
    /// The private <c>fill</c> and <c>user_orders</c> channels' state: connected once both are subscribed, down from the
    /// moment the socket drops until both are subscribed again (fills then arrive through the reconciliation that follows).
    /// </summary>
    public OrderStreamStatus OrderStream => _stream.Status;

    /// <summary>REST reconciliations finished (one after each private-channel (re)connect).</summary>
    public long Reconciliations => Interlocked.Read(ref _reconciliations);

    /// <summary>Fills ignored because their trade id had already been reported.</summary>
    public long DuplicateFills => Interlocked.Read(ref _duplicateFills);

    /// <inheritdoc />
    public ValueTask PlaceAsync(OrderRequest request, CancellationToken cancellationToken) => PlaceAsync(request, KalshiOrderFlags.None, cancellationToken);

    /// <summary>
    /// Sends an order with Kalshi's post-only / reduce-only options. Validates synchronously (an invalid request is
    /// rejected with a reason and never sent); the HTTP call runs off the caller's thread, and the returned task
    /// completes when Kalshi has answered (or the outcome has been found out).
    /// </summary>
    public ValueTask PlaceAsync(OrderRequest request, KalshiOrderFlags flags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentException.ThrowIfNullOrEmpty(request.ClientOrderId, nameof(request));
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);

        // The request's own options and the flags of this overload say the same thing two ways; either sets them.
        flags = new KalshiOrderFlags(flags.PostOnly || request.PostOnly, flags.ReduceOnly || request.ReduceOnly);
        request = request with { PostOnly = flags.PostOnly, ReduceOnly = flags.ReduceOnly };
        var problem = Validate(request, out var market, out var instrument);
        LiveOrder order;
        lock (_gate)
        {
            // A client order id seen before, whatever became of that order, is ignored: no second order.
            if (_orders.ContainsKey(request.ClientOrderId)) return ValueTask.CompletedTask;
            order = new LiveOrder(request, market, instrument, flags, _time.GetUtcNow());
            _orders.Add(request.ClientOrderId, order);
            if (problem is not null)
            {
                Report(order, OrderStatus.Rejected, problem);
                return ValueTask.CompletedTask;
            }
            _byVenueClientId[order.VenueClientId] = order;
            order.Creating = true;
        }
        // Signing and HTTP stay off the caller's thread (the hub's, for the executor).
        return new ValueTask(Task.Run(() => CreateAsync(order, cancellationToken), CancellationToken.None));
    }

    /// <inheritdoc />
    public ValueTask CancelAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientOrderId);
        LiveOrder? order;
        lock (_gate)
        {
            if (!_orders.TryGetValue(clientOrderId, out order) || order.Status.IsFinal()) return ValueTask.CompletedTask;
            order.CancelRequested = true;
            // A create still travelling cancels itself when its answer arrives.
            if (order.Creating) return ValueTask.CompletedTask;
        }
        return new ValueTask(Task.Run(() => CancelOnVenueAsync(order, cancellationToken), CancellationToken.None));
    }

    /// <inheritdoc />
    public async ValueTask CancelAllAsync(CancellationToken cancellationToken)
    {
        List<string> open;
        lock (_gate) open = [.. _orders.Values.Where(o => !o.Status.IsFinal()).Select(o => o.Request.ClientOrderId)];
        foreach (var id in open) await CancelAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Changes a resting order's price and/or total count (already filled plus what should rest); Kalshi keeps its
    /// queue place only when the count shrinks at the same price. Returns the order as Kalshi reports it afterwards.
    /// </summary>
    /// <exception cref="InvalidOperationException">The order is unknown, final, or the new terms are invalid.</exception>
    /// <exception cref="KalshiApiException">Kalshi refused the amendment.</exception>
    public async Task<KalshiOrder> AmendAsync(string clientOrderId, Price price, decimal totalCount, CancellationToken cancellationToken)
    {
        var order = OpenOrder(clientOrderId);
        if (!price.IsOnGrid(order.Market.TickSize) || price < order.Market.TickSize.MinPrice || price > order.Market.TickSize.MaxPrice)
        {
            throw new InvalidOperationException($"price {price} is off the {order.Market.TickSize} tick grid of {order.Market.MarketKey} or outside its range");
        }
        if (totalCount <= order.Filled || order.Market.RoundDownToStep(totalCount) != totalCount)
        {
            throw new InvalidOperationException($"count {totalCount} must exceed the {order.Filled} already filled and be a multiple of {order.Market.QuantityStep}");
        }
        string venueId, currentClientId, nextClientId;
        lock (_gate)
        {
            venueId = order.VenueOrderId ?? throw new InvalidOperationException($"order {clientOrderId} has no Kalshi order id yet");
            currentClientId = order.VenueClientId;
            nextClientId = string.Create(CultureInfo.InvariantCulture, $"{clientOrderId}-a{++order.Amendments}");
            _byVenueClientId[nextClientId] = order;
        }
        var body = new KalshiWireAmendOrder(order.Market.MarketKey, KalshiTradingParser.Wire(order.Side), KalshiTradingParser.Wire(order.Action),
            currentClientId, nextClientId,
            order.Side == KalshiSide.Yes ? KalshiTradingParser.Dollars(price) : null,
            order.Side == KalshiSide.No ? KalshiTradingParser.Dollars(price) : null,
            KalshiTradingParser.Count(totalCount));
        var path = $"/portfolio/orders/{Uri.EscapeDataString(venueId)}/amend";
        var answer = await _rest.SendJsonAsync<KalshiWireOrderEnvelope>(HttpMethod.Post, path, body, KalshiRateTier.Write, cancellationToken).ConfigureAwait(false);
        var amended = KalshiTradingParser.Order(answer.Order ?? throw Missing("POST", path), "POST " + path);
        lock (_gate)
        {
            order.VenueClientId = nextClientId;
            order.Limit = amended.Price;
            Apply(order, amended, null);
        }
        return amended;
    }

    /// <summary>Shrinks a resting order by <paramref name="reduceBy"/> contracts, keeping its queue place.</summary>
    /// <exception cref="InvalidOperationException">The order is unknown, final, or the reduction is not positive.</exception>
    /// <exception cref="KalshiApiException">Kalshi refused.</exception>
    public async Task<KalshiOrder> DecreaseAsync(string clientOrderId, decimal reduceBy, CancellationToken cancellationToken)
    {
        if (reduceBy <= 0m) throw new InvalidOperationException($"reduce-by {reduceBy} must be positive");
        var order = OpenOrder(clientOrderId);
        string venueId;
        lock (_gate) venueId = order.VenueOrderId ?? throw new InvalidOperationException($"order {clientOrderId} has no Kalshi order id yet");
        var path = $"/portfolio/orders/{Uri.EscapeDataString(venueId)}/decrease";
        var answer = await _rest.SendJsonAsync<KalshiWireOrderEnvelope>(HttpMethod.Post, path,
            new KalshiWireDecreaseOrder(KalshiTradingParser.Count(reduceBy), null), KalshiRateTier.Write, cancellationToken).ConfigureAwait(false);
        var decreased = KalshiTradingParser.Order(answer.Order ?? throw Missing("POST", path), "POST " + path);
        lock (_gate) Apply(order, decreased, "decreased to nothing on request");
        return decreased;
    }

    /// <summary>The member's resting orders (GET /portfolio/orders?status=resting, every page).</summary>
    public async Task<IReadOnlyList<KalshiOrder>> GetOpenOrdersAsync(string? ticker, CancellationToken cancellationToken)
    {
        var orders = new List<KalshiOrder>();
        await _rest.PageAsync("/portfolio/orders", [new("status", "resting"), new("ticker", ticker), new("limit", "200")], body =>
        {
            var page = Read<KalshiWireOrdersPage>(body, "GET /portfolio/orders");
            orders.AddRange((page.Orders ?? []).Select(o => KalshiTradingParser.Order(o, "GET /portfolio/orders")));
            return page.Cursor;
        }, cancellationToken).ConfigureAwait(false);
        return orders;
    }

    /// <summary>The member's fills since <paramref name="since"/> (GET /portfolio/fills, every page).</summary>
    public async Task<IReadOnlyList<KalshiFill>> GetFillsAsync(string? ticker, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var fills = new List<KalshiFill>();
        var minTs = since?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await _rest.PageAsync("/portfolio/fills", [new("ticker", ticker), new("min_ts", minTs), new("limit", "200")], body =>
        {
            var page = Read<KalshiWireFillsPage>(body, "GET /portfolio/fills");
            fills.AddRange((page.Fills ?? []).Select(f => KalshiTradingParser.Fill(f, "GET /portfolio/fills")));
            return page.Cursor;
        }, cancellationToken).ConfigureAwait(false);
        return fills;
    }

    /// <summary>The member's market positions (GET /portfolio/positions, every page).</summary>
    public async Task<IReadOnlyList<KalshiPosition>> GetPositionsAsync(CancellationToken cancellationToken)
    {
        var positions = new List<KalshiPosition>();
        await _rest.PageAsync("/portfolio/positions", [new("limit", "200")], body =>
        {
            var page = Read<KalshiWirePositionsPage>(body, "GET /portfolio/positions");
            positions.AddRange((page.MarketPositions ?? []).Select(p => KalshiTradingParser.Position(p, "GET /portfolio/positions")));
            return page.Cursor;
        }, cancellationToken).ConfigureAwait(false);
        return positions;
    }

    /// <summary>The member's cash and portfolio value (GET /portfolio/balance).</summary>
    public async Task<KalshiBalance> GetBalanceAsync(CancellationToken cancellationToken)
    {
        var wire = await _rest.GetAsync<KalshiWireBalance>("/portfolio/balance", null, cancellationToken).ConfigureAwait(false);
        return KalshiTradingParser.Balance(wire, "GET /portfolio/balance");
    }

    /// <summary>
    /// Streams the private <c>fill</c> and <c>user_orders</c> channels until cancelled, reconnecting with jittered backoff;
    /// after every (re)connect the account is reconciled over REST so nothing that happened while disconnected is lost.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_signer is null) throw new InvalidOperationException("Kalshi's private channels need a signer.");
        if (Interlocked.Exchange(ref _running, 1) == 1) throw new InvalidOperationException("The gateway's private channels are already running.");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var token = linked.Token;
        try
        {
            var failures = 0;
            while (!token.IsCancellationRequested)
            {
                var subscribed = false;
                try
                {
                    subscribed = await RunConnectionAsync(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is WebSocketException or IOException or HttpRequestException or OperationCanceledException or InvalidOperationException)
                {
                    _logger.LogWarning("Kalshi private channels lost: {Reason}", ex.Message);
                }
                failures = subscribed ? 0 : failures + 1;
                await Task.Delay(_delays.Next(failures), _time, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping is the normal way out.
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>Reads Kalshi's account state over REST and reports whatever the push channels missed (fills by trade id, order states).</summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        List<LiveOrder> tracked;
        lock (_gate) tracked = [.. _orders.Values.Where(o => o.Status != OrderStatus.Rejected)];
        if (tracked.Count == 0)
        {
            Interlocked.Increment(ref _reconciliations);
            return;
        }
        // A minute of slack covers clock differences between us and the venue; trade ids dedupe the overlap.
        var since = tracked.Min(o => o.SentAt) - TimeSpan.FromMinutes(1);
        foreach (var fill in await GetFillsAsync(null, since, cancellationToken).ConfigureAwait(false)) OnVenueFill(fill);
        foreach (var order in tracked)
        {
            string? venueId;
            lock (_gate)
            {
                if (order.Status.IsFinal() || order.Creating) continue;
                venueId = order.VenueOrderId;
            }
            var venue = venueId is null ? await FindByClientIdAsync(order, cancellationToken).ConfigureAwait(false) : await GetOrderAsync(venueId, cancellationToken).ConfigureAwait(false);
            if (venue is not null)
            {
                lock (_gate) Apply(order, venue, null);
            }
        }
        Interlocked.Increment(ref _reconciliations);
    }

    /// <summary>Stops the private channels; orders on the venue are left as they are.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        _stop.Dispose();
    }

    // ---- create and cancel ----------------------------------------------------------------------------------------

    private async Task CreateAsync(LiveOrder order, CancellationToken cancellationToken)
    {
        var request = order.Request;
        var price = KalshiTradingParser.Dollars(order.Limit);
        var body = new KalshiWireCreateOrder(order.Market.MarketKey, KalshiTradingParser.Wire(order.Side), KalshiTradingParser.Wire(order.Action),
            order.VenueClientId, KalshiTradingParser.Count(request.Quantity),
            order.Side == KalshiSide.Yes ? price : null, order.Side == KalshiSide.No ? price : null,
            KalshiTradingParser.Wire(request.TimeInForce), order.Flags.PostOnly ? true : null, order.Flags.ReduceOnly ? true : null,
            request.TimeInForce == TimeInForce.Gtd ? request.ExpiresAt!.Value.ToUnixTimeSeconds() : null);
        string? lastProblem = null;
        try
        {
            for (var attempt = 0; attempt < MaxCreateAttempts; attempt++)
            {
                try
                {
                    var answer = await _rest.SendJsonAsync<KalshiWireOrderEnvelope>(HttpMethod.Post, "/portfolio/orders", body, KalshiRateTier.Write, cancellationToken).ConfigureAwait(false);
                    var created = KalshiTradingParser.Order(answer.Order ?? throw Missing("POST", "/portfolio/orders"), "POST /portfolio/orders");
                    Created(order, created);
                    return;
                }
                catch (KalshiApiException e) when (e.Status == HttpStatusCode.Conflict)
                {
                    // The id is taken: an earlier attempt whose answer was lost created it. Adopt that order.
                    if (await FindByClientIdAsync(order, cancellationToken).ConfigureAwait(false) is { } existing)
                    {
                        Created(order, existing);
                        return;
                    }
                    Finish(order, OrderStatus.Rejected, $"Kalshi refused the order: client order id already used by an order it does not list ({e.Code})");
                    return;
                }
                catch (KalshiApiException e) when ((int)e.Status is >= 400 and < 500 && !e.IsRateLimited)
                {
                    Finish(order, OrderStatus.Rejected, RejectReason(e));
                    return;
                }
                catch (Exception e) when (IsUnknownOutcome(e, cancellationToken))
                {
                    // The order may or may not exist: look before sending it again (with the same client order id).
                    lastProblem = Describe(e);
                    _logger.LogWarning("Kalshi create of {ClientOrderId} had no answer ({Problem}); checking whether it exists", request.ClientOrderId, lastProblem);
                    if (await TryFindByClientIdAsync(order, cancellationToken).ConfigureAwait(false) is { } existing)
                    {
                        Created(order, existing);
                        return;
                    }
                    await Task.Delay(_delays.Next(attempt), _time, cancellationToken).ConfigureAwait(false);
                }
            }
            // Still unknown: keep it working, so a cancel or the next reconciliation settles it.
            lock (_gate)
            {
                order.Creating = false;
                if (order.Status == OrderStatus.New) Report(order, OrderStatus.Submitted, $"sent to Kalshi without a confirmation ({lastProblem}); reconciling");
            }
            if (order.CancelRequested) await CancelOnVenueAsync(order, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KalshiApiException or HttpRequestException or OperationCanceledException)
        {
            lock (_gate)
            {
                order.Creating = false;
                if (order.Status == OrderStatus.New) Report(order, OrderStatus.Submitted, $"sent to Kalshi without a confirmation ({Describe(e)}); reconciling");
            }
            throw;
        }
    }

    private void Created(LiveOrder order, KalshiOrder venue)
    {
        bool cancel;
        lock (_gate)
        {
            order.Creating = false;
            Apply(order, venue, null);
            cancel = order.CancelRequested && !order.Status.IsFinal();
        }
        if (cancel) _ = CancelOnVenueAsync(order, CancellationToken.None);
    }

    private async Task CancelOnVenueAsync(LiveOrder order, CancellationToken cancellationToken)
    {
        string? venueId;
        lock (_gate)
        {
            if (order.Status.IsFinal()) return;
            venueId = order.VenueOrderId;
        }
        if (venueId is null)
        {
            var found = await TryFindByClientIdAsync(order, cancellationToken).ConfigureAwait(false);
            if (found is null)
            {
                Finish(order, OrderStatus.Cancelled, "cancelled on request; Kalshi has no such order");
                return;
            }
            lock (_gate) Apply(order, found, null);
            venueId = found.OrderId;
        }
        var path = $"/portfolio/orders/{Uri.EscapeDataString(venueId)}";
        try
        {
            var answer = await _rest.SendJsonAsync<KalshiWireOrderEnvelope>(HttpMethod.Delete, path, null, KalshiRateTier.Write, cancellationToken).ConfigureAwait(false);
            var cancelled = KalshiTradingParser.Order(answer.Order ?? throw Missing("DELETE", path), "DELETE " + path);
            lock (_gate) Apply(order, cancelled, "cancelled on request");
        }
        catch (KalshiApiException e) when ((int)e.Status is >= 400 and < 500 && !e.IsRateLimited)
        {
            // Already executed or cancelled on the venue: its real state says which.
            if (await GetOrderAsync(venueId, cancellationToken).ConfigureAwait(false) is { } current)
            {
                lock (_gate) Apply(order, current, "cancelled on request");
            }
        }
    }

    private async Task<KalshiOrder?> TryFindByClientIdAsync(LiveOrder order, CancellationToken cancellationToken)
    {
        try
        {
            return await FindByClientIdAsync(order, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnknownOutcome(e, cancellationToken) || e is KalshiApiException)
        {
            _logger.LogWarning("Kalshi lookup of {ClientOrderId} failed: {Problem}", order.Request.ClientOrderId, Describe(e));
            return null;
        }
    }

    private async Task<KalshiOrder?> FindByClientIdAsync(LiveOrder order, CancellationToken cancellationToken)
    {
        string clientId;
        lock (_gate) clientId = order.VenueClientId;
        KalshiOrder? found = null;
        await _rest.PageAsync("/portfolio/orders", [new("ticker", order.Market.MarketKey), new("limit", "200")], body =>
        {
            var page = Read<KalshiWireOrdersPage>(body, "GET /portfolio/orders");
            foreach (var wire in page.Orders ?? [])
            {
                if (wire.ClientOrderId == clientId) found = KalshiTradingParser.Order(wire, "GET /portfolio/orders");
            }
            return found is null ? page.Cursor : null;
        }, cancellationToken).ConfigureAwait(false);
        return found;
    }

    private async Task<KalshiOrder?> GetOrderAsync(string venueId, CancellationToken cancellationToken)
    {
        var path = $"/portfolio/orders/{Uri.EscapeDataString(venueId)}";
        try
        {
            var answer = await _rest.GetAsync<KalshiWireOrderEnvelope>(path, null, cancellationToken).ConfigureAwait(false);
            return answer.Order is null ? null : KalshiTradingParser.Order(answer.Order, "GET " + path);
        }
        catch (KalshiApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    // ---- the private channels ---------------------------------------------------------------------------------------

    private async Task<bool> RunConnectionAsync(CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        foreach (var (name, value) in _signer!.SignWebSocketHandshake().AsPairs()) socket.Options.SetRequestHeader(name, value);
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(10);
        socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(20);
        await socket.ConnectAsync(_options.EffectiveWebSocketUrl, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _pushConnections);
        await SendAsync(socket, KalshiParser.SubscribeCommand(1, ["fill"]), cancellationToken).ConfigureAwait(false);
        await SendAsync(socket, KalshiParser.SubscribeCommand(2, ["user_orders"]), cancellationToken).ConfigureAwait(false);

        var confirmed = new HashSet<string>(StringComparer.Ordinal);
        Task? reconciling = null;
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (true)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.GetMemory(8 * 1024), cancellationToken).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close) return confirmed.Count == 2;
                    buffer.Advance(result.Count);
                }
                while (!result.EndOfMessage);
                var parsed = KalshiParser.ParseWebSocket(buffer.WrittenSpan);
                if (!parsed.IsSuccess)
                {
                    _logger.LogWarning("Kalshi private channels: ignored a message that could not be read: {Reason}", parsed.Error);
                    continue;
                }
                switch (parsed.Value)
                {
                    case KalshiSubscribed s:
                        confirmed.Add(s.Channel);
                        // Both channels are live: anything from now on is pushed, so what came before is read over REST.
                        if (confirmed.Count == 2 && reconciling is null)
                        {
                            _stream.MarkConnected();
                            reconciling = ReconcileLoggedAsync(cancellationToken);
                        }
                        break;
                    case KalshiFill fill:
                        OnVenueFill(fill);
                        break;
                    case KalshiUserOrder update:
                        OnVenueOrder(update);
                        break;
                    case KalshiError error:
                        _logger.LogWarning("Kalshi private channels: error {Code} for command {Id}: {Message}", error.Code, error.Id, error.Message);
                        break;
                }
            }
        }
        finally
        {
            _stream.MarkDisconnected();
            if (reconciling is not null)
            {
                try
                {
                    await reconciling.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private async Task ReconcileLoggedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Yield();
            await ReconcileAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KalshiApiException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _logger.LogWarning("Kalshi reconciliation failed: {Problem}", Describe(e));
        }
    }

    private void OnVenueOrder(KalshiUserOrder update)
    {
        lock (_gate)
        {
            var order = Find(update.OrderId, update.ClientOrderId);
            if (order is null) return;
            var price = order.Side == KalshiSide.Yes ? update.YesPrice : update.YesPrice.Complement;
            Apply(order, new KalshiOrder(update.OrderId, update.ClientOrderId, update.MarketTicker, update.Side, order.Action, update.Status, price,
                update.FillCount, update.RemainingCount, update.InitialCount, null), null);
        }
    }

    private void OnVenueFill(KalshiFill fill)
    {
        lock (_gate)
        {
            var order = Find(fill.OrderId, fill.ClientOrderId);
            if (order is null)
            {
                // Not ours (another tool on the same key), or not known yet; reconciliation will bring it back.
                return;
            }
            if (!_tradeIds.Add(fill.TradeId))
            {
                Interlocked.Increment(ref _duplicateFills);
                return;
            }
            order.VenueOrderId ??= fill.OrderId;
            _byVenueId[fill.OrderId] = order;
            var price = order.Side == KalshiSide.Yes ? fill.YesPrice : fill.YesPrice.Complement;
            var liquidity = fill.IsTaker ? Liquidity.Taker : Liquidity.Maker;
            var fee = fill.FeeCost ?? _fees.Fee(order.Market.Fees, price, fill.Count, liquidity);
            order.FillsSum += fill.Count;
            _listener.OnFill(new Fill(fill.TradeId, order.Request.ClientOrderId, order.VenueOrderId, Venue, order.Instrument, order.Request.Side,
                price, fill.Count, fee, liquidity, fill.Timestamp ?? _time.GetUtcNow()));
            if (order.FillsSum > order.Filled) order.Filled = order.FillsSum;
            ReportProgress(order, null);
        }
    }

    // ---- state, under _gate -----------------------------------------------------------------------------------------

    private void Apply(LiveOrder order, KalshiOrder venue, string? cancelReason)
    {
        if (order.VenueOrderId is null || order.VenueOrderId != venue.OrderId)
        {
            order.VenueOrderId = venue.OrderId;
            _byVenueId[venue.OrderId] = order;
        }
        if (venue.FillCount > order.Filled) order.Filled = venue.FillCount;
        switch (venue.Status)
        {
            case "resting" or "pending":
                order.Quantity = venue.FillCount + venue.RemainingCount;
                if (order.Status == OrderStatus.New) Report(order, OrderStatus.Submitted, null);
                ReportProgress(order, null);
                if (venue.RemainingCount == 0m && venue.FillCount < order.Request.Quantity && order.Status != OrderStatus.Filled)
                {
                    Report(order, OrderStatus.Cancelled, cancelReason ?? "decreased to nothing");
                }
                break;
            case "executed":
                order.Quantity = Math.Max(order.Filled, venue.FillCount);
                if (order.Status == OrderStatus.New) Report(order, OrderStatus.Submitted, null);
                ReportProgress(order, null);
                break;
            case "canceled":
                if (order.Status == OrderStatus.New) Report(order, OrderStatus.Submitted, null);
                ReportProgress(order, null);
                Report(order, OrderStatus.Cancelled, cancelReason ?? CancelReason(order, venue));
                break;
            default:
                _logger.LogWarning("Kalshi order {OrderId} has status '{Status}', which this client does not know", venue.OrderId, venue.Status);
                break;
        }
    }

    private static string CancelReason(LiveOrder order, KalshiOrder venue)
    {
        if (order.CancelRequested) return "cancelled on request";
        var limit = order.Limit;
        return order.Request.TimeInForce switch
        {
            TimeInForce.Fok => $"fill-or-kill: {N(order.Request.Quantity)} not available at {limit} or better; nothing filled",
            TimeInForce.Ioc => $"immediate-or-cancel: {N(order.Quantity - venue.FillCount)} of {N(order.Quantity)} unfilled at {limit} or better",
            _ when order.Flags.PostOnly && venue.FillCount == 0m => $"post-only: would have crossed the book at {limit}",
            _ => "cancelled by Kalshi",
        };
    }

    private static string N(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private void ReportProgress(LiveOrder order, string? reason)
    {
        if (order.Status.IsFinal() || order.Filled <= order.ReportedFilled) return;
        if (order.Status == OrderStatus.New) Report(order, OrderStatus.Submitted, "implied by a fill");
        Report(order, order.Filled >= order.Quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled, reason);
    }

    private void Finish(LiveOrder order, OrderStatus status, string reason)
    {
        lock (_gate)
        {
            order.Creating = false;
            Report(order, status, reason);
        }
    }

    private void Report(LiveOrder order, OrderStatus status, string? reason)
    {
        if (!IsLegal(order.Status, status)) return;
        if (status == OrderStatus.PartiallyFilled && order.Status == OrderStatus.PartiallyFilled && order.Filled <= order.ReportedFilled) return;
        order.Status = status;
        order.ReportedFilled = order.Filled;
        var remaining = status.IsFinal() ? 0m : Math.Max(0m, order.Quantity - order.Filled);
        _listener.OnOrderUpdate(new OrderUpdate(order.Request.ClientOrderId, order.VenueOrderId, Venue, order.Instrument, status, order.Filled, remaining, reason, _time.GetUtcNow()));
    }

    private static bool IsLegal(OrderStatus from, OrderStatus to) => !from.IsFinal() && to switch
    {
        OrderStatus.Submitted => from == OrderStatus.New,
        OrderStatus.Rejected => from is OrderStatus.New or OrderStatus.Submitted,
        OrderStatus.PartiallyFilled or OrderStatus.Filled => from is OrderStatus.Submitted or OrderStatus.PartiallyFilled,
        OrderStatus.Cancelled or OrderStatus.Expired => true,
        _ => false,
    };

    private LiveOrder? Find(string orderId, string? clientOrderId) =>
        _byVenueId.TryGetValue(orderId, out var order) ? order
        : clientOrderId is not null && _byVenueClientId.TryGetValue(clientOrderId, out order) ? order
        : null;

    private LiveOrder OpenOrder(string clientOrderId)
    {
        ArgumentNullException.ThrowIfNull(clientOrderId);
        lock (_gate)
        {
            if (!_orders.TryGetValue(clientOrderId, out var order)) throw new InvalidOperationException($"order {clientOrderId} is unknown to this gateway");
            if (order.Status.IsFinal()) throw new InvalidOperationException($"order {clientOrderId} is {order.Status} and can no longer change");
            return order;
        }
    }

    private string? Validate(OrderRequest request, out Market market, out InstrumentId instrument)
    {
        market = null!;
        instrument = request.Instrument;
        if ((uint)request.Instrument.Value >= (uint)_registry.Count) return $"unknown instrument {request.Instrument}";
        var token = _registry[request.Instrument];
        if (token.Venue != VenueId.Kalshi) return $"instrument {token} is on {token.Venue.DisplayName()}, not Kalshi";
        try
        {
            market = _registry.MarketOf(request.Instrument);
        }
        catch (KeyNotFoundException)
        {
            return $"unknown instrument {request.Instrument}: no market";
        }
        if (!_isTradable(market.MarketKey)) return $"market {market.MarketKey} is closed for trading on Kalshi";
        if (request.Quantity <= 0m) return $"quantity {request.Quantity} must be positive";
        if (market.RoundDownToStep(request.Quantity) != request.Quantity)
        {
            return $"quantity {request.Quantity} is not a multiple of the market's quantity step {market.QuantityStep}";
        }
        if (request.Quantity < market.MinOrderSize) return $"quantity {request.Quantity} is below the market's minimum order size {market.MinOrderSize}";
        var tick = market.TickSize;
        if (!request.LimitPrice.IsOnGrid(tick)) return $"price {request.LimitPrice} is off the {tick} tick grid";
        if (request.LimitPrice < tick.MinPrice || request.LimitPrice > tick.MaxPrice) return $"price {request.LimitPrice} is outside [{tick.MinPrice}, {tick.MaxPrice}]";
        return OrderOptions.Problem(request, VenueId.Kalshi, _time.GetUtcNow());
    }

    private static bool IsUnknownOutcome(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or IOException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        || (e is KalshiApiException api && ((int)api.Status >= 500 || api.IsRateLimited));

    private static string RejectReason(KalshiApiException e) => $"Kalshi rejected the order: {e.Message}";

    private static string Describe(Exception e) => e switch
    {
        KalshiApiException api => api.Message,
        OperationCanceledException => "no answer in time",
        _ => e.GetType().Name + ": " + e.Message,
    };

    private static KalshiApiException Missing(string method, string path) =>
        new(HttpStatusCode.OK, "invalid_body", $"Kalshi {method} {path} returned no order.");

    internal static T Read<T>(string body, string what)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<T>(body, KalshiParser.WireOptions)
                ?? throw new KalshiApiException(HttpStatusCode.OK, "invalid_body", $"Kalshi {what} returned an empty body.");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new KalshiApiException(HttpStatusCode.OK, "invalid_body", $"Kalshi {what} returned a body that could not be read ({e.Message}).");
        }
    }

    private static Task SendAsync(ClientWebSocket socket, string command, CancellationToken cancellationToken) =>
        socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(command), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <summary>One order this gateway sent; mutable state changes under the gateway's lock.</summary>
    private sealed class LiveOrder(OrderRequest request, Market market, InstrumentId instrument, KalshiOrderFlags flags, DateTimeOffset sentAt)
    {
        public OrderRequest Request { get; } = request;
        public Market Market { get; } = market;
        public InstrumentId Instrument { get; } = instrument;
        public KalshiOrderFlags Flags { get; } = flags;
        public DateTimeOffset SentAt { get; } = sentAt;
        public KalshiSide Side { get; } = market is not null && market.No == instrument ? KalshiSide.No : KalshiSide.Yes;
        public KalshiAction Action { get; } = request.Side == Core.Side.Buy ? KalshiAction.Buy : KalshiAction.Sell;
        public Price Limit { get; set; } = request.LimitPrice;
        public decimal Quantity { get; set; } = request.Quantity;
        public string VenueClientId { get; set; } = request.ClientOrderId;
        public string? VenueOrderId { get; set; }
        public OrderStatus Status { get; set; } = OrderStatus.New;
        public decimal Filled { get; set; }
        public decimal ReportedFilled { get; set; }
        public decimal FillsSum { get; set; }
        public bool Creating { get; set; }
        public bool CancelRequested { get; set; }
        public int Amendments { get; set; }
    }
}
