using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.MultiOutcomeArb;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Strategies.MultiOutcomeArb;

/// <summary>
/// A set whose last evaluation found no gross edge is not evaluated again while the changed book's best ask is the one it
/// summed, and a persisting edge is not sized again from the same ladders: both must find exactly what evaluating and
/// sizing on every change finds.
/// </summary>
public sealed class MultiOutcomeEarlyReturnTests
{
    private const string KalshiEvent = "KXFED-26DEC";
    private const string PolymarketEvent = "fed-decision-december";
    /// <summary>A four-outcome Kalshi event listed before the others: watched only while the settings allow four outcomes, so its sets shift the others' numbers.</summary>
    private const string FourOutcomeEvent = "KXAAA-26DEC";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_books_give_the_same_opportunities_as_evaluating_every_change(int seed)
    {
        var skipping = new Desk(evaluateEveryChange: false);
        var full = new Desk(evaluateEveryChange: true);
        var random = new Random(seed);
        // The three-outcome events' books (the four-outcome event is not watched under these settings).
        var instruments = skipping.Instruments[..12];

        for (var step = 0; step < 20_000; step++)
        {
            var e = RandomEvent(random, skipping, instruments[random.Next(instruments.Length)]);
            // Mostly milliseconds apart; now and then long enough for books to age past the maximum book age.
            var advance = random.Next(200) == 0 ? TimeSpan.FromSeconds(6) : TimeSpan.FromMilliseconds(random.Next(0, 50));
            // Now and then new limits: a remembered sizing belongs to the limits it was made under.
            var limits = random.Next(2_000) == 0 ? skipping.Strategy.Limits with { MaxTradeSize = random.Next(5, 200) } : null;
            skipping.Step(e, advance, limits);
            full.Step(e, advance, limits);
        }

        Assert.True(full.Found.Count > 200, $"the random books should offer edges often; found {full.Found.Count}");
        Assert.Equal(full.Found, skipping.Found);
    }

    /// <summary>
    /// Settings changes re-decide the watched events and renumber the sets while evaluations of the old sets are still
    /// queued, and a feed keeps posting book changes meanwhile: an old set's queued evaluation must neither evaluate nor
    /// touch what the new sets have queued (a second evaluation of a persisting edge would offer it twice).
    /// </summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Settings_changed_while_evaluations_are_queued_give_the_same_opportunities_as_evaluating_every_change(int seed)
    {
        var skipping = new Desk(evaluateEveryChange: false);
        var full = new Desk(evaluateEveryChange: true);
        var random = new Random(seed);
        var instruments = skipping.Instruments;
        var settingsChanges = 0;

        for (var step = 0; step < 20_000; step++)
        {
            var first = RandomEvent(random, skipping, instruments[random.Next(instruments.Length)]);
            var advance = random.Next(200) == 0 ? TimeSpan.FromSeconds(6) : TimeSpan.FromMilliseconds(random.Next(0, 50));
            if (random.Next(8) != 0)
            {
                skipping.Step(first, advance, null);
                full.Step(first, advance, null);
                continue;
            }
            // Queued together: a change (its set's evaluation is queued behind the rest), new settings, a change of another
            // or the same book, and, posted by a feed while the hub runs that change, one more change of that book.
            var settings = RandomSettings(random);
            var instrument = random.Next(3) == 0 ? first.Instrument : instruments[random.Next(instruments.Length)];
            var second = RandomEvent(random, skipping, instrument);
            var echo = RandomEvent(random, skipping, instrument);
            skipping.StepWithSettings(first, settings, second, echo, advance);
            full.StepWithSettings(first, settings, second, echo, advance);
            settingsChanges++;
        }

        Assert.True(settingsChanges > 1_000, $"only {settingsChanges} settings changes");
        Assert.True(full.Found.Count > 200, $"the random books should offer edges often; found {full.Found.Count}");
        Assert.True(full.Found.Any(f => f.Contains(FourOutcomeEvent, StringComparison.Ordinal)), "the four-outcome event should have been traded while watched");
        Assert.Equal(full.Found, skipping.Found);
    }

