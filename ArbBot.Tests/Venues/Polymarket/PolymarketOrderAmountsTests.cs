using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Polymarket;

namespace ArbBot.Tests.Venues.Polymarket;

public sealed class PolymarketOrderAmountsTests
{
    // Every limit case of shared/venues/polymarket-order-amount-vectors.json plus the limit "key vectors" of
    // api-facts §1.4 (all verbatim from py-clob-client tests/order_builder/test_builder.py).
    [Theory]
    [InlineData("BUY", "0.24", "15", "0.01", 3600000L, 15000000L)]
    [InlineData("SELL", "0.78", "12.8205", "0.01", 12820000L, 9999600L)]
    [InlineData("BUY", "0.56", "21.04", "0.01", 11782400L, 21040000L)]
    [InlineData("SELL", "0.056", "21.04", "0.001", 21040000L, 1178240L)]
    [InlineData("SELL", "0.82", "101", "0.01", 101000000L, 82820000L)]
    [InlineData("BUY", "0.58", "18233.33", "0.01", 10575331400L, 18233330000L)]
    [InlineData("SELL", "0.5", "21.04", "0.1", 21040000L, 10520000L)]
    [InlineData("BUY", "0.5", "21.04", "0.1", 10520000L, 21040000L)]
    [InlineData("BUY", "0.056", "21.04", "0.001", 1178240L, 21040000L)]
    [InlineData("BUY", "0.0056", "21.04", "0.0001", 117824L, 21040000L)]
    [InlineData("BUY", "0.82", "101", "0.01", 82820000L, 101000000L)]
    [InlineData("BUY", "0.78", "12.8205", "0.01", 9999600L, 12820000L)]
    [InlineData("SELL", "0.39", "2435.89", "0.01", 2435890000L, 949997100L)]
    [InlineData("SELL", "0.43", "19.1", "0.01", 19100000L, 8213000L)]
    public void Limit_order_amounts_match_the_vector(string side, string price, string size, string tick, long maker, long taker)
    {
        var amounts = PolymarketOrderAmounts.ForLimitOrder(SideOf(side), D(price), D(size), TickSize.FromDecimal(D(tick)));
        Assert.Equal(new PolymarketOrderAmounts(maker, taker), amounts);
    }

    // Every market case of the vector file plus the market key vectors of api-facts §1.4.
    [Theory]
    [InlineData("BUY", "0.56", "100", "0.01", 100000000L, 178571400L)]
    [InlineData("BUY", "0.056", "100", "0.001", 100000000L, 1785714280L)]
    [InlineData("SELL", "0.0056", "100", "0.0001", 100000000L, 560000L)]
    [InlineData("BUY", "0.0056", "100", "0.0001", 100000000L, 17857142857L)]
    [InlineData("SELL", "0.56", "100", "0.01", 100000000L, 56000000L)]
    public void Market_order_amounts_match_the_vector(string side, string price, string amount, string tick, long maker, long taker)
    {
        var amounts = PolymarketOrderAmounts.ForMarketOrder(SideOf(side), D(price), D(amount), TickSize.FromDecimal(D(tick)));
        Assert.Equal(new PolymarketOrderAmounts(maker, taker), amounts);
    }

    // The case api-facts §1.4 reports the Python client's float arithmetic gets wrong: floor(67828.29 * 100) in
    // binary floating point drops a cent; exact decimal keeps all 67828.29 shares.
    [Fact]
    public void Size_with_two_decimals_is_kept_exactly()
    {
        var amounts = PolymarketOrderAmounts.ForLimitOrder(Side.Buy, 0.5m, 67828.29m, TickSize.Cent);
        Assert.Equal(new PolymarketOrderAmounts(33914145000L, 67828290000L), amounts);
    }

    [Fact]
    public void Price_is_rounded_half_even_to_the_tick_digits()
    {
        // 0.565 → 0.56 (half to even), so 10 shares cost 5.60.
        Assert.Equal(5600000L, PolymarketOrderAmounts.ForLimitOrder(Side.Buy, 0.565m, 10m, TickSize.Cent).MakerAmount);
        Assert.Equal(5800000L, PolymarketOrderAmounts.ForLimitOrder(Side.Buy, 0.575m, 10m, TickSize.Cent).MakerAmount);
    }

    [Theory]
    [InlineData("0.001", "0.01")]
    [InlineData("0.995", "0.01")]
    [InlineData("1", "0.1")]
    [InlineData("0", "0.0001")]
    public void Price_outside_one_tick_from_the_edges_is_refused(string price, string tick)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PolymarketOrderAmounts.ForLimitOrder(Side.Buy, D(price), 10m, TickSize.FromDecimal(D(tick))));
    }

    [Fact]
    public void Size_that_rounds_to_nothing_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PolymarketOrderAmounts.ForLimitOrder(Side.Buy, 0.5m, 0.004m, TickSize.Cent));
        Assert.Throws<ArgumentOutOfRangeException>(() => PolymarketOrderAmounts.ForLimitOrder(Side.Buy, 0.5m, -1m, TickSize.Cent));
    }

    [Fact]
    public void Tick_without_a_rounding_rule_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PolymarketOrderAmounts.ForLimitOrder(Side.Buy, 0.5m, 10m, TickSize.FromDecimal(0.02m)));
    }

    private static Side SideOf(string side) => side == "BUY" ? Side.Buy : Side.Sell;

    private static decimal D(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);
}
