using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Threading.Channels;
using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.Execution;

/// <summary>
/// Turns an accepted arbitrage opportunity (N ≥ 2 legs, all buys of complementary instruments, equal contracts per leg
/// so every set pays <see cref="Opportunity.PayoutPerSet"/>: $1 cross-venue, N − 1 for a multi-outcome NO set) into orders, and sees it through to complete sets, an unwind, or a loudly reported residual.
/// Lives on the market-data hub's thread: call it there, and attach it to the <see cref="HubExecutionListener"/> the
/// gateways report to.
/// </summary>
/// <remarks>
/// <para>
/// Phase 1 sends the leg likelier to fail (least depth within its worst price for the size, then the slower venue) as
/// IOC at its worst price. Phase 2 sends every other leg IOC for exactly what the first leg filled, at worst price plus
/// the slippage tolerance. A later leg that fills short is retried from the live book at a price that keeps the loss
/// per set within <see cref="RiskLimits.MaxHedgeLoss"/>; if no such price is on the book, the excess of the longer legs
/// is sold back IOC at the bids. Retries and unwinds stop once <see cref="RiskLimits.OrderTimeout"/> has passed since
/// the shortfall was known: what is still unmatched then is a residual, reported through
/// <see cref="IEngineJournal.OnUnhedgedExposure"/>.
/// </para>
/// <para>
/// Every order has a client id derived from the opportunity, leg and attempt ("o{opportunity}-l{leg}-a{attempt}"), so a
/// resend can never double an order. An order without a final state after the timeout is cancelled; one that still
/// says nothing after <see cref="ArbitrageExecutorOptions.ExpiryGrace"/> is taken as expired with only what it reported
/// filled. A fill arriving after that is still booked and reported as unhedged exposure.
/// </para>
/// </remarks>
public sealed class ArbitrageExecutor : IHubExecutionHandler
{
    private readonly MarketDataHub _hub;
    private readonly IReadOnlyDictionary<VenueId, IOrderGateway> _gateways;
    private readonly IEngineJournal _journal;
    private readonly Func<RiskLimits> _limits;
    private readonly ArbitrageExecutorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // Orders of running executions; when an execution ends its orders move to _finished, slimmed down (FinishedOrder).
    private readonly Dictionary<string, TrackedOrder> _orders = new(StringComparer.Ordinal);
    // Finished orders by client id and the ids of their fills (value: the order's sequence in _finished, or -1 for a fill
    // of an order forgotten at the cap), as values: see RecentIdRing. Bounded by RetainCompletedFor and MaxFinishedOrders.
    private readonly RecentIdRing<FinishedOrder> _finished = new();
    private readonly RecentIdRing<long> _finishedFills = new();
    // Opportunity ids whose finished orders the cap forgot before their window ended, and until when a late fill of
    // theirs would still have been recognised: such a fill is reported as unhedged exposure, not ignored.
    private long _forgottenAtCapFrom = long.MaxValue;
    private long _forgottenAtCapThrough = long.MinValue;
    private long _forgottenAtCapUntilTicks = long.MinValue;
    private long _forgottenAtCap;
    // Keyed by the opportunity's pair, or by its event when it has no pair (multi-outcome sets).
    private readonly Dictionary<ExecutionScope, ArbitrageExecution> _activeByScope = [];
    private readonly Dictionary<ExecutionScope, int> _inFlightByScope = [];
    private readonly Dictionary<ExecutionScope, DateTimeOffset> _lastTradeAt = [];
    private readonly Dictionary<(long? PairId, InstrumentId Instrument), decimal> _unhedged = [];
    private readonly HashSet<long> _startedOpportunities = [];
    private readonly Queue<FinishedExecution> _completed = new();
    private readonly Queue<DateTimeOffset> _failures = new();

    private ExecutionStats _stats = ExecutionStats.Empty;
    private long _detectionToFillTicks;
    private int _active;

    /// <summary>Creates the executor.</summary>
    /// <param name="hub">The hub whose thread this runs on; its books price hedges and unwinds.</param>
    /// <param name="gateways">The order gateway of each venue (paper or live).</param>
    /// <param name="journal">Where transitions, fills, outcomes and unhedged exposure are reported.</param>
    /// <param name="limits">The current risk limits; read when an execution starts.</param>
    /// <param name="options">Leg ordering, grace and retry settings; validated here.</param>
    /// <param name="logger">Optional logger.</param>
    public ArbitrageExecutor(
        MarketDataHub hub,
        IReadOnlyDictionary<VenueId, IOrderGateway> gateways,
        IEngineJournal journal,
        Func<RiskLimits> limits,
        ArbitrageExecutorOptions options,
        ILogger<ArbitrageExecutor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(gateways);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(options);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        _hub = hub;
        _gateways = gateways;
        _journal = journal;
        _limits = limits;
        _options = options;
        _time = hub.Time;
        _logger = logger ?? NullLogger<ArbitrageExecutor>.Instance;
    }

    /// <summary>Raised on the hub thread when an execution ends, after the journal heard of it.</summary>
    public event Action<ExecutionOutcome>? Completed;

    /// <summary>Counts since start; safe to read from any thread (an immutable snapshot).</summary>
    public ExecutionStats Stats => Volatile.Read(ref _stats);

    /// <summary>Executions still running. Hub thread.</summary>
    public int ActiveExecutions => _active;

    /// <summary>True from sending an order of the pair until its outcome is known (a final state). Hub thread.</summary>
    public bool HasOrderInFlight(long pairId) => _inFlightByScope.GetValueOrDefault(ExecutionScope.Pair(pairId)) > 0;

    /// <summary>True while an execution of the pair runs; a second one is refused until it ends. Hub thread.</summary>
    public bool IsExecuting(long pairId) => _activeByScope.ContainsKey(ExecutionScope.Pair(pairId));

