using ArbBot.Engine.Core;

namespace ArbBot.Engine.Venues.Polymarket;

/// <summary>
/// Polymarket's V2 platform fee: takers pay C × rate × (p(1−p))^exponent with the market's rate and exponent
/// (clob-client-v2 src/fees); makers pay nothing. The charged fee is floored to 5 decimals ($0.00001), as
/// NautilusTrader's adapter notes the venue does. Builder fees are not part of the venue's rule and are not included.
/// </summary>
public sealed class PolymarketFeeModel : IFeeModel
{
    /// <summary>The smallest fee increment the venue charges, in pUSD.</summary>
    public const decimal FeeIncrement = 0.00001m;

    /// <inheritdoc />
    public decimal Fee(in FeeParameters parameters, Price price, decimal contracts, Liquidity liquidity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(contracts);
        if (liquidity == Liquidity.Maker) return 0m;
        return Floor(RawTakerFee(parameters, price, contracts));
    }

    /// <summary>The unrounded taker fee C × rate × (p(1−p))^exponent.</summary>
    public static decimal RawTakerFee(in FeeParameters parameters, Price price, decimal contracts)
    {
        var p = price.Value;
        return contracts * parameters.TakerRate * FeeMath.Power(p * (1m - p), parameters.Exponent);
    }

    /// <summary>Floors a fee to the venue's 5-decimal increment.</summary>
    public static decimal Floor(decimal fee) => decimal.Floor(fee / FeeIncrement) * FeeIncrement;

    /// <summary>Terms of a market with fees enabled, from the CLOB's fee data (r = rate, e = exponent).</summary>
    public static FeeParameters Parameters(decimal rate, int exponent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rate);
        ArgumentOutOfRangeException.ThrowIfNegative(exponent);
        return new FeeParameters(rate, 0m, exponent);
    }
}
