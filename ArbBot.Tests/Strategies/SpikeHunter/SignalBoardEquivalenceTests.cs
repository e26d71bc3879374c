using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Strategies.SpikeHunter;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Strategies.SpikeHunter;

/// <summary>
/// The hunter's pass keeps its states as values in the board's arrays, its histories in rings allocated when a market is
/// tracked, and words a liquidity failure only when read. These tests hold it, pass by pass, to a reference that does what
/// the hunter did before (a detector per market fed the same mids, a record per market per pass, a ring per market on
/// first sample, failure sentences built at once), on a random stream of books: walks, jumps, crossed, one-sided, stale,
/// thin and wide books.
/// </summary>
public sealed class SignalBoardEquivalenceTests
{
    [Theory]
    [InlineData(11)]
    [InlineData(29)]
    [InlineData(47)]
    public async Task Every_pass_publishes_the_states_histories_and_signals_the_allocating_version_did(int seed)
    {
        var harness = await PaperDeskHarness.CreateAsync(seed: 3);
        var hunter = harness.Desk.SpikeHunter;
        // Trading off: the states, histories and signals depend only on the books then (no positions, no cooldowns).
        var settings = new SpikeHunterSettings { Enabled = false, EwmaSpan = 5, CusumThreshold = 0.02m, RocPeriods = 2 };
        hunter.Controls.Apply(settings);
        var scripted = harness.Registry.Markets.OrderBy(m => m.Yes.Value).Take(24).ToList();
        var reference = new ReferenceHunter(harness.Hub, settings);
        var passes = 0;
        var compared = 0;
        string? mismatch = null;
        // Compared on the hub's thread right after each pass is published, while the books are those the pass read.
        hunter.Board.Updated += () =>
        {
            passes++;
            reference.Pass(harness.Registry.Markets, harness.Time.GetUtcNow());
            mismatch ??= reference.Compare(hunter.Board, passes);
            compared++;
        };

        var random = new Random(seed);
        var mids = scripted.ToDictionary(m => m.Yes, _ => 0.30m + random.Next(0, 40) / 100m);
        long sequence = 5_000_000;
        for (var second = 0; second < 330 && mismatch is null; second++)
        {
            foreach (var market in scripted)
            {
                var mid = mids[market.Yes];
                var roll = random.Next(100);
                mid = roll < 6 ? mid + (random.Next(2) == 0 ? -0.12m : 0.12m) : mid + random.Next(-2, 3) / 100m;
                mid = Math.Clamp(mid, 0.05m, 0.95m);
                mids[market.Yes] = mid;
                var bid = Price.FromDecimal(mid - 0.01m * random.Next(1, 4));
                var ask = Price.FromDecimal(mid + 0.01m * random.Next(1, 4));
                var size = random.Next(10) < 2 ? 20m : 5_000m; // thin asks fail the depth check
                var kind = random.Next(40);
                BookEvent yes = kind switch
                {
                    0 => BookEvent.Snapshot(market.Yes, [new BookLevel(ask, size)], [new BookLevel(bid, size)], ++sequence), // crossed
                    1 => BookEvent.Snapshot(market.Yes, [new BookLevel(bid, size)], [], ++sequence), // no ask: no mid
                    2 => BookEvent.Stale(market.Yes, StaleReason.Disconnected),
                    _ => BookEvent.Snapshot(market.Yes, [new BookLevel(bid, size)], [new BookLevel(ask, size), new BookLevel(Price.FromDecimal(Math.Min(0.99m, mid + 0.05m)), size)], ++sequence),
                };
                Assert.True(harness.Hub.TryPost(yes));
                // NO mirrors YES, sometimes with a wide spread (fails the spread check when the hunter would buy NO).
                var wide = random.Next(10) == 0 ? 0.08m : 0m;
                Assert.True(harness.Hub.TryPost(BookEvent.Snapshot(market.No, [new BookLevel(Price.FromDecimal(Math.Max(0.01m, 1m - ask.Value - wide)), size)],
                    [new BookLevel(bid.Complement, size)], ++sequence)));
            }
            harness.Hub.DrainPending();
            harness.Time.Advance(TimeSpan.FromSeconds(1));
            harness.Hub.DrainPending();
        }

        Assert.Null(mismatch);
        Assert.True(compared >= 300, $"only {compared} passes compared");
        // The stream exercised what it is meant to: rings wrapped, alarms fired, checks failed both ways, books were skipped.
        Assert.True(reference.Alarms > 20, $"{reference.Alarms} alarms");
        Assert.True(reference.Skipped > 50, $"{reference.Skipped} skipped samples");
        Assert.Contains(reference.FailureKinds, f => f.StartsWith("spread", StringComparison.Ordinal));
        Assert.Contains(reference.FailureKinds, f => f.StartsWith("ask depth", StringComparison.Ordinal));
        Assert.Contains(scripted, m => hunter.Board.History(m.Yes).Count == SignalBoard.HistoryCapacity);
    }

