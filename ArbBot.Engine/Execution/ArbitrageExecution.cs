using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;

namespace ArbBot.Engine.Execution;

/// <summary>Where an execution stands.</summary>
internal enum ExecutionPhase : byte
{
    FirstLeg,
    LaterLegs,
    Hedge,
    Unwind,
    Done,
}

/// <summary>One execution of an opportunity: its legs, their orders and where it stands. Hub thread only.</summary>
internal sealed class ArbitrageExecution(Opportunity opportunity, decimal quantity, RiskLimits limits, LegState[] legs, int[] order, DateTimeOffset startedAt)
{
    public Opportunity Opportunity { get; } = opportunity;
    public decimal Quantity { get; } = quantity;
    /// <summary>The limits as they were when the execution started; a mid-flight edit does not change its rules.</summary>
    public RiskLimits Limits { get; } = limits;
    /// <summary>In the opportunity's leg order.</summary>
    public LegState[] Legs { get; } = legs;
    /// <summary>Leg indices in sending order: the leg likelier to fail first.</summary>
    public int[] SendOrder { get; } = order;
    public DateTimeOffset StartedAt { get; } = startedAt;
    public ExecutionPhase Phase { get; set; }
    public int PendingOrders { get; set; }
    public int HedgeRounds { get; set; }
    /// <summary>Unwind rounds sent so far; bounded like hedge rounds, and spaced by the retry interval.</summary>
    public int UnwindRounds { get; set; }
    /// <summary>True when the retry timer has just fired: the next unwind round may go now.</summary>
    public bool RetryFired { get; set; }
    /// <summary>When the hedge (retries, then unwinds) must be over; set once the later legs are known.</summary>
    public DateTimeOffset HedgeDeadline { get; set; } = DateTimeOffset.MaxValue;
    /// <summary>The quantity the later legs were sent for (what the first leg filled).</summary>
    public decimal MatchTarget { get; set; }
    public ITimer? RetryTimer { get; set; }
    public DateTimeOffset? LastFillAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    public long? PairId => Opportunity.PairId;
    /// <summary>What in-flight orders, the running execution and the last trade time are kept under (pair or event).</summary>
    public ExecutionScope? Scope { get; } = ExecutionScope.Of(opportunity);
    public bool IsComplete => Phase == ExecutionPhase.Done;
    public LegState FirstLeg => Legs[SendOrder[0]];

    /// <summary>The opportunity's fees per set, the best estimate of what a hedge retry's set will pay in fees.</summary>
    public decimal FeePerSetEstimate => Opportunity.Quantity > 0m ? Opportunity.Legs.Sum(l => l.Fee) / Opportunity.Quantity : 0m;
}

/// <summary>One leg of an execution and every order sent for it. Hub thread only.</summary>
internal sealed class LegState(int index, OpportunityLeg leg, string outcomeName)
{
    public int Index { get; } = index;
    public OpportunityLeg Leg { get; } = leg;
    /// <summary>"YES" or "NO", for summaries.</summary>
    public string OutcomeName { get; } = outcomeName;
    public List<TrackedOrder> Orders { get; } = [];
    public int Attempts { get; set; }

    // These run on the hub thread for every fill and order update of an execution (progress, hedging, the outcome):
    // plain loops over the orders in the order they were sent, adding what the LINQ pipelines they replace added, in the
    // same order, without an iterator and a delegate per call.

    /// <summary>Contracts held from this execution: bought minus sold back.</summary>
    public decimal Net
    {
        get
        {
            var net = 0m;
            foreach (var o in Orders) net += o.Request.Side == Side.Buy ? o.Filled : -o.Filled;
            return net;
        }
    }

    public decimal Bought => FilledOn(Side.Buy);
    public decimal BuyCost => NotionalOn(Side.Buy);
    public decimal Sold => FilledOn(Side.Sell);
    public decimal SellProceeds => NotionalOn(Side.Sell);

    public decimal Fees
    {
        get
        {
            var fees = 0m;
            foreach (var o in Orders) fees += o.Fees;
            return fees;
        }
    }

    public decimal AverageBuyPrice => Bought > 0m ? BuyCost / Bought : 0m;
    public decimal AverageSellPrice => Sold > 0m ? SellProceeds / Sold : 0m;

    public decimal FilledBy(OrderRole role)
    {
        var filled = 0m;
        foreach (var o in Orders)
        {
            if (o.Role == role) filled += o.Filled;
        }
        return filled;
    }

    private decimal FilledOn(Side side)
    {
        var filled = 0m;
        foreach (var o in Orders)
        {
            if (o.Request.Side == side) filled += o.Filled;
        }
        return filled;
    }

    private decimal NotionalOn(Side side)
    {
        var notional = 0m;
        foreach (var o in Orders)
        {
            if (o.Request.Side == side) notional += o.Notional;
        }
        return notional;
    }
}

