using System.Globalization;
using System.Runtime.CompilerServices;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Venues;

namespace ArbBot.Engine.Strategies.CrossVenueArb;

/// <summary>What the last evaluation of an arb set saw.</summary>
public enum ArbSetState : byte
{
    /// <summary>No book of the set has changed since the pair was added.</summary>
    NotEvaluated = 0,
    /// <summary>A leg's book has had no event yet.</summary>
    MissingBook,
    /// <summary>A leg's book is marked stale or older than <see cref="RiskLimits.MaxBookAge"/>.</summary>
    StaleBook,
    /// <summary>A leg has no asks.</summary>
    NoAsks,
    /// <summary>The books are fresh but nothing clears the minimum edge.</summary>
    NoEdge,
    /// <summary>An opportunity was found and handed on.</summary>
    Edge,
}

/// <summary>One arb set's spread as last evaluated, for the dashboard.</summary>
public readonly record struct ArbSetSpread(
    long PairId,
    /// <summary>0 for the pair's first set (Kalshi YES leg), 1 for the second (Kalshi NO leg).</summary>
    int SetIndex,
    InstrumentId Kalshi,
    InstrumentId Polymarket,
    ArbSetState State,
    Price KalshiAsk,
    Price PolymarketAsk,
    /// <summary>Best Kalshi ask plus best Polymarket ask.</summary>
    decimal AskSum,
    /// <summary>$1 minus <see cref="AskSum"/>.</summary>
    decimal GrossEdge,
    /// <summary>Gross edge after exact fees on the top-of-book size and the fixed cost per set.</summary>
    decimal NetEdge,
    /// <summary>Sets available at both best asks.</summary>
    decimal SizeAvailable,
    /// <summary>When it was evaluated, as <see cref="TimeProvider"/> UTC ticks (0 before the first evaluation).</summary>
    long EvaluatedUtcTicks);

/// <summary>What became of <see cref="CrossVenueArbitrage.AddOrUpdatePair"/>.</summary>
public enum PairRegistration : byte
{
    /// <summary>The pair is watched and traded.</summary>
    Active,
    /// <summary>The pair is not approved (suggested, paused or retired), so it is not watched; any earlier version was removed.</summary>
    NotApproved,
    /// <summary>The registry has no Kalshi market with the pair's key; not watched.</summary>
    UnknownKalshiMarket,
    /// <summary>The registry has no Polymarket market with the pair's key; not watched.</summary>
    UnknownPolymarketMarket,
}

/// <summary>
/// Cross-venue arbitrage on admin-approved pairs: whenever a book of either leg changes, both arb sets of every pair
/// touching it are sized against fresh books, and each edge that clears the minimum after fees is handed to an
/// <see cref="IOpportunitySink"/> as an <see cref="Opportunity"/>.
/// </summary>
/// <remarks>
/// Everything here runs on the market-data hub's thread: pair changes, limit changes, book notifications and spread
/// snapshots (post them as <see cref="IHubWork"/>). The evaluation path reads books in place and does not allocate
/// unless it produces an opportunity.
/// </remarks>
public sealed partial class CrossVenueArbitrage : IBookListener
{
    /// <summary>The <see cref="Opportunity.Strategy"/> of every opportunity found here.</summary>
    public const string StrategyName = "cross-venue";

    private readonly MarketDataHub _hub;
    private readonly IFeeModel _kalshiFees;
    private readonly IFeeModel _polymarketFees;
    private readonly IOpportunitySink _sink;
    private readonly Dictionary<long, PairState> _pairs = [];
    private readonly HashSet<InstrumentId> _subscribed = [];
    private List<PairState>?[] _byInstrument = [];
    // The per-change state is flat, so a book change reads a few dense arrays instead of a chain of small heap objects
    // (each a likely cache miss: the per-instrument array, the set, its sibling). Sets are numbered by spread slot: the
    // pair in slot order k has its first set at 2k and its second at 2k + 1, so a set's sibling is its slot xor 1.
    /// <summary>
    /// Per instrument, the slots of the sets holding it, for each pair in <see cref="_byInstrument"/> order: instrument i's
    /// are <c>_holdingSlots[_holdingStart[i] .. _holdingStart[i + 1]]</c>.
    /// </summary>
    private int[] _holdingStart = [0];
    private int[] _holdingSlots = [];
    /// <summary>Per slot: what a book change reads and writes of the set.</summary>
    private SetState[] _sets = [];
    /// <summary>Per pair in slot order (slot / 2): the pair's terms and markets, read only when sizing or building.</summary>
    private PairState[] _pairBySlot = [];
    /// <summary>Per slot: the set's sizing memo (what an evaluation of a set with a gross edge reads first).</summary>
    private SizingMemo[] _memoBySlot = [];
    private ArbSetSpread[] _spreads = [];
    /// <summary><see cref="RiskLimits.MaxBookAge"/> in ticks, read on every change.</summary>
    private long _maxBookAgeTicks;
    private BookLevel[] _kalshiLevels = new BookLevel[32];
    private BookLevel[] _polymarketLevels = new BookLevel[32];
    private RiskLimits _limits;
    private readonly OpportunityIds _ids;