    [Fact]
    public void A_liquidity_failure_reads_as_it_was_worded_before()
    {
        var book = new OrderBook(new InstrumentId(0), TickSize.Cent);
        book.ApplySnapshot([new BookLevel(Price.FromDecimal(0.39m), 10m)], [new BookLevel(Price.FromDecimal(0.42m), 40m)], 1, 1);
        Assert.Equal("spread 0.03 above 0.02", LiquidityCheck.Evaluate(book, 0.02m, 10m).Failure);
        Assert.Equal("ask depth $16.80 in the top 5 levels below $50.00", LiquidityCheck.Evaluate(book, 0.05m, 50m).Failure);
        Assert.Null(LiquidityCheck.Evaluate(book, 0.05m, 10m).Failure);
        var oneSided = new OrderBook(new InstrumentId(1), TickSize.Cent);
        oneSided.ApplySnapshot([new BookLevel(Price.FromDecimal(0.39m), 10m)], [], 1, 1);
        Assert.Equal("the book has no two-sided quote", LiquidityCheck.Evaluate(oneSided, 0.05m, 10m).Failure);
        book.MarkStale(StaleReason.Disconnected);
        Assert.Equal("the book is stale", LiquidityCheck.Evaluate(book, 0.05m, 10m).Failure);
    }

    /// <summary>The hunter's pass as it was: a new record per market per pass, a ring per market on first sample, failure text at once.</summary>
    private sealed class ReferenceHunter(MarketDataHub hub, SpikeHunterSettings settings)
    {
        private readonly Dictionary<InstrumentId, SpikeDetector> _detectors = [];
        private readonly Dictionary<InstrumentId, InstrumentSignalState> _last = [];
        private readonly Dictionary<InstrumentId, Queue<SignalSample>> _histories = [];
        private readonly Dictionary<InstrumentId, string?> _failureText = [];
        private readonly List<(DateTimeOffset At, InstrumentId Instrument, SpikeDirection Direction, double Price, SignalAction Action, string? Failure)> _signals = [];
        private List<InstrumentSignalState> _states = [];

        public int Alarms { get; private set; }
        public int Skipped { get; private set; }
        public HashSet<string> FailureKinds { get; } = [];

        public void Pass(IEnumerable<Market> markets, DateTimeOffset now)
        {
            var states = new List<InstrumentSignalState>();
            _failureText.Clear();
            foreach (var market in markets.OrderBy(m => m.Yes.Value))
            {
                if (!_detectors.TryGetValue(market.Yes, out var detector))
                {
                    _detectors[market.Yes] = detector = new SpikeDetector(settings.DetectorParameters);
                }
                var book = hub.TryGetBook(market.Yes);
                if (book is null || book.IsStale || book.IsCrossed || book.Mid is not { } mid)
                {
                    Skipped++;
                    if (_last.TryGetValue(market.Yes, out var stale)) states.Add(stale);
                    continue;
                }
                var reading = detector.Add((double)mid);
                var leaning = reading.Cusum != SpikeDirection.None ? reading.Cusum
                    : reading.CusumPositive > reading.CusumNegative ? SpikeDirection.Up
                    : reading.CusumNegative > reading.CusumPositive ? SpikeDirection.Down : SpikeDirection.None;
                (LiquidityReading Reading, string? Text)? liquidity = leaning == SpikeDirection.None ? null
                    : OldLiquidity(hub.TryGetBook(Engine.Strategies.SpikeHunter.SpikeHunter.InstrumentToBuy(market, leaning, settings.Direction)));
                if (liquidity?.Text is { } text) FailureKinds.Add(text);
                _failureText[market.Yes] = liquidity?.Text;
                var agreed = reading.Agreed != SpikeDirection.None && liquidity is { Reading.Passed: true } ? reading.Agreed : SpikeDirection.None;
                if (!_histories.TryGetValue(market.Yes, out var ring)) _histories[market.Yes] = ring = new Queue<SignalSample>();
                ring.Enqueue(new SignalSample(now, reading.Price, reading.Mean, reading.Upper, reading.Lower, reading.CusumPositive, reading.CusumNegative,
                    reading.RocPercent, agreed));
                if (ring.Count > SignalBoard.HistoryCapacity) ring.Dequeue();
                if (reading.Cusum != SpikeDirection.None)
                {
                    Alarms++;
                    _signals.Insert(0, (now, market.Yes, reading.Cusum, reading.Price, agreed == SpikeDirection.None ? SignalAction.Blocked : SignalAction.Skipped,
                        liquidity?.Text));
                }
                var state = new InstrumentSignalState(market.Yes, market.Venue, market.MarketKey, market.Title, now, reading.Price, detector.Count,
                    settings.EwmaSpan, reading.Mean, reading.Volatility, reading.Upper, reading.Lower, reading.CusumPositive, reading.CusumNegative,
                    (double)settings.CusumThreshold, reading.Band, reading.RocPercent, (double)settings.RocThresholdPercent, settings.RocPeriods,
                    reading.RocConfirms, leaning, liquidity?.Reading, null, false);
                _last[market.Yes] = state;
                states.Add(state);
            }
            _states = states;
        }

