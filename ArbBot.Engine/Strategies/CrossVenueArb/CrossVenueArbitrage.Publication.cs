using ArbBot.Engine.MarketData;
using ArbBot.Engine.Risk;

namespace ArbBot.Engine.Strategies.CrossVenueArb;

/// <summary>
/// The spreads published for readers off the hub: the dashboard's copy is made, and the sets whose figures were left
/// to work out ("same top, no edge") are priced, on the reader's thread, so a refresh holds the hub for none of it.
/// </summary>
/// <remarks>
/// <para><b>Per slot, a sequence lock.</b> Every hub write of what a reader copies of a slot (its spread, and for a
/// deferred set the best asks, their evaluation time and the "not priced yet" flag) runs between two increments of the
/// slot's sequence: odd while writing (the first increment is <see cref="Interlocked.Increment(ref int)"/>, a full
/// fence, so no write of the slot is seen before it), even after (a release write). A reader copies the slot and keeps
/// the copy only if the sequence was even and unchanged across it; otherwise it copies again. So a copied slot is always
/// the slot between two hub writes of it: never a spread half written, never a deferred set's new best ask with its old
/// evaluation time. The hub never waits and reads nothing a reader writes.</para>
/// <para><b>The layout</b> (which arrays, which pair in which slot, which limits) is one immutable
/// <see cref="SpreadLayout"/> replaced whole when pairs are added or removed and when the limits change (the fixed cost
/// per set prices a deferred set). A reader copies every slot under one layout and keeps the copy only if the layout is
/// still the current one afterwards; otherwise it starts again (rare: pair and limit changes are operator actions).</para>
/// <para><b>Pricing is the hub's.</b> A deferred set is priced by <see cref="PriceTop"/>, the very function the hub
/// uses when it prices a set (<see cref="PriceUnpricedTop"/>), from the copied best asks, the pair's fee terms and the
/// layout's fixed cost: the figures are those the hub would write for the same state. The fee models are pure functions
/// of their arguments (both venues' models keep no state), so they may run on any thread.</para>
/// </remarks>
public sealed partial class CrossVenueArbitrage
{
    /// <summary>Readers give up (and the caller copies on the hub) after this many layouts changed under a copy.</summary>
    private const int MaxLayoutAttempts = 16;

    /// <summary>Readers give up on a slot left odd this many spins (a hub write interrupted by an exception; never expected).</summary>
    private const int MaxSlotSpins = 100_000;

    /// <summary>Per slot, the sequence lock described above (odd while the hub writes the slot).</summary>
    private int[] _spreadSequence = [];

    private volatile SpreadLayout _layout = new([], [], [], [], new RiskLimits());

    /// <summary>What a reader copies under: the slot arrays, the pair in each slot, and the limits the figures are priced under.</summary>
    private sealed record SpreadLayout(ArbSetSpread[] Spreads, SetState[] Sets, PairState[] PairBySlot, int[] Sequence, RiskLimits Limits);

    /// <summary>Publishes the current arrays and limits (hub thread, after any of them changed).</summary>
    private void PublishLayout() => _layout = new SpreadLayout(_spreads, _sets, _pairBySlot, _spreadSequence, _limits);

    /// <summary>Opens a hub write of what readers copy of <paramref name="slot"/> (its spread or its deferred top). Hub thread.</summary>
    private void BeginSpreadWrite(int slot) => Interlocked.Increment(ref _spreadSequence[slot]);

    /// <summary>Closes the write opened by <see cref="BeginSpreadWrite"/>. Hub thread.</summary>
    private void EndSpreadWrite(int slot)
    {
        ref var sequence = ref _spreadSequence[slot];
        Volatile.Write(ref sequence, sequence + 1);
    }

    /// <summary>Copies every set's current spread into <paramref name="destination"/>; returns how many were written. Hub thread.</summary>
    public int CopySpreads(Span<ArbSetSpread> destination)
    {
        PriceUnpricedTops();
        var n = Math.Min(destination.Length, _spreads.Length);
        _spreads.AsSpan(0, n).CopyTo(destination);
        return n;
    }

    /// <summary>A copy of every set's current spread, pair by pair. Hub thread.</summary>
    public ArbSetSpread[] SnapshotSpreads()
    {
        PriceUnpricedTops();
        return (ArbSetSpread[])_spreads.Clone();
    }

