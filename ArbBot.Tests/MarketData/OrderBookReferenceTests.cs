using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;

namespace ArbBot.Tests.MarketData;

/// <summary>
/// Drives <see cref="OrderBook"/> and <see cref="ReferenceBook"/> with the same seeded random operations and compares
/// every observable after every operation. A failure names the seed and the operation index so it can be replayed.
/// </summary>
public sealed class OrderBookReferenceTests
{
    private const int OperationsPerSeed = 4_000;

    [Theory]
    [InlineData(1, 10)]
    [InlineData(7, 100)]
    [InlineData(42, 1)]
    [InlineData(2024, 10)]
    [InlineData(31337, 25)]
    public void Random_operations_match_the_reference_book_after_every_step(int seed, int gridUnits)
    {
        var run = new RandomRun(seed, gridUnits);
        for (var op = 0; op < OperationsPerSeed; op++)
        {
            var description = run.Step();
            run.Compare($"seed {seed}, op #{op} ({description})");
        }

        // The run must actually have exercised deep books (array growth past the initial 16 levels) and removals,
        // otherwise the comparison above proves little.
        Assert.True(run.MaxDepthSeen > 64, $"seed {seed}: deepest side was only {run.MaxDepthSeen} levels");
        Assert.True(run.Removals > 100, $"seed {seed}: only {run.Removals} level removals happened");
    }

    private sealed class RandomRun(int seed, int gridUnits)
    {
        private readonly Random _random = new(seed);
        private readonly OrderBook _book = new(new InstrumentId(0), TickSize.Cent);
        private readonly ReferenceBook _reference = new();
        private long _sequence;

        public int MaxDepthSeen { get; private set; }
        public int Removals { get; private set; }

        public string Step()
        {
            _sequence++;
            var roll = _random.Next(1000);
            if (roll < 15) return Snapshot();
            if (roll < 20)
            {
                _book.Clear(StaleReason.Disconnected);
                _reference.Snapshot([], []);
                return "Clear";
            }

            var side = _random.Next(2) == 0 ? BookSide.Bid : BookSide.Ask;
            var price = PickPrice(side);
            var existed = _reference.Levels(side).Any(l => l.Price == price);
            var depthBefore = _reference.Depth(side);
            string description;
            if (roll < 500)
            {
                var size = PickSize(allowNonPositive: true);
                _book.SetLevel(side, price, size, _sequence, _sequence);
                _reference.Set(side, price, size);
                description = $"SetLevel {side} {price} {size}";
            }
            else
            {
                var delta = PickDelta(side, price);
                _book.AddToLevel(side, price, delta, _sequence, _sequence);
                _reference.Add(side, price, delta);
                description = $"AddToLevel {side} {price} {delta}";
            }
            if (existed && _reference.Depth(side) < depthBefore) Removals++;
            MaxDepthSeen = Math.Max(MaxDepthSeen, _reference.Depth(side));
            return description;
        }

        public void Compare(string context)
        {
            foreach (var side in (BookSide[])[BookSide.Bid, BookSide.Ask])
            {
                var expected = _reference.Levels(side);
                Check(expected.Count, _book.Depth(side), context, $"{side} depth");
                Check(expected.Count, side == BookSide.Bid ? _book.BidDepth : _book.AskDepth, context, $"{side} depth property");
                Check(expected.Count > 0, side == BookSide.Bid ? _book.HasBid : _book.HasAsk, context, $"{side} presence");
                if (expected.Count > 0)
                {
                    Check(expected[0], side == BookSide.Bid ? _book.BestBid : _book.BestAsk, context, $"best {side}");
                    // The book keeps its best ask beside its version: it must be the side's top digit for digit (a size of
                    // 10 is not 10.0), not only equal in value.
                    var best = side == BookSide.Bid ? _book.BestBid : _book.BestAsk;
                    Check(expected[0].Size.ToString(CultureInfo.InvariantCulture), best.Size.ToString(CultureInfo.InvariantCulture), context, $"best {side} size digits");
                }
                if (side == BookSide.Ask) Check(expected.Count > 0 ? expected[0].Price.Units : -1, _book.BestAskUnits, context, "best ask units");

                var copied = new BookLevel[expected.Count + 2];
                var written = _book.CopyLevels(side, copied);
                Check(expected.Count, written, context, $"{side} CopyLevels count");
                for (var i = 0; i < expected.Count; i++)
                {
                    Check(expected[i], copied[i], context, $"{side} CopyLevels[{i}]");
                    Check(expected[i], _book.Level(side, i), context, $"{side} Level({i})");
                }

                // A destination shorter than the side gets the best levels only.
                var shortLength = _random.Next(expected.Count + 1);
                var truncated = new BookLevel[shortLength];
                Check(shortLength, _book.CopyLevels(side, truncated), context, $"{side} truncated CopyLevels count");
                Check(string.Join(",", expected.Take(shortLength)), string.Join(",", truncated), context, $"{side} truncated CopyLevels");

                for (var k = 0; k < 2; k++)
                {
                    var limit = Price.FromUnits(_random.Next(Price.Scale + 1));
                    Check(_reference.SizeWithin(side, limit), _book.SizeWithin(side, limit), context, $"{side} SizeWithin {limit}");
                }
            }

            Check(_reference.IsCrossed, _book.IsCrossed, context, "IsCrossed");
            Check(_reference.Mid, _book.Mid, context, "Mid");

            for (var k = 0; k < 3; k++)
            {
                var taker = _random.Next(2) == 0 ? Side.Buy : Side.Sell;
                var size = PickWalkSize(taker);
                var limit = Price.FromUnits(_random.Next(Price.Scale + 1));
                Check(_reference.Walk(taker, size, limit), _book.Walk(taker, size, limit), context, $"Walk {taker} {size} limit {limit}");
            }
        }

