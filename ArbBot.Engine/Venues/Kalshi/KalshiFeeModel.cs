using ArbBot.Engine.Core;

namespace ArbBot.Engine.Venues.Kalshi;

/// <summary>
/// Kalshi's trading fee: rate × C × P × (1−P), with the rate taken from the market's <see cref="FeeParameters"/>
/// (0.07 taker; 0.0175 maker only on series that charge makers; both already multiplied by the series' fee multiplier).
/// </summary>
/// <remarks>
/// Rounding follows Kalshi's fee_rounding page: the trade fee is rounded up to $0.0001, then up again to the member's
/// balance precision ($0.01 for non-direct members, $0.0001 for direct members). For a single fill by a non-direct
/// member that equals the ceil-to-cent numbers third parties quote from the fee schedule. The per-order fee
/// accumulator and rebates are not modelled: fills report the fee actually charged, which is what gets booked.
/// </remarks>
public sealed class KalshiFeeModel : IFeeModel
{
    /// <summary>The taker rate before the series' fee multiplier.</summary>
    public const decimal BaseTakerRate = 0.07m;

    /// <summary>The maker rate before the series' fee multiplier, charged only on quadratic_with_maker_fees series.</summary>
    public const decimal BaseMakerRate = 0.0175m;

    private const decimal TradeFeeIncrement = 0.0001m;

    /// <summary>Creates the model for a member whose balance is kept to <paramref name="balancePrecision"/> dollars.</summary>
    /// <param name="balancePrecision">$0.01 for non-direct members (the default), $0.0001 for direct members.</param>
    public KalshiFeeModel(decimal balancePrecision = 0.01m)
    {
        // A precision finer than the trade-fee increment, or one the increment does not divide, has no meaning here.
        if (balancePrecision < TradeFeeIncrement || balancePrecision % TradeFeeIncrement != 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(balancePrecision), balancePrecision, "Balance precision must be a positive multiple of $0.0001.");
        }
        BalancePrecision = balancePrecision;
    }

    /// <summary>The member's balance precision in dollars.</summary>
    public decimal BalancePrecision { get; }

    /// <inheritdoc />
    public decimal Fee(in FeeParameters parameters, Price price, decimal contracts, Liquidity liquidity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(contracts);
        var raw = RawFee(parameters, price, contracts, liquidity);
        if (raw == 0m) return 0m;
        var tradeFee = CeilingTo(raw, TradeFeeIncrement);
        return CeilingTo(tradeFee, BalancePrecision);
    }

    /// <summary>The unrounded fee: rate × C × (P(1−P))^exponent.</summary>
    public static decimal RawFee(in FeeParameters parameters, Price price, decimal contracts, Liquidity liquidity)
    {
        var rate = liquidity == Liquidity.Taker ? parameters.TakerRate : parameters.MakerRate;
        var p = price.Value;
        return rate * contracts * FeeMath.Power(p * (1m - p), parameters.Exponent);
    }

    /// <summary>
    /// Fee terms for a series from its <c>fee_type</c> and <c>fee_multiplier</c> (or an event's overrides).
    /// </summary>
    /// <exception cref="NotSupportedException">
    /// For <c>flat</c>: the OpenAPI lists it but nothing found documents what it charges, so guessing would misprice trades.
    /// </exception>
    public static FeeParameters ParametersFor(string feeType, decimal feeMultiplier)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(feeMultiplier);
        return feeType switch
        {
            "quadratic" => new FeeParameters(BaseTakerRate * feeMultiplier, 0m, 1),
            "quadratic_with_maker_fees" => new FeeParameters(BaseTakerRate * feeMultiplier, BaseMakerRate * feeMultiplier, 1),
            "flat" => throw new NotSupportedException("Kalshi's 'flat' fee type is undocumented; use the fee_cost reported on fills."),
            _ => throw new ArgumentException($"Unknown Kalshi fee_type '{feeType}'.", nameof(feeType)),
        };
    }

    /// <summary>Taker-only terms (fee_type quadratic, multiplier 1): the common case.</summary>
    public static FeeParameters Quadratic => ParametersFor("quadratic", 1m);

    /// <summary>Terms for series that also charge makers (fee_type quadratic_with_maker_fees, multiplier 1).</summary>
    public static FeeParameters QuadraticWithMakerFees => ParametersFor("quadratic_with_maker_fees", 1m);

    private static decimal CeilingTo(decimal value, decimal increment) => decimal.Ceiling(value / increment) * increment;
}