    private static MultiOutcomeSettings RandomSettings(Random random) => new()
    {
        MinNetEdge = random.Next(2) == 0 ? 0.005m : 0.004m,
        // Four outcomes or more: the four-outcome event is watched and its two sets come first.
        MaxOutcomes = random.Next(2) == 0 ? 3 : 16,
        TradeNoSets = random.Next(6) != 0,
        KalshiExhaustiveEvents = random.Next(4) == 0 ? [] : [KalshiEvent, FourOutcomeEvent],
    };

    private static BookEvent RandomEvent(Random random, Desk desk, InstrumentId instrument)
    {
        {
            var isYes = desk.IsYes(instrument);
            // Asks near a fair price, so the sets' best asks cross what a set pays both ways.
            var outcomes = desk.OutcomesOf(instrument);
            var fair = outcomes == 3 ? (isYes ? 0.33 : 0.67) : isYes ? 0.25 : 0.75;
            var price = Price.FromDecimal(Math.Clamp(Math.Round((decimal)(fair + (random.NextDouble() - 0.5) * 0.3), 2), 0.01m, 0.99m));
            var roll = random.Next(100);
            return roll switch
            {
                < 40 => BookEvent.SetLevel(instrument, BookSide.Ask, price, random.Next(4) == 0 ? 0m : random.Next(1, 300)),
                < 70 => BookEvent.SetLevel(instrument, BookSide.Bid, Price.FromDecimal(Math.Max(0.01m, price.Value - 0.05m)), random.Next(0, 300)),
                < 80 => BookEvent.AddLevel(instrument, BookSide.Ask, price, random.Next(1, 50)),
                < 88 => BookEvent.Snapshot(instrument, [new BookLevel(Price.FromDecimal(0.01m), 10m)],
                    [new BookLevel(price, random.Next(1, 300)), new BookLevel(Price.FromDecimal(Math.Min(0.99m, price.Value + 0.03m)), 100m)]),
                < 93 => BookEvent.Heartbeat(instrument),
                < 96 => BookEvent.Stale(instrument, StaleReason.SequenceGap),
                < 98 => BookEvent.Clear(instrument, StaleReason.Disconnected),
                _ => BookEvent.SetLevel(instrument, BookSide.Ask, price, 0m),
            };
        }
    }

    private sealed class Desk : IOpportunitySink
    {
        private readonly ManualTimeProvider _time = new();
        private readonly InstrumentRegistry _registry = new();
        private readonly MarketDataHub _hub;

        private readonly FeedDuringDrain _feed;

        public Desk(bool evaluateEveryChange)
        {
            _registry.AddEvent(new VenueEvent(VenueId.Kalshi, KalshiEvent, "Fed decision in Dec 2026", "Economics", MutuallyExclusive: true, NegRisk: false, Augmented: false));
            _registry.AddEvent(new VenueEvent(VenueId.Kalshi, FourOutcomeEvent, "Rate range in Dec 2026", "Economics", MutuallyExclusive: true, NegRisk: false, Augmented: false));
            _registry.AddEvent(new VenueEvent(VenueId.Polymarket, PolymarketEvent, "Fed decision in December?", "Economy", MutuallyExclusive: true, NegRisk: true, Augmented: false));
            var markets = new List<Market>();
            foreach (var outcome in new[] { "Cut", "Hold", "Hike" })
            {
                markets.Add(AddMarket(VenueId.Kalshi, KalshiEvent, outcome, KalshiFeeModel.Quadratic));
                markets.Add(AddMarket(VenueId.Polymarket, PolymarketEvent, outcome, PolymarketFeeModel.Parameters(0.25m, 2)));
            }
            foreach (var outcome in new[] { "Low", "Mid", "High", "Top" })
            {
                markets.Add(AddMarket(VenueId.Kalshi, FourOutcomeEvent, outcome, KalshiFeeModel.Quadratic));
            }
            Instruments = [.. markets.SelectMany(m => new[] { m.Yes, m.No })];
            _hub = new MarketDataHub(_registry, _time);
            // Subscribed before the strategy, so it hears of a change first: what it posts then is queued before the
            // evaluation the strategy queues for that change.
            _feed = new FeedDuringDrain(_hub);
            foreach (var instrument in Instruments) _hub.Subscribe(instrument, _feed);
            Strategy = new MultiOutcomeArbitrage(_hub, new KalshiFeeModel(), new PolymarketFeeModel(), new RiskLimits { MinNetEdge = 0.001m },
                new MultiOutcomeSettings { MinNetEdge = 0.005m, MaxOutcomes = 3, KalshiExhaustiveEvents = [KalshiEvent] }, this)
            {
                EvaluateEveryChange = evaluateEveryChange,
            };
            Assert.Equal(2, Strategy.OfferRegisteredEvents().Count);
        }

