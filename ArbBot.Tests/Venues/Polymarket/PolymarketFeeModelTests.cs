using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.Venues;
using ArbBot.Engine.Venues.Polymarket;

namespace ArbBot.Tests.Venues.Polymarket;

public sealed class PolymarketFeeModelTests
{
    // Every platform_fee case of shared/venues/polymarket-fee-vectors.json (verbatim from py-clob-client-v2's tests),
    // copied in so the tests do not read outside the repository: rate, exponent, contracts, price, expected.
    [Theory]
    [InlineData("0.25", 2, "100", "0.5", "1.5625")]
    [InlineData("0.25", 2, "100", "0.3", "1.1025")]
    [InlineData("0.25", 2, "100", "0.1", "0.2025")]
    [InlineData("0.25", 2, "100", "0.05", "0.05640625")]
    [InlineData("0.25", 2, "100", "0.01", "0.00245025")]
    [InlineData("0.25", 2, "100", "0.7", "1.1025")]
    [InlineData("0.25", 2, "100", "0.9", "0.2025")]
    [InlineData("0.25", 2, "100", "0.95", "0.05640625")]
    [InlineData("0.25", 2, "100", "0.99", "0.00245025")]
    [InlineData("0.25", 2, "125.5", "0.5", "1.9609375")]
    public void Raw_taker_fee_matches_the_documented_vector(string rate, int exponent, string contracts, string price, string expected)
    {
        var fees = PolymarketFeeModel.Parameters(D(rate), exponent);
        Assert.Equal(D(expected), PolymarketFeeModel.RawTakerFee(fees, Price.FromDecimal(D(price)), D(contracts)));
    }

    [Theory]
    [InlineData("0.05", "0.05640")]   // raw 0.05640625
    [InlineData("0.01", "0.00245")]   // raw 0.00245025
    [InlineData("0.50", "1.5625")]    // already on the grid
    public void Charged_fee_is_floored_to_five_decimals(string price, string expected)
    {
        var fees = PolymarketFeeModel.Parameters(0.25m, 2);
        Assert.Equal(D(expected), new PolymarketFeeModel().Fee(fees, Price.FromDecimal(D(price)), 100m, Liquidity.Taker));
    }

    [Fact]
    public void Flooring_never_rounds_up()
    {
        Assert.Equal(0.00001m, PolymarketFeeModel.Floor(0.0000199m));
        Assert.Equal(0m, PolymarketFeeModel.Floor(0.0000099m));
    }

    [Fact]
    public void Makers_pay_nothing()
    {
        var fees = PolymarketFeeModel.Parameters(0.25m, 2);
        Assert.Equal(0m, new PolymarketFeeModel().Fee(fees, Price.FromDecimal(0.5m), 100m, Liquidity.Maker));
    }

    [Fact]
    public void Fee_free_markets_charge_takers_nothing()
    {
        Assert.Equal(0m, new PolymarketFeeModel().Fee(FeeParameters.None, Price.FromDecimal(0.5m), 100m, Liquidity.Taker));
    }

    private static decimal D(string value) => decimal.Parse(value, CultureInfo.InvariantCulture);
}
