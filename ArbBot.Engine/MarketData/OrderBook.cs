using System.Runtime.CompilerServices;
using ArbBot.Engine.Core;

namespace ArbBot.Engine.MarketData;

/// <summary>One price level: a price and the contracts resting there.</summary>
public readonly record struct BookLevel(Price Price, decimal Size);

/// <summary>Why a book cannot be trusted right now.</summary>
public enum StaleReason : byte
{
    None = 0,
    /// <summary>No update within the configured age.</summary>
    Age,
    /// <summary>The venue's sequence skipped a number; waiting for a fresh snapshot.</summary>
    SequenceGap,
    /// <summary>The feed's connection is down.</summary>
    Disconnected,
    /// <summary>No snapshot has arrived yet.</summary>
    NoSnapshot,
    /// <summary>The venue sent a book that cannot be real (e.g. a 0.01/0.99 ghost book on an active market).</summary>
    Bogus,
    /// <summary>The market stopped trading (resolved or closed by the venue); it will not come back.</summary>
    Closed,
}

/// <summary>The result of walking one side of a book for a size.</summary>
public readonly record struct DepthWalk(decimal Filled, decimal Cost, Price WorstPrice)
{
    /// <summary>Volume-weighted average price of what would fill (0 when nothing fills).</summary>
    public decimal AveragePrice => Filled == 0m ? 0m : Cost / Filled;
}

/// <summary>
/// An L2 order book for one instrument. Written by a single thread (the market-data hub); updates do not allocate
/// once the level arrays have grown to the book's depth.
/// </summary>
/// <remarks>
/// Each side is kept sorted with its best level at the end of the array, so the frequent updates near the top of
/// the book shift few elements, and lookups are binary searches over integer keys: bids by price, asks by
/// negated price (ascending keys on both sides).
/// </remarks>
public sealed class OrderBook
{
    // Each side is a struct inside the book, not an object of its own: reading a book's best ask or count (what the
    // strategies do for a book that did not change, often out of cache) follows no pointer but the level arrays.
    // What a reader of a book that did not change needs (the strategies read the other books of a set, often out of
    // cache): version, last update, stale mark and best ask side by side in one struct, so such a read touches the book's
    // own memory only, not the ask side's key and size arrays. Kept equal to the ask side's top on every ask change.
    // Declared first and the book has no primitive fields of its own (the runtime lays those out before any struct), so
    // it sits right after the object header, the line the hub touches first on every update.
    private Top _top = Top.Empty;
    private Levels _bids = new(isAsk: false);
    private Levels _asks = new(isAsk: true);

    public OrderBook(InstrumentId instrument, TickSize tickSize)
    {
        Instrument = instrument;
        TickSize = tickSize;
    }

    public InstrumentId Instrument { get; }

    /// <summary>The market's tick; venues can change it while trading (Polymarket tick_size_change).</summary>
    public TickSize TickSize { get; set; }

    /// <summary>The last venue sequence number applied (0 when the venue has none).</summary>
    public long Sequence
    {
        get => _top.Sequence;
        private set => _top.Sequence = value;
    }

    /// <summary>When the last update was applied, as <see cref="TimeProvider"/> UTC ticks.</summary>
    public long LastUpdateUtcTicks
    {
        get => _top.LastUpdateUtcTicks;
        private set => _top.LastUpdateUtcTicks = value;
    }

    /// <summary>The venue's own timestamp of the last update, in UTC ticks (0 when unknown).</summary>
    public long VenueTimestampUtcTicks
    {
        get => _top.VenueTimestampUtcTicks;
        private set => _top.VenueTimestampUtcTicks = value;
    }

    /// <summary>Counts every applied change; consumers compare it to notice updates cheaply.</summary>
    public long Version
    {
        get => _top.Version;
        private set => _top.Version = value;
    }

    public StaleReason StaleReason
    {
        get => _top.StaleReason;
        private set => _top.StaleReason = value;
    }

    public bool IsStale => _top.StaleReason != StaleReason.None;

    public int BidDepth => _bids.Count;
    public int AskDepth => _asks.Count;

    public bool HasBid => _bids.Count > 0;
    public bool HasAsk => _top.BestAskUnits >= 0;

    /// <summary>The best (highest) bid; check <see cref="HasBid"/> first.</summary>
    public BookLevel BestBid => _bids.Best;

