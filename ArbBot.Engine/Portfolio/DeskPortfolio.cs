using System.ComponentModel.DataAnnotations;
using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;

namespace ArbBot.Engine.Portfolio;

/// <summary>
/// The desk's positions, cash and PnL, kept on the market-data hub's thread: positions per instrument (average cost,
/// fees, realized PnL on reductions), cost and open positions per market, complete sets and locked-in profit per pair,
/// cash per venue, unrealized PnL marked to the books' mids, equity, daily PnL from midnight in a configured zone, and
/// drawdown from peak equity. It answers the portfolio questions of the risk gate's <c>IRiskContext</c>.
/// </summary>
/// <remarks>
/// Named for the desk rather than "Portfolio" so it does not collide with its namespace. Fills arrive through a
/// <see cref="HubExecutionListener"/> (attach it there) or <see cref="ApplyFill"/>; a fill id seen before is ignored,
/// since a live venue may resend fills after a reconnect (ids are remembered a day, at most 200,000, and a fill older than
/// what is remembered is refused rather than risk booking it twice: <see cref="BookedFillIds"/>). Realized PnL includes every fee paid, so starting equity plus
/// realized plus unrealized PnL is always the current equity.
/// </remarks>
public sealed partial class DeskPortfolio : IHubExecutionHandler, IBookListener
{
    private readonly MarketDataHub _hub;
    private readonly InstrumentRegistry _registry;
    private readonly TimeProvider _time;
    private readonly TimeZoneInfo _dayZone;
    private readonly Dictionary<int, Position> _positions = [];

    /// <summary>The same positions in instrument id order (the snapshot's order); positions are never removed.</summary>
    private readonly List<Position> _positionsInIdOrder = [];
    private readonly Dictionary<VenueId, decimal> _cash = [];
    private readonly Dictionary<(VenueId, string), int> _openInstrumentsByMarket = [];
    private readonly Dictionary<long, List<TrackedSet>> _setsByPair = [];
    private readonly Dictionary<string, List<TrackedSet>> _setsByEvent = new(StringComparer.Ordinal);
    private readonly RecentFillIds _fillIds = new();
    private readonly Dictionary<long, int> _pairOrdinals = [];
    private readonly Dictionary<string, int> _eventOrdinals = new(StringComparer.Ordinal);
    private DateOnly _day;
    private decimal _dayStartEquity;
    private decimal _peakEquity;
    private decimal _equity;
    private decimal _totalExposure;
    private bool _equityDirty = true;
    /// <summary>Every term of the equity as it stands (each venue's cash, each set's value, each position's free rest), summed exactly.</summary>
    private readonly ExactDecimalSum _equityTerms = new();
    /// <summary>The group of sets sharing instruments each instrument belongs to, by instrument id (null: in no set).</summary>
    private EquityGroup?[] _groupOf = [];
    /// <summary>Contracts not yet counted in a complete set, by instrument id: the valuations' scratch, reused.</summary>
    private decimal[] _freeScratch = [];

    /// <summary>Creates the portfolio from validated options.</summary>
    public DeskPortfolio(MarketDataHub hub, PortfolioOptions options)
        : this(hub, Validated(options).StartingBalances, options.ResolveTimeZone())
    {
    }

