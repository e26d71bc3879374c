namespace ArbBot.Engine.Portfolio;

/// <summary>
/// A sum of decimal terms kept without rounding, so terms can be added and taken away in any order and the sum stays the
/// same: each term's 96-bit integer part is added into an exact 128-bit integer kept for the term's scale (its number of
/// decimal places, 0–28). <see cref="Value"/> turns the per-scale sums into one decimal in a fixed way (scale 0 first).
/// </summary>
/// <remarks>
/// Why: a running decimal total moved by differences rounds at every step (average costs carry 28 significant digits),
/// so a total moved incrementally would drift from the same terms summed afresh. Here the state is the exact sum of the
/// terms present, whatever the order they came and went in; two sums holding the same terms (the same decimals, scale
/// included) hold the same state and give the identical <see cref="Value"/>. Allocation-free.
/// </remarks>
internal sealed class ExactDecimalSum
{
    private const int Scales = 29;
    private static readonly UInt128 MantissaLimit = UInt128.One << 96;
    private readonly Int128[] _byScale = new Int128[Scales];

    /// <summary>Adds <paramref name="term"/>.</summary>
    public void Add(decimal term) => Move(term, negate: false);

    /// <summary>Takes away <paramref name="term"/>, which must have been added (the exact decimal, scale included) for the sum to mean anything.</summary>
    public void Subtract(decimal term) => Move(term, negate: true);

    /// <summary>Forgets every term.</summary>
    public void Clear() => Array.Clear(_byScale);

    /// <summary>Adds every term <paramref name="other"/> holds (its exact per-scale sums): one step whatever its number of terms.</summary>
    public void Add(ExactDecimalSum other)
    {
        for (var scale = 0; scale < Scales; scale++) _byScale[scale] = checked(_byScale[scale] + other._byScale[scale]);
    }

    /// <summary>Makes <paramref name="destination"/> hold exactly what this holds (a reader's copy: its <see cref="Value"/> is then this one's).</summary>
    public void CopyTo(ExactDecimalSum destination) => _byScale.AsSpan().CopyTo(destination._byScale);

    /// <summary>True when both hold the same exact per-scale sums.</summary>
    public bool SameAs(ExactDecimalSum other) => _byScale.AsSpan().SequenceEqual(other._byScale);

    private void Move(decimal term, bool negate)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(term, bits);
        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        if (mantissa == UInt128.Zero) return;
        var scale = (bits[3] >> 16) & 0xFF;
        var negative = (bits[3] < 0) != negate;
        var signed = (Int128)mantissa;
        // Each scale's sum is bounded by the terms present (each below 2^96): 2^31 of them before 128 bits could overflow.
        _byScale[scale] = checked(negative ? _byScale[scale] - signed : _byScale[scale] + signed);
    }

    /// <summary>
    /// The sum as one decimal: each scale's exact sum made a decimal (rounded half to even to 96 bits only when it does not
    /// fit), then added in order of scale, 0 first. A function of the state alone, so equal states give identical values.
    /// </summary>
    /// <exception cref="OverflowException">The sum is beyond what a decimal holds.</exception>
    public decimal Value()
    {
        var total = 0m;
        for (var scale = 0; scale < Scales; scale++)
        {
            var sum = _byScale[scale];
            if (sum == Int128.Zero) continue;
            total += ToDecimal(sum, scale);
        }
        return total;
    }

    private static decimal ToDecimal(Int128 sum, int scale)
    {
        var negative = sum < Int128.Zero;
        var magnitude = negative ? (UInt128)(-sum) : (UInt128)sum;
        if (magnitude >= MantissaLimit)
        {
            // Drop the fewest decimal places that make it fit, rounding half to even as decimal arithmetic does (rounding
            // up can carry past 96 bits: then one place more, from the exact sum again).
            var divisor = UInt128.One;
            var dropped = 0;
            UInt128 rounded;
            do
            {
                divisor *= 10;
                dropped++;
                var (quotient, remainder) = UInt128.DivRem(magnitude, divisor);
                var twice = remainder * 2;
                rounded = twice > divisor || (twice == divisor && (quotient & UInt128.One) == UInt128.One) ? quotient + 1 : quotient;
            }
            while (rounded >= MantissaLimit);
            if (dropped > scale) throw new OverflowException("The sum is beyond what a decimal holds.");
            magnitude = rounded;
            scale -= dropped;
        }
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), (int)(uint)(magnitude >> 64), negative, (byte)scale);
    }
}
