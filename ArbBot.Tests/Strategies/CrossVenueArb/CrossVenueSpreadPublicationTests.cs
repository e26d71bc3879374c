using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Strategies.CrossVenueArb;

/// <summary>
/// The dashboard's spreads are copied off the hub (<see cref="CrossVenueArbitrage.TrySnapshotSpreadsOffHub"/>): every
/// set as the hub last wrote it, the sets whose figures were deferred priced on the reader's thread. What it shows must be
/// what the hub's own copy (<see cref="CrossVenueArbitrage.SnapshotSpreads"/>) shows for the same state, figure for figure
/// and digit for digit, and a copy made while the hub changes books must never show a set half written.
/// </summary>
public sealed class CrossVenueSpreadPublicationTests
{
    /// <summary>
    /// Twin strategies fed the same random books, pair changes and limit changes: one is only ever copied off the hub (so
    /// its deferred sets stay deferred for long stretches and are priced on the hub only when the strategy itself must),
    /// the other only on the hub. After every step both copies must read the same, and now and then the off-hub copy of a
    /// strategy must equal its own hub copy taken right after.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Spreads_copied_off_the_hub_equal_the_hub_copy_for_random_books_pairs_and_limits(int seed)
    {
        var offHub = new Desk(seed);
        var onHub = new Desk(seed);
        var random = new Random(seed);
        var compared = 0;
        var deferredSeen = 0;
        for (var step = 0; step < 12_000; step++)
        {
            var instrument = offHub.Instruments[random.Next(offHub.Instruments.Length)];
            var e = RandomEvent(random, instrument);
            // Mostly milliseconds apart; now and then long enough for books to age past the maximum book age (5 s).
            var advance = random.Next(300) == 0 ? TimeSpan.FromSeconds(random.Next(3, 7)) : TimeSpan.FromMilliseconds(random.Next(0, 40));
            RiskLimits? limits = null;
            if (random.Next(400) == 0)
            {
                // The fixed cost per set prices every deferred set: a change must not reprice the sets deferred before it.
                limits = offHub.Strategy.Limits with
                {
                    FixedCostPerSet = random.Next(4) * 0.0025m,
                    MaxTradeSize = random.Next(5, 400),
                };
            }
            if (random.Next(300) == 0)
            {
                var change = (Pair: random.Next(Desk.CandidatePairs), Status: random.Next(4) == 0 ? PairStatus.Paused : PairStatus.Approved, Remove: random.Next(3) == 0);
                offHub.Change(change.Pair, change.Status, change.Remove);
                onHub.Change(change.Pair, change.Status, change.Remove);
            }
            offHub.Step(e, advance, limits);
            onHub.Step(e, advance, limits);

            var copied = offHub.Strategy.TrySnapshotSpreadsOffHub();
            Assert.NotNull(copied);
            deferredSeen += offHub.Strategy.DeferredSetCount;
            Assert.Equal(Shown(onHub.Strategy.SnapshotSpreads()), Shown(copied));
            compared++;
            if (random.Next(50) == 0)
            {
                // The same strategy's hub copy (which prices and so clears its deferred sets) right after.
                Assert.Equal(Shown(copied), Shown(offHub.Strategy.SnapshotSpreads()));
            }
        }

        Assert.Equal(onHub.Found, offHub.Found);
        Assert.True(offHub.Found.Count > 20, $"the random books should offer edges; found {offHub.Found.Count}");
        Assert.True(deferredSeen > 2_000, $"copies should meet many deferred sets; met {deferredSeen} in {compared} copies");
    }