        public InstrumentId[] Instruments { get; }

        public MultiOutcomeArbitrage Strategy { get; }

        /// <summary>Every opportunity found, in words that carry all its figures.</summary>
        public List<string> Found { get; } = [];

        public bool IsYes(InstrumentId instrument) => _registry[instrument].IsYes;

        public int OutcomesOf(InstrumentId instrument) => _registry.MarketOf(instrument).EventKey == FourOutcomeEvent ? 4 : 3;

        /// <summary>
        /// Queues <paramref name="first"/>, new settings (hub work), then <paramref name="second"/>; the settings change also
        /// arms the feed to post <paramref name="echo"/> when it hears of the next change (that is, <paramref name="second"/>),
        /// as a feed thread posting while the hub drains would. Then the hub runs everything.
        /// </summary>
        public void StepWithSettings(BookEvent first, MultiOutcomeSettings settings, BookEvent second, BookEvent echo, TimeSpan advance)
        {
            _time.Advance(advance);
            _hub.TryPost(first);
            _hub.TryPost(BookEvent.Run(new ChangeSettings(this, settings, echo)));
            _hub.TryPost(second);
            _hub.DrainPending();
        }

        private sealed class ChangeSettings(Desk desk, MultiOutcomeSettings settings, BookEvent echo) : IHubWork
        {
            public void Execute(MarketDataHub hub)
            {
                desk.Strategy.Settings = settings;
                desk._feed.Next = echo;
            }
        }

        /// <summary>Posts one book event to the hub's queue on the next change it hears of, as a feed would meanwhile.</summary>
        private sealed class FeedDuringDrain(MarketDataHub hub) : IBookListener
        {
            public BookEvent? Next { get; set; }

            public void OnBookUpdated(OrderBook book)
            {
                if (Next is not { } next) return;
                Next = null;
                Assert.True(hub.TryPost(next));
            }
        }

        public void Step(BookEvent e, TimeSpan advance, RiskLimits? limits)
        {
            _time.Advance(advance);
            if (limits is not null) Strategy.Limits = limits;
            _hub.TryPost(e);
            _hub.DrainPending();
        }

        public void OnOpportunity(Opportunity opportunity) => Found.Add(string.Create(CultureInfo.InvariantCulture,
            $"{opportunity.Id} {opportunity.EventKey} {opportunity.DetectedAt:O} q={opportunity.Quantity} net={opportunity.NetEdgePerSet} profit={opportunity.ExpectedProfit} " +
            $"{string.Join(" | ", opportunity.Legs.Select(l => $"{l.Instrument} {l.WorstPrice} {l.AveragePrice} {l.Fee} {l.DepthWithinWorst} v{l.BookVersion}"))} {opportunity.Reason}"));

        private Market AddMarket(VenueId venue, string eventKey, string outcome, FeeParameters fees)
        {
            var key = $"{eventKey}-{outcome}";
            var market = new Market(venue, key, eventKey, $"{outcome}?", "", "", new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), TickSize.Cent,
                venue == VenueId.Polymarket ? 5m : 1m, outcome, fees, QuantityStep: venue == VenueId.Polymarket ? 0.01m : 1m);
            return _registry.AddMarket(market, key + ":yes", key + ":no");
        }
    }
}