/// <summary>One order of an execution and its state machine. Hub thread only.</summary>
internal sealed class TrackedOrder(ArbitrageExecution execution, LegState leg, OrderRole role, OrderRequest request, DateTimeOffset sentAt)
{
    public ArbitrageExecution Execution { get; } = execution;
    public LegState Leg { get; } = leg;
    public OrderRole Role { get; } = role;
    public OrderRequest Request { get; } = request;
    public VenueId Venue => Leg.Leg.Venue;
    public DateTimeOffset SentAt { get; } = sentAt;
    public OrderStatus Status { get; set; } = OrderStatus.New;
    /// <summary>The venue's cumulative filled quantity from its updates.</summary>
    public decimal ReportedFilled { get; set; }
    /// <summary>The filled quantity last written to the journal, so a repeated update records no new transition.</summary>
    public decimal RecordedFilled { get; set; }
    public List<Fill> Fills { get; } = [];
    public decimal FillQuantity { get; private set; }
    public string? LastReason { get; set; }
    public string? SendError { get; set; }
    public ITimer? Timer { get; set; }
    public bool CancelRequested { get; set; }
    public bool GraceElapsed { get; set; }
    /// <summary>The filled quantity already in the execution's outcome or reported as late exposure.</summary>
    public decimal AccountedFilled { get; set; }
    /// <summary>Final, with every fill it reported accounted for (or given up on): the execution may move on.</summary>
    public bool Settled { get; set; }

    /// <summary>The venue may report the count before the fills (or only fills); whichever knows more wins.</summary>
    public decimal Filled => Math.Max(ReportedFilled, FillQuantity);

    /// <summary>Filled contracts the venue counted but whose fill details never came; priced at the limit, the worst case.</summary>
    private decimal Unconfirmed => Filled - FillQuantity;

    public decimal Notional
    {
        get
        {
            var notional = 0m;
            foreach (var f in Fills) notional += f.Price.Value * f.Quantity;
            return notional + Unconfirmed * Request.LimitPrice.Value;
        }
    }

    public decimal Fees
    {
        get
        {
            var fees = 0m;
            foreach (var f in Fills) fees += f.Fee;
            return fees;
        }
    }

    /// <summary>False for a fill id this order has seen before (a resend).</summary>
    public bool TryAddFill(Fill fill)
    {
        // An order has a handful of fills: a scan of them, rather than a set of ids made for every order sent.
        foreach (var seen in Fills)
        {
            if (string.Equals(seen.FillId, fill.FillId, StringComparison.Ordinal)) return false;
        }
        Fills.Add(fill);
        FillQuantity += fill.Quantity;
        return true;
    }
}

/// <summary>
/// What is kept of an order once its execution has ended, for <see cref="ArbitrageExecutorOptions.RetainCompletedFor"/>
/// (at most <see cref="ArbitrageExecutorOptions.MaxFinishedOrders"/> of them): enough to recognise a late fill or a late
/// count, book it once and report it as unhedged exposure. A value, kept under its client id in the executor's
/// <c>RecentIdRing</c>; the ids of its fills are kept there too, in a second ring. Hub thread only.
/// </summary>
/// <remarks>
/// Holding the <see cref="TrackedOrder"/> instead kept its execution alive for the whole window (the opportunity and its
/// legs, every leg's orders, requests and fills: a few KB per execution); holding an object per order (session 9) still
/// kept an object, its id strings, a fill-id array and a dictionary entry per order, which every collection on the hub
/// had to promote out of gen 0 and mark again in every gen 1. As values in arrays there is nothing for it to trace.
/// </remarks>
internal struct FinishedOrder(TrackedOrder order)
{
    public long OpportunityId = order.Execution.Opportunity.Id;
    public long? PairId = order.Execution.PairId;
    public InstrumentId Instrument = order.Request.Instrument;
    public Side Side = order.Request.Side;
    public VenueId Venue = order.Venue;
    /// <summary>The outcome's name carries the market's label (multi-outcome sets), as the leg's did.</summary>
    public bool OutcomeWithLabel = order.Execution.Opportunity.EventKey is not null;
    /// <summary>The venue's cumulative filled quantity from its updates.</summary>
    public decimal ReportedFilled = order.ReportedFilled;
    public decimal FillQuantity = order.FillQuantity;
    /// <summary>The filled quantity already in the execution's outcome or reported as late exposure.</summary>
    public decimal AccountedFilled = order.AccountedFilled;

    /// <summary>Whichever of the venue's count and its fills knows more, as for a live order.</summary>
    public readonly decimal Filled => Math.Max(ReportedFilled, FillQuantity);
}

/// <summary>
/// An ended execution, kept until <see cref="CompletedAtTicks"/> + the retention window (or until the cap on finished
/// orders forgets it first): its orders are the finished-order ring's sequences below <see cref="OrdersEnd"/>.
/// </summary>
internal readonly record struct FinishedExecution(long OpportunityId, long CompletedAtTicks, long OrdersEnd);

/// <summary>
/// What executions are kept apart by: the approved pair of a cross-venue set, or the venue event of a multi-outcome set.
/// One execution per scope at a time; the risk gate's order-in-flight and cooldown rules read it.
/// </summary>
internal readonly record struct ExecutionScope(long? PairId, string? EventKey)
{
    public static ExecutionScope Pair(long pairId) => new(pairId, null);

    public static ExecutionScope Event(string eventKey) => new(null, eventKey);

    /// <summary>The opportunity's pair if it has one, else its event, else null (nothing to keep apart).</summary>
    public static ExecutionScope? Of(Strategies.Opportunity opportunity) =>
        opportunity.PairId is { } pairId ? Pair(pairId) : opportunity.EventKey is { } key ? Event(key) : null;

    public override string ToString() => PairId is { } id ? $"pair {id}" : $"event {EventKey}";
}
