using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Engine.Venues;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;

namespace ArbBot.Engine.Strategies;

/// <summary>
/// The sizers' walk of one leg's ask ladder (cost and exact fee of buying a quantity, best level first) in integer
/// arithmetic, giving the very decimals — same value, same scale, bit for bit — that the decimal walk
/// (<see cref="WalkInDecimal"/>) gives, or saying it cannot.
/// </summary>
/// <remarks>
/// <para>
/// A decimal is a 96-bit integer mantissa over a power of ten. While no result needs more than 96 bits or a scale above
/// 28, the decimal operations the walk uses are exact, and their results are known in integers: a product is the product
/// of the mantissas at the sum of the scales (a zero product of 32-bit mantissas too: 0.00 × 5.5 is 0.000), a sum is the sum of the mantissas aligned
/// to the larger scale. Every step here checks that it stays within those bounds and otherwise hands the step (a fee) or
/// the whole walk back to decimal arithmetic, so the answer is always the decimal walk's.
/// </para>
/// <para>
/// Fees: both venues' fees are a product (rate × contracts × (p(1 − p))^exponent) rounded to an increment — Kalshi up to
/// $0.0001 and then up to the member's balance precision, Polymarket down to $0.00001. The rounded fee's digits depend only
/// on the product's exact value (Ceiling/Floor return whole numbers at scale 0, multiplied back by the increment), which
/// the integers give. Other fee models, and the rare step outside the bounds, are asked in decimal.
/// </para>
/// </remarks>
internal static class ExactLegWalk
{
    private const int MaxScale = 28;

    private static readonly ulong[] Pow10 = BuildPowersOfTen();

    /// <summary>
    /// Walks <paramref name="asks"/> for <paramref name="quantity"/> contracts: the worst price reached, the cost
    /// (Σ take × price) and the fee (Σ the venue's fee per level filled), noting the levels read in
    /// <paramref name="read"/> exactly as <see cref="WalkInDecimal"/> does.
    /// </summary>
    public static (Price Worst, decimal Cost, decimal Fee) Walk(ReadOnlySpan<BookLevel> asks, in ArbLegTerms terms, decimal quantity, ref LadderRead read)
    {
        if (TryWalk(asks, terms, quantity, ref read, out var walk)) return walk;
        // Levels read by the attempt are read again by the decimal walk (a read only ever widens what was read).
        return WalkInDecimal(asks, terms, quantity, ref read);
    }

    /// <summary>The reference: the walk in decimal arithmetic, as the sizers did it before.</summary>
    public static (Price Worst, decimal Cost, decimal Fee) WalkInDecimal(ReadOnlySpan<BookLevel> asks, in ArbLegTerms terms, decimal quantity, ref LadderRead read)
    {
        decimal remaining = quantity, cost = 0m, fee = 0m;
        var worst = Price.Zero;
        var i = 0;
        for (; i < asks.Length && remaining > 0m; i++)
        {
            read.Read(i, asks.Length);
            var level = asks[i];
            if (level.Size <= 0m) continue;
            var take = Math.Min(level.Size, remaining);
            cost += take * level.Price.Value;
            fee += terms.FeeModel.Fee(terms.Fees, level.Price, take, Liquidity.Taker);
            worst = level.Price;
            remaining -= take;
        }
        // Stopped by the end of the ladder (not by the quantity): the answer depends on there being no more levels.
        if (remaining > 0m) read.Read(i, asks.Length);
        return (worst, cost, fee);
    }

