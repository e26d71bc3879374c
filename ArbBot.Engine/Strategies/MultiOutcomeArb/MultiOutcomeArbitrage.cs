using System.Globalization;
using System.Text;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Engine.Venues;

namespace ArbBot.Engine.Strategies.MultiOutcomeArb;

/// <summary>Which complete set of an event: YES on every outcome (pays $1) or NO on every outcome (pays N − 1).</summary>
public enum OutcomeSetKind : byte
{
    Yes = 0,
    No = 1,
}

/// <summary>
/// Multi-outcome arbitrage inside one venue's event whose outcomes are mutually exclusive (and, for YES sets, exhaustive;
/// see <see cref="OutcomeSetEligibility.Classify"/>): whenever an outcome's book changes, the set that book belongs to
/// (YES books → the YES set, NO books → the NO set) is priced against every outcome's fresh book; when buying the whole
/// set costs less than it pays by at least the minimum net edge after each venue's exact fees, it is sized by the
/// thinnest book and handed to the <see cref="IOpportunitySink"/> (the desk: risk gate, then the executor).
/// </summary>
/// <remarks>
/// <para>
/// Everything runs on the market-data hub's thread: event registration, settings and limits, book notifications.
/// Nothing is priced while any book of the set is missing, marked stale or older than <see cref="RiskLimits.MaxBookAge"/>.
/// The evaluation reads books in place into per-event buffers and allocates only when it produces an opportunity.
/// </para>
/// <para>
/// A book change does not price the set at once: it queues one evaluation of the set behind the events already waiting
/// on the hub. A venue publishes the outcomes of an event one book after another; priced in the middle of such a burst,
/// half the outcomes would show the new prices and half the old, and the sum of a mix of two consistent states can dip
/// below the payout with nothing to trade (the next event of the burst takes it away). Evaluating after the burst also
/// prices a busy event once rather than once per level changed.
/// </para>
/// </remarks>
public sealed class MultiOutcomeArbitrage : IBookListener
{
    /// <summary>The <see cref="Opportunity.Strategy"/> of every opportunity found here.</summary>
    public const string StrategyName = "multi-outcome";

    private readonly MarketDataHub _hub;
    private readonly IFeeModel _kalshiFees;
    private readonly IFeeModel _polymarketFees;
    private readonly IOpportunitySink _sink;
    private readonly OpportunityIds _ids;
    private readonly Dictionary<(VenueId, string), VenueEvent> _offered = [];
    private readonly List<OutcomeSetEligibility> _classified = [];
    private readonly List<EventState> _watched = [];
    private readonly HashSet<InstrumentId> _subscribed = [];
    // What a book change reads is flat, so it costs a few dense array reads instead of a chain of small heap objects (the
    // set, its best-ask array: each a likely cache miss): one struct per instrument and one byte of flags per set.
    /// <summary>Per instrument of a watched event: the set its book prices (a YES token the YES set, a NO token the NO set) and the best ask the set's last evaluation saw.</summary>
    private OutcomeBook[] _outcomeBooks = [];
    /// <summary>Per set number (from 1; 0 is "no set"): <see cref="SetFlags"/>. Replaced by every <see cref="Rewatch"/>.</summary>
    private SetFlags[] _setFlags = [SetFlags.None];
    /// <summary>Per set number: its queued evaluation.</summary>
    private SetEvaluation?[] _workBySet = [null];
    /// <summary>Counts <see cref="Rewatch"/>es: a queued evaluation from before the last one must not touch the new flags.</summary>
    private int _generation;
    private RiskLimits _limits;
    private MultiOutcomeSettings _settings;