    /// <summary>When the pair last started an execution, or null. Hub thread.</summary>
    public DateTimeOffset? LastTradeAt(long pairId) => _lastTradeAt.TryGetValue(ExecutionScope.Pair(pairId), out var at) ? at : null;

    /// <summary>True from sending an order of a set of the event (<see cref="Opportunity.EventKey"/>) until its outcome is known. Hub thread.</summary>
    public bool HasOrderInFlight(string eventKey) => _inFlightByScope.GetValueOrDefault(ExecutionScope.Event(eventKey)) > 0;

    /// <summary>True while an execution of a set of the event runs; a second one is refused until it ends. Hub thread.</summary>
    public bool IsExecuting(string eventKey) => _activeByScope.ContainsKey(ExecutionScope.Event(eventKey));

    /// <summary>When a set of the event last started an execution, or null. Hub thread.</summary>
    public DateTimeOffset? LastTradeAt(string eventKey) => _lastTradeAt.TryGetValue(ExecutionScope.Event(eventKey), out var at) ? at : null;

    /// <summary>Executions that unwound or left a residual at or after <paramref name="since"/>. Hub thread.</summary>
    public int FailedExecutionsSince(DateTimeOffset since)
    {
        // The risk gate asks on every opportunity it checks: a loop over the queue's struct enumerator, not a LINQ count
        // (a closure, a delegate and a boxed enumerator per call). Failures are queued in time order.
        var count = 0;
        foreach (var at in _failures)
        {
            if (at >= since) count++;
        }
        return count;
    }

    /// <summary>Contracts left unhedged on a pair by residuals and late fills (all instruments). Hub thread.</summary>
    public decimal UnhedgedExposure(long pairId) => _unhedged.Where(e => e.Key.PairId == pairId).Sum(e => e.Value);

    /// <summary>Every instrument with unhedged contracts, for the dashboard. Hub thread.</summary>
    public IReadOnlyList<UnhedgedPosition> UnhedgedPositions() =>
        [.. _unhedged.Where(e => e.Value != 0m).Select(e => new UnhedgedPosition(e.Key.PairId, e.Key.Instrument, e.Value))];