    /// <summary>The integer walk; false when a figure would leave the exact bounds (the caller then walks in decimal).</summary>
    internal static bool TryWalk(ReadOnlySpan<BookLevel> asks, in ArbLegTerms terms, decimal quantity, ref LadderRead read, out (Price Worst, decimal Cost, decimal Fee) walk)
    {
        walk = default;
        if (!Exact.TryOf(quantity, out var remaining)) return false;
        var fees = terms.ExactFees ?? FeeRule.Of(terms);
        Exact cost = default, fee = default;
        var worst = Price.Zero;
        var i = 0;
        for (; i < asks.Length && !remaining.IsZero; i++)
        {
            read.Read(i, asks.Length);
            var level = asks[i];
            if (level.Size <= 0m) continue;
            if (!Exact.TryOf(level.Size, out var size) || !Exact.TryCompare(size, remaining, out var order)) return false;
            // Math.Min(size, remaining): the size when smaller, else the remaining quantity (its digits, on a tie).
            var take = order < 0 ? size : remaining;
            var price = Exact.OfPrice(level.Price);
            if (!Exact.TryMultiply(take, price, out var spent) || !Exact.TryAdd(cost, spent, out cost)) return false;
            if (!fees.TryFee(level.Price, price, take, out var levelFee))
            {
                if (!Exact.TryOf(terms.FeeModel.Fee(terms.Fees, level.Price, take.ToDecimal(), Liquidity.Taker), out levelFee)) return false;
            }
            if (!Exact.TryAdd(fee, levelFee, out fee) || !Exact.TrySubtract(remaining, take, out remaining)) return false;
            worst = level.Price;
        }
        if (!remaining.IsZero) read.Read(i, asks.Length);
        walk = (worst, cost.ToDecimal(), fee.ToDecimal());
        return true;
    }

    private static ulong[] BuildPowersOfTen()
    {
        var powers = new ulong[20];
        powers[0] = 1;
        for (var i = 1; i < powers.Length; i++) powers[i] = powers[i - 1] * 10;
        return powers;
    }