        private string Snapshot()
        {
            // Deep, unordered, with duplicates and zero sizes: every rule ApplySnapshot documents at once.
            var bids = RandomLevels(_random.Next(0, 300));
            var asks = RandomLevels(_random.Next(0, 300));
            _book.ApplySnapshot(bids, asks, _sequence, _sequence);
            _reference.Snapshot(bids, asks);
            MaxDepthSeen = Math.Max(MaxDepthSeen, Math.Max(_reference.Depth(BookSide.Bid), _reference.Depth(BookSide.Ask)));
            return $"Snapshot {bids.Length} bids, {asks.Length} asks";
        }

        private BookLevel[] RandomLevels(int count)
        {
            var levels = new BookLevel[count];
            for (var i = 0; i < count; i++)
            {
                var size = _random.Next(10) == 0 ? 0m : PickSize(allowNonPositive: false);
                levels[i] = new BookLevel(AnyPrice(), size);
            }
            return levels;
        }

        private Price PickPrice(BookSide side)
        {
            var levels = _reference.Levels(side);
            var roll = _random.Next(100);
            if (levels.Count > 0 && roll < 30) return levels[_random.Next(levels.Count)].Price;
            if (levels.Count > 0 && roll < 75)
            {
                // Near the top: above, at or inside the best, where venue updates mostly land.
                var units = levels[0].Price.Units + (_random.Next(-6, 7) * gridUnits);
                return Price.FromUnits(Math.Clamp(units, 0, Price.Scale));
            }
            if (levels.Count > 0 && roll < 85)
            {
                // Below the worst level: a new deepest price.
                var units = levels[^1].Price.Units + ((side == BookSide.Bid ? -1 : 1) * _random.Next(1, 5) * gridUnits);
                return Price.FromUnits(Math.Clamp(units, 0, Price.Scale));
            }
            return AnyPrice();
        }

        private Price AnyPrice() => Price.FromUnits(_random.Next((Price.Scale / gridUnits) + 1) * gridUnits);

        private decimal PickSize(bool allowNonPositive)
        {
            if (allowNonPositive)
            {
                var roll = _random.Next(100);
                if (roll < 10) return 0m;
                if (roll < 15) return -PickSize(allowNonPositive: false);
            }
            return _random.Next(1, 100_000) / 100m;
        }

        private decimal PickDelta(BookSide side, Price price)
        {
            var current = _reference.Levels(side).FirstOrDefault(l => l.Price == price).Size;
            return _random.Next(100) switch
            {
                < 15 when current > 0m => -current,
                < 25 when current > 0m => -current - PickSize(allowNonPositive: false),
                < 55 => -PickSize(allowNonPositive: false),
                < 60 => 0m,
                _ => PickSize(allowNonPositive: false),
            };
        }

        private decimal PickWalkSize(Side taker)
        {
            var side = taker == Side.Buy ? BookSide.Ask : BookSide.Bid;
            var total = _reference.Levels(side).Sum(l => l.Size);
            return _random.Next(6) switch
            {
                0 => 0m,
                1 => total,
                2 => total + 1m,
                3 when total > 0m => Math.Round(total * (decimal)_random.NextDouble(), 2),
                _ => _random.Next(1, 5_000) / 100m,
            };
        }

        private static void Check<T>(T expected, T actual, string context, string what)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{context}: {what}: expected {expected}, actual {actual}"));
            }
        }
    }
}