    /// <summary>
    /// Starts executing <paramref name="opportunity"/> for <paramref name="quantity"/> sets. Hub thread. Returns false,
    /// naming why, when the pair is still executing, the opportunity was executed before, or a venue has no gateway.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two legs, a leg that is not a buy, or a quantity that is not positive.</exception>
    public bool TryExecute(Opportunity opportunity, decimal quantity, [NotNullWhen(false)] out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(opportunity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        if (opportunity.Legs.Count < 2) throw new ArgumentException("An arbitrage needs at least two legs.", nameof(opportunity));
        for (var i = 0; i < opportunity.Legs.Count; i++)
        {
            if (opportunity.Legs[i].Side != Side.Buy) throw new ArgumentException("Every leg of an arbitrage buys a complementary instrument.", nameof(opportunity));
        }

        if (opportunity.PayoutPerSet <= 0m) throw new ArgumentException("A set must pay something at settlement.", nameof(opportunity));

        var now = _time.GetUtcNow();
        Prune(now);
        var scope = ExecutionScope.Of(opportunity);
        if (scope is { } busy && _activeByScope.TryGetValue(busy, out var running))
        {
            refusal = $"{busy} is still executing opportunity {running.Opportunity.Id}";
            return false;
        }
        // Indexed, not foreach: Legs is an IReadOnlyList, whose enumerator is an object per call on the order path.
        for (var i = 0; i < opportunity.Legs.Count; i++)
        {
            var leg = opportunity.Legs[i];
            if (!_gateways.ContainsKey(leg.Venue))
            {
                refusal = $"no order gateway for {leg.Venue.DisplayName()}";
                return false;
            }
        }
        // Ids derive from the opportunity: executing it twice would reuse them and the venue would drop the orders.
        if (!_startedOpportunities.Add(opportunity.Id))
        {
            refusal = $"opportunity {opportunity.Id} was executed already";
            return false;
        }

        var legs = new LegState[opportunity.Legs.Count];
        for (var i = 0; i < legs.Length; i++)
        {
            var leg = opportunity.Legs[i];
            // Every leg of a multi-outcome set is on one venue: name the outcome too, or the summary cannot tell them apart.
            legs[i] = new LegState(i, leg, OutcomeName(leg.Instrument, withLabel: opportunity.EventKey is not null));
        }
        var execution = new ArbitrageExecution(opportunity, quantity, _limits(), legs, SendOrder(opportunity, quantity), now);
        _active++;
        if (scope is { } key)
        {
            _activeByScope[key] = execution;
            _lastTradeAt[key] = now;
        }

        var first = execution.FirstLeg;
        Send(execution, first, OrderRole.FirstLeg, Side.Buy, first.Leg.WorstPrice, quantity);
        // Counted once the first order has left: the dashboard's copy (a new record) is not needed before it.
        Publish(_stats with { Attempted = _stats.Attempted + 1 });
        refusal = null;
        return true;
    }

    /// <inheritdoc />
    public void OnOrderUpdate(OrderUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (!_orders.TryGetValue(update.ClientOrderId, out var order))
        {
            if (_finished.TryFind(update.ClientOrderId, out var finished))
            {
                // A venue may count a fill after we gave the order up even if its details never come.
                ref var kept = ref _finished.ValueOf(finished);
                if (update.FilledQuantity > kept.ReportedFilled) kept.ReportedFilled = update.FilledQuantity;
                ReportLateFills(finished);
            }
            else if (update.FilledQuantity > 0m && WasForgottenAtCap(update.ClientOrderId, out var opportunityId))
            {
                // A count alone cannot be told from one already accounted for: said loudly; its fills are reported.
                _logger.LogError("Order {ClientOrderId} of opportunity {OpportunityId} reports {Filled} filled after the cap on finished orders (MaxFinishedOrders {Cap}) forgot it; its fills will be reported as unhedged exposure",
                    update.ClientOrderId, opportunityId, update.FilledQuantity, _options.MaxFinishedOrders);
            }
            return;
        }
        if (update.FilledQuantity > order.ReportedFilled) order.ReportedFilled = update.FilledQuantity;
        switch (update.Status)
        {
            case OrderStatus.New:
                break;
            case OrderStatus.Submitted:
                Transition(order, OrderStatus.Submitted, update.Reason);
                break;
            case OrderStatus.PartiallyFilled:
            case OrderStatus.Filled:
                RecordFillProgress(order, update.Reason);
                break;
            default:
                // A final answer: record any fills it reports first, so the journal shows them before the end.
                RecordFillProgress(order, null);
                Transition(order, update.Status, update.Reason);
                break;
        }
        TrySettle(order);
    }

    /// <inheritdoc />
    public void OnFill(Fill fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        if (!_orders.TryGetValue(fill.ClientOrderId, out var order))
        {
            if (_finished.TryFind(fill.ClientOrderId, out var finished))
            {
                if (!TryRememberLateFill(fill, finished)) return;
                ref var kept = ref _finished.ValueOf(finished);
                kept.FillQuantity += fill.Quantity;
                _journal.OnFill(fill, kept.OpportunityId, kept.PairId);
                ReportLateFills(finished);
            }
            else if (WasForgottenAtCap(fill.ClientOrderId, out var opportunityId) && TryRememberLateFill(fill, -1))
            {
                ReportForgottenFill(fill, opportunityId);
            }
            return;
        }
        if (!order.TryAddFill(fill)) return;
        var execution = order.Execution;
        _journal.OnFill(fill, execution.Opportunity.Id, execution.PairId);
        if (execution.LastFillAt is not { } last || fill.Time > last) execution.LastFillAt = fill.Time;
        RecordFillProgress(order, null);
        TrySettle(order);
    }

    // ---- sending -------------------------------------------------------------------------------------------------

    /// <summary>
    /// The leg likelier to fail goes first, so that when it misses nothing has been bought. Likeliest to fail is the
    /// quote the market has not confirmed lately: an opportunity is usually found when one book moves, and the price it
    /// is measured against on the other venue (the older book: the slower venue) is the one about to move. Among books
    /// of about the same age, the thinner book (least depth within its limit for the quantity) goes first, then the
    /// venue expected to be slower.
    /// </summary>
    private int[] SendOrder(Opportunity opportunity, decimal quantity)
    {
        // On the stack for the usual handful of legs: the sort keys live only for this call.
        var keys = opportunity.Legs.Count <= 16
            ? stackalloc (long AgeBucket, decimal Cover, TimeSpan Latency, int Index)[opportunity.Legs.Count]
            : new (long AgeBucket, decimal Cover, TimeSpan Latency, int Index)[opportunity.Legs.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            var leg = opportunity.Legs[i];
            // The live book says more than the detection snapshot: it may have thinned since.
            var book = _hub.TryGetBook(leg.Instrument);
            var depth = book is { IsStale: false } ? book.SizeWithin(BookSide.Ask, leg.WorstPrice) : leg.DepthWithinWorst;
            keys[i] = (leg.BookAge.Ticks / SameAge.Ticks, depth / quantity, _options.ExpectedLatency.GetValueOrDefault(leg.Venue), i);
        }
        // A handful of legs, sorted in place on the way to the first order: an insertion sort, no LINQ pipeline.
        for (var i = 1; i < keys.Length; i++)
        {
            var key = keys[i];
            var j = i - 1;
            for (; j >= 0 && SendsBefore(key, keys[j]); j--) keys[j + 1] = keys[j];
            keys[j + 1] = key;
        }
        var order = new int[keys.Length];
        for (var i = 0; i < order.Length; i++) order[i] = keys[i].Index;
        return order;
    }

    /// <summary>Older book first, then less cover, then the slower venue, then the leg's place in the opportunity.</summary>
    private static bool SendsBefore((long AgeBucket, decimal Cover, TimeSpan Latency, int Index) a, (long AgeBucket, decimal Cover, TimeSpan Latency, int Index) b)
    {
        if (a.AgeBucket != b.AgeBucket) return a.AgeBucket > b.AgeBucket;
        if (a.Cover != b.Cover) return a.Cover < b.Cover;
        if (a.Latency != b.Latency) return a.Latency > b.Latency;
        return a.Index < b.Index;
    }

    /// <summary>Book ages closer than this count as the same when choosing the first leg.</summary>
    private static readonly TimeSpan SameAge = TimeSpan.FromMilliseconds(50);

    private void Send(ArbitrageExecution execution, LegState leg, OrderRole role, Side side, Price limit, decimal quantity)
    {
        leg.Attempts++;
        var id = ClientOrderId(execution.Opportunity.Id, leg.Index, leg.Attempts);
        var request = new OrderRequest(id, leg.Leg.Instrument, side, limit, quantity, TimeInForce.Ioc);
        var order = new TrackedOrder(execution, leg, role, request, _time.GetUtcNow());
        _orders.Add(id, order);
        leg.Orders.Add(order);
        execution.PendingOrders++;
        if (execution.Scope is { } scope) _inFlightByScope[scope] = _inFlightByScope.GetValueOrDefault(scope) + 1;

        var gateway = _gateways[leg.Leg.Venue];
        ValueTask placing;
        try
        {
            placing = gateway.PlaceAsync(request, CancellationToken.None);
        }
        catch (Exception ex)
        {
            ArmTimeout(order);
            OnSendFailed(order, ex);
            return;
        }
        // The timeout is armed once the order has left, not on the way to the venue: creating a timer takes the runtime's
        // timer-queue lock and allocates, and nothing can answer the order before the hub's thread runs again (gateways
        // report through the hub's queue), so arming it a moment later changes nothing but the order's latency.
        ArmTimeout(order);
        if (placing.IsCompletedSuccessfully) return;
        if (placing.IsCompleted)
        {
            try
            {
                placing.GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                OnSendFailed(order, ex);
            }
            return;
        }
        _ = ObservePlacementAsync(placing, order);
    }

    private void ArmTimeout(TrackedOrder order) => order.Timer = StartTimer(new OrderTimeoutWork(this, order), order.Execution.Limits.OrderTimeout);

    /// <summary>
    /// "o{opportunity}-l{leg}-a{attempt}", formatted on the stack: the interpolated <c>string.Create</c> it replaces rented
    /// and returned a pooled buffer for every order on its way to the venue. The text is the same.
    /// </summary>
    internal static string ClientOrderId(long opportunityId, int legIndex, int attempt)
    {
        // At most 1 + 20 + 2 + 11 + 2 + 11 characters.
        Span<char> text = stackalloc char[48];
        if (!text.TryWrite(CultureInfo.InvariantCulture, $"o{opportunityId}-l{legIndex}-a{attempt}", out var written))
        {
            throw new InvalidOperationException("An order id did not fit its buffer.");
        }
        return new string(text[..written]);
    }

    private async Task ObservePlacementAsync(ValueTask placing, TrackedOrder order)
    {
        try
        {
            await placing.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Post(new SendFailedWork(this, order, ex));
        }
    }

    /// <summary>
    /// The gateway threw: the order may or may not have reached the venue. It stays unknown (in flight) and is
    /// cancelled at once by its id; the venue's answer, or the timeout and grace, settle it.
    /// </summary>
    private void OnSendFailed(TrackedOrder order, Exception ex)
    {
        _logger.LogWarning(ex, "Sending order {ClientOrderId} to {Venue} failed; its outcome is unknown until it answers or expires",
            order.Request.ClientOrderId, order.Venue.DisplayName());
        order.SendError = ex.Message;
        if (!order.Status.IsFinal()) RequestCancel(order);
    }

    private void RequestCancel(TrackedOrder order)
    {
        order.CancelRequested = true;
        var gateway = _gateways[order.Venue];
        try
        {
            var cancelling = gateway.CancelAsync(order.Request.ClientOrderId, CancellationToken.None);
            if (!cancelling.IsCompletedSuccessfully) _ = ObserveCancelAsync(cancelling, order.Request.ClientOrderId);
        }
        catch (Exception ex)
        {
            // The expiry after the grace period settles the order whether or not the cancel got through.
            _logger.LogWarning(ex, "Cancelling order {ClientOrderId} failed", order.Request.ClientOrderId);
        }
    }

    private async Task ObserveCancelAsync(ValueTask cancelling, string clientOrderId)
    {
        try
        {
            await cancelling.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Cancelling order {ClientOrderId} failed", clientOrderId);
        }
    }

    // ---- the state machine ---------------------------------------------------------------------------------------

    private bool Transition(TrackedOrder order, OrderStatus to, string? reason)
    {
        var from = order.Status;
        if (!OrderStateMachine.IsLegal(from, to)) return false;
        order.Status = to;
        order.RecordedFilled = order.Filled;
        if (reason is not null) order.LastReason = reason;
        var request = order.Request;
        var execution = order.Execution;
        _journal.OnOrderTransition(new OrderTransition(request.ClientOrderId, execution.Opportunity.Id, execution.PairId, order.Role,
            order.Venue, request.Instrument, request.Side, request.LimitPrice, request.Quantity, request.TimeInForce, from, to,
            order.Filled, reason, _time.GetUtcNow(), order.SentAt));
        if (to.IsFinal() && execution.Scope is { } scope)
        {
            var left = _inFlightByScope.GetValueOrDefault(scope) - 1;
            if (left > 0) _inFlightByScope[scope] = left;
            else _inFlightByScope.Remove(scope);
        }
        return true;
    }

    /// <summary>Moves a live order to partially filled or filled when its filled quantity grew.</summary>
    private void RecordFillProgress(TrackedOrder order, string? reason)
    {
        if (order.Status.IsFinal() || order.Filled <= order.RecordedFilled) return;
        // Some venues send the first fill before (or instead of) the acknowledgement.
        if (order.Status == OrderStatus.New) Transition(order, OrderStatus.Submitted, "implied by a fill");
        Transition(order, order.Filled >= order.Request.Quantity ? OrderStatus.Filled : OrderStatus.PartiallyFilled, reason);
    }

    private void OnOrderTimeout(TrackedOrder order)
    {
        if (order.Settled) return;
        order.Timer?.Dispose();
        if (!order.Status.IsFinal())
        {
            _logger.LogWarning("Order {ClientOrderId} on {Venue} has no final state after {Timeout}; cancelling",
                order.Request.ClientOrderId, order.Venue.DisplayName(), order.Execution.Limits.OrderTimeout);
            RequestCancel(order);
        }
        order.Timer = StartTimer(new OrderExpiryWork(this, order), _options.ExpiryGrace);
    }

    private void OnOrderExpiry(TrackedOrder order)
    {
        if (order.Settled) return;
        order.GraceElapsed = true;
        if (!order.Status.IsFinal())
        {
            var timeout = order.Execution.Limits.OrderTimeout + _options.ExpiryGrace;
            var detail = order.SendError is { } error ? $"sending failed ({error}) and " : "";
            Transition(order, OrderStatus.Expired, string.Create(CultureInfo.InvariantCulture,
                $"{detail}no final state from {order.Venue.DisplayName()} within {timeout.TotalSeconds:0.###} s; taken as filled {order.Filled:0.####} and no more"));
        }
        else
        {
            _logger.LogWarning("Order {ClientOrderId} reported {Filled} filled but sent fills for only {Fills}; the rest is priced at its limit",
                order.Request.ClientOrderId, order.Filled, order.Fills.Sum(f => f.Quantity));
        }
        TrySettle(order);
    }

    private void TrySettle(TrackedOrder order)
    {
        if (order.Settled || !order.Status.IsFinal()) return;
        // A final update may overtake its fills; wait for them, but never past the grace period.
        // FillQuantity is the fills' quantities added in the order they came, as a Sum over them would (without its enumerator).
        if (order.FillQuantity < order.Filled && !order.GraceElapsed)
        {
            if (order.Timer is null) order.Timer = StartTimer(new OrderExpiryWork(this, order), _options.ExpiryGrace);
            return;
        }
        order.Settled = true;
        order.Timer?.Dispose();
        order.Timer = null;
        var execution = order.Execution;
        if (execution.IsComplete) return;
        execution.PendingOrders--;
        Advance(execution);
    }

    // ---- the execution's course ----------------------------------------------------------------------------------

    private void Advance(ArbitrageExecution execution)
    {
        if (execution.IsComplete || execution.PendingOrders > 0 || execution.RetryTimer is not null) return;
        if (execution.Phase == ExecutionPhase.FirstLeg)
        {
            var filled = execution.FirstLeg.Net;
            if (filled <= 0m)
            {
                Complete(execution);
                return;
            }
            execution.Phase = ExecutionPhase.LaterLegs;
            execution.MatchTarget = filled;
            var tolerance = (int)(execution.Limits.SlippageTolerance * Price.Scale);
            var sent = false;
            foreach (var index in execution.SendOrder.AsSpan(1))
            {
                var leg = execution.Legs[index];
                // Each venue takes its own increments (Kalshi whole contracts): send what it accepts; the rest is
                // the first leg's excess, unwound below.
                var quantity = MarketOf(leg).RoundDownToStep(filled);
                if (!MarketOf(leg).IsTradableQuantity(quantity)) continue;
                var tick = TickOf(leg.Leg.Instrument);
                var limit = tick.Floor(Price.FromUnits(Math.Min(Price.Scale, leg.Leg.WorstPrice.Units + tolerance)));
                if (limit > tick.MaxPrice) limit = tick.MaxPrice;
                Send(execution, leg, OrderRole.SecondLeg, Side.Buy, limit, quantity);
                sent = true;
            }
            if (!sent) Rebalance(execution);
            return;
        }
        Rebalance(execution);
    }

    /// <summary>After the later legs (or a hedge or unwind round): match the legs, by buying the short or selling the long.</summary>
    private void Rebalance(ArbitrageExecution execution)
    {
        var now = _time.GetUtcNow();
        if (execution.Phase == ExecutionPhase.LaterLegs && execution.HedgeDeadline == DateTimeOffset.MaxValue)
        {
            execution.HedgeDeadline = now + execution.Limits.OrderTimeout;
        }
        // A loop, not Max/Min over the array as an IEnumerable (an enumerator object each, per fill and update).
        var max = decimal.MinValue;
        var min = decimal.MaxValue;
        foreach (var leg in execution.Legs)
        {
            var net = leg.Net;
            if (net > max) max = net;
            if (net < min) min = net;
        }
        if (max == min || now >= execution.HedgeDeadline)
        {
            Complete(execution);
            return;
        }

        if ((execution.Phase is ExecutionPhase.LaterLegs or ExecutionPhase.Hedge) && execution.HedgeRounds < _options.MaxHedgeAttempts)
        {
            var retries = new List<(LegState Leg, Price Limit, decimal Quantity)>();
            foreach (var leg in execution.Legs)
            {
                if (leg.Net >= max) continue;
                var quantity = MarketOf(leg).RoundDownToStep(max - leg.Net);
                if (!MarketOf(leg).IsTradableQuantity(quantity) || !TryPriceHedge(execution, leg, out var limit))
                {
                    retries = null;
                    break;
                }
                retries.Add((leg, limit, quantity));
            }
            if (retries is not null)
            {
                execution.Phase = ExecutionPhase.Hedge;
                execution.HedgeRounds++;
                foreach (var (leg, limit, quantity) in retries) Send(execution, leg, OrderRole.Hedge, Side.Buy, limit, quantity);
                return;
            }
        }

        execution.Phase = ExecutionPhase.Unwind;
        // An excess the venue cannot take (below its minimum order or its increment) can never be sold back: it is a
        // residual now, not after a loop of refused orders.
        var tradable = execution.Legs
            .Select(leg => (Leg: leg, Excess: MarketOf(leg).RoundDownToStep(leg.Net - min)))
            .Where(x => MarketOf(x.Leg).IsTradableQuantity(x.Excess))
            .ToList();
        if (tradable.Count == 0 || execution.UnwindRounds >= _options.MaxHedgeAttempts)
        {
            Complete(execution);
            return;
        }
        // Rounds after the first wait for the retry interval: a venue that refused an order is not asked again at once.
        if (execution.UnwindRounds > 0 && !execution.RetryFired)
        {
            ScheduleRetry(execution, now);
            return;
        }
        execution.RetryFired = false;
        var sent = false;
        foreach (var (leg, excess) in tradable)
        {
            if (!TryPriceUnwind(leg, excess, out var limit)) continue;
            if (!sent) execution.UnwindRounds++;
            Send(execution, leg, OrderRole.Unwind, Side.Sell, limit, excess);
            sent = true;
        }
        // Nothing to sell into right now: look again shortly, until the deadline leaves the residual in place.
        if (!sent) ScheduleRetry(execution, now);
    }

    private void ScheduleRetry(ArbitrageExecution execution, DateTimeOffset now)
    {
        var wait = execution.HedgeDeadline - now;
        execution.RetryTimer = StartTimer(new RetryWork(this, execution), wait < _options.RetryInterval ? wait : _options.RetryInterval);
    }

    private Market MarketOf(LegState leg) => _hub.Registry.MarketOf(leg.Leg.Instrument);

    /// <summary>
    /// The highest price for the short leg that keeps a completed set's loss within the maximum hedge loss (what the
    /// other legs paid, plus fees, at most the set's payout + MaxHedgeLoss), provided the live book offers something there.
    /// </summary>
    private bool TryPriceHedge(ArbitrageExecution execution, LegState leg, out Price limit)
    {
        limit = default;
        var book = _hub.TryGetBook(leg.Leg.Instrument);
        if (book is null || book.IsStale) return false;
        var others = execution.Legs.Where(l => l != leg).Sum(l => l.AverageBuyPrice);
        var ceiling = execution.Opportunity.PayoutPerSet + execution.Limits.MaxHedgeLoss - others - execution.FeePerSetEstimate;
        var tick = book.TickSize;
        if (ceiling < tick.MinPrice.Value) return false;
        // Truncating toward zero rounds the ceiling down, never past the loss limit.
        var cap = tick.Floor(Price.FromUnits(Math.Min(Price.Scale, (int)(ceiling * Price.Scale))));
        if (cap > tick.MaxPrice) cap = tick.MaxPrice;
        if (book.SizeWithin(BookSide.Ask, cap) <= 0m) return false;
        limit = cap;
        return true;
    }

    /// <summary>The lowest bid the excess reaches when walking the live book down, or false when there is no bid.</summary>
    private bool TryPriceUnwind(LegState leg, decimal excess, out Price limit)
    {
        limit = default;
        var book = _hub.TryGetBook(leg.Leg.Instrument);
        if (book is null || book.IsStale || !book.HasBid) return false;
        var walk = book.Walk(Side.Sell, excess, book.TickSize.MinPrice);
        if (walk.Filled <= 0m) return false;
        limit = walk.WorstPrice;
        return true;
    }

    private void OnRetry(ArbitrageExecution execution)
    {
        execution.RetryTimer?.Dispose();
        execution.RetryTimer = null;
        execution.RetryFired = true;
        Advance(execution);
    }

    private void Complete(ArbitrageExecution execution)
    {
        var now = _time.GetUtcNow();
        execution.Phase = ExecutionPhase.Done;
        execution.CompletedAt = now;
        execution.RetryTimer?.Dispose();
        execution.RetryTimer = null;

        var outcome = ExecutionReport.Build(execution, now);
        foreach (var leg in execution.Legs)
        {
            foreach (var order in leg.Orders) order.AccountedFilled = order.Filled;
        }
        var opportunity = execution.Opportunity;
        if (outcome.Kind == ExecutionOutcomeKind.Residual)
        {
            foreach (var leg in execution.Legs)
            {
                var residual = leg.Net - outcome.HedgedQuantity;
                if (residual <= 0m) continue;
                var detail = string.Create(CultureInfo.InvariantCulture,
                    $"{residual:0.####} {leg.OutcomeName} on {leg.Leg.Venue.DisplayName()} left unhedged by opportunity {opportunity.Id}: could neither hedge nor sell back within {execution.Limits.OrderTimeout.TotalSeconds:0.###} s");
                AddUnhedged(execution.PairId, leg.Leg.Instrument, residual, detail);
            }
        }

        _active--;
        if (execution.Scope is { } scope) _activeByScope.Remove(scope);
        // Every order is settled by now (an execution ends only with none pending): keep what a late fill needs.
        _completed.Enqueue(new FinishedExecution(opportunity.Id, now.UtcTicks, Finish(execution, now)));
        if (outcome.IsFailure) _failures.Enqueue(now);
        CountOutcome(outcome);

        var log = outcome.Kind is ExecutionOutcomeKind.Residual ? LogLevel.Error : LogLevel.Information;
        // Checked first: the call boxes its arguments into a new array whether or not the level is enabled.
        if (_logger.IsEnabled(log))
        {
            _logger.Log(log, "Execution of opportunity {OpportunityId} ended {Kind}: {Summary}", opportunity.Id, outcome.Kind, outcome.Summary);
        }
        _journal.OnExecutionCompleted(outcome);
        Completed?.Invoke(outcome);
    }

    /// <summary>Finished orders forgotten because <see cref="ArbitrageExecutorOptions.MaxFinishedOrders"/> was reached before their window ended. Hub thread.</summary>
    public long FinishedOrdersForgottenAtCap => _forgottenAtCap;

    /// <summary>Finished orders remembered now (for late fills). Hub thread.</summary>
    public int FinishedOrdersRemembered => _finished.Count;

    /// <summary>
    /// Moves an ended execution's orders from <see cref="_orders"/> to <see cref="_finished"/>, slimmed down, with their
    /// fills' ids; returns the end of their sequences. Forgets the oldest executions first when the cap would be passed.
    /// </summary>
    private long Finish(ArbitrageExecution execution, DateTimeOffset now)
    {
        var count = 0;
        foreach (var leg in execution.Legs) count += leg.Orders.Count;
        // Whole executions are forgotten, oldest first, so an opportunity's orders are remembered together or not at all.
        while (_finished.Count > 0 && _finished.Count + count > _options.MaxFinishedOrders) ForgetOldestExecution(now, atCap: true);
        var ticks = now.UtcTicks;
        foreach (var leg in execution.Legs)
        {
            foreach (var order in leg.Orders)
            {
                var id = order.Request.ClientOrderId;
                _orders.Remove(id);
                var sequence = _finished.Add(id, ticks, new FinishedOrder(order));
                foreach (var fill in order.Fills) RememberFill(fill.FillId, ticks, sequence, now);
            }
        }
        return _finished.Next;
    }

    /// <summary>False for a fill id already remembered (a resend); else remembers it under <paramref name="order"/>.</summary>
    private bool TryRememberLateFill(Fill fill, long order)
    {
        // One venue's fill id on another order is a different fill (ids are per venue): not refused, not remembered twice.
        if (_finishedFills.TryFind(fill.FillId, out var seen)) return _finishedFills.ValueOf(seen) != order;
        var now = _time.GetUtcNow();
        RememberFill(fill.FillId, now.UtcTicks, order, now);
        return true;
    }

    private void RememberFill(string fillId, long ticks, long order, DateTimeOffset now)
    {
        if (_finishedFills.TryFind(fillId, out _)) return;
        _finishedFills.Add(fillId, ticks, order);
        // Twice the orders' cap: orders have a fill or two. Were a fill of a remembered order to be forgotten, the
        // order (and those before it) goes with it, so a resend of a fill is never taken for a new one.
        while (_finishedFills.Count > 2 * _options.MaxFinishedOrders)
        {
            var oldest = _finishedFills.ValueOf(_finishedFills.Oldest);
            _finishedFills.ForgetOldest();
            while (oldest >= _finished.Oldest && _completed.Count > 0) ForgetOldestExecution(now, atCap: true);
        }
    }

    /// <summary>Forgets the oldest finished execution, its orders and the fills of orders no longer remembered.</summary>
    private void ForgetOldestExecution(DateTimeOffset now, bool atCap)
    {
        var done = _completed.Dequeue();
        _startedOpportunities.Remove(done.OpportunityId);
        var forgotten = 0;
        while (_finished.Oldest < done.OrdersEnd)
        {
            _finished.ForgetOldest();
            forgotten++;
        }
        while (_finishedFills.Count > 0)
        {
            var order = _finishedFills.ValueOf(_finishedFills.Oldest);
            var stale = order >= 0 ? order < _finished.Oldest : _finishedFills.TimeOf(_finishedFills.Oldest) + _options.RetainCompletedFor.Ticks < now.UtcTicks;
            if (!stale) break;
            _finishedFills.ForgetOldest();
        }
        if (!atCap || forgotten == 0) return;
        var until = done.CompletedAtTicks + _options.RetainCompletedFor.Ticks;
        if (until <= now.UtcTicks) return;
        if (_forgottenAtCapUntilTicks < now.UtcTicks)
        {
            // A new stretch at the cap: said once, loudly (a late fill of these orders is reported as exposure).
            _forgottenAtCapFrom = long.MaxValue;
            _forgottenAtCapThrough = long.MinValue;
            _logger.LogWarning("More than {Cap} finished orders within {Window}: forgetting the oldest (opportunity {OpportunityId}) before their window ends; a late fill of a forgotten order is reported as unhedged exposure without its pair",
                _options.MaxFinishedOrders, _options.RetainCompletedFor, done.OpportunityId);
        }
        _forgottenAtCapFrom = Math.Min(_forgottenAtCapFrom, done.OpportunityId);
        _forgottenAtCapThrough = Math.Max(_forgottenAtCapThrough, done.OpportunityId);
        _forgottenAtCapUntilTicks = Math.Max(_forgottenAtCapUntilTicks, until);
        _forgottenAtCap += forgotten;
    }

    /// <summary>
    /// True when <paramref name="clientOrderId"/> has this executor's form (<c>o{opportunity}-l{leg}-a{attempt}</c>)
    /// and its opportunity is among those the cap forgot while their window had not ended.
    /// </summary>
    private bool WasForgottenAtCap(string clientOrderId, out long opportunityId)
    {
        opportunityId = 0;
        if (_forgottenAtCapUntilTicks < _time.GetUtcNow().UtcTicks) return false;
        var id = clientOrderId.AsSpan();
        if (id.Length < 7 || id[0] != 'o') return false;
        var legAt = id.IndexOf("-l", StringComparison.Ordinal);
        if (legAt < 2 || !long.TryParse(id[1..legAt], NumberStyles.None, CultureInfo.InvariantCulture, out opportunityId)) return false;
        var rest = id[(legAt + 2)..];
        var attemptAt = rest.IndexOf("-a", StringComparison.Ordinal);
        if (attemptAt < 1 || !int.TryParse(rest[..attemptAt], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            || !int.TryParse(rest[(attemptAt + 2)..], NumberStyles.None, CultureInfo.InvariantCulture, out _)) return false;
        return opportunityId >= _forgottenAtCapFrom && opportunityId <= _forgottenAtCapThrough;
    }

    /// <summary>A fill of an order the cap forgot: journaled and reported whole as unhedged exposure (its pair is not known any more).</summary>
    private void ReportForgottenFill(Fill fill, long opportunityId)
    {
        _journal.OnFill(fill, opportunityId, null);
        var side = fill.Side;
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"late fill: {side.ToString().ToUpperInvariant()} {fill.Quantity:0.####} {OutcomeName(fill.Instrument, withLabel: false)} on {fill.Venue.DisplayName()} for order {fill.ClientOrderId} of opportunity {opportunityId}, which was no longer remembered (more than {_options.MaxFinishedOrders} finished orders since): reported whole, pair unknown");
        AddUnhedged(null, fill.Instrument, side == Side.Buy ? fill.Quantity : -fill.Quantity, detail);
    }

    /// <summary>Reports what an order of a finished execution filled beyond what its outcome counted.</summary>
    private void ReportLateFills(long sequence)
    {
        ref var order = ref _finished.ValueOf(sequence);
        var late = order.Filled - order.AccountedFilled;
        if (late <= 0m) return;
        order.AccountedFilled = order.Filled;
        var side = order.Side;
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"late fill: {side.ToString().ToUpperInvariant()} {late:0.####} {OutcomeName(order.Instrument, order.OutcomeWithLabel)} on {order.Venue.DisplayName()} for order {_finished.IdOf(sequence)} after the execution of opportunity {order.OpportunityId} had ended");
        AddUnhedged(order.PairId, order.Instrument, side == Side.Buy ? late : -late, detail);
    }