    /// <summary>The best (lowest) ask; check <see cref="HasAsk"/> first.</summary>
    public BookLevel BestAsk => _top.BestAskUnits >= 0 ? new(Price.FromUnits(_top.BestAskUnits), _top.BestAskSize) : default;

    /// <summary>The best ask's price in units, or −1 when the book has no asks (read without building a <see cref="BookLevel"/>).</summary>
    public int BestAskUnits => _top.BestAskUnits;

    /// <summary>True when the best bid is at or above the best ask, which a consistent venue book never shows.</summary>
    public bool IsCrossed => HasBid && HasAsk && BestBid.Price >= BestAsk.Price;

    /// <summary>The mid price, or null when either side is empty.</summary>
    public decimal? Mid => HasBid && HasAsk ? (BestBid.Price.Value + BestAsk.Price.Value) / 2m : null;

    /// <summary>The i-th level from the top of a side (0 = best).</summary>
    public BookLevel Level(BookSide side, int depthIndex) => side == BookSide.Bid ? _bids.FromTop(depthIndex) : _asks.FromTop(depthIndex);

    public int Depth(BookSide side) => side == BookSide.Bid ? _bids.Count : _asks.Count;

    /// <summary>
    /// Copies the asks priced below <paramref name="belowUnits"/> (price units), best first, into <paramref name="buffer"/>
    /// and returns how many. The buffer grows only for a book deeper than any seen before, so steady state does not allocate.
    /// </summary>
    public int CopyAsksBelow(long belowUnits, ref BookLevel[] buffer)
    {
        var n = 0;
        for (; n < _asks.Count; n++)
        {
            var level = _asks.FromTop(n);
            if (level.Price.Units >= belowUnits) break;
            if (n == buffer.Length) Array.Resize(ref buffer, Math.Max(4, buffer.Length * 2));
            buffer[n] = level;
        }
        return n;
    }

    /// <summary>Replaces both sides. Levels may come in any order; zero sizes are dropped; a repeated price keeps the last size.</summary>
    public void ApplySnapshot(ReadOnlySpan<BookLevel> bids, ReadOnlySpan<BookLevel> asks, long sequence, long nowUtcTicks, long venueUtcTicks = 0)
    {
        _bids.Load(bids);
        _asks.Load(asks);
        RefreshBestAsk();
        Sequence = sequence;
        StaleReason = StaleReason.None;
        Touch(nowUtcTicks, venueUtcTicks);
    }

    /// <summary>Sets the size at a price (absolute, as Polymarket's price_change does); zero or less removes the level.</summary>
    public void SetLevel(BookSide side, Price price, decimal size, long sequence, long nowUtcTicks, long venueUtcTicks = 0)
    {
        if (side == BookSide.Bid) _bids.Set(price, size);
        else if (_asks.Set(price, size)) RefreshBestAsk();
        Sequence = sequence;
        Touch(nowUtcTicks, venueUtcTicks);
    }

    /// <summary>Adds a change to the size at a price (relative, as Kalshi's orderbook_delta does); a result of zero or less removes the level.</summary>
    public void AddToLevel(BookSide side, Price price, decimal delta, long sequence, long nowUtcTicks, long venueUtcTicks = 0)
    {
        if (side == BookSide.Bid) _bids.Add(price, delta);
        else if (_asks.Add(price, delta)) RefreshBestAsk();
        Sequence = sequence;
        Touch(nowUtcTicks, venueUtcTicks);
    }

    /// <summary>Empties the book and marks it stale for the given reason (e.g. before a fresh snapshot).</summary>
    public void Clear(StaleReason reason)
    {
        // An emptied book marked fresh would read as a real market with no liquidity; insist on a reason.
        ThrowIfNone(reason);
        _bids.Clear();
        _asks.Clear();
        RefreshBestAsk();
        StaleReason = reason;
        Version++;
    }

    /// <summary>Marks the book untrustworthy without touching its levels; the next snapshot clears the mark.</summary>
    public void MarkStale(StaleReason reason)
    {
        // Marking "stale for no reason" would silently clear a sequence gap without the snapshot it waits for.
        ThrowIfNone(reason);
        if (StaleReason == reason) return;
        StaleReason = reason;
        Version++;
    }