    /// <summary>
    /// One thread plays the hub (every event a new best ask whose price and size are derived from the event's number, the
    /// clock moving 1 ms per event) while another copies the spreads off the hub. Each set in a copy must be one hub
    /// write: the size shown the one written at the evaluation time shown (sizes fall with the event's number, so a set's
    /// smaller size is its newest book's), one of the asks the one written then, and the figures those the hub prices from
    /// the asks shown. No timing is asserted; it runs until enough copies were made.
    /// </summary>
    [Fact]
    public void A_copy_made_while_the_hub_changes_books_never_shows_a_set_half_written()
    {
        var desk = new Desk(seed: 7, allPairs: true) { Recording = false };
        var start = desk.Now.UtcTicks;
        var n = 0;
        // Every book, then every book twice more in turn: each set has then last been written for a change of one of its
        // own books (a set first evaluated because its sibling's book changed shows older books with that time).
        for (var round = 0; round < 3; round++)
        {
            foreach (var instrument in desk.Instruments) desk.Step(NumberedAsk(instrument, ++n), TimeSpan.FromMilliseconds(1), limits: null);
        }
        Assert.All(desk.Strategy.SnapshotSpreads(), s => Assert.True(s.State is ArbSetState.NoEdge or ArbSetState.Edge, s.ToString()));

        var stop = false;
        var hubEvents = 0;
        Exception? hubFailure = null;
        var hub = new Thread(() =>
        {
            try
            {
                var random = new Random(11);
                while (!Volatile.Read(ref stop) && n < 900_000)
                {
                    var instrument = desk.Instruments[random.Next(desk.Instruments.Length)];
                    desk.Step(NumberedAsk(instrument, ++n), TimeSpan.FromMilliseconds(1), limits: null);
                    Volatile.Write(ref hubEvents, n);
                }
            }
            catch (Exception ex)
            {
                hubFailure = ex;
            }
        })
        { IsBackground = true, Name = "test-hub" };
        hub.Start();

        var copies = 0;
        var checkedSets = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        var fixedCost = desk.Strategy.Limits.FixedCostPerSet;
        try
        {
            while ((copies < 20_000 || Volatile.Read(ref hubEvents) < 100_000) && hub.IsAlive && DateTime.UtcNow < deadline)
            {
                if (desk.Strategy.TrySnapshotSpreadsOffHub() is not { } spreads) continue;
                copies++;
                foreach (var spread in spreads)
                {
                    checkedSets++;
                    var at = (int)((spread.EvaluatedUtcTicks - start) / TimeSpan.TicksPerMillisecond);
                    var why = $"copy {copies}: {spread} (evaluated at event {at})";
                    Assert.True(spread.State is ArbSetState.NoEdge or ArbSetState.Edge, why);
                    Assert.True(spread.SizeAvailable == SizeAt(at), why);
                    Assert.True(spread.KalshiAsk == AskAt(at) || spread.PolymarketAsk == AskAt(at), why);
                    var (kalshi, polymarket) = desk.Terms(spread.PairId);
                    var top = ArbSetSizer.TopOfBook(new BookLevel(spread.KalshiAsk, spread.SizeAvailable), new BookLevel(spread.PolymarketAsk, spread.SizeAvailable),
                        kalshi, polymarket, fixedCost);
                    Assert.True(top == new ArbTopOfBook(spread.AskSum, spread.GrossEdge, spread.NetEdge, spread.SizeAvailable), why);
                }
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            hub.Join(TimeSpan.FromSeconds(60));
        }
        Assert.Null(hubFailure);
        Assert.False(hub.IsAlive, "the hub thread did not stop");
        Assert.True(copies >= 20_000, $"only {copies} copies were made in time (hub events {hubEvents})");
        Assert.True(checkedSets > 100_000, $"only {checkedSets} sets were checked");
    }

    /// <summary>Event <paramref name="n"/>: the instrument's book becomes one ask, priced and sized by the event's number.</summary>
    private static BookEvent NumberedAsk(InstrumentId instrument, int n) =>
        BookEvent.Snapshot(instrument, [new BookLevel(Price.FromUnits(100), 5m)], [new BookLevel(AskAt(n), SizeAt(n))]);

    /// <summary>Asks from 40 to 89.99 cents, 5,000 of them: two cross $1 both ways, so sets are deferred and evaluated in full.</summary>
    private static Price AskAt(int n) => Price.FromUnits(4_000 + n % 5_000);

    /// <summary>Decreasing with the event's number, so a set's smaller size is always its newest book's.</summary>
    private static decimal SizeAt(int n) => 1_000_000 - n;

    /// <summary>Spreads as the dashboard would show them: equal decimals of another scale (10 and 10.0) differ here.</summary>
    private static string[] Shown(ArbSetSpread[] spreads) => [.. spreads.Select(s => s.ToString())];

    private static BookEvent RandomEvent(Random random, InstrumentId instrument)
    {
        // Best asks around 50 cents (two cross $1 both ways), deeper asks above them; best asks kept with other changes.
        var best = Price.FromUnits(4_400 + 100 * random.Next(12));
        var deeper = Price.FromUnits(best.Units + 100 * (1 + random.Next(3)));
        return random.Next(1_000) switch
        {
            < 250 => BookEvent.SetLevel(instrument, BookSide.Bid, Price.FromUnits(3_800 + 100 * random.Next(5)), random.Next(0, 300)),
            < 400 => BookEvent.SetLevel(instrument, BookSide.Ask, deeper, random.Next(8) == 0 ? 0m : random.Next(1, 300)),
            < 450 => BookEvent.AddLevel(instrument, BookSide.Ask, deeper, random.Next(-20, 50)),
            < 570 => BookEvent.Heartbeat(instrument),
            // The same size at the best ask, sometimes written with another scale (10 vs 10.0), and fractional sizes.
            < 640 => BookEvent.SetLevel(instrument, BookSide.Ask, best, random.Next(2) == 0 ? 10m : 10.0m),
            < 800 => BookEvent.SetLevel(instrument, BookSide.Ask, best, random.Next(4) == 0 ? random.Next(1, 3_000) / 100m : random.Next(1, 300)),
            < 900 => BookEvent.SetLevel(instrument, BookSide.Ask, best, 0m),
            < 970 => BookEvent.Snapshot(instrument, [new BookLevel(Price.FromUnits(3_000), 10m)],
                [new BookLevel(best, random.Next(1, 300)), new BookLevel(deeper, 100m)]),
            < 990 => BookEvent.Stale(instrument, StaleReason.SequenceGap),
            _ => BookEvent.Clear(instrument, StaleReason.Disconnected),
        };
    }

    /// <summary>A hub and a cross-venue strategy on four Kalshi and four Polymarket markets of different fee terms, paired at random.</summary>
    private sealed class Desk : IOpportunitySink
    {
        public const int CandidatePairs = 10;

        private readonly ManualTimeProvider _time = new();
        private readonly InstrumentRegistry _registry = new();
        private readonly MarketDataHub _hub;
        private readonly MarketPair[] _pairs;
        private readonly Dictionary<long, (ArbLegTerms Kalshi, ArbLegTerms Polymarket)> _terms = [];

        public Desk(int seed, bool allPairs = false)
        {
            var kalshiFees = new[] { KalshiFeeModel.Quadratic, KalshiFeeModel.QuadraticWithMakerFees, KalshiFeeModel.ParametersFor("quadratic", 0.5m), FeeParameters.None };
            var polymarketFees = new[] { PolymarketFeeModel.Parameters(0.25m, 2), FeeParameters.None, PolymarketFeeModel.Parameters(0.1m, 1), PolymarketFeeModel.Parameters(0.04m, 1) };
            var kalshi = kalshiFees.Select((fees, i) => _registry.AddMarket(CrossVenueArbitrageTests.NewMarket(VenueId.Kalshi, $"KX-{i}", fees), $"KX-{i}:yes", $"KX-{i}:no")).ToArray();
            var polymarket = polymarketFees.Select((fees, i) => _registry.AddMarket(CrossVenueArbitrageTests.NewMarket(VenueId.Polymarket, $"0x{i}", fees, i == 0 ? 0.01m : 1m),
                $"p{i}-yes", $"p{i}-no")).ToArray();
            Instruments = [.. kalshi.Concat(polymarket).SelectMany(m => new[] { m.Yes, m.No })];
            _hub = new MarketDataHub(_registry, _time);
            var kalshiModel = new KalshiFeeModel();
            var polymarketModel = new PolymarketFeeModel();
            Strategy = new CrossVenueArbitrage(_hub, kalshiModel, polymarketModel, new RiskLimits(), this);
            var random = new Random(seed * 7919);
            var at = _time.GetUtcNow();
            _pairs = new MarketPair[CandidatePairs];
            for (var i = 0; i < CandidatePairs; i++)
            {
                var k = kalshi[random.Next(kalshi.Length)];
                var p = polymarket[random.Next(polymarket.Length)];
                _pairs[i] = new MarketPair(i + 1, k.MarketKey, p.MarketKey, random.Next(2) == 0 ? PairMapping.YesYes : PairMapping.YesNo, PairStatus.Approved, 90, [], [], at, at, "admin");
                _terms[i + 1] = (ArbLegTerms.For(k, kalshiModel), ArbLegTerms.For(p, polymarketModel));
            }
            for (var i = 0; i < CandidatePairs; i++)
            {
                if (allPairs || random.Next(3) != 0) Assert.Equal(PairRegistration.Active, Strategy.AddOrUpdatePair(_pairs[i]));
            }
        }

        public InstrumentId[] Instruments { get; }

        public CrossVenueArbitrage Strategy { get; }

        public DateTimeOffset Now => _time.GetUtcNow();

        /// <summary>Every opportunity found, in words that carry all its figures.</summary>
        public List<string> Found { get; } = [];

        /// <summary>False: opportunities are not kept (the concurrent test finds many).</summary>
        public bool Recording { get; init; } = true;

        public (ArbLegTerms Kalshi, ArbLegTerms Polymarket) Terms(long pairId) => _terms[pairId];

        /// <summary>Removes candidate pair <paramref name="index"/>, or adds (or replaces) it with <paramref name="status"/>.</summary>
        public void Change(int index, PairStatus status, bool remove)
        {
            if (remove) Strategy.RemovePair(_pairs[index].Id);
            else Strategy.AddOrUpdatePair(_pairs[index] with { Status = status });
        }

        public void AddAll()
        {
            foreach (var pair in _pairs) Strategy.AddOrUpdatePair(pair);
        }

        public void Step(BookEvent e, TimeSpan advance, RiskLimits? limits)
        {
            _time.Advance(advance);
            if (limits is not null) Strategy.Limits = limits;
            _hub.TryPost(e);
            _hub.DrainPending();
        }

        public void OnOpportunity(Opportunity opportunity)
        {
            if (Recording) Found.Add(Describe(opportunity));
        }

        private static string Describe(Opportunity opportunity) => string.Create(CultureInfo.InvariantCulture,
            $"{opportunity.Id} {opportunity.PairId} {opportunity.DetectedAt:O} q={opportunity.Quantity} net={opportunity.NetEdgePerSet} {opportunity.Reason}");
    }
}