    /// <param name="hub">The hub whose books are read and whose clock is used.</param>
    /// <param name="kalshiFees">Kalshi's fee rule.</param>
    /// <param name="polymarketFees">Polymarket's fee rule.</param>
    /// <param name="limits">Minimum net edge (a floor), fixed cost per set, maximum book age and maximum trade size.</param>
    /// <param name="settings">The strategy's switches; validated.</param>
    /// <param name="sink">Where found opportunities go.</param>
    /// <param name="ids">Where opportunity ids come from (shared by every strategy; null for a private sequence).</param>
    public MultiOutcomeArbitrage(
        MarketDataHub hub, IFeeModel kalshiFees, IFeeModel polymarketFees, RiskLimits limits, MultiOutcomeSettings settings, IOpportunitySink sink,
        OpportunityIds? ids = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(kalshiFees);
        ArgumentNullException.ThrowIfNull(polymarketFees);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(sink);
        _hub = hub;
        _kalshiFees = kalshiFees;
        _polymarketFees = polymarketFees;
        _limits = limits;
        _settings = Validated(settings);
        _sink = sink;
        _ids = ids ?? new OpportunityIds();
    }

    /// <summary>The limits detection uses. Hub thread.</summary>
    public RiskLimits Limits
    {
        get => _limits;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _limits = value;
        }
    }

    /// <summary>The strategy's switches. Setting them (hub thread) re-decides which events are watched.</summary>
    /// <exception cref="ArgumentException">Settings outside their documented ranges.</exception>
    public MultiOutcomeSettings Settings
    {
        get => _settings;
        set
        {
            _settings = Validated(value);
            Rewatch();
        }
    }

    /// <summary>Every event offered so far with what may be traded in it and why. Hub thread.</summary>
    public IReadOnlyList<OutcomeSetEligibility> Events => _classified;

    /// <summary>Events with a tradable set. Hub thread.</summary>
    public int WatchedEventCount => _watched.Count;

    /// <summary>The key an event's opportunities carry in <see cref="Opportunity.EventKey"/>.</summary>
    public static string EventKeyOf(VenueEvent venueEvent)
    {
        ArgumentNullException.ThrowIfNull(venueEvent);
        return $"{venueEvent.Venue.DisplayName()}:{venueEvent.EventKey}";
    }

    /// <summary>
    /// Offers every event in the hub's registry (call after discovery; again after a new discovery). Returns the eligible
    /// ones. Hub thread.
    /// </summary>
    public IReadOnlyList<OutcomeSetEligibility> OfferRegisteredEvents()
    {
        foreach (var venueEvent in _hub.Registry.Events) _offered[(venueEvent.Venue, venueEvent.EventKey)] = venueEvent;
        Rewatch();
        return [.. _classified.Where(c => c.Eligible)];
    }

    /// <summary>Offers one event (its markets must be registered); returns what may be traded in it. Hub thread.</summary>
    public OutcomeSetEligibility OfferEvent(VenueEvent venueEvent)
    {
        ArgumentNullException.ThrowIfNull(venueEvent);
        _offered[(venueEvent.Venue, venueEvent.EventKey)] = venueEvent;
        Rewatch();
        return _classified.Single(c => c.Event.Venue == venueEvent.Venue && c.Event.EventKey == venueEvent.EventKey);
    }

    /// <summary>The outcomes' instruments of every watched set: (event key, instruments, payout per set), for the portfolio.</summary>
    public IEnumerable<(string EventKey, InstrumentId[] Instruments, decimal PayoutPerSet)> TradableSets()
    {
        foreach (var e in _watched)
        {
            if (e.Eligibility.YesSets) yield return (e.Key, [.. e.Yes], 1m);
            if (e.Eligibility.NoSets) yield return (e.Key, [.. e.No], e.Count - 1);
        }
    }

    /// <inheritdoc />
    public void OnBookUpdated(OrderBook book)
    {
        if (EvaluateEveryChange)
        {
            QueueThroughSetObjects(book.Instrument);
            return;
        }
        var id = book.Instrument.Value;
        // A YES book only moves the YES set's price, a NO book only the NO set's: the index holds the set the book prices.
        var books = _outcomeBooks;
        if ((uint)id >= (uint)books.Length) return;
        ref readonly var outcome = ref books[id];
        var set = outcome.Set;
        if (set == 0 || !_settings.Enabled) return;
        var flags = _setFlags;
        var setFlags = flags[set];
        if ((setFlags & (SetFlags.Tradable | SetFlags.Queued)) != SetFlags.Tradable) return;
        // The last evaluation summed every outcome's best ask and found no gross edge, and this book's best ask is the one
        // it summed: every other outcome's best ask is too (a change of one queues an evaluation, which remembers it anew),
        // so the evaluation would stop at the same sum and do nothing. A missing, stale or old book only stops it sooner.
        if ((setFlags & SetFlags.AsksWithoutEdge) != 0 && outcome.SeenAsk == book.BestAskUnits) return;
        flags[set] = setFlags | SetFlags.Queued;
        _hub.Post(_workBySet[set]!);
    }

    /// <summary>
    /// The straightforward dispatch <see cref="EvaluateEveryChange"/> tests compare against: the instrument's set object
    /// from a dictionary, queued once through a flag on that object (never through the numbered flag tables).
    /// </summary>
    private void QueueThroughSetObjects(InstrumentId instrument)
    {
        if (!_setObjectByInstrument.TryGetValue(instrument, out var set) || !_settings.Enabled) return;
        if (!set.Tradable || set.QueuedForReference) return;
        set.QueuedForReference = true;
        _hub.Post(set.Work);
    }

    /// <summary>
    /// Testing only: evaluate on every book change, as if no set remembered its best asks (to compare against the
    /// early return), dispatching through the set objects rather than the flat tables (see <see cref="QueueThroughSetObjects"/>).
    /// </summary>
    internal bool EvaluateEveryChange { get; set; }

    /// <summary>Per instrument of a watched event, its set; used only by <see cref="EvaluateEveryChange"/>'s dispatch.</summary>
    private readonly Dictionary<InstrumentId, SetState> _setObjectByInstrument = [];

    /// <summary>
    /// Prices one set now (the queued evaluation); a set whose event is no longer watched is skipped. The set's queued flag
    /// is cleared first, unless the sets were renumbered since it was queued (its number may be another set's now; the
    /// new sets started unqueued).
    /// </summary>
    private void EvaluateQueued(EventState state, OutcomeSetKind kind, int set, int generation)
    {
        (kind == OutcomeSetKind.Yes ? state.YesSet : state.NoSet).QueuedForReference = false;
        if (generation == _generation) _setFlags[set] &= ~SetFlags.Queued;
        if (!_settings.Enabled || !state.Watched) return;
        Evaluate(state, kind);
    }

    private void Evaluate(EventState e, OutcomeSetKind kind)
    {
        var now = _hub.Time.GetUtcNow();
        var nowTicks = now.UtcTicks;
        var set = kind == OutcomeSetKind.Yes ? e.YesSet : e.NoSet;
        var instruments = kind == OutcomeSetKind.Yes ? e.Yes : e.No;
        var payout = kind == OutcomeSetKind.Yes ? 1m : e.Count - 1;
        var payoutUnits = (long)(payout * Price.Scale);
        var maxAge = _limits.MaxBookAge.Ticks;
        long bestSum = 0;
        // A watched event's sets are numbered by the last Rewatch, so these are the current tables.
        var flags = _setFlags;
        flags[set.Number] &= ~SetFlags.AsksWithoutEdge;
        var outcomes = _outcomeBooks;
        for (var i = 0; i < instruments.Length; i++)
        {
            // Nothing is priced, let alone traded, unless every outcome's book is there, fresh and offering.
            var instrument = instruments[i];
            var book = _hub.TryGetBook(instrument);
            if (book is null || book.IsStale || nowTicks - book.LastUpdateUtcTicks > maxAge) return;
            var ask = book.BestAskUnits;
            if (ask < 0) return;
            e.Books[i] = book;
            outcomes[instrument.Value].SeenAsk = ask;
            bestSum += ask;
        }
        // The usual case: the best asks already cost at least the payout.
        if (bestSum >= payoutUnits)
        {
            flags[set.Number] |= SetFlags.AsksWithoutEdge;
            return;
        }

        for (var i = 0; i < instruments.Length; i++)
        {
            // A level is only worth copying while it, with every other leg at its best, still costs less than the payout.
            var book = e.Books[i]!;
            e.Depths[i] = book.CopyAsksBelow(payoutUnits - (bestSum - book.BestAskUnits), ref e.Ladders[i]);
        }
        // The gate resizes to the maximum trade size anyway; sizing beyond it only costs time.
        // An edge persists over many book changes that leave these ladders as they were (a change deeper in a book, on its
        // bid side, or of the other set): sized from the same ladders under the same limits and settings, the answer is the same.
        if (EvaluateEveryChange || !set.IsSizedFor(e.Ladders, e.Depths, _limits, _settings))
        {
            var cap = _limits.MaxTradeSize / (bestSum / (decimal)Price.Scale);
            var minEdge = Math.Max(_settings.MinNetEdge, _limits.MinNetEdge);
            set.Remember(e.Ladders, e.Depths, _limits, _settings,
                set.Sizer.Size(e.Ladders, e.Depths, e.Terms, payout, e.QuantityStep, _limits.FixedCostPerSet, minEdge, cap));
        }
        var sizing = set.Sizing;
        if (!sizing.Found) return;
        if (_sink.SettledWithoutBuilding(null, e.Key))
        {
            _ids.Next();
            return;
        }
        _sink.OnOpportunity(BuildOpportunity(e, set.Sizer, kind, instruments, sizing, now));
    }

    private Opportunity BuildOpportunity(EventState e, OutcomeSetSizer sizer, OutcomeSetKind kind, InstrumentId[] instruments, in OutcomeSetSizing sizing,
        DateTimeOffset now)
    {
        // The sizer's fills are from its last sizing, which is the remembered one (each set has its own sizer).
        var fills = sizer.Fills;
        var legs = new OpportunityLeg[instruments.Length];
        var side = kind == OutcomeSetKind.Yes ? "YES" : "NO";
        var reason = new StringBuilder(256);
        reason.Append(CultureInfo.InvariantCulture,
            $"{side} set of {e.Event.Venue.DisplayName()} event \"{e.Event.Title}\" ({e.Count} outcomes, pays {sizing.PayoutPerSet:0.##} per set): buy {sizing.Quantity:0.##} {side} of ");
        for (var i = 0; i < legs.Length; i++)
        {
            var book = e.Books[i]!;
            var fill = fills[i];
            legs[i] = new OpportunityLeg(instruments[i], e.Event.Venue, Side.Buy, fill.WorstPrice, fill.AveragePrice, fill.Fee, book.BestAsk.Price,
                fill.DepthWithinWorst, book.Version, TimeSpan.FromTicks(now.UtcTicks - book.LastUpdateUtcTicks));
            if (i > 0) reason.Append(", ");
            reason.Append(CultureInfo.InvariantCulture, $"{e.Markets[i].OutcomeLabel} ≤ {fill.WorstPrice}");
        }
        reason.Append(CultureInfo.InvariantCulture,
            $" (best asks sum {sizing.BestAskSum:0.00##}): gross {sizing.GrossEdgePerSet:0.0000}/set, net {sizing.NetEdgePerSet:0.0000}/set after {sizing.TotalCosts:0.00###} fees and costs, expected profit {sizing.ExpectedProfit:0.00##}");
        return new Opportunity(_ids.Next(), StrategyName, null, now, legs, sizing.Quantity, sizing.GrossEdgePerSet, sizing.TotalCosts,
            sizing.NetEdgePerSet, sizing.ExpectedProfit, OpportunityDecision.Detected, reason.ToString())
        {
            PayoutPerSet = sizing.PayoutPerSet,
            EventKey = e.Key,
        };
    }


    /// <summary>Classifies every offered event again under the current settings and rebuilds the watched set and index.</summary>
    private void Rewatch()
    {
        var registry = _hub.Registry;
        var marketsByEvent = registry.Markets
            .GroupBy(m => (m.Venue, m.EventKey))
            .ToDictionary(g => g.Key, g => g.OrderBy(m => m.Yes.Value).ToArray());
        _classified.Clear();
        foreach (var old in _watched) old.Watched = false;
        _watched.Clear();
        Array.Clear(_outcomeBooks);
        _setObjectByInstrument.Clear();
        // Queued evaluations of the old sets no longer clear flags: the new sets start unqueued in new tables.
        _generation++;
        var sets = new List<SetState> { Capacity = 2 * _offered.Count };
        foreach (var venueEvent in _offered.Values.OrderBy(v => v.Venue).ThenBy(v => v.EventKey, StringComparer.Ordinal))
        {
            var markets = marketsByEvent.GetValueOrDefault((venueEvent.Venue, venueEvent.EventKey)) ?? [];
            var eligibility = OutcomeSetEligibility.Classify(venueEvent, markets, _settings);
            _classified.Add(eligibility);
            if (!eligibility.Eligible) continue;
            var fees = venueEvent.Venue == VenueId.Kalshi ? _kalshiFees : _polymarketFees;
            var state = new EventState(this, eligibility, markets, [.. markets.Select(m => ArbLegTerms.For(m, fees))], sets.Count + 1, _generation);
            sets.Add(state.YesSet);
            sets.Add(state.NoSet);
            _watched.Add(state);
            state.Watched = true;
            for (var leg = 0; leg < markets.Length; leg++)
            {
                var market = markets[leg];
                foreach (var instrument in (ReadOnlySpan<InstrumentId>)[market.Yes, market.No])
                {
                    if (instrument.Value >= _outcomeBooks.Length)
                    {
                        Array.Resize(ref _outcomeBooks, Math.Max(instrument.Value + 1, _outcomeBooks.Length * 2));
                    }
                    _outcomeBooks[instrument.Value] = new OutcomeBook((instrument == market.Yes ? state.YesSet : state.NoSet).Number);
                    _setObjectByInstrument[instrument] = instrument == market.Yes ? state.YesSet : state.NoSet;
                    // The hub has no unsubscribe; an event no longer watched finds no state here.
                    if (_subscribed.Add(instrument)) _hub.Subscribe(instrument, this);
                }
            }
        }
        var flags = new SetFlags[sets.Count + 1];
        var work = new SetEvaluation?[sets.Count + 1];
        foreach (var set in sets)
        {
            flags[set.Number] = set.Tradable ? SetFlags.Tradable : SetFlags.None;
            work[set.Number] = set.Work;
        }
        _setFlags = flags;
        _workBySet = work;
    }

    /// <summary>One set's state as a book change reads it.</summary>
    [Flags]
    private enum SetFlags : byte
    {
        None = 0,
        /// <summary>This kind of set may be traded in its event (<see cref="OutcomeSetEligibility.YesSets"/> or <see cref="OutcomeSetEligibility.NoSets"/>).</summary>
        Tradable = 1,
        /// <summary>The set's evaluation is queued on the hub: further book changes before it runs need no second evaluation.</summary>
        Queued = 2,
        /// <summary>The last evaluation saw every book fresh with asks whose best sum to at least the payout (each instrument's <see cref="OutcomeBook.SeenAsk"/> is what it summed).</summary>
        AsksWithoutEdge = 4,
    }

    /// <summary>An instrument of a watched event: the number of the set its book prices (0: none) and the best ask (price units) the set's last evaluation summed for it.</summary>
    private struct OutcomeBook(int set)
    {
        public readonly int Set = set;
        public int SeenAsk;
    }

    private static MultiOutcomeSettings Validated(MultiOutcomeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = MultiOutcomeSettingsValidator.Validate(settings);
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors.Select(e => e.Message)), nameof(settings));
        return settings;
    }

    /// <summary>One watched event: its outcomes in a fixed order and the buffers its sets are priced in.</summary>
    private sealed class EventState
    {
        public EventState(MultiOutcomeArbitrage strategy, OutcomeSetEligibility eligibility, Market[] markets, ArbLegTerms[] terms, int firstSetNumber, int generation)
        {
            YesSet = new SetState(markets.Length, strategy, this, OutcomeSetKind.Yes, eligibility.YesSets, firstSetNumber, generation);
            NoSet = new SetState(markets.Length, strategy, this, OutcomeSetKind.No, eligibility.NoSets, firstSetNumber + 1, generation);
            Eligibility = eligibility;
            Event = eligibility.Event;
            Key = EventKeyOf(Event);
            Markets = markets;
            Terms = terms;
            Count = markets.Length;
            Yes = [.. markets.Select(m => m.Yes)];
            No = [.. markets.Select(m => m.No)];
            QuantityStep = markets.Max(m => m.QuantityStep);
            Books = new OrderBook?[Count];
            Depths = new int[Count];
            Ladders = new BookLevel[Count][];
            for (var i = 0; i < Count; i++) Ladders[i] = new BookLevel[16];
        }

        public OutcomeSetEligibility Eligibility { get; }
        public VenueEvent Event { get; }
        public string Key { get; }
        public Market[] Markets { get; }
        public ArbLegTerms[] Terms { get; }
        public int Count { get; }
        public InstrumentId[] Yes { get; }
        public InstrumentId[] No { get; }
        public decimal QuantityStep { get; }
        public OrderBook?[] Books { get; }
        public int[] Depths { get; }
        public BookLevel[][] Ladders { get; }
        public SetState YesSet { get; }
        public SetState NoSet { get; }

        /// <summary>In the watched list (a queued evaluation of an event no longer watched is skipped).</summary>
        public bool Watched { get; set; }
    }

    /// <summary>
    /// One set (the YES or the NO set of an event): its number, its queued evaluation, and the ladders, limits and
    /// settings it was last sized under with the answer. (What a book change reads of it is in the strategy's flat tables.)
    /// </summary>
    private sealed class SetState
    {
        private readonly BookLevel[][] _ladders;
        private readonly int[] _depths;
        private RiskLimits? _limits;
        private MultiOutcomeSettings? _settings;

        public SetState(int legs, MultiOutcomeArbitrage strategy, EventState state, OutcomeSetKind kind, bool tradable, int number, int generation)
        {
            Number = number;
            Work = new SetEvaluation(strategy, state, kind, number, generation);
            Tradable = tradable;
            Sizer = new OutcomeSetSizer(legs);
            _depths = new int[legs];
            _ladders = new BookLevel[legs][];
            for (var i = 0; i < legs; i++) _ladders[i] = new BookLevel[16];
        }

        /// <summary>The set's number in the strategy's flat tables (from 1), given by the <see cref="Rewatch"/> that made it.</summary>
        public int Number { get; }

        public SetEvaluation Work { get; }

        /// <summary>This kind of set may be traded in its event (<see cref="OutcomeSetEligibility.YesSets"/> or <see cref="OutcomeSetEligibility.NoSets"/>, which cannot change).</summary>
        public bool Tradable { get; }

        /// <summary>This set's own sizer, so its fills stay those of the remembered sizing.</summary>
        public OutcomeSetSizer Sizer { get; }

        /// <summary>Testing only (<see cref="EvaluateEveryChange"/>'s dispatch): <see cref="Work"/> is queued.</summary>
        public bool QueuedForReference { get; set; }

        /// <summary>The remembered sizing (valid once <see cref="Remember"/> has been called).</summary>
        public OutcomeSetSizing Sizing { get; private set; }

        /// <summary>
        /// True when, under the same limits and settings objects, these ladders have level for level the levels the last
        /// sizing read (its sizer's reads: same prices, same sizes digit for digit; the same length when it read to the end).
        /// </summary>
        public bool IsSizedFor(BookLevel[][] ladders, int[] depths, RiskLimits limits, MultiOutcomeSettings settings)
        {
            if (!ReferenceEquals(limits, _limits) || !ReferenceEquals(settings, _settings)) return false;
            var reads = Sizer.Reads;
            for (var i = 0; i < _depths.Length; i++)
            {
                if (!reads[i].Same(ladders[i].AsSpan(0, depths[i]), _ladders[i].AsSpan(0, _depths[i]))) return false;
            }
            return true;
        }

        public void Remember(BookLevel[][] ladders, int[] depths, RiskLimits limits, MultiOutcomeSettings settings, in OutcomeSetSizing sizing)
        {
            for (var i = 0; i < _depths.Length; i++) _depths[i] = LevelLadders.Copy(ladders[i].AsSpan(0, depths[i]), ref _ladders[i]);
            _limits = limits;
            _settings = settings;
            Sizing = sizing;
        }
    }

    /// <summary>One set's queued evaluation; reused, so queuing it does not allocate.</summary>
    private sealed class SetEvaluation(MultiOutcomeArbitrage strategy, EventState state, OutcomeSetKind kind, int set, int generation) : IHubWork
    {
        public void Execute(MarketDataHub hub) => strategy.EvaluateQueued(state, kind, set, generation);
    }
}