    /// <summary>
    /// A non-negative decimal whose mantissa fits 64 bits, as its mantissa and scale (a decimal's own mantissa has 96
    /// bits: anything wider is left to decimal arithmetic, where every figure here stays exact).
    /// </summary>
    internal readonly struct Exact(ulong mantissa, int scale)
    {
        public readonly ulong Mantissa = mantissa;
        public readonly int Scale = scale;

        public static bool TryOf(decimal value, out Exact exact)
        {
            exact = default;
            var bits = Unsafe.As<decimal, DecimalBits>(ref value);
            if (!LayoutKnown || bits.Flags < 0 || bits.High != 0) return false;
            exact = new Exact(bits.Low, (bits.Flags >> 16) & 0xFF);
            return true;
        }

        /// <summary>As <see cref="Price.Value"/> builds it: the units with trailing zeros taken off (0 at scale 0).</summary>
        public static Exact OfPrice(Price price)
        {
            var units = price.Units;
            if (units == 0) return default;
            var scale = 4;
            while (scale > 0 && units % 10 == 0)
            {
                units /= 10;
                scale--;
            }
            return new Exact((uint)units, scale);
        }

        public bool IsZero => Mantissa == 0;

        public decimal ToDecimal() => new((int)(uint)Mantissa, (int)(uint)(Mantissa >> 32), 0, false, (byte)Scale);

        /// <summary>a × b as decimal multiplication gives it when exact (no rounding needed); false otherwise.</summary>
        public static bool TryMultiply(Exact a, Exact b, out Exact product)
        {
            product = default;
            var scale = a.Scale + b.Scale;
            if (scale > MaxScale) return false;
            if (a.IsZero || b.IsZero)
            {
                // A zero product of two mantissas of 32 bits keeps the sum of the scales (0.00 × 5.5 is 0.000); with a
                // wider operand, decimal multiplication returns a plain 0. Only the first case is taken here.
                if (a.Mantissa > uint.MaxValue || b.Mantissa > uint.MaxValue) return false;
                product = new Exact(0, scale);
                return true;
            }
            var high = Math.BigMul(a.Mantissa, b.Mantissa, out var low);
            if (high != 0) return false;
            product = new Exact(low, scale);
            return true;
        }

        /// <summary>a + b as decimal addition gives it when exact: aligned to the larger scale; false otherwise.</summary>
        public static bool TryAdd(Exact a, Exact b, out Exact sum)
        {
            sum = default;
            if (!TryAlign(ref a, ref b)) return false;
            var mantissa = a.Mantissa + b.Mantissa;
            if (mantissa < a.Mantissa) return false;
            sum = new Exact(mantissa, a.Scale);
            return true;
        }

        /// <summary>a − b (b not above a) as decimal subtraction gives it: aligned to the larger scale (5.00 − 5 is 0.00).</summary>
        public static bool TrySubtract(Exact a, Exact b, out Exact difference)
        {
            difference = default;
            if (!TryAlign(ref a, ref b) || b.Mantissa > a.Mantissa) return false;
            difference = new Exact(a.Mantissa - b.Mantissa, a.Scale);
            return true;
        }

        /// <summary>The sign of a − b by value.</summary>
        public static bool TryCompare(Exact a, Exact b, out int order)
        {
            order = 0;
            if (!TryAlign(ref a, ref b)) return false;
            order = a.Mantissa.CompareTo(b.Mantissa);
            return true;
        }

        private static bool TryAlign(ref Exact a, ref Exact b)
        {
            if (a.Scale < b.Scale) return TryRaise(ref a, b.Scale);
            if (b.Scale < a.Scale) return TryRaise(ref b, a.Scale);
            return true;
        }

        private static bool TryRaise(ref Exact value, int scale)
        {
            var by = scale - value.Scale;
            if (by >= Pow10.Length) return false;
            var high = Math.BigMul(value.Mantissa, Pow10[by], out var low);
            if (high != 0) return false;
            value = new Exact(low, scale);
            return true;
        }

        /// <summary>The mantissa over 10^(Scale − <paramref name="scale"/>), rounded up (or down), as a whole number; false when out of range.</summary>
        public bool TryWholeAt(int scale, bool up, out ulong whole)
        {
            whole = 0;
            if (Scale <= scale)
            {
                var by = scale - Scale;
                if (by >= Pow10.Length) return false;
                var high = Math.BigMul(Mantissa, Pow10[by], out whole);
                return high == 0;
            }
            var down = Scale - scale;
            if (down >= Pow10.Length) return false;
            var (quotient, remainder) = Math.DivRem(Mantissa, Pow10[down]);
            whole = up && remainder != 0 ? quotient + 1 : quotient;
            return true;
        }
    }

    /// <summary>A decimal's four fields as the runtime lays them out (checked once against known values: <see cref="LayoutKnown"/>).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct DecimalBits
    {
        public readonly int Flags;
        public readonly uint High;
        public readonly ulong Low;
    }

    /// <summary>The runtime lays decimals out as <see cref="DecimalBits"/>; if it ever did not, every walk is done in decimal.</summary>
    private static readonly bool LayoutKnown = CheckLayout();

    private static bool CheckLayout()
    {
        if (Unsafe.SizeOf<DecimalBits>() != sizeof(decimal)) return false;
        Span<int> expected = stackalloc int[4];
        foreach (var value in (ReadOnlySpan<decimal>)[1.23m, 0.0001m, 12_345_678_901_234.5m, new decimal(7, 9, 11, false, 3)])
        {
            var copy = value;
            var bits = Unsafe.As<decimal, DecimalBits>(ref copy);
            decimal.GetBits(value, expected);
            if (bits.Low != ((ulong)(uint)expected[1] << 32 | (uint)expected[0]) || bits.High != (uint)expected[2] || bits.Flags != expected[3]) return false;
        }
        return true;
    }