    private void AddUnhedged(long? pairId, InstrumentId instrument, decimal quantity, string detail)
    {
        var key = (pairId, instrument);
        var total = _unhedged.GetValueOrDefault(key) + quantity;
        if (total == 0m) _unhedged.Remove(key);
        else _unhedged[key] = total;
        _logger.LogError("Unhedged exposure on pair {PairId}, instrument {Instrument}: {Quantity} ({Detail})", pairId, instrument, total, detail);
        _journal.OnUnhedgedExposure(pairId, instrument, total, detail);
    }

    private void CountOutcome(ExecutionOutcome outcome)
    {
        var s = _stats;
        var executed = s.Executed + (outcome.Executed ? 1 : 0);
        if (outcome.Executed) _detectionToFillTicks += outcome.DetectionToLastFill.Ticks;
        Publish(s with
        {
            Executed = executed,
            HedgedWithinSlippage = s.HedgedWithinSlippage + (outcome.Kind == ExecutionOutcomeKind.Hedged ? 1 : 0),
            HedgedBeyondSlippage = s.HedgedBeyondSlippage + (outcome.Kind == ExecutionOutcomeKind.HedgedBeyondSlippage ? 1 : 0),
            Unwound = s.Unwound + (outcome.Kind == ExecutionOutcomeKind.Unwound ? 1 : 0),
            Residual = s.Residual + (outcome.Kind == ExecutionOutcomeKind.Residual ? 1 : 0),
            NotFilled = s.NotFilled + (outcome.Kind == ExecutionOutcomeKind.NotFilled ? 1 : 0),
            Failures = s.Failures + (outcome.IsFailure ? 1 : 0),
            Profitable = s.Profitable + (outcome.Executed && outcome.LockedProfit > 0m ? 1 : 0),
            AverageDetectionToLastFill = executed > 0 ? TimeSpan.FromTicks(_detectionToFillTicks / executed) : null,
        });
    }

