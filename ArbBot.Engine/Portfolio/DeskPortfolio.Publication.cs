using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;

namespace ArbBot.Engine.Portfolio;

/// <summary>
/// How the dashboard's refresh reads the portfolio without copying it on the hub's thread.
/// </summary>
/// <remarks>
/// <para>
/// The refresh used to run on the hub every 250 ms: mark every open position to its book's mid, then copy every
/// position, holding and sum. Under 50,000 book events a second nearly every book moves between two refreshes, so that
/// was ~1,600 decimal mids and copies, p50 3.2 ms of the hub per refresh. Now:
/// </para>
/// <list type="number">
/// <item>The hub publishes each held instrument's top of book as one 64-bit integer when its book changes
/// (the portfolio listens to the books of the instruments it holds).</item>
/// <item>Off the hub, <see cref="PrepareMarks"/> reads the positions (<see cref="TryRead"/>) and works out each open
/// position's new mark, free-rest term and unrealized PnL from those tops, and the equity's change as an exact sum.</item>
/// <item>On the hub, <see cref="ApplyMarks"/> checks each position against what the preparation read (its version and
/// its book's top) and adopts the prepared figures where both are unchanged — a few compares and stores per position —
/// marking the rest from their books as before (a fill or a book change in between: a handful). The marks it leaves are
/// therefore exactly the ones <see cref="RecomputeUnrealized"/> would have set at that moment.</item>
/// <item>Off the hub, <see cref="TryReadSnapshot"/> copies the figures and builds the <see cref="PortfolioSnapshot"/>:
/// the same sums in the same order, the same holdings formula, so the identical decimals.</item>
/// </list>
/// <para>
/// Consistency is a sequence lock: every change the hub makes to what readers copy (a fill, a set tracked, marks, the
/// day rolling) runs between two increments of <see cref="_publishSequence"/> (odd while writing). A reader copies the
/// figures and keeps the copy only if the sequence was even and unchanged across it, so it never keeps a fill half
/// applied (position moved but cash not). The hub never waits: only a reader retries.
/// </para>
/// </remarks>
public sealed partial class DeskPortfolio
{
    /// <summary>Even while no change is being made; odd while the hub is making one. Readers retry when it moved.</summary>
    private long _publishSequence;
    private int _writeDepth;

    /// <summary>Every position ever opened, in the order created (the order the sums run in); append-only, replaced to grow.</summary>
    private Position[] _created = new Position[64];
    private int _createdCount;

    /// <summary>Venues with a balance, in the order first seen (the snapshot's order), and each one's cash by venue number.</summary>
    private VenueId[] _cashVenues = [];
    private decimal[] _cashByVenue = new decimal[4];

    /// <summary>The tracked sets as the snapshot's holdings read them; replaced whole when a set is tracked.</summary>
    private SetCatalog _catalog = SetCatalog.Empty;

    /// <summary>Each held instrument's top of book (<see cref="PackTop"/>) by instrument id, written on every change of its book.</summary>
    private long[] _tops = [];

    /// <summary>Every position's version, mark and term by instrument id.</summary>
    private readonly PositionColumns _columns = new();

    /// <summary>Positions filled since the last marks, which the next <see cref="ApplyMarks"/> marks from their books.</summary>
    private readonly List<Position> _filledSinceMarks = [];

    private const long NoBook = 0;
    private const long NoMid = 1L << 61;
    private const long BothSides = 1L << 62;

    private void BeginWrite()
    {
        // The increment is a full fence: no write of the change can be seen before the sequence turns odd.
        if (_writeDepth++ == 0) Interlocked.Increment(ref _publishSequence);
    }

    private void EndWrite()
    {
        if (--_writeDepth == 0) Volatile.Write(ref _publishSequence, _publishSequence + 1);
    }

    private void SetCash(VenueId venue, decimal cash)
    {
        if (!_cash.ContainsKey(venue)) _cashVenues = [.. _cashVenues, venue];
        _cash[venue] = cash;
        var index = (int)venue;
        if (index >= _cashByVenue.Length)
        {
            var grown = new decimal[index + 1];
            _cashByVenue.AsSpan().CopyTo(grown);
            _cashByVenue = grown;
        }
        _cashByVenue[index] = cash;
    }

