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
/// since a live venue may resend fills after a reconnect. Realized PnL includes every fee paid, so starting equity plus
/// realized plus unrealized PnL is always the current equity.
/// </remarks>
public sealed class DeskPortfolio : IHubExecutionHandler
{
    private readonly MarketDataHub _hub;
    private readonly InstrumentRegistry _registry;
    private readonly TimeProvider _time;
    private readonly TimeZoneInfo _dayZone;
    private readonly Dictionary<int, Position> _positions = [];
    private readonly Dictionary<VenueId, decimal> _cash = [];
    private readonly Dictionary<(VenueId, string), int> _openInstrumentsByMarket = [];
    private readonly Dictionary<long, List<InstrumentId[]>> _setsByPair = [];
    private readonly Dictionary<string, List<(InstrumentId[] Instruments, decimal Payout)>> _setsByEvent = new(StringComparer.Ordinal);
    private readonly HashSet<string> _fillIds = new(StringComparer.Ordinal);
    private DateOnly _day;
    private decimal _dayStartEquity;
    private decimal _peakEquity;
    private decimal _equity;
    private decimal _totalExposure;
    private bool _equityDirty = true;
    /// <summary>Contracts not yet counted in a complete set, by instrument id: <see cref="ComputeEquity"/>'s scratch, reused.</summary>
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
        foreach (var (venue, balance) in startingBalances) _cash[venue] = balance;
        StartingEquity = _cash.Values.Sum();
        _day = Today();
        _dayStartEquity = StartingEquity;
        _peakEquity = StartingEquity;
    }

    /// <summary>The sum of the starting balances.</summary>
    public decimal StartingEquity { get; }

    /// <summary>Gains and losses on reductions, minus every fee paid.</summary>
    public decimal RealizedPnl => _positions.Values.Sum(p => p.RealizedPnl - p.FeesPaid);

    /// <summary>Every fee paid.</summary>
    public decimal FeesPaid => _positions.Values.Sum(p => p.FeesPaid);

    /// <summary>Open positions at their last marks against average cost; refresh the marks with <see cref="RecomputeUnrealized"/>.</summary>
    public decimal UnrealizedPnl => _positions.Values.Sum(p => p.Unrealized);

    /// <summary>
    /// Cash on every venue, plus every complete set at the $1 it pays at settlement, plus the rest of the open
    /// positions at their last marks. Complete sets are not marked to mid: their value is certain (bought at the ask,
    /// a fresh set would otherwise show a loss of half of both spreads and could trip the daily loss limit on profitable
    /// arbitrage); <see cref="UnrealizedPnl"/> still shows every position marked to mid.
    /// </summary>
    public decimal Equity
    {
        get
        {
            if (_equityDirty)
            {
                _equity = ComputeEquity();
                _equityDirty = false;
            }
            return _equity;
        }
    }

    /// <summary>Complete sets held across every pair, each worth $1 at settlement.</summary>
    public decimal CompleteSets => _setsByPair.Keys.Sum(id => HoldingOf(id).SetsHeld);

    private decimal ComputeEquity()
    {
        // Runs after every fill (the peak must see every equity): no allocation, no LINQ, no hashing. Contracts still
        // free are kept in an array by instrument id (ids are dense registry indexes): with a thousand positions and
        // sets open, the dictionary this was took ~300 µs of the hub thread per fill. The same figures are added in the
        // same order as before (cash, pair sets, event sets, then what is left of each position in position order), so
        // the equity is the identical decimal.
        var value = 0m;
        foreach (var cash in _cash.Values) value += cash;
        // Instruments can only count once: a contract in one set is not free for another.
        var free = _freeScratch;
        if (free.Length < _registry.Count) _freeScratch = free = new decimal[_registry.Count];
        else Array.Clear(free);
        foreach (var (id, position) in _positions) free[id] = position.Quantity;
        foreach (var sets in _setsByPair.Values)
        {
            foreach (var set in sets)
            {
                var count = SmallestHolding(set, free);
                if (count <= 0m) continue;
                value += count;
                foreach (var instrument in set) free[instrument.Value] -= count;
            }
        }
        // Multi-outcome sets are just as certain: a YES set pays $1, an N-outcome NO set N − 1.
        foreach (var sets in _setsByEvent.Values)
        {
            foreach (var (set, payout) in sets)
            {
                var count = SmallestHolding(set, free);
                if (count <= 0m) continue;
                value += count * payout;
                foreach (var instrument in set) free[instrument.Value] -= count;
            }
        }
        foreach (var (id, position) in _positions)
        {
            var quantity = free[id];
            if (quantity == 0m) continue;
            value += quantity * (position.Mark ?? position.AverageCost);
        }
        return value;
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
        if (sets.Any(s => s.SequenceEqual(instruments))) return;
        sets.Add([.. instruments]);
        _equityDirty = true;
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
        sets.Add(([.. instruments], payoutPerSet));
        _equityDirty = true;
    }

    /// <summary>Complete sets of a multi-outcome event held (YES and NO sets together) and what they lock in at settlement.</summary>
    public EventHolding HoldingOfEvent(string eventKey)
    {
        decimal setsHeld = 0m, cost = 0m, locked = 0m;
        if (_setsByEvent.TryGetValue(eventKey, out var sets))
        {
            foreach (var (set, payout) in sets)
            {
                var (count, setCost, fees) = SetFigures(set);
                if (count <= 0m) continue;
                setsHeld += count;
                cost += setCost;
                locked += count * payout - setCost - fees;
            }
        }
        return new EventHolding(eventKey, setsHeld, cost, locked);
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
                var (count, setCost, fees) = SetFigures(set);
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

    /// <summary>Books a fill: position, average cost, realized PnL, fees and the venue's cash. Hub thread. False for a fill seen before.</summary>
    public bool ApplyFill(Fill fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        if (!_fillIds.Add(fill.FillId)) return false;
        RollDay();

        if (!_positions.TryGetValue(fill.Instrument.Value, out var position))
        {
            var instrument = _registry[fill.Instrument];
            _positions[fill.Instrument.Value] = position = new Position(instrument, (instrument.Venue, instrument.MarketKey));
        }
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
        _cash[fill.Venue] = _cash.GetValueOrDefault(fill.Venue) + (fill.Side == Side.Buy ? -notional : notional) - fill.Fee;

        var isOpen = position.Quantity != 0m;
        if (wasOpen != isOpen)
        {
            var open = _openInstrumentsByMarket.GetValueOrDefault(position.Market) + (isOpen ? 1 : -1);
            if (open > 0) _openInstrumentsByMarket[position.Market] = open;
            else _openInstrumentsByMarket.Remove(position.Market);
        }
        position.Mark = isOpen ? MidOf(fill.Instrument) ?? position.Mark ?? price : null;
        _equityDirty = true;
        NotePeak();
        return true;
    }

    /// <summary>Marks every open position to its book's mid (keeping the last mark where a side is empty) and returns unrealized PnL. Hub thread.</summary>
    public decimal RecomputeUnrealized()
    {
        // The day rolls on the marks it had at midnight, before they move.
        RollDay();
        foreach (var position in _positions.Values)
        {
            if (position.Quantity != 0m && MidOf(position.Instrument.Id) is { } mid) position.Mark = mid;
        }
        _equityDirty = true;
        NotePeak();
        return UnrealizedPnl;
    }

    /// <summary>An immutable copy of everything, for the dashboard and the API. Hub thread.</summary>
    public PortfolioSnapshot Snapshot()
    {
        var positions = _positions.Values
            .Where(p => p.Quantity != 0m || p.RealizedPnl != 0m || p.FeesPaid != 0m)
            .OrderBy(p => p.Instrument.Id.Value)
            .Select(p => new PositionSnapshot(p.Instrument.Id, p.Instrument.Venue, p.Instrument.Symbol, p.Instrument.MarketKey, p.Instrument.IsYes,
                p.Quantity, p.AverageCost, p.FeesPaid, p.RealizedPnl, p.Mark, p.Unrealized))
            .ToArray();
        var pairs = _setsByPair.Keys.Order().Select(HoldingOf).ToArray();
        return new PortfolioSnapshot(_time.GetUtcNow(), positions, pairs, new Dictionary<VenueId, decimal>(_cash), RealizedPnl, UnrealizedPnl,
            FeesPaid, Equity, DailyPnl, PeakEquity, Drawdown, OpenPositionCount)
        {
            Events = _setsByEvent.Keys.Order(StringComparer.Ordinal).Select(HoldingOfEvent).ToArray(),
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
        _day = Today();
        _dayStartEquity = Equity;
    }

    private void RollDay()
    {
        var today = Today();
        if (today == _day) return;
        _day = today;
        _dayStartEquity = Equity;
    }

    private DateOnly Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(_time.GetUtcNow(), _dayZone).DateTime);

    private static PortfolioOptions Validated(PortfolioOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        return options;
    }

    private sealed class Position(Instrument instrument, (VenueId, string) market)
    {
        public Instrument Instrument { get; } = instrument;
        public (VenueId, string) Market { get; } = market;
        public decimal Quantity { get; set; }
        public decimal AverageCost { get; set; }
        public decimal FeesPaid { get; set; }
        public decimal RealizedPnl { get; set; }
        public decimal? Mark { get; set; }
        public decimal Unrealized => Mark is { } mark ? (mark - AverageCost) * Quantity : 0m;
    }
}