    /// <summary>
    /// A copy of every set's current spread, pair by pair, made on the calling thread (any thread, the hub's included)
    /// without holding the hub: each set as the hub last wrote it, deferred sets priced here exactly as the hub would price
    /// them. Each set's figures are consistent (one hub write); different sets may be a few events apart. Null when pairs
    /// or limits kept changing under the copy (or a slot stayed mid-write): copy on the hub with
    /// <see cref="SnapshotSpreads"/> instead.
    /// </summary>
    public ArbSetSpread[]? TrySnapshotSpreadsOffHub()
    {
        for (var attempt = 0; attempt < MaxLayoutAttempts; attempt++)
        {
            var layout = _layout;
            var copy = new ArbSetSpread[layout.Spreads.Length];
            if (!TryCopySlots(layout, copy)) return null;
            // Every slot kept was read under its sequence (an acquire after the copy), so a layout published before any
            // of those writes is seen here: a change of pairs or limits during the copy sends it round again.
            Interlocked.MemoryBarrier();
            if (ReferenceEquals(layout, _layout)) return copy;
        }
        return null;
    }

    private static bool TryCopySlots(SpreadLayout layout, ArbSetSpread[] copy)
    {
        var sequences = layout.Sequence;
        var spreads = layout.Spreads;
        var sets = layout.Sets;
        var fixedCost = layout.Limits.FixedCostPerSet;
        for (var slot = 0; slot < copy.Length; slot++)
        {
            var spins = new SpinWait();
            ArbSetSpread spread;
            DeferredTop top;
            while (true)
            {
                var before = Volatile.Read(ref sequences[slot]);
                if ((before & 1) == 0)
                {
                    spread = spreads[slot];
                    top = new DeferredTop(ref sets[slot]);
                    Interlocked.MemoryBarrier();
                    if (Volatile.Read(ref sequences[slot]) == before) break;
                }
                if (spins.Count >= MaxSlotSpins) return false;
                spins.SpinOnce(sleep1Threshold: -1);
            }
            copy[slot] = top.Pending ? PriceTop(top, layout.PairBySlot[slot >> 1], slot, fixedCost) : spread;
        }
        return true;
    }

    /// <summary>What a reader copies of a set's state: a deferred set's best asks and their evaluation time.</summary>
    private readonly struct DeferredTop(ref SetState set)
    {
        public readonly bool Pending = set.Pending;
        public readonly long PairId = set.PairId;
        public readonly Matching.ArbSet Set = set.Set;
        public readonly long TopEvaluatedUtcTicks = set.TopEvaluatedUtcTicks;
        public readonly Core.Price KalshiBestPrice = set.KalshiBestPrice;
        public readonly Core.Price PolymarketBestPrice = set.PolymarketBestPrice;
        public readonly decimal KalshiBestSize = set.KalshiBestSize;
        public readonly decimal PolymarketBestSize = set.PolymarketBestSize;
    }

    /// <summary>The spread an evaluation that saw no gross edge at these best asks would have written, as it would have written it.</summary>
    private static ArbSetSpread PriceTop(in DeferredTop set, PairState pair, int slot, decimal fixedCostPerSet)
    {
        var top = ArbSetSizer.TopOfBook(new BookLevel(set.KalshiBestPrice, set.KalshiBestSize), new BookLevel(set.PolymarketBestPrice, set.PolymarketBestSize),
            pair.KalshiTerms, pair.PolymarketTerms, fixedCostPerSet);
        return new ArbSetSpread(set.PairId, slot & 1, set.Set.Kalshi, set.Set.Polymarket, ArbSetState.NoEdge,
            set.KalshiBestPrice, set.PolymarketBestPrice, top.AskSum, top.GrossEdge, top.NetEdge, top.Size, set.TopEvaluatedUtcTicks);
    }

    /// <summary>Testing: sets whose figures are deferred (not priced yet). Hub thread.</summary>
    internal int DeferredSetCount
    {
        get
        {
            var count = 0;
            foreach (ref readonly var set in _sets.AsSpan()) count += set.Pending ? 1 : 0;
            return count;
        }
    }

    /// <summary>The slot's spread with its figures worked out, to change in place (inside a write of the slot).</summary>
    private ref ArbSetSpread PricedSpread(int slot)
    {
        if (_sets[slot].Pending) PriceUnpricedTop(slot);
        return ref _spreads[slot];
    }

    /// <summary>Prices every deferred set on the hub (before its pricing inputs change, and for the hub's own copies).</summary>
    private void PriceUnpricedTops()
    {
        for (var slot = 0; slot < _sets.Length; slot++)
        {
            if (!_sets[slot].Pending) continue;
            BeginSpreadWrite(slot);
            PriceUnpricedTop(slot);
            EndSpreadWrite(slot);
        }
    }

    /// <summary>The spread the evaluation that saw no gross edge would have written, as it would have written it (inside a write of the slot).</summary>
    private void PriceUnpricedTop(int slot)
    {
        ref var set = ref _sets[slot];
        var top = new DeferredTop(ref set);
        set.Pending = false;
        _spreads[slot] = PriceTop(top, _pairBySlot[slot >> 1], slot, _limits.FixedCostPerSet);
    }
}