    private void Publish(ExecutionStats stats) => Volatile.Write(ref _stats, stats);

    /// <summary>Forgets finished executions' orders after the retention window; the circuit breaker needs a day at most.</summary>
    private void Prune(DateTimeOffset now)
    {
        var before = (now - _options.RetainCompletedFor).UtcTicks;
        while (_completed.TryPeek(out var done) && done.CompletedAtTicks < before) ForgetOldestExecution(now, atCap: false);
        while (_failures.TryPeek(out var at) && at < now - TimeSpan.FromDays(1)) _failures.Dequeue();
    }

    private TickSize TickOf(InstrumentId instrument) => _hub.TryGetBook(instrument)?.TickSize ?? _hub.Registry[instrument].TickSize;

    private string OutcomeName(InstrumentId instrument, bool withLabel)
    {
        if ((uint)instrument.Value >= (uint)_hub.Registry.Count) return instrument.ToString();
        var side = _hub.Registry[instrument].IsYes ? "YES" : "NO";
        if (!withLabel) return side;
        // A multi-outcome execution names every leg "NO <label>": the name is kept per instrument, made again only when
        // the registry holds a different market record for it (a rediscovery may rename the outcome), instead of a new
        // string per leg on the way to the first order.
        var market = _hub.Registry.MarketOf(instrument);
        if ((uint)instrument.Value >= (uint)_labelledNames.Length)
        {
            Array.Resize(ref _labelledNames, Math.Max(instrument.Value + 1, _labelledNames.Length * 2));
        }
        ref var kept = ref _labelledNames[instrument.Value];
        if (!ReferenceEquals(kept.Market, market)) kept = (market, $"{side} {market.OutcomeLabel}");
        return kept.Name;
    }

