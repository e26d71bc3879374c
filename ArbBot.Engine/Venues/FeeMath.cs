namespace ArbBot.Engine.Venues;

/// <summary>Exact decimal arithmetic the venues' fee formulas share.</summary>
internal static class FeeMath
{
    /// <summary>x^exponent for a small non-negative integer exponent, exactly in decimal (Math.Pow would go through double).</summary>
    public static decimal Power(decimal x, int exponent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(exponent);
        var result = 1m;
        for (var i = 0; i < exponent; i++) result *= x;
        return result;
    }
}
