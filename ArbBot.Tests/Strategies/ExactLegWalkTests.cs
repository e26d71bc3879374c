using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Engine.Venues;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;

namespace ArbBot.Tests.Strategies;

/// <summary>
/// The sizers' integer leg walk against the decimal walk it replaces, over random ladders, quantities and fee terms:
/// the same worst price, and cost and fee equal bit for bit (value and scale, so 0.50 and 0.5 differ), with the same
/// levels read.
/// </summary>
public sealed class ExactLegWalkTests
{
    private static readonly decimal[] KalshiPrecisions = [0.01m, 0.0001m, 0.05m, 1m, 0.0100m, 0.0003m];
    private static readonly decimal[] KalshiRates = [0.07m, 0.035m, 0.0175m, 0m, 0.105m, 0.07000m];
    private static readonly decimal[] PolymarketRates = [0m, 0.02m, 0.04m, 0.0625m, 0.25m, 0.030m];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Integer_walk_gives_the_decimal_walks_cost_and_fee_digit_for_digit(int seed)
    {
        var random = new Random(seed);
        int integer = 0, kalshiFees = 0, polymarketFees = 0;
        const int Cases = 20_000;
        for (var n = 0; n < Cases; n++)
        {
            var terms = RandomTerms(random);
            var ladder = RandomLadder(random);
            var quantity = RandomQuantity(random, ladder);

            var decimalRead = new LadderRead();
            var expected = ExactLegWalk.WalkInDecimal(ladder, terms, quantity, ref decimalRead);
            var integerRead = new LadderRead();
            if (!ExactLegWalk.TryWalk(ladder, terms, quantity, ref integerRead, out var actual)) continue;
            integer++;
            if (terms.FeeModel is KalshiFeeModel && terms.Fees.TakerRate != 0m) kalshiFees++;
            if (terms.FeeModel is PolymarketFeeModel && terms.Fees.TakerRate != 0m) polymarketFees++;

            var what = $"case {n}: quantity {quantity}, {terms.FeeModel.GetType().Name} {terms.Fees}, ladder [{string.Join(", ", ladder.Select(l => $"{l.Size}@{l.Price}"))}]";
            Assert.True(expected.Worst == actual.Worst, what);
            AssertSameDigits(expected.Cost, actual.Cost, "cost, " + what);
            AssertSameDigits(expected.Fee, actual.Fee, "fee, " + what);
            Assert.True(decimalRead.Levels == integerRead.Levels && decimalRead.ReachedEnd == integerRead.ReachedEnd, "reads, " + what);
            // What the sizers call: the same answer, whichever arithmetic gave it.
            var walkRead = new LadderRead();
            var walked = ExactLegWalk.Walk(ladder, terms, quantity, ref walkRead);
            AssertSameDigits(expected.Fee, walked.Fee, "walk fee, " + what);
        }
        // The integer walk must be what answers (a walk that always handed back to decimal would pass the checks above).
        Assert.True(integer > Cases * 8 / 10, $"only {integer} of {Cases} walks were done in integers");
        Assert.True(kalshiFees > Cases / 5 && polymarketFees > Cases / 5, $"{kalshiFees} Kalshi and {polymarketFees} Polymarket walks charged fees");
    }

    [Fact]
    public void A_fee_model_other_than_the_venues_is_asked_for_every_level()
    {
        var model = new CountingFeeModel();
        var terms = new ArbLegTerms(model, new FeeParameters(0.05m, 0m, 1), 1m);
        BookLevel[] ladder = [new(Price.FromUnits(4_000), 3m), new(Price.FromUnits(4_100), 2.50m)];

        var read = new LadderRead();
        var walk = ExactLegWalk.Walk(ladder, terms, 5m, ref read);

        Assert.Equal(2, model.Calls);
        // 3 at 0.40 and the last 2 at 0.41: fees 0.05 × 3 / 2 + 0.05 × 2 / 2, cost 3 × 0.4 + 2 × 0.41.
        AssertSameDigits(0.125m, walk.Fee, "fee");
        AssertSameDigits(2.02m, walk.Cost, "cost");
    }

