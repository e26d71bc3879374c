using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;

namespace ArbBot.Engine.Venues.Simulated;

/// <summary>
/// A simulated venue's book stream: every market quoted around the world's fair value plus this venue's own
/// mean-reverting noise and occasional dislocations of a few cents, 5–10 levels a side on the market's tick.
/// </summary>
/// <remarks>
/// <para><see cref="Snapshot"/> and <see cref="Step"/> are the pure API: given the seed they produce the same events
/// whatever the clock or the other venue does. <see cref="RunAsync"/> drives them from the injected clock.</para>
/// <para>Only YES books are modelled; each NO event mirrors a YES event (NO bids = 1 − YES asks, NO asks = 1 − YES
/// bids), as both venues' matching makes them. Within a market, removals go out before additions so a book read
/// between two events is never crossed.</para>
/// </remarks>
public sealed class SimulatedMarketDataFeed : IMarketDataFeed
{
    private const int MaxDepth = 10;
    private const int MaxCatchUpSteps = 50;

    // Per-second dynamics, scaled by the step length.
    private const double NoiseReversion = 0.5;           // per s
    private const double NoiseStationarySd = 0.004;      // in probability
    private const double SpreadChangesPerSecond = 0.2;   // per market
    private const double SizeChangesPerSecond = 0.3;     // per level

    private readonly SimulatedWorld _world;
    private readonly VenueId _venue;
    private readonly List<BookEvent> _events = new(1024);
    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SimRandom _random;
    private MarketState[] _markets = [];
    private double[] _fair;
    private long _step;
    private long _sequence;
    private long _lastMessageUtcTicks;
    private int _state = (int)FeedState.Stopped;
    private int _running;

    internal SimulatedMarketDataFeed(VenueId venue, SimulatedWorld world)
    {
        _venue = venue;
        _world = world;
        _random = new SimRandom(SimRandom.Derive(world.Seed, $"venue|{venue}"));
        _fair = new double[world.Catalog.OutcomeCount];
    }

    /// <inheritdoc />
    public FeedState State => (FeedState)Volatile.Read(ref _state);

    /// <inheritdoc />
    public long LastMessageUtcTicks => Interlocked.Read(ref _lastMessageUtcTicks);

    /// <summary>The world step the books currently show.</summary>
    public long CurrentStep => Interlocked.Read(ref _step);

    /// <summary>The markets being quoted (after discovery), with their instrument ids.</summary>
    public IReadOnlyList<Market> Markets => _markets.Select(m => m.Market).ToArray();

    /// <summary>
    /// A snapshot event for every instrument at the current step. The level arrays are new; the list is reused by the
    /// next call to this method or <see cref="Step"/>.
    /// </summary>
    public IReadOnlyList<BookEvent> Snapshot()
    {
        EnsureAttached();
        _events.Clear();
        var stamp = _world.TimeOfStep(_step).UtcTicks;
        foreach (var m in _markets)
        {
            var yesBids = m.Bids.AsSpan(0, m.BidCount).ToArray();
            var yesAsks = m.Asks.AsSpan(0, m.AskCount).ToArray();
            var noBids = new BookLevel[m.AskCount];
            var noAsks = new BookLevel[m.BidCount];
            for (var i = 0; i < m.AskCount; i++) noBids[i] = new BookLevel(m.Asks[i].Price.Complement, m.Asks[i].Size);
            for (var i = 0; i < m.BidCount; i++) noAsks[i] = new BookLevel(m.Bids[i].Price.Complement, m.Bids[i].Size);
            _events.Add(BookEvent.Snapshot(m.Market.Yes, yesBids, yesAsks, ++_sequence, stamp));
            _events.Add(BookEvent.Snapshot(m.Market.No, noBids, noAsks, ++_sequence, stamp));
        }
        return _events;
    }