        /// <summary>The first difference between the board and the reference, or null.</summary>
        public string? Compare(SignalBoard board, int pass)
        {
            var actual = board.Instruments;
            if (actual.Count != _states.Count) return $"pass {pass}: {actual.Count} states, expected {_states.Count}";
            if (!ReferenceEquals(actual, board.Instruments)) return $"pass {pass}: the list changed between two reads in the same pass";
            for (var i = 0; i < actual.Count; i++)
            {
                if (actual[i] != _states[i]) return $"pass {pass}, state {i}: {actual[i]} expected {_states[i]}";
                var text = actual[i].Liquidity?.Failure;
                if (_failureText.TryGetValue(actual[i].Instrument, out var expected) && text != expected)
                {
                    return $"pass {pass}, {actual[i].Instrument}: failure '{text}' expected '{expected}'";
                }
                if (SignalText.Describe(actual[i]) != SignalText.Describe(_states[i])) return $"pass {pass}, state {i}: described differently";
            }
            // Histories: every tenth pass and the last ones (a copy of 300 samples per market each pass would be slow).
            if (pass % 10 == 0 || pass > 320)
            {
                foreach (var (instrument, ring) in _histories)
                {
                    var history = board.History(instrument);
                    if (!history.SequenceEqual(ring)) return $"pass {pass}, {instrument}: history of {history.Count} differs from {ring.Count} samples";
                }
            }
            var signals = board.Signals;
            var expectedSignals = _signals.Take(SignalBoard.SignalCapacity).ToList();
            if (signals.Count != expectedSignals.Count) return $"pass {pass}: {signals.Count} signals, expected {expectedSignals.Count}";
            for (var i = 0; i < signals.Count; i++)
            {
                var (at, instrument, direction, price, action, failure) = expectedSignals[i];
                var s = signals[i];
                if (s.At != at || s.Instrument != instrument || s.Direction != direction || s.Price != price || s.Action != action)
                {
                    return $"pass {pass}, signal {i}: {s} expected {expectedSignals[i]}";
                }
                if (failure is not null && !s.Explanation.Contains($"({failure})", StringComparison.Ordinal))
                {
                    return $"pass {pass}, signal {i}: '{s.Explanation}' does not give the failure '{failure}'";
                }
            }
            return null;
        }

        // LiquidityCheck as it was, with its sentences built at once.
        private (LiquidityReading, string?) OldLiquidity(OrderBook? book)
        {
            if (book is null || book.IsStale || !book.HasBid || !book.HasAsk)
            {
                var kind = book is { IsStale: true } ? LiquidityShortfall.StaleBook : LiquidityShortfall.NoTwoSidedQuote;
                return (new LiquidityReading(false, 0m, 0m, kind), book is { IsStale: true } ? "the book is stale" : "the book has no two-sided quote");
            }
            var spread = book.BestAsk.Price.Value - book.BestBid.Price.Value;
            var depth = 0m;
            var levels = Math.Min(LiquidityCheck.Levels, book.Depth(BookSide.Ask));
            for (var i = 0; i < levels; i++)
            {
                var level = book.Level(BookSide.Ask, i);
                depth += level.Price.Value * level.Size;
            }
            if (spread > settings.MaxSpread)
            {
                return (new LiquidityReading(false, spread, depth, LiquidityShortfall.SpreadTooWide, settings.MaxSpread),
                    string.Create(CultureInfo.InvariantCulture, $"spread {spread:0.00##} above {settings.MaxSpread:0.00##}"));
            }
            if (depth < settings.MinLiquidityUsd)
            {
                return (new LiquidityReading(false, spread, depth, LiquidityShortfall.TooLittleDepth, settings.MinLiquidityUsd),
                    string.Create(CultureInfo.InvariantCulture, $"ask depth ${depth:0.00} in the top {LiquidityCheck.Levels} levels below ${settings.MinLiquidityUsd:0.00}"));
            }
            return (new LiquidityReading(true, spread, depth), null);
        }
    }
}