    /// <summary>A new position: readers find it from now, and its book's top is kept from now.</summary>
    private void Publish(Position position)
    {
        if (_createdCount == _created.Length) Array.Resize(ref _created, _created.Length * 2);
        _created[_createdCount++] = position;
        var id = position.Instrument.Id.Value;
        if (id >= _tops.Length)
        {
            var grown = new long[Math.Max(id + 1, Math.Max(_registry.Count, _tops.Length * 2))];
            _tops.AsSpan().CopyTo(grown);
            Volatile.Write(ref _tops, grown);
        }
        _tops[id] = PackTop(_hub.TryGetBook(position.Instrument.Id));
        _hub.Subscribe(position.Instrument.Id, this);
    }

    private void NoteFilled(Position position)
    {
        // Still odd here: a preparation that read an even sequence before this fill has a smaller one.
        position.FilledAtSequence = _publishSequence;
        if (position.InFilledList) return;
        position.InFilledList = true;
        _filledSinceMarks.Add(position);
    }

    private void ForgetFilled()
    {
        foreach (var position in _filledSinceMarks) position.InFilledList = false;
        _filledSinceMarks.Clear();
    }

    private void PublishSets()
    {
        static SetCatalog.Set[] Sets(List<TrackedSet> sets) => [.. sets.Select(s => new SetCatalog.Set(s.Instruments, s.Payout))];
        _catalog = new SetCatalog(
            [.. _setsByPair.OrderBy(p => p.Key).Select(p => (p.Key, Sets(p.Value)))],
            [.. _setsByEvent.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, Sets(e.Value)))]);
    }

    /// <summary>Hub thread: keeps the top of a held instrument's book for the marks prepared off the hub.</summary>
    void IBookListener.OnBookUpdated(OrderBook book)
    {
        var tops = _tops;
        var id = book.Instrument.Value;
        if ((uint)id < (uint)tops.Length) Volatile.Write(ref tops[id], PackTop(book));
    }

    /// <summary>What a book's mid depends on, in one integer: both best prices, or that it has no mid, or no book.</summary>
    private static long PackTop(OrderBook? book) =>
        book is null ? NoBook
        : book.HasBid && book.HasAsk ? BothSides | ((long)book.BestBid.Price.Units << 24) | (uint)book.BestAsk.Price.Units
        : NoMid;

    /// <summary>The mid <see cref="OrderBook.Mid"/> gives for a book with this top (the same expression, so the same decimal).</summary>
    private static decimal? MidOf(long top) =>
        (top & BothSides) == 0 ? null
        : (Price.FromUnits((int)((top >> 24) & 0xFFFFFF)).Value + Price.FromUnits((int)(top & 0xFFFFFF)).Value) / 2m;

    /// <summary>
    /// Copies every figure a snapshot or a mark needs into <paramref name="view"/>, if the hub made no change meanwhile.
    /// Any thread; never blocks the hub. False when a change overlapped (read again).
    /// </summary>
    internal bool TryRead(PortfolioView view)
    {
        var sequence = Volatile.Read(ref _publishSequence);
        if ((sequence & 1) != 0) return false;
        var created = _created;
        var count = _createdCount;
        var (versions, marks, terms) = (_columns.Versions, _columns.Marks, _columns.Terms);
        if (count > created.Length) return false;
        view.Reserve(count);
        for (var i = 0; i < count; i++)
        {
            var p = created[i];
            // Only while a change overlaps (the sequence check below would refuse the copy anyway).
            if (p?.Instrument is null) return false;
            var id = p.Instrument.Id.Value;
            if (id >= versions.Length || id >= marks.Length || id >= terms.Length) return false;
            view.Positions[i] = new PositionFigures(p, id, versions[id], p.Quantity, p.AverageCost, p.FeesPaid, p.RealizedPnl, marks[id], p.Free, terms[id]);
        }
        view.Count = count;
        var venues = _cashVenues;
        var cash = _cashByVenue;
        view.Cash.Clear();
        foreach (var venue in venues)
        {
            if ((int)venue >= cash.Length) return false;
            view.Cash.Add((venue, cash[(int)venue]));
        }
        view.Catalog = _catalog;
        _equityTerms.CopyTo(view.EquityTerms);
        view.PeakEquity = _peakEquity;
        view.DayStartEquity = _dayStartEquity;
        view.TotalExposure = _totalExposure;
        view.OpenPositionCount = _openInstrumentsByMarket.Count;
        view.Sequence = sequence;
        // Every read above completes before the sequence is read again.
        Interlocked.MemoryBarrier();
        return Volatile.Read(ref _publishSequence) == sequence;
    }

    /// <summary>
    /// The portfolio's snapshot built off the hub's thread from a consistent copy (<see cref="TryRead"/>); null when
    /// changes kept overlapping <paramref name="attempts"/> copies (then read on the hub, where none can).
    /// The same figures <see cref="Snapshot"/> gives on the hub at the moment copied.
    /// </summary>
    /// <remarks>
    /// Daily PnL is against the day's start as the hub last rolled it (a fill, marks, or a risk check roll it; the
    /// refresh's <see cref="ApplyMarks"/> does just before): a reader cannot roll the day itself.
    /// </remarks>
    public PortfolioSnapshot? TryReadSnapshot(int attempts = 64) => TryReadSnapshot(new PortfolioView(), attempts);

    internal PortfolioSnapshot? TryReadSnapshot(PortfolioView view, int attempts = 64)
    {
        var spin = new SpinWait();
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            if (TryRead(view)) return SnapshotOf(view, _time.GetUtcNow());
            spin.SpinOnce();
        }
        return null;
    }

    /// <summary>Builds the snapshot from a copy, as <see cref="Snapshot"/> builds it from the positions (any thread).</summary>
    internal static PortfolioSnapshot SnapshotOf(PortfolioView view, DateTimeOffset at)
    {
        var figures = view.Positions.AsSpan(0, view.Count);
        // The sums in the order positions were created (the hub's dictionary order), as Snapshot sums them.
        decimal realized = 0m, fees = 0m, unrealized = 0m;
        foreach (ref readonly var f in figures) realized += f.RealizedPnl - f.FeesPaid;
        foreach (ref readonly var f in figures) fees += f.FeesPaid;
        foreach (ref readonly var f in figures) unrealized += f.Unrealized;

        var maxId = 0;
        foreach (ref readonly var f in figures) maxId = Math.Max(maxId, f.Id);
        var slotById = view.SlotsById(maxId + 1);
        for (var i = 0; i < figures.Length; i++) slotById[figures[i].Id] = i;

        var positions = new List<PositionSnapshot>(figures.Length);
        for (var id = 0; id <= maxId && figures.Length > 0; id++)
        {
            var slot = slotById[id];
            if (slot < 0) continue;
            ref readonly var f = ref figures[slot];
            if (f.Quantity != 0m || f.RealizedPnl != 0m || f.FeesPaid != 0m) positions.Add(CopyOf(in f));
        }

        var pairs = new PairHolding[view.Catalog.Pairs.Length];
        for (var k = 0; k < pairs.Length; k++)
        {
            var (pairId, sets) = view.Catalog.Pairs[k];
            var (held, cost, locked) = HoldingOf(sets, isPair: true, figures, slotById);
            pairs[k] = new PairHolding(pairId, held, cost, locked);
        }
        var events = new EventHolding[view.Catalog.Events.Length];
        for (var k = 0; k < events.Length; k++)
        {
            var (eventKey, sets) = view.Catalog.Events[k];
            var (held, cost, locked) = HoldingOf(sets, isPair: false, figures, slotById);
            events[k] = new EventHolding(eventKey, held, cost, locked);
        }
        slotById.AsSpan().Fill(-1);

        var cash = new Dictionary<VenueId, decimal>(view.Cash.Count);
        foreach (var (venue, balance) in view.Cash) cash[venue] = balance;
        var equity = view.EquityTerms.Value();
        var peak = Math.Max(view.PeakEquity, equity);
        return new PortfolioSnapshot(at, positions.ToArray(), pairs, cash, realized, unrealized, fees, equity, equity - view.DayStartEquity, peak,
            peak - equity, view.OpenPositionCount)
        {
            Events = events,
        };
    }

    /// <summary>The position's immutable copy: the last one a reader made while its figures are identical (scale included), else a new one.</summary>
    private static PositionSnapshot CopyOf(in PositionFigures f)
    {
        var p = f.Position;
        var unrealized = f.Unrealized;
        var last = Volatile.Read(ref p.ReaderCopy);
        if (last is not null && Same(last.Quantity, f.Quantity) && Same(last.AverageCost, f.AverageCost) && Same(last.FeesPaid, f.FeesPaid)
            && Same(last.RealizedPnl, f.RealizedPnl) && Same(last.Mark, f.Mark) && Same(last.UnrealizedPnl, unrealized))
        {
            return last;
        }
        var instrument = p.Instrument;
        var copy = new PositionSnapshot(instrument.Id, instrument.Venue, instrument.Symbol, instrument.MarketKey, instrument.IsYes,
            f.Quantity, f.AverageCost, f.FeesPaid, f.RealizedPnl, f.Mark, unrealized);
        Volatile.Write(ref p.ReaderCopy, copy);
        return copy;
    }

    private static bool Same(decimal a, decimal b) => a == b && a.Scale == b.Scale;

    private static bool Same(decimal? a, decimal? b) => a is { } x ? b is { } y && Same(x, y) : b is null;

    /// <summary><see cref="HoldingOf(long)"/> and <see cref="HoldingOfEvent"/> over copied figures: the same formula, term for term.</summary>
    private static (decimal Held, decimal Cost, decimal Locked) HoldingOf(SetCatalog.Set[] sets, bool isPair, ReadOnlySpan<PositionFigures> figures, int[] slotById)
    {
        decimal setsHeld = 0m, cost = 0m, locked = 0m;
        foreach (var set in sets)
        {
            var count = decimal.MaxValue;
            var first = true;
            foreach (var instrument in set.Instruments)
            {
                var id = instrument.Value;
                var quantity = (uint)id < (uint)slotById.Length && slotById[id] >= 0 ? figures[slotById[id]].Quantity : 0m;
                var held = Math.Max(0m, quantity);
                // Enumerable.Min keeps the first of equal values: the same decimal, scale included.
                if (first || held < count) count = held;
                first = false;
            }
            if (count <= 0m) continue;
            decimal setCost = 0m, fees = 0m;
            foreach (var instrument in set.Instruments)
            {
                ref readonly var position = ref figures[slotById[instrument.Value]];
                setCost += count * position.AverageCost;
                fees += position.FeesPaid * count / position.Quantity;
            }
            setsHeld += count;
            cost += setCost;
            locked += (isPair ? count : count * set.Payout) - setCost - fees;
        }
        return (setsHeld, cost, locked);
    }

    /// <summary>
    /// Works out, off the hub's thread, the marks the hub would set now: each open position of <paramref name="view"/>
    /// (a consistent copy) at the mid of its book's published top. Any thread. Hand the result to <see cref="ApplyMarks"/>.
    /// </summary>
    /// <param name="reuse">A batch to fill again (its last <see cref="ApplyMarks"/> must have finished), or null for a new one.</param>
    internal MarkBatch PrepareMarks(PortfolioView view, MarkBatch? reuse = null)
    {
        var tops = Volatile.Read(ref _tops);
        var batch = reuse ?? new MarkBatch();
        batch.Reset(view.Sequence);
        foreach (ref readonly var f in view.Positions.AsSpan(0, view.Count))
        {
            if (f.Quantity == 0m) continue;
            var top = f.Id < tops.Length ? Volatile.Read(ref tops[f.Id]) : NoBook;
            // As MarkFromBook: no mid keeps the last mark; the same decimal (scale included) moves nothing.
            if (MidOf(top) is { } mid && !(f.Mark is { } mark && mark == mid && mark.Scale == mid.Scale))
            {
                var term = f.Free == 0m ? 0m : f.Free * mid;
                batch.Entries.Add(new MarkEntry(f.Position, f.Id, f.Version, top, true, mid, f.Term, term));
                batch.EquityChange.Add(term);
                batch.EquityChange.Subtract(f.Term);
            }
            else
            {
                batch.Entries.Add(new MarkEntry(f.Position, f.Id, f.Version, top, false, 0m, 0m, 0m));
            }
        }
        return batch;
    }

    /// <summary>
    /// Copies the positions (retrying while changes overlap) and prepares their marks; null when changes kept overlapping
    /// (then mark on the hub with <see cref="RecomputeUnrealized"/>). Any thread.
    /// </summary>
    internal MarkBatch? TryPrepareMarks(PortfolioView view, int attempts = 64, MarkBatch? reuse = null)
    {
        var spin = new SpinWait();
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            if (TryRead(view)) return PrepareMarks(view, reuse);
            spin.SpinOnce();
        }
        return null;
    }

    /// <summary>
    /// Marks every open position to its book's mid, as <see cref="RecomputeUnrealized"/> does, adopting the figures
    /// <paramref name="batch"/> prepared off the hub wherever the position and its book's top are still what the
    /// preparation read, and marking the others (changed meanwhile, or opened since) from their books. Hub thread.
    /// </summary>
    internal void ApplyMarks(MarkBatch batch)
    {
        BeginWrite();
        try
        {
            // The day rolls on the marks it had at midnight, before they move.
            RollDay();
            var tops = _tops;
            // Arrays by instrument id, a few tens of KB: checking and adopting a mark touches no position object.
            var (versions, marks, terms) = (_columns.Versions, _columns.Marks, _columns.Terms);
            var change = batch.EquityChange;
            var marked = false;
            List<Position>? again = null;
            foreach (ref readonly var e in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch.Entries))
            {
                var id = e.Id;
                if (versions[id] != e.Version || (uint)id >= (uint)tops.Length || tops[id] != e.Top)
                {
                    // Moved since it was read: its prepared term leaves the change, and it is marked from its book below.
                    if (e.Moves)
                    {
                        change.Subtract(e.NewTerm);
                        change.Add(e.OldTerm);
                    }
                    (again ??= []).Add(e.Position);
                    continue;
                }
                if (!e.Moves) continue;
                // What the Mark and Term setters do, without the object: the version moves once for both (a later
                // MarkFromBook sees it moved, and the unrealized and snapshot caches are made again).
                marks[id] = e.NewMark;
                terms[id] = e.NewTerm;
                versions[id]++;
                marked = true;
            }
            // Every adopted term's swap at once: the exact sum is the same whatever the order of its moves.
            _equityTerms.Add(change);
            if (marked)
            {
                _marksVersion++;
                _equityDirty = true;
            }
            var remarked = 0;
            if (again is not null)
            {
                foreach (var position in again) MarkFromBook(position);
                remarked += again.Count;
            }
            foreach (var position in _filledSinceMarks)
            {
                // Filled after the preparation read it (or opened since): its figures were not in the batch.
                if (position.FilledAtSequence <= batch.Sequence) continue;
                MarkFromBook(position);
                remarked++;
            }
            LastMarks = (batch.Entries.Count - (again?.Count ?? 0), remarked);
            ForgetFilled();
            NotePeak();
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>Diagnostics (the benchmarks print it): the last <see cref="ApplyMarks"/>'s positions adopted as prepared and marked from their books on the hub.</summary>
    public (int Adopted, int MarkedOnHub) LastMarks { get; private set; }

    /// <summary>The tracked sets, ordered as the snapshot lists holdings (pairs by id, events by key), each owner's sets in order.</summary>
    internal sealed record SetCatalog((long PairId, SetCatalog.Set[] Sets)[] Pairs, (string EventKey, SetCatalog.Set[] Sets)[] Events)
    {
        public static SetCatalog Empty { get; } = new([], []);

        /// <summary>A set's instruments and what one complete set pays (a pair's set: $1, counted as its number).</summary>
        internal sealed record Set(InstrumentId[] Instruments, decimal Payout);
    }

    /// <summary>One position's figures as copied, with the version they were read at.</summary>
    internal readonly record struct PositionFigures(Position Position, int Id, long Version, decimal Quantity, decimal AverageCost, decimal FeesPaid,
        decimal RealizedPnl, decimal? Mark, decimal Free, decimal Term)
    {
        /// <summary>As the position's own: (mark − average cost) × quantity, 0 without a mark.</summary>
        public decimal Unrealized => Mark is { } mark ? (mark - AverageCost) * Quantity : 0m;
    }

    /// <summary>A reader's copy of the portfolio (reused between reads by one reader; not for two threads at once).</summary>
    internal sealed class PortfolioView
    {
        private int[] _slotsById = [];

        public PositionFigures[] Positions { get; private set; } = [];
        public int Count { get; set; }
        public List<(VenueId Venue, decimal Cash)> Cash { get; } = [];
        public SetCatalog Catalog { get; set; } = SetCatalog.Empty;
        public ExactDecimalSum EquityTerms { get; } = new();
        public decimal PeakEquity { get; set; }
        public decimal DayStartEquity { get; set; }
        public decimal TotalExposure { get; set; }
        public int OpenPositionCount { get; set; }

        /// <summary>The publication sequence the copy was made at.</summary>
        public long Sequence { get; set; }

        public void Reserve(int count)
        {
            if (Positions.Length < count) Positions = new PositionFigures[Math.Max(count, Positions.Length * 2)];
        }

        /// <summary>A scratch map of instrument id to copy slot, every entry −1 (callers put it back so).</summary>
        public int[] SlotsById(int length)
        {
            if (_slotsById.Length < length)
            {
                _slotsById = new int[Math.Max(length, _slotsById.Length * 2)];
                _slotsById.AsSpan().Fill(-1);
            }
            return _slotsById;
        }
    }

    /// <summary>One open position's mark as prepared: from which version and top, and, when it moves, the new mark and term.</summary>
    internal readonly record struct MarkEntry(Position Position, int Id, long Version, long Top, bool Moves, decimal NewMark, decimal OldTerm, decimal NewTerm);

    /// <summary>Every position's version, mark and free-rest term, by instrument id (hub thread writes; readers copy under the sequence lock).</summary>
    internal sealed class PositionColumns
    {
        public long[] Versions { get; private set; } = [];
        public decimal?[] Marks { get; private set; } = [];
        public decimal[] Terms { get; private set; } = [];

        /// <summary>Makes room for instrument <paramref name="id"/> (at least <paramref name="instruments"/> entries); returns itself. Hub thread, inside a write.</summary>
        public PositionColumns Reserve(int id, int instruments)
        {
            if (id < Versions.Length) return this;
            var length = Math.Max(id + 1, Math.Max(instruments, Versions.Length * 2));
            var versions = new long[length];
            var marks = new decimal?[length];
            var terms = new decimal[length];
            Versions.AsSpan().CopyTo(versions);
            Marks.AsSpan().CopyTo(marks);
            Terms.AsSpan().CopyTo(terms);
            (Versions, Marks, Terms) = (versions, marks, terms);
            return this;
        }
    }

    /// <summary>Marks prepared off the hub for <see cref="ApplyMarks"/>, from the copy made at <see cref="Sequence"/>.</summary>
    internal sealed class MarkBatch
    {
        public long Sequence { get; private set; }
        public List<MarkEntry> Entries { get; } = [];

        /// <summary>Every moving entry's new term minus its old one, summed exactly.</summary>
        public ExactDecimalSum EquityChange { get; } = new();

        /// <summary>Empties it for a preparation from the copy made at <paramref name="sequence"/> (reused between refreshes: its entries are ~1,500 × 80 B).</summary>
        public void Reset(long sequence)
        {
            Sequence = sequence;
            Entries.Clear();
            EquityChange.Clear();
        }
    }
}