    /// <param name="hub">The hub whose books are read and whose clock is used.</param>
    /// <param name="kalshiFees">Kalshi's fee rule.</param>
    /// <param name="polymarketFees">Polymarket's fee rule.</param>
    /// <param name="limits">Minimum net edge, fixed cost per set, maximum book age and maximum trade size.</param>
    /// <param name="sink">Where found opportunities go.</param>
    /// <param name="ids">Where opportunity ids come from (shared by every strategy; null for a private sequence from 1).</param>
    public CrossVenueArbitrage(MarketDataHub hub, IFeeModel kalshiFees, IFeeModel polymarketFees, RiskLimits limits, IOpportunitySink sink, OpportunityIds? ids = null)
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
        _maxBookAgeTicks = limits.MaxBookAge.Ticks;
        _sink = sink;
        _ids = ids ?? new OpportunityIds();
    }

    /// <summary>The limits detection uses. Setting it (hub thread) makes every set re-evaluate on its next book change.</summary>
    public RiskLimits Limits
    {
        get => _limits;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            // Figures not yet worked out belong to the old fixed cost per set.
            PriceUnpricedTops();
            _limits = value;
            _maxBookAgeTicks = value.MaxBookAge.Ticks;
            PublishLayout();
            // Unchanged books can now give a different answer.
            for (var slot = 0; slot < _sets.Length; slot++) ForgetVersions(slot);
        }
    }

    /// <summary>Pairs currently watched.</summary>
    public int PairCount => _pairs.Count;

    /// <summary>Arb sets currently watched (two per pair).</summary>
    public int SpreadCount => _spreads.Length;

    /// <summary>
    /// Starts watching an approved pair, or replaces the watched version of it (new mapping, status or markets).
    /// A pair that is not <see cref="PairStatus.Approved"/> is removed. Hub thread only.
    /// </summary>
    public PairRegistration AddOrUpdatePair(MarketPair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        RemovePair(pair.Id);
        if (pair.Status != PairStatus.Approved) return PairRegistration.NotApproved;
        var registry = _hub.Registry;
        if (!registry.TryGetMarket(VenueId.Kalshi, pair.KalshiMarketKey, out var kalshi)) return PairRegistration.UnknownKalshiMarket;
        if (!registry.TryGetMarket(VenueId.Polymarket, pair.PolymarketMarketKey, out var polymarket)) return PairRegistration.UnknownPolymarketMarket;

        var (first, second) = ArbSet.Of(kalshi, polymarket, pair.Mapping);
        var state = new PairState(pair, kalshi, polymarket, ArbLegTerms.For(kalshi, _kalshiFees), ArbLegTerms.For(polymarket, _polymarketFees), first, second);
        _pairs.Add(pair.Id, state);
        foreach (var instrument in (ReadOnlySpan<InstrumentId>)[kalshi.Yes, kalshi.No, polymarket.Yes, polymarket.No])
        {
            Index(instrument).Add(state);
            // The hub has no per-instrument unsubscribe; a removed pair's instruments stay subscribed and find no pairs.
            if (_subscribed.Add(instrument)) _hub.Subscribe(instrument, this);
        }
        RebuildSpreads();
        return PairRegistration.Active;
    }

    /// <summary>Stops watching a pair; false if it was not watched. Hub thread only.</summary>
    public bool RemovePair(long pairId)
    {
        if (!_pairs.Remove(pairId, out var state)) return false;
        foreach (var instrument in (ReadOnlySpan<InstrumentId>)[state.Kalshi.Yes, state.Kalshi.No, state.Polymarket.Yes, state.Polymarket.No])
        {
            _byInstrument[instrument.Value]?.Remove(state);
        }
        RebuildSpreads();
        return true;
    }

    /// <inheritdoc />
    public void OnBookUpdated(OrderBook book)
    {
        var id = book.Instrument.Value;
        if (EvaluateEveryChange)
        {
            EvaluateEveryPairOf(id);
            return;
        }
        var starts = _holdingStart;
        if ((uint)id >= (uint)(starts.Length - 1)) return;
        var from = starts[id];
        var to = starts[id + 1];
        if (from == to) return;
        var now = _hub.Time.GetUtcNow();
        var nowTicks = now.UtcTicks;
        // Pair changes (the only thing that renumbers slots) never run inside a book notification: they are hub work.
        var slots = _holdingSlots;
        for (var k = from; k < to; k++)
        {
            var slot = slots[k];
            // Status is checked again although only approved pairs are added: trading a paused pair is the one mistake
            // that must not happen, whatever the caller did. (Read from the set: a MarketPair cannot change.)
            if (!_sets[slot].Approved) continue;
            // The pair's sets in their order (first, then second), as ever. The set holding the book is never "unchanged";
            // the other set never has "the same top" of a book it does not hold.
            var sibling = slot ^ 1;
            if ((slot & 1) == 0)
            {
                if (!SameTopWithoutEdge(slot, book, nowTicks)) Evaluate(slot, now);
                if (!UnchangedAndFresh(sibling, id, nowTicks)) Evaluate(sibling, now);
            }
            else
            {
                if (!UnchangedAndFresh(sibling, id, nowTicks)) Evaluate(sibling, now);
                if (!SameTopWithoutEdge(slot, book, nowTicks)) Evaluate(slot, now);
            }
        }
    }

    /// <summary>
    /// True when the set in <paramref name="slot"/> holds the changed <paramref name="book"/>, its last evaluation stopped
    /// at "no gross edge", and the book's best ask is still the one that evaluation saw (same price, same size digit for
    /// digit): the evaluation's answer is then known without reading the set's other book, and what
    /// <see cref="Evaluate"/> would remember and show is written here.
    /// </summary>
    /// <remarks>
    /// What <see cref="Evaluate"/> reads of the other book is unchanged since the set's last evaluation: every change of a
    /// book (levels, version, stale mark, last update) is followed by a notification of it, which evaluates (or passes
    /// through here) every set holding it, and a stale mark or a clear forgets <see cref="SetState.Topped"/>. So the other
    /// book is present, not stale, at the version and last update remembered, with the best ask remembered. This book is
    /// read here: not stale, young enough (the same age tests as <see cref="Evaluate"/>, on both books' last updates), with
    /// the remembered best ask, so the integer pre-check gives "no gross edge" with the same asks. Like
    /// <see cref="Evaluate"/>, an unchanged version (a heartbeat) only refreshes the ages and writes no spread. Tests
    /// compare against <see cref="EvaluateEveryChange"/>.
    /// </remarks>
    private bool SameTopWithoutEdge(int slot, OrderBook book, long nowTicks)
    {
        ref var set = ref _sets[slot];
        if (EvaluateEveryChange || !set.Topped || book.IsStale || !book.HasAsk) return false;
        var id = book.Instrument;
        var isKalshi = set.Set.Kalshi == id;
        if (!isKalshi && set.Set.Polymarket != id) return false;
        var maxAge = _maxBookAgeTicks;
        var lastUpdate = book.LastUpdateUtcTicks;
        var otherLastUpdate = isKalshi ? set.PolymarketLastUpdateUtcTicks : set.KalshiLastUpdateUtcTicks;
        if (nowTicks - lastUpdate > maxAge || nowTicks - otherLastUpdate > maxAge) return false;
        var best = book.BestAsk;
        if (isKalshi
            ? best.Price != set.KalshiBestPrice || !SameDigits(best.Size, set.KalshiBestSize)
            : best.Price != set.PolymarketBestPrice || !SameDigits(best.Size, set.PolymarketBestSize))
        {
            return false;
        }

        set.OldestUpdateUtcTicks = Math.Min(lastUpdate, otherLastUpdate);
        var version = book.Version;
        if (isKalshi)
        {
            set.KalshiLastUpdateUtcTicks = lastUpdate;
            if (version == set.KalshiVersion) return true;
            set.KalshiVersion = version;
        }
        else
        {
            set.PolymarketLastUpdateUtcTicks = lastUpdate;
            if (version == set.PolymarketVersion) return true;
            set.PolymarketVersion = version;
        }
        BeginSpreadWrite(slot);
        set.Pending = true;
        set.TopEvaluatedUtcTicks = nowTicks;
        EndSpreadWrite(slot);
        return true;
    }

    /// <summary>
    /// Same digits: same value and same scale (the dashboard's figures show the size's digits), compared as the 128 bits
    /// they are stored in. Identical bits are always the same digits; the only same-digit values with different bits are
    /// 0 and −0, and a book holds no level of size zero (a "no" there only means one evaluation more).
    /// </summary>
    private static bool SameDigits(decimal a, decimal b) =>
        Unsafe.As<decimal, UInt128>(ref a) == Unsafe.As<decimal, UInt128>(ref b);

    /// <summary>
    /// True when evaluating the set in <paramref name="slot"/> now would stop at "same versions", known without reading its
    /// books.
    /// </summary>
    /// <remarks>
    /// Every change of a book (levels, version, stale mark, last update) is followed by a notification of it, which
    /// evaluates every set holding that book. So a set that does not hold the changed book has books exactly as its last
    /// evaluation read them: present, not marked stale (else it would have forgotten its versions) and last updated when
    /// that evaluation saw (or later, which only makes the age test here stricter and sends it to <see cref="Evaluate"/>).
    /// The age test is the one <see cref="Evaluate"/> makes, so the set is skipped exactly when it would return at the
    /// version check. Tests compare against <see cref="EvaluateEveryChange"/>.
    /// </remarks>
    private bool UnchangedAndFresh(int slot, int changed, long nowTicks)
    {
        ref var set = ref _sets[slot];
        return !EvaluateEveryChange && set.KalshiVersion >= 0 && set.Set.Kalshi.Value != changed && set.Set.Polymarket.Value != changed
            && nowTicks - set.OldestUpdateUtcTicks <= _maxBookAgeTicks;
    }

    /// <summary>
    /// Testing only: evaluate both sets of a pair on every change of any of its books, reading both books of each and
    /// sizing every time; found through the instrument's pairs, not the per-instrument slot index.
    /// </summary>
    internal bool EvaluateEveryChange { get; set; }

    /// <summary>The straightforward dispatch <see cref="EvaluateEveryChange"/> tests compare against: every pair of the instrument, both sets in order.</summary>
    private void EvaluateEveryPairOf(int instrument)
    {
        if ((uint)instrument >= (uint)_byInstrument.Length || _byInstrument[instrument] is not { Count: > 0 } pairs) return;
        var now = _hub.Time.GetUtcNow();
        foreach (var pair in pairs)
        {
            if (!pair.Approved) continue;
            Evaluate(pair.FirstSlot, now);
            Evaluate(pair.FirstSlot + 1, now);
        }
    }

    private void Evaluate(int slot, DateTimeOffset now)
    {
        var nowTicks = now.UtcTicks;
        ref var set = ref _sets[slot];
        var kBook = _hub.TryGetBook(set.Set.Kalshi);
        var pBook = _hub.TryGetBook(set.Set.Polymarket);
        if (kBook is null || pBook is null)
        {
            BeginSpreadWrite(slot);
            ref var missing = ref PricedSpread(slot);
            missing = missing with { State = ArbSetState.MissingBook, EvaluatedUtcTicks = nowTicks };
            EndSpreadWrite(slot);
            ForgetVersions(slot);
            return;
        }
        var maxAge = _maxBookAgeTicks;
        if (kBook.IsStale || pBook.IsStale || nowTicks - kBook.LastUpdateUtcTicks > maxAge || nowTicks - pBook.LastUpdateUtcTicks > maxAge)
        {
            BeginSpreadWrite(slot);
            ref var stale = ref PricedSpread(slot);
            stale = stale with { State = ArbSetState.StaleBook, EvaluatedUtcTicks = nowTicks };
            EndSpreadWrite(slot);
            // Not remembered: once fresh again, the same versions deserve an evaluation.
            ForgetVersions(slot);
            return;
        }
        set.KalshiLastUpdateUtcTicks = kBook.LastUpdateUtcTicks;
        set.PolymarketLastUpdateUtcTicks = pBook.LastUpdateUtcTicks;
        set.OldestUpdateUtcTicks = Math.Min(kBook.LastUpdateUtcTicks, pBook.LastUpdateUtcTicks);
        if (kBook.Version == set.KalshiVersion && pBook.Version == set.PolymarketVersion) return;
        set.KalshiVersion = kBook.Version;
        set.PolymarketVersion = pBook.Version;

        set.Topped = false;
        var index = slot & 1;
        if (!kBook.HasAsk || !pBook.HasAsk)
        {
            BeginSpreadWrite(slot);
            set.Pending = false;
            _spreads[slot] = new ArbSetSpread(set.PairId, index, set.Set.Kalshi, set.Set.Polymarket, ArbSetState.NoAsks,
                kBook.HasAsk ? kBook.BestAsk.Price : default, pBook.HasAsk ? pBook.BestAsk.Price : default, 0m, 0m, 0m, 0m, nowTicks);
            EndSpreadWrite(slot);
            return;
        }
        var kBest = kBook.BestAsk;
        var pBest = pBook.BestAsk;
        // The usual case: no gross edge at the top (the best asks cost $1 or more), so no need to look deeper. In whole
        // price units this is exactly the decimal test "$1 − both asks ≤ 0" (a Price is its units over 10,000), and fees
        // and fixed costs only lower an edge, so no set of these books can clear any minimum. The dashboard's figures
        // (in decimal, with both venues' fee rules) are worked out from these asks only when a snapshot is taken.
        if (kBest.Price.Units + pBest.Price.Units >= Price.Scale)
        {
            BeginSpreadWrite(slot);
            set.KalshiBestPrice = kBest.Price;
            set.KalshiBestSize = kBest.Size;
            set.PolymarketBestPrice = pBest.Price;
            set.PolymarketBestSize = pBest.Size;
            set.TopEvaluatedUtcTicks = nowTicks;
            set.Pending = true;
            EndSpreadWrite(slot);
            set.Topped = true;
            return;
        }
        // Only levels cheaper than $1 minus the other leg's best ask can ever be part of a set.
        var kCount = kBook.CopyAsksBelow(Price.Scale - pBest.Price.Units, ref _kalshiLevels);
        var pCount = pBook.CopyAsksBelow(Price.Scale - kBest.Price.Units, ref _polymarketLevels);
        var kLadder = _kalshiLevels.AsSpan(0, kCount);
        var pLadder = _polymarketLevels.AsSpan(0, pCount);
        // An edge persists over many book changes that leave the levels its sizing read as they were (a change deeper in a
        // book than the sizing walked, on its bid side, or of the other set): priced and sized from the same levels under
        // the same limits, the answer is the same.
        var memo = _memoBySlot[slot];
        if (EvaluateEveryChange || !memo.IsFor(kLadder, pLadder, _limits))
        {
            var reads = new LadderReads();
            var answer = PriceAndSize(_pairBySlot[slot >> 1], kLadder, pLadder, ref reads);
            memo.Remember(kLadder, pLadder, _limits, answer, reads);
        }
        var top = memo.Top;
        BeginSpreadWrite(slot);
        set.Pending = false;
        _spreads[slot] = new ArbSetSpread(set.PairId, index, set.Set.Kalshi, set.Set.Polymarket, memo.Found ? ArbSetState.Edge : ArbSetState.NoEdge,
            kBest.Price, pBest.Price, top.AskSum, top.GrossEdge, top.NetEdge, top.Size, nowTicks);
        EndSpreadWrite(slot);
        if (!memo.Found) return;
        var sizing = memo.Sizing;
        var capped = memo.Capped;

        if (_sink.SettledWithoutBuilding(set.PairId, null))
        {
            _ids.Next();
            return;
        }
        // Last: nothing of the set (a reference into the slot array) is written after the sink has run.
        _sink.OnOpportunity(BuildOpportunity(_pairBySlot[slot >> 1], set.Set, sizing, kBook, pBook, now, capped ? _limits.MaxTradeSize : null));
    }

    /// <summary>Top-of-book figures and sizing of a set with a gross edge, from its ladders (best first) under the current limits.</summary>
    private SizingAnswer PriceAndSize(PairState pair, ReadOnlySpan<BookLevel> kLadder, ReadOnlySpan<BookLevel> pLadder, ref LadderReads reads)
    {
        var top = ArbSetSizer.TopOfBook(kLadder[0], pLadder[0], pair.KalshiTerms, pair.PolymarketTerms, _limits.FixedCostPerSet);
        // The gate resizes to the maximum trade size anyway; sizing beyond it only costs time.
        var cap = decimal.Floor(_limits.MaxTradeSize / top.AskSum);
        var sizing = ArbSetSizer.Size(kLadder, pLadder, pair.KalshiTerms, pair.PolymarketTerms, _limits.FixedCostPerSet, _limits.MinNetEdge, cap, ref reads);
        var capped = sizing.Found && sizing.Quantity == cap;
        if (!sizing.Found)
        {
            // When the maximum trade size, not the books, is what leaves fewer sets than a venue's minimum order, the
            // edge is real: size it at the minimum so the gate refuses it by that rule, on the record, instead of the
            // opportunity vanishing without a word.
            if (sizing.Outcome != ArbSizingOutcome.BelowMinimumSize || cap >= sizing.MinimumSize || sizing.SizeSeen < cap) return new(top, sizing, false, false);
            sizing = ArbSetSizer.Size(kLadder, pLadder, pair.KalshiTerms, pair.PolymarketTerms, _limits.FixedCostPerSet, _limits.MinNetEdge, sizing.MinimumSize, ref reads);
        }
        return new(top, sizing, sizing.Found, capped);
    }

    private readonly record struct SizingAnswer(ArbTopOfBook Top, ArbSizing Sizing, bool Found, bool Capped);

    /// <summary>
    /// The last ladders a set with a gross edge was sized from, how much of each the answer read, the limits it was sized
    /// under, and the answer.
    /// </summary>
    private sealed class SizingMemo
    {
        private BookLevel[] _kalshi = new BookLevel[16];
        private BookLevel[] _polymarket = new BookLevel[16];
        private int _kalshiCount;
        private int _polymarketCount;
        private LadderReads _reads;
        private RiskLimits? _limits;
        private SizingAnswer _answer;

        public ArbTopOfBook Top => _answer.Top;
        public ArbSizing Sizing => _answer.Sizing;
        public bool Found => _answer.Found;
        public bool Capped => _answer.Capped;

        /// <summary>
        /// True when, under the same limits, these ladders have level for level the levels the remembered answer read
        /// (same prices, same sizes digit for digit; the same length too when it read to a ladder's end).
        /// </summary>
        public bool IsFor(ReadOnlySpan<BookLevel> kalshi, ReadOnlySpan<BookLevel> polymarket, RiskLimits limits) =>
            ReferenceEquals(limits, _limits) && _reads.Kalshi.Same(kalshi, _kalshi.AsSpan(0, _kalshiCount))
            && _reads.Polymarket.Same(polymarket, _polymarket.AsSpan(0, _polymarketCount));

        public void Remember(ReadOnlySpan<BookLevel> kalshi, ReadOnlySpan<BookLevel> polymarket, RiskLimits limits, in SizingAnswer answer, in LadderReads reads)
        {
            _kalshiCount = LevelLadders.Copy(kalshi, ref _kalshi);
            _polymarketCount = LevelLadders.Copy(polymarket, ref _polymarket);
            _reads = reads;
            _limits = limits;
            _answer = answer;
        }

        public void Forget() => _limits = null;
    }

    private Opportunity BuildOpportunity(PairState pair, ArbSet set, in ArbSizing sizing, OrderBook kBook, OrderBook pBook, DateTimeOffset now,
        decimal? cappedBy)
    {
        var kalshiLeg = Leg(set.Kalshi, VenueId.Kalshi, sizing.Kalshi, kBook, now);
        var polymarketLeg = Leg(set.Polymarket, VenueId.Polymarket, sizing.Polymarket, pBook, now);
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"buy {sizing.Quantity:0.##} Kalshi {Outcome(pair.Kalshi, set.Kalshi)} ≤ {sizing.Kalshi.WorstPrice} + Polymarket {Outcome(pair.Polymarket, set.Polymarket)} ≤ {sizing.Polymarket.WorstPrice} (best {sizing.KalshiBestAsk} + {sizing.PolymarketBestAsk}): gross {sizing.GrossEdgePerSet:0.0000}/set, net {sizing.NetEdgePerSet:0.0000}/set after {sizing.TotalCosts:0.00###} fees and costs, expected profit {sizing.ExpectedProfit:0.00##}");
        if (cappedBy is { } maxTradeSize)
        {
            reason += string.Create(CultureInfo.InvariantCulture, $"; capped at {sizing.Quantity:0.##} sets by the max trade size {maxTradeSize:0.00}");
        }
        return new Opportunity(
            _ids.Next(),
            StrategyName,
            pair.Pair.Id,
            now,
            [kalshiLeg, polymarketLeg],
            sizing.Quantity,
            sizing.GrossEdgePerSet,
            sizing.TotalCosts,
            sizing.NetEdgePerSet,
            sizing.ExpectedProfit,
            OpportunityDecision.Detected,
            reason);
    }

    private static OpportunityLeg Leg(InstrumentId instrument, VenueId venue, in ArbLegFill fill, OrderBook book, DateTimeOffset now) =>
        new(instrument, venue, Side.Buy, fill.WorstPrice, fill.AveragePrice, fill.Fee, book.BestAsk.Price, fill.DepthWithinWorst,
            book.Version, TimeSpan.FromTicks(now.UtcTicks - book.LastUpdateUtcTicks));

    private static string Outcome(Market market, InstrumentId instrument) => instrument == market.Yes ? "YES" : "NO";


    private List<PairState> Index(InstrumentId instrument)
    {
        if (instrument.Value >= _byInstrument.Length) Array.Resize(ref _byInstrument, Math.Max(instrument.Value + 1, _byInstrument.Length * 2));
        return _byInstrument[instrument.Value] ??= [];
    }

    /// <summary>
    /// Gives every set a slot (pair by pair: first set, then second) in the spread and set-state arrays; pairs keep their
    /// last figures, so the dashboard does not blink, and their sets' state. Then indexes, per instrument, the slots of the
    /// sets holding it, in the order of its pairs.
    /// </summary>
    private void RebuildSpreads()
    {
        PriceUnpricedTops();
        var spreads = new ArbSetSpread[_pairs.Count * 2];
        var sets = new SetState[spreads.Length];
        var pairBySlot = new PairState[_pairs.Count];
        var memoBySlot = new SizingMemo[spreads.Length];
        var slot = 0;
        foreach (var pair in _pairs.Values)
        {
            var kept = pair.FirstSlot >= 0 && pair.FirstSlot + 1 < _spreads.Length && _pairBySlot[pair.FirstSlot >> 1] == pair;
            for (var index = 0; index < 2; index++, slot++)
            {
                var set = index == 0 ? pair.First : pair.Second;
                if (kept)
                {
                    spreads[slot] = _spreads[pair.FirstSlot + index];
                    sets[slot] = _sets[pair.FirstSlot + index];
                }
                else
                {
                    spreads[slot] = new ArbSetSpread(pair.Pair.Id, index, set.Kalshi, set.Polymarket, ArbSetState.NotEvaluated, default, default, 0m, 0m, 0m, 0m, 0);
                    sets[slot] = new SetState(set, pair.Pair.Id, pair.Approved);
                }
                memoBySlot[slot] = pair.Memo(index);
            }
            pair.FirstSlot = slot - 2;
            pairBySlot[(slot >> 1) - 1] = pair;
        }
        _spreads = spreads;
        _sets = sets;
        _pairBySlot = pairBySlot;
        _memoBySlot = memoBySlot;
        _spreadSequence = new int[spreads.Length];
        PublishLayout();
        IndexHoldingSets();
    }

    /// <summary>Rebuilds <see cref="_holdingStart"/> and <see cref="_holdingSlots"/> from every instrument's pairs, in their order.</summary>
    private void IndexHoldingSets()
    {
        var starts = new int[_byInstrument.Length + 1];
        var slots = new List<int>();
        for (var instrument = 0; instrument < _byInstrument.Length; instrument++)
        {
            starts[instrument] = slots.Count;
            if (_byInstrument[instrument] is not { } pairs) continue;
            foreach (var pair in pairs)
            {
                var holdsFirst = pair.First.Kalshi.Value == instrument || pair.First.Polymarket.Value == instrument;
                slots.Add(pair.FirstSlot + (holdsFirst ? 0 : 1));
            }
        }
        starts[_byInstrument.Length] = slots.Count;
        _holdingSlots = [.. slots];
        _holdingStart = starts;
    }

    /// <summary>Forgets what the set in <paramref name="slot"/> last saw: its next evaluation reads and sizes its books afresh.</summary>
    private void ForgetVersions(int slot)
    {
        ref var set = ref _sets[slot];
        set.KalshiVersion = -1;
        set.PolymarketVersion = -1;
        set.Topped = false;
        _memoBySlot[slot].Forget();
    }

    /// <summary>What evaluating a pair reads besides its sets' state: the pair, its markets, fee terms and sizing memos.</summary>
    private sealed class PairState(MarketPair pair, Market kalshi, Market polymarket, ArbLegTerms kalshiTerms, ArbLegTerms polymarketTerms, ArbSet first, ArbSet second)
    {
        private readonly SizingMemo _firstMemo = new();
        private readonly SizingMemo _secondMemo = new();

        public MarketPair Pair { get; } = pair;

        /// <summary>The pair's status is <see cref="PairStatus.Approved"/> (a <see cref="MarketPair"/> is immutable, so this is its status now).</summary>
        public bool Approved { get; } = pair.Status == PairStatus.Approved;
        public Market Kalshi { get; } = kalshi;
        public Market Polymarket { get; } = polymarket;
        public ArbLegTerms KalshiTerms { get; } = kalshiTerms;
        public ArbLegTerms PolymarketTerms { get; } = polymarketTerms;
        public ArbSet First { get; } = first;
        public ArbSet Second { get; } = second;

        /// <summary>The slot of the pair's first set (its second is the next), −1 before it has one.</summary>
        public int FirstSlot { get; set; } = -1;

        /// <summary>The sizing memo of the pair's first (0) or second (1) set.</summary>
        public SizingMemo Memo(int index) => index == 0 ? _firstMemo : _secondMemo;
    }

    /// <summary>
    /// One arb set's state as a book change reads and writes it: its book versions when last evaluated, so unchanged
    /// books are not sized (or reported) twice, and the best asks its last "no gross edge" saw. Kept by value in one
    /// array (by slot), so a change reads the set and its sibling from two neighbouring entries.
    /// </summary>
    private struct SetState(ArbSet set, long pairId, bool approved)
    {
        public readonly ArbSet Set = set;

        /// <summary>The pair's id, kept here so an evaluation need not read the pair.</summary>
        public readonly long PairId = pairId;

        /// <summary>The pair's <see cref="PairState.Approved"/>, kept here so a book change need not read the pair.</summary>
        public readonly bool Approved = approved;

        /// <summary>The last evaluation (versions remembered) stopped at "no gross edge" with the best asks below.</summary>
        public bool Topped;

        /// <summary>The spread slot's figures for the best asks below are not worked out yet.</summary>
        public bool Pending;

        public long KalshiVersion = -1;
        public long PolymarketVersion = -1;

        /// <summary>The older of its two books' last updates when last seen fresh (valid while the versions are remembered).</summary>
        public long OldestUpdateUtcTicks;

        /// <summary>Each book's last update when last seen fresh (valid while the versions are remembered).</summary>
        public long KalshiLastUpdateUtcTicks;

        /// <inheritdoc cref="KalshiLastUpdateUtcTicks"/>
        public long PolymarketLastUpdateUtcTicks;

        /// <summary>When the best asks below were last evaluated (TimeProvider UTC ticks).</summary>
        public long TopEvaluatedUtcTicks;

        /// <summary>The best asks last seen with no gross edge (price and size, kept apart so the struct packs).</summary>
        public Price KalshiBestPrice;

        /// <inheritdoc cref="KalshiBestPrice"/>
        public Price PolymarketBestPrice;

        /// <inheritdoc cref="KalshiBestPrice"/>
        public decimal KalshiBestSize;

        /// <inheritdoc cref="KalshiBestPrice"/>
        public decimal PolymarketBestSize;
    }
}