    [Fact]
    public void Sums_beyond_a_decimals_mantissa_are_walked_in_decimal()
    {
        var terms = new ArbLegTerms(new PolymarketFeeModel(), PolymarketFeeModel.Parameters(0.02m, 1), 1m);
        // 10^26 contracts at 0.1234: the cost's mantissa needs more than 96 bits at scale 4, so decimal rounds it.
        BookLevel[] ladder = [new(Price.FromUnits(1_234), 100_000_000_000_000_000_000_000_000m)];

        var read = new LadderRead();
        Assert.False(ExactLegWalk.TryWalk(ladder, terms, 100_000_000_000_000_000_000_000_000m, ref read, out _));
        var expectedRead = new LadderRead();
        var expected = ExactLegWalk.WalkInDecimal(ladder, terms, 100_000_000_000_000_000_000_000_000m, ref expectedRead);
        var walked = ExactLegWalk.Walk(ladder, terms, 100_000_000_000_000_000_000_000_000m, ref read);
        AssertSameDigits(expected.Cost, walked.Cost, "cost");
        AssertSameDigits(expected.Fee, walked.Fee, "fee");
    }

    private static void AssertSameDigits(decimal expected, decimal actual, string what)
    {
        var e = decimal.GetBits(expected);
        var a = decimal.GetBits(actual);
        Assert.True(e.SequenceEqual(a), $"{what}: expected {expected} (scale {expected.Scale}), got {actual} (scale {actual.Scale})");
    }

    private static ArbLegTerms RandomTerms(Random random)
    {
        switch (random.Next(10))
        {
            case < 5:
                {
                    var model = new KalshiFeeModel(KalshiPrecisions[random.Next(KalshiPrecisions.Length)]);
                    var fees = new FeeParameters(KalshiRates[random.Next(KalshiRates.Length)], 0m, random.Next(10) == 0 ? 2 : 1);
                    return new ArbLegTerms(model, fees, 1m);
                }
            default:
                {
                    var fees = PolymarketFeeModel.Parameters(PolymarketRates[random.Next(PolymarketRates.Length)], random.Next(4));
                    return new ArbLegTerms(new PolymarketFeeModel(), fees, 0.01m);
                }
        }
    }

    private static BookLevel[] RandomLadder(Random random)
    {
        var count = random.Next(0, 7);
        var levels = new BookLevel[count];
        var units = random.Next(10) == 0 ? 0 : random.Next(1, 9_000);
        for (var i = 0; i < count; i++)
        {
            var size = random.Next(20) == 0 ? (random.Next(2) == 0 ? 0m : -1m) : RandomDecimal(random);
            levels[i] = new BookLevel(Price.FromUnits(Math.Min(units, Price.Scale)), size);
            units += random.Next(3) == 0 ? random.Next(1, 10) * 100 : random.Next(1, 400);
        }
        return levels;
    }

    private static decimal RandomQuantity(Random random, BookLevel[] ladder)
    {
        switch (random.Next(6))
        {
            case 0:
                // Exactly what the ladder offers, in the levels' own digits.
                var sum = 0m;
                foreach (var level in ladder) sum += Math.Max(0m, level.Size);
                return sum;
            case 1:
                return random.Next(1, 50);
            case 2:
                return decimal.Round((decimal)random.NextDouble() * 200m, random.Next(0, 3));
            default:
                return RandomDecimal(random);
        }
    }

    /// <summary>Sizes as venues send them: whole or with up to six decimals, sometimes with trailing zeros, sometimes huge.</summary>
    private static decimal RandomDecimal(Random random)
    {
        var scale = (byte)random.Next(0, 7);
        long mantissa = random.Next(6) switch
        {
            0 => random.NextInt64(1, 1_000_000_000_000_000),
            1 => random.Next(1, 10) * (long)Math.Pow(10, scale),
            _ => random.Next(1, 100_000),
        };
        return new decimal((int)(mantissa & 0xFFFFFFFF), (int)(mantissa >> 32), 0, false, scale);
    }

    private sealed class CountingFeeModel : IFeeModel
    {
        public int Calls { get; private set; }

        public decimal Fee(in FeeParameters parameters, Price price, decimal contracts, Liquidity liquidity)
        {
            Calls++;
            return parameters.TakerRate * contracts / 2m;
        }
    }
}