    private (Market? Market, string Name)[] _labelledNames = [];

    // ---- timers and hub work -------------------------------------------------------------------------------------

    /// <summary>A one-shot timer whose callback only posts <paramref name="work"/> to the hub: state is touched there.</summary>
    private ITimer StartTimer(IHubWork work, TimeSpan due) =>
        _time.CreateTimer(static state => ((TimerTarget)state!).Fire(), new TimerTarget(this, work),
            due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);

    private void Post(IHubWork work) => _hub.Post(work);

    private sealed class TimerTarget(ArbitrageExecutor executor, IHubWork work)
    {
        public void Fire() => executor.Post(work);
    }

    private sealed class OrderTimeoutWork(ArbitrageExecutor executor, TrackedOrder order) : IHubWork
    {
        public void Execute(MarketDataHub hub) => executor.OnOrderTimeout(order);
    }

    private sealed class OrderExpiryWork(ArbitrageExecutor executor, TrackedOrder order) : IHubWork
    {
        public void Execute(MarketDataHub hub) => executor.OnOrderExpiry(order);
    }

    private sealed class RetryWork(ArbitrageExecutor executor, ArbitrageExecution execution) : IHubWork
    {
        public void Execute(MarketDataHub hub) => executor.OnRetry(execution);
    }

    private sealed class SendFailedWork(ArbitrageExecutor executor, TrackedOrder order, Exception error) : IHubWork
    {
        public void Execute(MarketDataHub hub) => executor.OnSendFailed(order, error);
    }
}