    /// <summary>Clears an age-based stale mark after the venue confirmed the book is still current (e.g. a heartbeat).</summary>
    public void ConfirmFresh(long nowUtcTicks)
    {
        LastUpdateUtcTicks = nowUtcTicks;
        if (StaleReason == StaleReason.Age)
        {
            StaleReason = StaleReason.None;
            Version++;
        }
    }

    /// <summary>
    /// Walks the side a taker of <paramref name="takerSide"/> would hit (asks for a buy, bids for a sell),
    /// best level first, until <paramref name="size"/> is filled or the next level is worse than <paramref name="limit"/>.
    /// </summary>
    public DepthWalk Walk(Side takerSide, decimal size, Price limit)
    {
        ref readonly var levels = ref takerSide == Side.Buy ? ref _asks : ref _bids;
        decimal filled = 0m, cost = 0m;
        var worst = Price.Zero;
        for (var i = levels.Count - 1; i >= 0 && filled < size; i--)
        {
            var level = levels.At(i);
            if (takerSide == Side.Buy ? level.Price > limit : level.Price < limit) break;
            var take = Math.Min(level.Size, size - filled);
            filled += take;
            cost += take * level.Price.Value;
            worst = level.Price;
        }
        return new DepthWalk(filled, cost, worst);
    }

    /// <summary>Total size on a side at prices at least as good as <paramref name="limit"/>.</summary>
    public decimal SizeWithin(BookSide side, Price limit)
    {
        ref readonly var levels = ref side == BookSide.Bid ? ref _bids : ref _asks;
        decimal total = 0m;
        for (var i = levels.Count - 1; i >= 0; i--)
        {
            var level = levels.At(i);
            if (side == BookSide.Bid ? level.Price < limit : level.Price > limit) break;
            total += level.Size;
        }
        return total;
    }

    /// <summary>Copies a side best-first into <paramref name="destination"/>; returns how many were written.</summary>
    public int CopyLevels(BookSide side, Span<BookLevel> destination)
    {
        ref readonly var levels = ref side == BookSide.Bid ? ref _bids : ref _asks;
        var n = Math.Min(destination.Length, levels.Count);
        for (var i = 0; i < n; i++) destination[i] = levels.FromTop(i);
        return n;
    }

