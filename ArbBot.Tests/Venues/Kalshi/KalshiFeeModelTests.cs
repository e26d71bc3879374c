using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.Venues;
using ArbBot.Engine.Venues.Kalshi;

namespace ArbBot.Tests.Venues.Kalshi;

public sealed class KalshiFeeModelTests
{
    // Every case of shared/venues/kalshi-fee-vectors.json (contracts, price, taker raw, taker fee, maker raw, maker fee),
    // copied in so the tests do not read outside the repository.
    public static TheoryData<int, string, string, string, string, string> Vectors => new()
    {
        { 1, "0.01", "0.000693", "0.01", "0.00017325", "0.01" },
        { 1, "0.05", "0.003325", "0.01", "0.00083125", "0.01" },
        { 1, "0.10", "0.0063", "0.01", "0.001575", "0.01" },
        { 1, "0.25", "0.013125", "0.02", "0.00328125", "0.01" },
        { 1, "0.50", "0.0175", "0.02", "0.004375", "0.01" },
        { 1, "0.75", "0.013125", "0.02", "0.00328125", "0.01" },
        { 1, "0.90", "0.0063", "0.01", "0.001575", "0.01" },
        { 1, "0.99", "0.000693", "0.01", "0.00017325", "0.01" },
        { 10, "0.01", "0.00693", "0.01", "0.0017325", "0.01" },
        { 10, "0.05", "0.03325", "0.04", "0.0083125", "0.01" },
        { 10, "0.10", "0.063", "0.07", "0.01575", "0.02" },
        { 10, "0.25", "0.13125", "0.14", "0.0328125", "0.04" },
        { 10, "0.50", "0.175", "0.18", "0.04375", "0.05" },
        { 10, "0.75", "0.13125", "0.14", "0.0328125", "0.04" },
        { 10, "0.90", "0.063", "0.07", "0.01575", "0.02" },
        { 10, "0.99", "0.00693", "0.01", "0.0017325", "0.01" },
        { 100, "0.01", "0.0693", "0.07", "0.017325", "0.02" },
        { 100, "0.05", "0.3325", "0.34", "0.083125", "0.09" },
        { 100, "0.10", "0.63", "0.63", "0.1575", "0.16" },
        { 100, "0.25", "1.3125", "1.32", "0.328125", "0.33" },
        { 100, "0.50", "1.75", "1.75", "0.4375", "0.44" },
        { 100, "0.75", "1.3125", "1.32", "0.328125", "0.33" },
        { 100, "0.90", "0.63", "0.63", "0.1575", "0.16" },
        { 100, "0.99", "0.0693", "0.07", "0.017325", "0.02" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Taker_fee_matches_the_documented_vector(int contracts, string price, string takerRaw, string takerFee, string makerRaw, string makerFee)
    {
        _ = makerRaw;
        _ = makerFee;
        var fees = KalshiFeeModel.QuadraticWithMakerFees;
        Assert.Equal(D(takerRaw), KalshiFeeModel.RawFee(fees, P(price), contracts, Liquidity.Taker));
        Assert.Equal(D(takerFee), new KalshiFeeModel().Fee(fees, P(price), contracts, Liquidity.Taker));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Maker_fee_on_a_maker_fee_series_matches_the_documented_vector(int contracts, string price, string takerRaw, string takerFee, string makerRaw, string makerFee)
    {
        _ = takerRaw;
        _ = takerFee;
        var fees = KalshiFeeModel.QuadraticWithMakerFees;
        Assert.Equal(D(makerRaw), KalshiFeeModel.RawFee(fees, P(price), contracts, Liquidity.Maker));
        Assert.Equal(D(makerFee), new KalshiFeeModel().Fee(fees, P(price), contracts, Liquidity.Maker));
    }

    [Fact]
    public void Makers_pay_nothing_on_a_quadratic_series()
    {
        Assert.Equal(0m, new KalshiFeeModel().Fee(KalshiFeeModel.Quadratic, P("0.50"), 100, Liquidity.Maker));
    }

    [Fact]
    public void Direct_members_are_charged_to_the_centicent()
    {
        // 10 @ 0.50 taker: raw 0.175 stays 0.175 at $0.0001 precision; 1 @ 0.25: raw 0.013125 rounds up to 0.0132.
        var direct = new KalshiFeeModel(balancePrecision: 0.0001m);
        Assert.Equal(0.175m, direct.Fee(KalshiFeeModel.Quadratic, P("0.50"), 10, Liquidity.Taker));
        Assert.Equal(0.0132m, direct.Fee(KalshiFeeModel.Quadratic, P("0.25"), 1, Liquidity.Taker));
    }

    [Fact]
    public void Fee_multiplier_scales_both_rates()
    {
        var half = KalshiFeeModel.ParametersFor("quadratic_with_maker_fees", 0.5m);
        Assert.Equal(new FeeParameters(0.035m, 0.00875m, 1), half);
        // 100 @ 0.50 at half rate: raw 0.875 → $0.88.
        Assert.Equal(0.88m, new KalshiFeeModel().Fee(half, P("0.50"), 100, Liquidity.Taker));
    }

    [Fact]
    public void Undocumented_flat_fee_type_is_refused_rather_than_guessed()
    {
        Assert.Throws<NotSupportedException>(() => KalshiFeeModel.ParametersFor("flat", 1m));
        Assert.Throws<ArgumentException>(() => KalshiFeeModel.ParametersFor("cubic", 1m));
    }

    [Fact]
    public void Zero_contracts_cost_nothing()
    {
        Assert.Equal(0m, new KalshiFeeModel().Fee(KalshiFeeModel.Quadratic, P("0.50"), 0, Liquidity.Taker));
    }

    private static Price P(string value) => Price.FromDecimal(D(value));

    private static decimal D(string value) => decimal.Parse(value, CultureInfo.InvariantCulture);
}