    /// <summary>A leg's fee rule in integers, for the venues' own fee models.</summary>
    internal readonly struct FeeRule
    {
        private enum Kind : byte
        {
            Other,
            Kalshi,
            Polymarket,
        }

        /// <summary>Above this the ceiling of (fee / balance precision) is left to decimal (its division could round).</summary>
        private const ulong MaxPrecisionSteps = 1_000_000;

        /// <summary>Above this many increments the fee is left to decimal (keeps the rounding steps' divisions exact).</summary>
        private const ulong MaxIncrements = 1_000_000_000_000_000_000;

        private readonly Kind _kind;
        private readonly Exact _rate;
        private readonly int _exponent;
        private readonly Exact _precision;
        private readonly ulong _precisionSteps;

        private FeeRule(Kind kind, Exact rate, int exponent, Exact precision, ulong precisionSteps)
        {
            _kind = kind;
            _rate = rate;
            _exponent = exponent;
            _precision = precision;
            _precisionSteps = precisionSteps;
        }

        public static FeeRule Of(in ArbLegTerms terms)
        {
            var rate = terms.Fees.TakerRate;
            var exponent = terms.Fees.Exponent;
            if (rate < 0m || exponent < 0 || !Exact.TryOf(rate, out var exactRate)) return default;
            switch (terms.FeeModel)
            {
                case KalshiFeeModel kalshi:
                    {
                        // The balance precision is a multiple of $0.0001 (the model refuses any other): in steps of $0.0001.
                        if (!Exact.TryOf(kalshi.BalancePrecision, out var precision) || !precision.TryWholeAt(4, up: false, out var steps)
                            || steps == 0 || steps > MaxPrecisionSteps)
                        {
                            return default;
                        }
                        return new FeeRule(Kind.Kalshi, exactRate, exponent, precision, steps);
                    }
                case PolymarketFeeModel:
                    return new FeeRule(Kind.Polymarket, exactRate, exponent, default, 0);
                default:
                    return default;
            }
        }

        /// <summary>The fee of <paramref name="contracts"/> at <paramref name="price"/> as the model's decimal gives it; false to ask the model.</summary>
        public bool TryFee(Price price, Exact priceValue, Exact contracts, out Exact fee)
        {
            fee = default;
            if (_kind == Kind.Other) return false;
            // p × (1 − p): 1 − p is 10^scale − mantissa at p's scale (0 at scale 0 when p is 1, and p of 0 has scale 0).
            var complement = price.Units >= Price.Scale ? default : new Exact(Pow10[priceValue.Scale] - priceValue.Mantissa, priceValue.Scale);
            if (!Exact.TryMultiply(priceValue, complement, out var variance)) return false;
            // FeeMath.Power: 1 × x × x … (exponent times).
            var power = new Exact(1, 0);
            for (var i = 0; i < _exponent; i++)
            {
                if (!Exact.TryMultiply(power, variance, out power)) return false;
            }
            Exact raw;
            if (_kind == Kind.Kalshi)
            {
                // rate × contracts × power, left to right.
                if (!Exact.TryMultiply(_rate, contracts, out var perPower) || !Exact.TryMultiply(perPower, power, out raw)) return false;
                // A zero fee is the literal 0m.
                if (raw.IsZero) return true;
                // Up to $0.0001 (N ten-thousandths), then up to the balance precision: K × precision at its scale.
                if (!raw.TryWholeAt(4, up: true, out var increments) || increments > MaxIncrements) return false;
                var steps = increments / _precisionSteps + (increments % _precisionSteps == 0 ? 0UL : 1UL);
                return Exact.TryMultiply(new Exact(steps, 0), _precision, out fee);
            }
            // Polymarket: contracts × rate × power, left to right, down to $0.00001 (F hundred-thousandths at scale 5).
            if (!Exact.TryMultiply(contracts, _rate, out var perContract) || !Exact.TryMultiply(perContract, power, out raw)) return false;
            if (!raw.TryWholeAt(5, up: false, out var units) || units > MaxIncrements) return false;
            // Floor gives a whole number at scale 0; times 0.00001 it is at scale 5, zero included.
            fee = new Exact(units, 5);
            return true;
        }
    }
}