    private static void ThrowIfNone(StaleReason reason)
    {
        if (reason == StaleReason.None)
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "A stale mark needs a reason; only a snapshot or a fresh update clears one.");
        }
    }

    /// <summary>Copies the ask side's top into <see cref="_top"/> (after a change that may have moved it).</summary>
    private void RefreshBestAsk()
    {
        if (_asks.Count > 0)
        {
            var best = _asks.Best;
            _top.BestAskUnits = best.Price.Units;
            _top.BestAskSize = best.Size;
        }
        else
        {
            _top.BestAskUnits = -1;
            _top.BestAskSize = 0m;
        }
    }

    /// <summary>The fields a read of an unchanged book touches, kept together.</summary>
    private struct Top
    {
        public static Top Empty => new() { BestAskUnits = -1, StaleReason = StaleReason.NoSnapshot };

        public long Version;
        public long LastUpdateUtcTicks;
        public long Sequence;
        public long VenueTimestampUtcTicks;
        public decimal BestAskSize;
        public int BestAskUnits;
        public StaleReason StaleReason;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Touch(long nowUtcTicks, long venueUtcTicks)
    {
        LastUpdateUtcTicks = nowUtcTicks;
        if (venueUtcTicks != 0) VenueTimestampUtcTicks = venueUtcTicks;
        if (StaleReason == StaleReason.Age) StaleReason = StaleReason.None;
        Version++;
    }

    /// <summary>One side's levels in ascending key order, best last. Kept by value in its book (mutated in place).</summary>
    private struct Levels(bool isAsk)
    {
        private readonly bool _isAsk = isAsk;
        private int[] _keys = new int[16];
        private decimal[] _sizes = new decimal[16];

        public int Count { readonly get; private set; }

        public readonly BookLevel Best => Count > 0 ? At(Count - 1) : default;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly BookLevel At(int index) => new(Price.FromUnits(_isAsk ? -_keys[index] : _keys[index]), _sizes[index]);

        public readonly BookLevel FromTop(int depthIndex) =>
            (uint)depthIndex < (uint)Count ? At(Count - 1 - depthIndex) : throw new ArgumentOutOfRangeException(nameof(depthIndex));

        public void Clear() => Count = 0;

        /// <summary>Replaces the side with <paramref name="levels"/>: any order, zero sizes dropped, a repeated price keeps the last size.</summary>
        public void Load(ReadOnlySpan<BookLevel> levels)
        {
            Count = 0;
            // Venues send a side sorted, best first or worst first: then it is copied in one pass instead of inserted
            // level by level (best first into a best-last array would shift every level on every insert).
            var direction = SortDirection(levels);
            if (direction == 0)
            {
                foreach (var level in levels) Set(level.Price, level.Size);
                return;
            }
            if (_keys.Length < levels.Length)
            {
                var size = Math.Max(levels.Length, _keys.Length * 2);
                _keys = new int[size];
                _sizes = new decimal[size];
            }
            var n = 0;
            for (var i = 0; i < levels.Length; i++)
            {
                var level = levels[direction > 0 ? i : levels.Length - 1 - i];
                if (level.Size <= 0m) continue;
                _keys[n] = _isAsk ? -level.Price.Units : level.Price.Units;
                _sizes[n] = level.Size;
                n++;
            }
            Count = n;
        }

        /// <summary>1 when keys strictly rise along <paramref name="levels"/>, −1 when they strictly fall, else 0.</summary>
        private readonly int SortDirection(ReadOnlySpan<BookLevel> levels)
        {
            if (levels.Length < 2) return 1;
            var previous = _isAsk ? -levels[0].Price.Units : levels[0].Price.Units;
            var direction = 0;
            for (var i = 1; i < levels.Length; i++)
            {
                var key = _isAsk ? -levels[i].Price.Units : levels[i].Price.Units;
                var step = key > previous ? 1 : key < previous ? -1 : 0;
                if (step == 0 || (direction != 0 && step != direction)) return 0;
                direction = step;
                previous = key;
            }
            return direction;
        }

        /// <summary>Sets the size at a price; returns true when the change may have moved the best level (price or size).</summary>
        public bool Set(Price price, decimal size)
        {
            var key = _isAsk ? -price.Units : price.Units;
            var index = Find(key);
            if (index >= 0)
            {
                // The level changed or went is the best one exactly when it is the last; an insert or removal below it
                // moves the best level within the arrays but leaves it as it was.
                var top = index == Count - 1;
                if (size > 0m) _sizes[index] = size;
                else RemoveAt(index);
                return top;
            }
            if (size > 0m)
            {
                InsertAt(~index, key, size);
                return ~index == Count - 1;
            }
            return false;
        }

        /// <summary>Adds to the size at a price; returns true when the change may have moved the best level (price or size).</summary>
        public bool Add(Price price, decimal delta)
        {
            var key = _isAsk ? -price.Units : price.Units;
            var index = Find(key);
            if (index >= 0)
            {
                var top = index == Count - 1;
                var size = _sizes[index] + delta;
                if (size > 0m) _sizes[index] = size;
                else RemoveAt(index);
                return top;
            }
            if (delta > 0m)
            {
                InsertAt(~index, key, delta);
                return ~index == Count - 1;
            }
            return false;
        }

        /// <summary>Binary search from the top of the book, where most updates land.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly int Find(int key)
        {
            var count = Count;
            if (count > 0)
            {
                var top = _keys[count - 1];
                if (key == top) return count - 1;
                if (key > top) return ~count;
            }
            return Array.BinarySearch(_keys, 0, count, key);
        }

        private void InsertAt(int index, int key, decimal size)
        {
            if (Count == _keys.Length)
            {
                Array.Resize(ref _keys, _keys.Length * 2);
                Array.Resize(ref _sizes, _sizes.Length * 2);
            }
            if (index < Count)
            {
                Array.Copy(_keys, index, _keys, index + 1, Count - index);
                Array.Copy(_sizes, index, _sizes, index + 1, Count - index);
            }
            _keys[index] = key;
            _sizes[index] = size;
            Count++;
        }

        private void RemoveAt(int index)
        {
            Count--;
            if (index < Count)
            {
                Array.Copy(_keys, index + 1, _keys, index, Count - index);
                Array.Copy(_sizes, index + 1, _sizes, index, Count - index);
            }
        }
    }
}