    /// <summary>
    /// Advances one world step and returns the level changes it caused (mostly <see cref="BookEventKind.SetLevel"/>).
    /// The list is reused by the next call.
    /// </summary>
    public IReadOnlyList<BookEvent> Step()
    {
        EnsureAttached();
        _events.Clear();
        Interlocked.Increment(ref _step);
        _world.CopyFairValues(_step, _fair);
        var stamp = _world.TimeOfStep(_step).UtcTicks;
        foreach (var m in _markets)
        {
            Quote(m, move: true);
            EmitChanges(m, stamp);
            m.SwapBooks();
        }
        return _events;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Waits for discovery, then posts a snapshot and one batch of changes per world step as the injected clock
    /// passes each step. After a stall of more than 50 steps it skips ahead and posts a fresh snapshot, as a venue
    /// does after a reconnect.
    /// </remarks>
    public async Task RunAsync(IBookEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (Interlocked.Exchange(ref _running, 1) == 1) throw new InvalidOperationException("The feed is already running.");
        try
        {
            SetState(FeedState.Connecting);
            await _attached.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            var time = _world.Time;
            using var timer = new PeriodicTimer(_world.StepInterval, time);
            var resync = true;
            do
            {
                var target = _world.StepAt(time.GetUtcNow());
                if (target - _step > MaxCatchUpSteps) resync = true;
                if (resync)
                {
                    while (_step < target) Step();
                    await PostAllAsync(sink, Snapshot(), cancellationToken).ConfigureAwait(false);
                    resync = false;
                }
                while (_step < target) await PostAllAsync(sink, Step(), cancellationToken).ConfigureAwait(false);
                Interlocked.Exchange(ref _lastMessageUtcTicks, time.GetUtcNow().UtcTicks);
                SetState(FeedState.Live);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal way out.
        }
        finally
        {
            SetState(FeedState.Stopped);
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>Takes the discovered markets (with instrument ids) and quotes their step-0 books.</summary>
    internal void Attach(IReadOnlyList<(Market Market, SimulatedListing Listing)> markets)
    {
        if (_attached.Task.IsCompleted)
        {
            // Discovery again (a refresh) must not reset the stream: keep the books, take any new ids.
            for (var i = 0; i < _markets.Length && i < markets.Count; i++) _markets[i].Market = markets[i].Market;
            return;
        }
        _world.CopyFairValues(_step, _fair);
        var states = new MarketState[markets.Count];
        for (var i = 0; i < markets.Count; i++)
        {
            var (market, listing) = markets[i];
            var m = states[i] = new MarketState(market, listing)
            {
                Depth = _random.Next(5, MaxDepth + 1),
                // Typical resting size: lognormal around ~300 contracts on Kalshi, ~900 shares on Polymarket.
                SizeScale = (_venue == VenueId.Kalshi ? 300 : 900) * Math.Exp(0.6 * _random.NextGaussian()),
                SpreadTicks = DrawSpread(),
                Noise = NoiseStationarySd * _random.NextGaussian(),
            };
            Quote(m, move: false);
            m.SwapBooks();
        }
        _markets = states;
        _attached.TrySetResult();
    }

    private void Quote(MarketState m, bool move)
    {
        var dt = _world.StepInterval.TotalSeconds;
        if (move)
        {
            var theta = Math.Min(1.0, NoiseReversion * dt);
            m.Noise += -theta * m.Noise + NoiseStationarySd * Math.Sqrt(2 * theta) * _random.NextGaussian();
            if (m.DislocationSteps > 0)
            {
                if (--m.DislocationSteps == 0) m.Dislocation = 0;
            }
            else if (_random.Chance(_world.DislocationsPerSecond * dt))
            {
                // This venue alone mis-prices the market by a few cents for a few seconds.
                m.Dislocation = _random.Sign() * _random.NextDouble(0.03, 0.06);
                m.DislocationSteps = Math.Max(1, (int)(_random.NextDouble(2, 8) / dt));
            }
            if (_random.Chance(SpreadChangesPerSecond * dt)) m.SpreadTicks = DrawSpread();
        }

        var fair = _fair[m.Listing.Outcome];
        if (m.Listing.Negated) fair = 1 - fair;
        var tick = m.Market.TickSize.Units;
        var mid = Math.Clamp(fair + m.Noise + m.Dislocation, 0, 1) * Price.Scale;
        var bid = (int)Math.Floor((mid - m.SpreadTicks * tick / 2.0) / tick) * tick;
        bid = Math.Max(bid, tick);
        var ask = bid + m.SpreadTicks * tick;
        if (ask > Price.Scale - tick)
        {
            ask = Price.Scale - tick;
            bid = Math.Max(tick, ask - m.SpreadTicks * tick);
        }

        var sizeChance = move ? SizeChangesPerSecond * dt : 0;
        m.NextBidCount = FillSide(m, m.Bids, m.BidCount, m.NextBids, bid, -tick, tick, sizeChance);
        m.NextAskCount = FillSide(m, m.Asks, m.AskCount, m.NextAsks, ask, tick, tick, sizeChance);
    }

    /// <summary>Levels from <paramref name="best"/> outwards; a price already quoted keeps its size unless it randomly changes.</summary>
    private int FillSide(MarketState m, BookLevel[] old, int oldCount, BookLevel[] next, int best, int step, int tick, double sizeChance)
    {
        var count = 0;
        for (var k = 0; k < m.Depth; k++)
        {
            var units = best + k * step;
            if (units < tick || units > Price.Scale - tick) break;
            var price = Price.FromUnits(units);
            var size = 0m;
            for (var j = 0; j < oldCount; j++)
            {
                if (old[j].Price == price)
                {
                    size = old[j].Size;
                    break;
                }
            }
            if (size == 0m || _random.Chance(sizeChance)) size = DrawSize(m, k);
            next[count++] = new BookLevel(price, size);
        }
        return count;
    }

    private decimal DrawSize(MarketState m, int depthIndex)
    {
        // Deeper levels rest more size; Kalshi trades whole contracts, Polymarket shares to the cent.
        var raw = m.SizeScale * (1 + 0.4 * depthIndex) * Math.Exp(0.7 * _random.NextGaussian());
        raw = Math.Clamp(raw, (double)m.Market.MinOrderSize, 50_000);
        var decimals = _venue == VenueId.Kalshi ? 0 : 2;
        return Math.Max(m.Market.MinOrderSize, Math.Round((decimal)raw, decimals));
    }

    private int DrawSpread()
    {
        var u = _random.NextDouble();
        return u < 0.5 ? 1 : u < 0.85 ? 2 : 3;
    }

    private void EmitChanges(MarketState m, long stamp)
    {
        var first = _events.Count;
        // Removals first on both sides, so no intermediate book is crossed.
        EmitRemovals(m.Market.Yes, BookSide.Bid, m.Bids, m.BidCount, m.NextBids, m.NextBidCount, stamp);
        EmitRemovals(m.Market.Yes, BookSide.Ask, m.Asks, m.AskCount, m.NextAsks, m.NextAskCount, stamp);
        EmitSets(m.Market.Yes, BookSide.Bid, m.Bids, m.BidCount, m.NextBids, m.NextBidCount, stamp);
        EmitSets(m.Market.Yes, BookSide.Ask, m.Asks, m.AskCount, m.NextAsks, m.NextAskCount, stamp);
        var last = _events.Count;
        for (var i = first; i < last; i++)
        {
            var e = _events[i];
            var side = e.Side == BookSide.Bid ? BookSide.Ask : BookSide.Bid;
            _events.Add(BookEvent.SetLevel(m.Market.No, side, e.Price.Complement, e.Size, ++_sequence, stamp));
        }
    }

    private void EmitRemovals(InstrumentId id, BookSide side, BookLevel[] old, int oldCount, BookLevel[] next, int nextCount, long stamp)
    {
        for (var i = 0; i < oldCount; i++)
        {
            if (IndexOf(next, nextCount, old[i].Price) < 0) _events.Add(BookEvent.SetLevel(id, side, old[i].Price, 0m, ++_sequence, stamp));
        }
    }

    private void EmitSets(InstrumentId id, BookSide side, BookLevel[] old, int oldCount, BookLevel[] next, int nextCount, long stamp)
    {
        for (var i = 0; i < nextCount; i++)
        {
            var j = IndexOf(old, oldCount, next[i].Price);
            if (j < 0 || old[j].Size != next[i].Size) _events.Add(BookEvent.SetLevel(id, side, next[i].Price, next[i].Size, ++_sequence, stamp));
        }
    }

    private static int IndexOf(BookLevel[] levels, int count, Price price)
    {
        for (var i = 0; i < count; i++)
        {
            if (levels[i].Price == price) return i;
        }
        return -1;
    }

    private static async ValueTask PostAllAsync(IBookEventSink sink, IReadOnlyList<BookEvent> events, CancellationToken cancellationToken)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (!sink.TryPost(events[i])) await sink.PostAsync(events[i], cancellationToken).ConfigureAwait(false);
        }
    }

    private void EnsureAttached()
    {
        if (!_attached.Task.IsCompleted) throw new InvalidOperationException("Discover the venue's markets before streaming them.");
    }

    private void SetState(FeedState state) => Volatile.Write(ref _state, (int)state);

    /// <summary>One market's quoting state; the YES book only (NO mirrors it).</summary>
    private sealed class MarketState(Market market, SimulatedListing listing)
    {
        public Market Market { get; set; } = market;
        public SimulatedListing Listing { get; } = listing;
        public int Depth { get; init; }
        public double SizeScale { get; init; }
        public int SpreadTicks { get; set; }
        public double Noise { get; set; }
        public double Dislocation { get; set; }
        public int DislocationSteps { get; set; }

        // Current levels (best first) and the ones being built for the next step; swapped, never reallocated.
        public BookLevel[] Bids { get; private set; } = new BookLevel[MaxDepth];
        public BookLevel[] Asks { get; private set; } = new BookLevel[MaxDepth];
        public int BidCount { get; private set; }
        public int AskCount { get; private set; }
        public BookLevel[] NextBids { get; private set; } = new BookLevel[MaxDepth];
        public BookLevel[] NextAsks { get; private set; } = new BookLevel[MaxDepth];
        public int NextBidCount { get; set; }
        public int NextAskCount { get; set; }

        public void SwapBooks()
        {
            (Bids, NextBids) = (NextBids, Bids);
            (Asks, NextAsks) = (NextAsks, Asks);
            BidCount = NextBidCount;
            AskCount = NextAskCount;
        }
    }
}