    /// <summary>Creates the portfolio with <paramref name="startingBalances"/> per venue and days starting at midnight in <paramref name="dayZone"/>.</summary>
    public DeskPortfolio(MarketDataHub hub, IReadOnlyDictionary<VenueId, decimal> startingBalances, TimeZoneInfo dayZone)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(startingBalances);
        ArgumentNullException.ThrowIfNull(dayZone);
        _hub = hub;
        _registry = hub.Registry;
        _time = hub.Time;
        _dayZone = dayZone;
        foreach (var (venue, balance) in startingBalances) SetCash(venue, balance);
        foreach (var balance in _cash.Values) _equityTerms.Add(balance);
        StartingEquity = _cash.Values.Sum();
        _day = Today();
        _dayStartEquity = StartingEquity;
        _peakEquity = StartingEquity;
    }

    /// <summary>The sum of the starting balances.</summary>
    public decimal StartingEquity { get; }

    // The dashboard's refresh (on the hub, every 250 ms) reads these sums and every pair's and event's holding; with a
    // thousand positions that was ~1.4 ms of the hub's time per refresh, though they only move with a fill, a set
    // tracked or a mark. Each is kept with the version it was summed at and summed again (the same way, in the same
    // order, so the identical decimal) only after one of those.
    private long _fillsVersion;
    private long _marksVersion;
    private long _realizedAt = -1, _feesAt = -1, _unrealizedFillsAt = -1, _unrealizedMarksAt = -1, _holdingsAt = -1;
    private decimal _realized, _fees, _unrealized;
    private PairHolding[] _pairHoldings = [];
    private EventHolding[] _eventHoldings = [];

    /// <summary>Gains and losses on reductions, minus every fee paid.</summary>
    public decimal RealizedPnl
    {
        get
        {
            if (_realizedAt != _fillsVersion)
            {
                _realized = _positions.Values.Sum(p => p.RealizedPnl - p.FeesPaid);
                _realizedAt = _fillsVersion;
            }
            return _realized;
        }
    }

    /// <summary>Every fee paid.</summary>
    public decimal FeesPaid
    {
        get
        {
            if (_feesAt != _fillsVersion)
            {
                _fees = _positions.Values.Sum(p => p.FeesPaid);
                _feesAt = _fillsVersion;
            }
            return _fees;
        }
    }

    /// <summary>Open positions at their last marks against average cost; refresh the marks with <see cref="RecomputeUnrealized"/>.</summary>
    public decimal UnrealizedPnl
    {
        get
        {
            if (_unrealizedFillsAt != _fillsVersion || _unrealizedMarksAt != _marksVersion)
            {
                _unrealized = _positions.Values.Sum(p => p.Unrealized);
                _unrealizedFillsAt = _fillsVersion;
                _unrealizedMarksAt = _marksVersion;
            }
            return _unrealized;
        }
    }

    /// <summary>
    /// Cash on every venue, plus every complete set at the $1 it pays at settlement, plus the rest of the open
    /// positions at their last marks. Complete sets are not marked to mid: their value is certain (bought at the ask,
    /// a fresh set would otherwise show a loss of half of both spreads and could trip the daily loss limit on profitable
    /// arbitrage); <see cref="UnrealizedPnl"/> still shows every position marked to mid.
    /// </summary>
    /// <remarks>
    /// Kept incrementally: it is read after every fill (the peak must see every equity), and valuing every position and
    /// set there cost ~110 µs of the hub thread per fill with a thousand markets open. Its terms (each venue's cash, each
    /// set's complete sets at their payout, each position's contracts left free at its mark or else its average cost)
    /// are kept in an exact sum; a fill or a mark re-values only the terms it can move and swaps them in the sum. Which
    /// contracts a set takes depends on the sets before it that share an instrument, so a fill re-values the whole group
    /// of sets connected to its instrument through shared instruments (<see cref="EquityGroup"/>), in the same order a
    /// full valuation takes them. The sum being exact, the equity is the identical decimal a full valuation of the same
    /// terms gives (<see cref="ComputeEquityInFull"/>; the property tests compare them after every step).
    /// </remarks>
    public decimal Equity
    {
        get
        {
            if (_equityDirty)
            {
                _equity = _equityTerms.Value();
                _equityDirty = false;
            }
            return _equity;
        }
    }

    /// <summary>Complete sets held across every pair, each worth $1 at settlement.</summary>
    public decimal CompleteSets => _setsByPair.Keys.Sum(id => HoldingOf(id).SetsHeld);

    /// <summary>
    /// Diagnostics (the benchmarks print it): how many groups of sets sharing instruments there are and the largest
    /// one's instruments and sets, i.e. the most a fill re-values. Walks every instrument; not for the hot path.
    /// </summary>
    public (int Groups, int LargestInstruments, int LargestSets) EquityGroupSizes()
    {
        var groups = _groupOf.OfType<EquityGroup>().Distinct().ToArray();
        return (groups.Length, groups.Length == 0 ? 0 : groups.Max(g => g.Instruments.Count), groups.Length == 0 ? 0 : groups.Max(g => g.Sets.Count));
    }

    /// <summary>
    /// The equity valued from scratch: every term computed afresh (sets in registration order, pair sets before event
    /// sets, each taking the contracts still free) and summed exactly into a new sum. What the incremental
    /// <see cref="Equity"/> must always equal; the tests compare them.
    /// </summary>
    internal decimal ComputeEquityInFull()
    {
        var terms = new ExactDecimalSum();
        foreach (var cash in _cash.Values) terms.Add(cash);
        // Instruments can only count once: a contract in one set is not free for another.
        var free = FreeScratch();
        Array.Clear(free);
        foreach (var (id, position) in _positions) free[id] = position.Quantity;
        foreach (var sets in _setsByPair.Values)
        {
            foreach (var set in sets) terms.Add(TakeSets(set, free));
        }
        // Multi-outcome sets are just as certain: a YES set pays $1, an N-outcome NO set N − 1.
        foreach (var sets in _setsByEvent.Values)
        {
            foreach (var set in sets) terms.Add(TakeSets(set, free));
        }
        foreach (var (id, position) in _positions) terms.Add(FreeValue(free[id], position));
        return terms.Value();
    }

    /// <summary>The complete sets <paramref name="set"/> makes from the contracts still free, taken out of them; returns their value at settlement.</summary>
    private static decimal TakeSets(TrackedSet set, decimal[] free)
    {
        var count = SmallestHolding(set.Instruments, free);
        if (count <= 0m) return 0m;
        foreach (var instrument in set.Instruments) free[instrument.Value] -= count;
        return set.IsPairSet ? count : count * set.Payout;
    }

    /// <summary>What a position's contracts left free of sets are worth: at its mark, or at average cost before one.</summary>
    private static decimal FreeValue(decimal free, Position position) => free == 0m ? 0m : free * (position.Mark ?? position.AverageCost);

    private decimal[] FreeScratch()
    {
        if (_freeScratch.Length < _registry.Count) _freeScratch = new decimal[_registry.Count];
        return _freeScratch;
    }

    /// <summary>Re-values the terms a change to <paramref name="instrument"/>'s position (quantity, cost or mark) can move.</summary>
    private void Revalue(int instrument, Position position)
    {
        var group = (uint)instrument < (uint)_groupOf.Length ? _groupOf[instrument] : null;
        if (group is null)
        {
            // In no set: its whole quantity is free.
            _equityTerms.Subtract(position.Term);
            position.Free = position.Quantity;
            position.Term = FreeValue(position.Free, position);
            _equityTerms.Add(position.Term);
        }
        else
        {
            RemoveTerms(group);
            AddTerms(group);
        }
        _equityDirty = true;
    }

    private void RemoveTerms(EquityGroup group)
    {
        foreach (var set in group.Sets) _equityTerms.Subtract(set.Term);
        foreach (var id in group.Instruments)
        {
            if (_positions.TryGetValue(id, out var position)) _equityTerms.Subtract(position.Term);
        }
    }

    /// <summary>Values a group's sets in the order a full valuation takes them, then its positions' free rests, and adds them.</summary>
    private void AddTerms(EquityGroup group)
    {
        var free = FreeScratch();
        foreach (var id in group.Instruments) free[id] = _positions.TryGetValue(id, out var position) ? position.Quantity : 0m;
        foreach (var set in group.Sets)
        {
            set.Term = TakeSets(set, free);
            _equityTerms.Add(set.Term);
        }
        foreach (var id in group.Instruments)
        {
            if (!_positions.TryGetValue(id, out var position)) continue;
            position.Free = free[id];
            position.Term = FreeValue(position.Free, position);
            _equityTerms.Add(position.Term);
        }
    }

    /// <summary>Adds a newly tracked set to the group of every instrument it holds (merging groups it joins) and re-values that group.</summary>
    private void Join(TrackedSet set)
    {
        var maxId = set.Instruments.Max(i => i.Value);
        if (_groupOf.Length <= maxId) Array.Resize(ref _groupOf, Math.Max(maxId + 1, _registry.Count));
        EquityGroup? target = null;
        foreach (var instrument in set.Instruments)
        {
            if (_groupOf[instrument.Value] is { } group && (target is null || group.Instruments.Count > target.Instruments.Count)) target = group;
        }
        target ??= new EquityGroup();
        // Take every term that may change out of the sum first: the groups joined and the positions joining.
        RemoveTerms(target);
        foreach (var instrument in set.Instruments)
        {
            var id = instrument.Value;
            var group = _groupOf[id];
            if (group == target) continue;
            if (group is null)
            {
                if (_positions.TryGetValue(id, out var position)) _equityTerms.Subtract(position.Term);
                target.Instruments.Add(id);
                _groupOf[id] = target;
                continue;
            }
            RemoveTerms(group);
            foreach (var member in group.Instruments)
            {
                target.Instruments.Add(member);
                _groupOf[member] = target;
            }
            target.Sets.AddRange(group.Sets);
        }
        target.Sets.Add(set);
        target.Sets.Sort(static (a, b) => a.Rank.CompareTo(b.Rank));
        AddTerms(target);
        _equityDirty = true;
    }

    /// <summary>The complete sets <paramref name="set"/> makes from <paramref name="held"/>: its smallest long holding (0 when a leg is short or missing).</summary>
    private static decimal SmallestHolding(InstrumentId[] set, decimal[] held)
    {
        var smallest = decimal.MaxValue;
        foreach (var instrument in set)
        {
            var id = instrument.Value;
            // A leg without a position (or short) makes no set: stop at the first.
            if ((uint)id >= (uint)held.Length || held[id] <= 0m) return 0m;
            if (held[id] < smallest) smallest = held[id];
        }
        return smallest == decimal.MaxValue ? 0m : smallest;
    }

    /// <summary>Equity now minus equity at the last midnight in the configured zone (realized and unrealized).</summary>
    public decimal DailyPnl
    {
        get
        {
            // Equity only moves when a fill or a mark changes it, and each of those rolls the day first, so the
            // equity seen by the first read after midnight is still the equity at midnight.
            RollDay();
            return Equity - _dayStartEquity;
        }
    }

    /// <summary>The highest equity seen.</summary>
    public decimal PeakEquity => Math.Max(_peakEquity, Equity);

    /// <summary>Peak equity minus equity, ≥ 0.</summary>
    public decimal Drawdown => PeakEquity - Equity;

    /// <summary>Markets with a position in either outcome.</summary>
    public int OpenPositionCount => _openInstrumentsByMarket.Count;

    /// <summary>Cost of every open position together, at average cost (what the total exposure limit measures).</summary>
    /// <remarks>
    /// Kept as a running sum, moved by each fill's change of its position's cost: the risk gate reads it for every
    /// opportunity it sizes, and summing every position there cost ~130 µs per check with a thousand positions open.
    /// </remarks>
    public decimal TotalExposure => _totalExposure;

    /// <summary>Cash available to spend on a venue (0 for a venue without a balance).</summary>
    public decimal AvailableBalance(VenueId venue) => _cash.GetValueOrDefault(venue);

    /// <summary>Cost held in the market an instrument belongs to, both outcomes, at average cost.</summary>
    public decimal PositionCostInMarket(InstrumentId instrument)
    {
        var market = _registry.MarketOf(instrument);
        return CostOf(market.Yes) + CostOf(market.No);
    }

    /// <summary>True when the market an instrument belongs to has a position in either outcome.</summary>
    public bool HasPositionInMarket(InstrumentId instrument) => _openInstrumentsByMarket.ContainsKey(MarketKeyOf(instrument));

    /// <summary>The position in one instrument: contracts held (0 when none).</summary>
    public decimal QuantityOf(InstrumentId instrument) => _positions.TryGetValue(instrument.Value, out var p) ? p.Quantity : 0m;

    /// <summary>
    /// Counts <paramref name="instruments"/> (complementary: one of them pays $1 whatever happens) as a set of
    /// <paramref name="pairId"/>, for sets held and locked-in profit. A pair has two such sets; registering one again
    /// changes nothing.
    /// </summary>
    public void TrackSet(long pairId, IReadOnlyList<InstrumentId> instruments)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        if (instruments.Count < 2) throw new ArgumentException("A set has at least two instruments.", nameof(instruments));
        if (!_setsByPair.TryGetValue(pairId, out var sets)) _setsByPair[pairId] = sets = [];
        if (sets.Any(s => s.Instruments.SequenceEqual(instruments))) return;
        // Pairs in the order first tracked, then their sets in order: the order a full valuation enumerates them in.
        if (sets.Count == 0) _pairOrdinals[pairId] = _pairOrdinals.Count;
        var set = new TrackedSet([.. instruments], 1m, isPairSet: true, new SetRank(0, _pairOrdinals[pairId], sets.Count));
        AddTrackedSet(sets, set);
    }

    /// <summary>Adds a set to its pair's or event's list and to the equity's groups, as one change readers see whole.</summary>
    private void AddTrackedSet(List<TrackedSet> sets, TrackedSet set)
    {
        BeginWrite();
        try
        {
            sets.Add(set);
            Join(set);
            _fillsVersion++;
            PublishSets();
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>
    /// Counts <paramref name="instruments"/> (one per outcome of a multi-outcome event, all YES or all NO) as a set of
    /// the event that pays <paramref name="payoutPerSet"/> whatever happens ($1 for YES, N − 1 for NO), so complete sets
    /// are valued at their payout like cross-venue sets. Registering one again changes nothing.
    /// </summary>
    public void TrackEventSet(string eventKey, IReadOnlyList<InstrumentId> instruments, decimal payoutPerSet)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventKey);
        ArgumentNullException.ThrowIfNull(instruments);
        if (instruments.Count < 2) throw new ArgumentException("A set has at least two instruments.", nameof(instruments));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(payoutPerSet);
        if (!_setsByEvent.TryGetValue(eventKey, out var sets)) _setsByEvent[eventKey] = sets = [];
        if (sets.Any(s => s.Instruments.SequenceEqual(instruments))) return;
        if (sets.Count == 0) _eventOrdinals[eventKey] = _eventOrdinals.Count;
        var set = new TrackedSet([.. instruments], payoutPerSet, isPairSet: false, new SetRank(1, _eventOrdinals[eventKey], sets.Count));
        AddTrackedSet(sets, set);
    }

    /// <summary>Complete sets of a multi-outcome event held (YES and NO sets together) and what they lock in at settlement.</summary>
    public EventHolding HoldingOfEvent(string eventKey)
    {
        decimal setsHeld = 0m, cost = 0m, locked = 0m;
        if (_setsByEvent.TryGetValue(eventKey, out var sets))
        {
            foreach (var set in sets)
            {
                var (count, setCost, fees) = FiguresOf(set);
                if (count <= 0m) continue;
                setsHeld += count;
                cost += setCost;
                locked += count * set.Payout - setCost - fees;
            }
        }
        return new EventHolding(eventKey, setsHeld, cost, locked);
    }

    /// <summary>
    /// <see cref="SetFigures"/> of a tracked set, computed again only when a leg's quantity, average cost or fees moved
    /// since (the legs' holding versions only grow, so their sum moves with any of them): the refresh reads every set.
    /// </summary>
    private (decimal Count, decimal Cost, decimal Fees) FiguresOf(TrackedSet set)
    {
        var stamp = 0L;
        foreach (var instrument in set.Instruments)
        {
            if (_positions.TryGetValue(instrument.Value, out var position)) stamp += position.HoldingVersion;
        }
        if (stamp != set.FiguresStamp)
        {
            set.Figures = SetFigures(set.Instruments);
            set.FiguresStamp = stamp;
        }
        return set.Figures;
    }

    private (decimal Count, decimal Cost, decimal Fees) SetFigures(InstrumentId[] set)
    {
        var count = set.Min(i => Math.Max(0m, QuantityOf(i)));
        if (count <= 0m) return (0m, 0m, 0m);
        decimal cost = 0m, fees = 0m;
        foreach (var instrument in set)
        {
            var position = _positions[instrument.Value];
            cost += count * position.AverageCost;
            // The sets carry their share of the fees paid on each leg; the rest belongs to the excess.
            fees += position.FeesPaid * count / position.Quantity;
        }
        return (count, cost, fees);
    }

    /// <summary>Complete sets the pair holds and what they lock in at settlement.</summary>
    public PairHolding HoldingOf(long pairId)
    {
        decimal setsHeld = 0m, cost = 0m, locked = 0m;
        if (_setsByPair.TryGetValue(pairId, out var sets))
        {
            foreach (var set in sets)
            {
                var (count, setCost, fees) = FiguresOf(set);
                if (count <= 0m) continue;
                setsHeld += count;
                cost += setCost;
                locked += count - setCost - fees;
            }
        }
        return new PairHolding(pairId, setsHeld, cost, locked);
    }

    /// <inheritdoc />
    void IHubExecutionHandler.OnOrderUpdate(OrderUpdate update)
    {
        // Positions change with fills only; an order's state says nothing about money.
    }

    /// <inheritdoc />
    void IHubExecutionHandler.OnFill(Fill fill) => ApplyFill(fill);

    /// <summary>
    /// The ids of fills booked lately (<see cref="RecentFillIds"/>: a day after booking, at most 200,000), so a resent
    /// fill is booked once; a fill older than what is remembered is refused, counted there and raised as
    /// <see cref="FillRefused"/>. Hub thread.
    /// </summary>
    public RecentFillIds BookedFillIds => _fillIds;

    /// <summary>
    /// Raised on the hub's thread for a fill refused as too old to tell from a resend (<see cref="FillIdCheck.TooOld"/>):
    /// the venue may hold a position the portfolio does not. The desk reports it as unhedged exposure.
    /// </summary>
    public event Action<Fill>? FillRefused;

    /// <summary>
    /// Books a fill: position, average cost, realized PnL, fees and the venue's cash. Hub thread. False for a fill seen
    /// before, or one too old to tell from a resend (see <see cref="BookedFillIds"/>).
    /// </summary>
    public bool ApplyFill(Fill fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var check = _fillIds.TryAdd(fill.FillId, fill.Time, _time.GetUtcNow());
        if (check != FillIdCheck.New)
        {
            // Not booked, and maybe a real trade the venue holds: the desk must say so loudly, never drop it quietly.
            if (check == FillIdCheck.TooOld) FillRefused?.Invoke(fill);
            return false;
        }
        // Readers off the hub's thread see the portfolio before this fill or after it, never half of it.
        BeginWrite();
        try
        {
            Book(fill);
        }
        finally
        {
            EndWrite();
        }
        return true;
    }

    private void Book(Fill fill)
    {
        RollDay();
        _fillsVersion++;

        if (!_positions.TryGetValue(fill.Instrument.Value, out var position))
        {
            var instrument = _registry[fill.Instrument];
            _positions[fill.Instrument.Value] = position = new Position(instrument, (instrument.Venue, instrument.MarketKey), _columns.Reserve(fill.Instrument.Value, _registry.Count));
            var at = _positionsInIdOrder.BinarySearch(position, PositionIdOrder.Instance);
            _positionsInIdOrder.Insert(~at, position);
            Publish(position);
        }
        NoteFilled(position);
        var wasOpen = position.Quantity != 0m;
        var costBefore = Math.Abs(position.Quantity) * position.AverageCost;
        var price = fill.Price.Value;
        var signed = fill.Side == Side.Buy ? fill.Quantity : -fill.Quantity;
        if (position.Quantity == 0m || Math.Sign(position.Quantity) == Math.Sign(signed))
        {
            var held = Math.Abs(position.Quantity);
            position.AverageCost = (held * position.AverageCost + fill.Quantity * price) / (held + fill.Quantity);
            position.Quantity += signed;
        }
        else
        {
            var closing = Math.Min(Math.Abs(position.Quantity), fill.Quantity);
            position.RealizedPnl += closing * (price - position.AverageCost) * Math.Sign(position.Quantity);
            position.Quantity += signed;
            // Selling more than held opens the other way at this price; closing exactly leaves no cost.
            if (position.Quantity == 0m) position.AverageCost = 0m;
            else if (fill.Quantity > closing) position.AverageCost = price;
        }
        position.FeesPaid += fill.Fee;
        _totalExposure += Math.Abs(position.Quantity) * position.AverageCost - costBefore;

        var notional = fill.Quantity * price;
        var cashBefore = _cash.GetValueOrDefault(fill.Venue);
        var cashAfter = cashBefore + (fill.Side == Side.Buy ? -notional : notional) - fill.Fee;
        SetCash(fill.Venue, cashAfter);
        _equityTerms.Subtract(cashBefore);
        _equityTerms.Add(cashAfter);

        var isOpen = position.Quantity != 0m;
        if (wasOpen != isOpen)
        {
            var open = _openInstrumentsByMarket.GetValueOrDefault(position.Market) + (isOpen ? 1 : -1);
            if (open > 0) _openInstrumentsByMarket[position.Market] = open;
            else _openInstrumentsByMarket.Remove(position.Market);
        }
        position.Mark = isOpen ? MidOf(fill.Instrument) ?? position.Mark ?? price : null;
        Revalue(fill.Instrument.Value, position);
        NotePeak();
    }

    /// <summary>Marks every open position to its book's mid (keeping the last mark where a side is empty) and returns unrealized PnL. Hub thread.</summary>
    public decimal RecomputeUnrealized()
    {
        BeginWrite();
        try
        {
            // The day rolls on the marks it had at midnight, before they move.
            RollDay();
            foreach (var position in _positions.Values) MarkFromBook(position);
            ForgetFilled();
            NotePeak();
        }
        finally
        {
            EndWrite();
        }
        return UnrealizedPnl;
    }

    /// <summary>Marks an open position to its book's mid (keeping the last mark where a side is empty). Hub thread, inside a write.</summary>
    private void MarkFromBook(Position position)
    {
        if (position.Quantity == 0m) return;
        // A mid moves only with its book's levels, and every change of a book moves its version: a book unchanged
        // since this position was last marked from it has the same mid (a thousand decimal mids every refresh was
        // most of this refresh's time on the hub).
        var book = _hub.TryGetBook(position.Instrument.Id);
        if (book is null) return;
        if (ReferenceEquals(book, position.MarkedFrom) && book.Version == position.MarkedAtVersion && position.Version == position.MarkedWhenVersion) return;
        // The same decimal (scale included) values the same: nothing to move. A side empty keeps the last mark.
        if (book.Mid is { } mid && !(position.Mark is { } mark && mark == mid && mark.Scale == mid.Scale))
        {
            position.Mark = mid;
            _marksVersion++;
            // A mark moves only its own position's free rest: which contracts make sets depends on quantities alone.
            _equityTerms.Subtract(position.Term);
            position.Term = FreeValue(position.Free, position);
            _equityTerms.Add(position.Term);
            _equityDirty = true;
        }
        position.MarkedFrom = book;
        position.MarkedAtVersion = book.Version;
        position.MarkedWhenVersion = position.Version;
    }

    /// <summary>An immutable copy of everything, for the dashboard and the API. Hub thread.</summary>
    public PortfolioSnapshot Snapshot()
    {
        // Runs on the hub every refresh: each position's copy is reused until one of its figures changes, and positions
        // are kept in id order as they are created, so a thousand open positions cost a pass, not a sort and new copies.
        var positions = new List<PositionSnapshot>(_positionsInIdOrder.Count);
        foreach (var p in _positionsInIdOrder)
        {
            if (p.Quantity != 0m || p.RealizedPnl != 0m || p.FeesPaid != 0m) positions.Add(p.ToSnapshot());
        }
        if (_holdingsAt != _fillsVersion)
        {
            // Immutable records in arrays no one writes to: shared by the snapshots until the next fill.
            _pairHoldings = [.. _setsByPair.Keys.Order().Select(HoldingOf)];
            _eventHoldings = [.. _setsByEvent.Keys.Order(StringComparer.Ordinal).Select(HoldingOfEvent)];
            _holdingsAt = _fillsVersion;
        }
        return new PortfolioSnapshot(_time.GetUtcNow(), positions.ToArray(), _pairHoldings, new Dictionary<VenueId, decimal>(_cash), RealizedPnl, UnrealizedPnl,
            FeesPaid, Equity, DailyPnl, PeakEquity, Drawdown, OpenPositionCount)
        {
            Events = _eventHoldings,
        };
    }

    private decimal CostOf(InstrumentId instrument) =>
        _positions.TryGetValue(instrument.Value, out var p) ? Math.Abs(p.Quantity) * p.AverageCost : 0m;

    private (VenueId, string) MarketKeyOf(InstrumentId instrument)
    {
        var i = _registry[instrument];
        return (i.Venue, i.MarketKey);
    }

    /// <summary>The book's mid; a stale book's mid is still the best guess of value, so it marks too.</summary>
    private decimal? MidOf(InstrumentId instrument) => _hub.TryGetBook(instrument)?.Mid;

    private void NotePeak() => _peakEquity = Math.Max(_peakEquity, Equity);

    /// <summary>True when <paramref name="time"/> falls on an earlier day than today in the configured zone.</summary>
    public bool IsBeforeToday(DateTimeOffset time) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time, _dayZone).DateTime) < Today();

    /// <summary>
    /// Starts today's PnL from the equity as it stands now. Used when positions are rebuilt after a restart: fills from
    /// earlier days are booked first, then the day starts, so yesterday's results do not count against today's loss limit.
    /// Hub thread.
    /// </summary>
    public void StartDayHere()
    {
        BeginWrite();
        _day = Today();
        _dayStartEquity = Equity;
        EndWrite();
    }

    private void RollDay()
    {
        var today = Today();
        if (today == _day) return;
        BeginWrite();
        _day = today;
        _dayStartEquity = Equity;
        EndWrite();
    }

    private DateOnly Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(_time.GetUtcNow(), _dayZone).DateTime);

    private static PortfolioOptions Validated(PortfolioOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        return options;
    }

    /// <remarks>
    /// Its version, mark and free-rest term live in the portfolio's <see cref="PositionColumns"/> (arrays by instrument
    /// id), so the refresh's <see cref="ApplyMarks"/> checks and adopts a thousand marks in a few small arrays instead of
    /// visiting a thousand objects on the hub's thread.
    /// </remarks>
    internal sealed class Position(Instrument instrument, (VenueId, string) market, PositionColumns columns)
    {
        private readonly int _id = instrument.Id.Value;
        public Instrument Instrument { get; } = instrument;
        public (VenueId, string) Market { get; } = market;
        private decimal _quantity;
        private decimal _averageCost;
        private decimal _feesPaid;
        private decimal _realizedPnl;
        private decimal _unrealized;
        private long _unrealizedAt = -1;
        private PositionSnapshot? _snapshot;
        private long _snapshotVersion = -1;

        public decimal Quantity { get => _quantity; set { _quantity = value; Version++; HoldingVersion++; } }
        public decimal AverageCost { get => _averageCost; set { _averageCost = value; Version++; HoldingVersion++; } }
        public decimal FeesPaid { get => _feesPaid; set { _feesPaid = value; Version++; HoldingVersion++; } }
        public decimal RealizedPnl { get => _realizedPnl; set { _realizedPnl = value; Version++; } }

        /// <summary>Moves with every change of any figure: the snapshot copy is made again only after one.</summary>
        public long Version { get => columns.Versions[_id]; private set => columns.Versions[_id] = value; }

        /// <summary>Moves with what a complete set's figures read (quantity, average cost, fees), not with marks.</summary>
        public long HoldingVersion { get; private set; }

        /// <summary>The position as the dashboard sees it; the same immutable copy until a figure changes.</summary>
        public PositionSnapshot ToSnapshot()
        {
            if (_snapshot is null || _snapshotVersion != Version)
            {
                _snapshot = new PositionSnapshot(Instrument.Id, Instrument.Venue, Instrument.Symbol, Instrument.MarketKey, Instrument.IsYes,
                    Quantity, AverageCost, FeesPaid, RealizedPnl, Mark, Unrealized);
                _snapshotVersion = Version;
            }
            return _snapshot;
        }

        /// <summary>
        /// The price the position is valued at. Setting it (a fill does) forgets which book version last marked it, so
        /// the next refresh marks it from its book again.
        /// </summary>
        public decimal? Mark { get => columns.Marks[_id]; set { columns.Marks[_id] = value; MarkedFrom = null; Version++; } }

        /// <summary>The book and its version the last refresh marked this position from (<see cref="RecomputeUnrealized"/>).</summary>
        public OrderBook? MarkedFrom { get; set; }

        public long MarkedAtVersion { get; set; }

        /// <summary>The position's own version right after that marking: a mark adopted since (which moves only the version) makes it differ.</summary>
        public long MarkedWhenVersion { get; set; }

        /// <summary>
        /// (mark − average cost) × quantity, computed again only after one of them changed: the dashboard's refresh reads
        /// it for every position twice (the sum and the snapshot), and average costs carry up to 28 digits.
        /// </summary>
        public decimal Unrealized
        {
            get
            {
                var version = Version;
                if (_unrealizedAt != version)
                {
                    _unrealized = Mark is { } mark ? (mark - _averageCost) * _quantity : 0m;
                    _unrealizedAt = version;
                }
                return _unrealized;
            }
        }

        /// <summary>Contracts left after the complete sets took theirs, as of the last valuation.</summary>
        public decimal Free { get => _free; set { _free = value; Version++; } }

        /// <summary>What <see cref="Free"/> contributes to the equity's exact sum (<see cref="FreeValue"/>), as of the last valuation.</summary>
        /// <remarks>Both move <see cref="Version"/>: a mark prepared off the hub from an older term must not be applied.</remarks>
        public decimal Term { get => columns.Terms[_id]; set { columns.Terms[_id] = value; Version++; } }

        private decimal _free;

        /// <summary>The publication sequence of the last fill booked on it (<see cref="NoteFilled"/>).</summary>
        public long FilledAtSequence { get; set; }

        /// <summary>True while in the list of positions filled since the last marks.</summary>
        public bool InFilledList { get; set; }

        /// <summary>The last copy a reader made off the hub (reused while its figures are identical); written by readers only.</summary>
        public PositionSnapshot? ReaderCopy;
    }

    /// <summary>Where a set comes in a full valuation: pair sets (kind 0) before event sets (1), owners in the order first tracked, then the owner's sets in order.</summary>
    private readonly record struct SetRank(int Kind, int Owner, int Index) : IComparable<SetRank>
    {
        public int CompareTo(SetRank other) =>
            Kind != other.Kind ? Kind.CompareTo(other.Kind) : Owner != other.Owner ? Owner.CompareTo(other.Owner) : Index.CompareTo(other.Index);
    }

    /// <summary>A complete set tracked for a pair or an event, worth <see cref="Payout"/> per set at settlement.</summary>
    private sealed class TrackedSet(InstrumentId[] instruments, decimal payout, bool isPairSet, SetRank rank)
    {
        public InstrumentId[] Instruments { get; } = instruments;
        public decimal Payout { get; } = payout;
        /// <summary>A pair's set is valued at its count (pays $1), as the equity always added it.</summary>
        public bool IsPairSet { get; } = isPairSet;
        public SetRank Rank { get; } = rank;

        /// <summary>What the set contributes to the equity's exact sum, as of the last valuation of its group.</summary>
        public decimal Term { get; set; }

        /// <summary>The complete sets held, their cost and fees (<see cref="SetFigures"/>) as last computed, and the legs' holding versions then.</summary>
        public (decimal Count, decimal Cost, decimal Fees) Figures { get; set; }

        public long FiguresStamp { get; set; } = -1;
    }

    /// <summary>
    /// Sets connected through shared instruments, with their instruments: a set's complete sets depend on the contracts
    /// the sets before it took, so a change to one instrument can move every set of its group and no other.
    /// </summary>
    private sealed class EquityGroup
    {
        /// <summary>In the order a full valuation takes them (<see cref="SetRank"/>).</summary>
        public List<TrackedSet> Sets { get; } = [];

        /// <summary>Every instrument of the sets, once each.</summary>
        public List<int> Instruments { get; } = [];
    }

    private sealed class PositionIdOrder : IComparer<Position>
    {
        public static readonly PositionIdOrder Instance = new();

        public int Compare(Position? x, Position? y) => x!.Instrument.Id.Value.CompareTo(y!.Instrument.Id.Value);
    }
}
