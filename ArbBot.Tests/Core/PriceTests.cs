using ArbBot.Engine.Core;

namespace ArbBot.Tests.Core;

public sealed class PriceTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("0.45", 4_500)]
    [InlineData("0.0001", 1)]
    [InlineData("0.9999", 9_999)]
    [InlineData("1", 10_000)]
    public void FromDecimal_accepts_prices_on_the_unit_grid_within_zero_and_one(string text, int units)
    {
        Assert.Equal(units, Price.FromDecimal(decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture)).Units);
    }

    [Theory]
    [InlineData("-0.0001")]
    [InlineData("1.0001")]
    [InlineData("0.00005")]
    [InlineData("0.12345")]
    public void FromDecimal_refuses_prices_off_the_grid_or_outside_zero_and_one(string text)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Throws<ArgumentOutOfRangeException>(() => Price.FromDecimal(value));
        Assert.False(Price.TryFromDecimal(value, out _));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10_001)]
    [InlineData(int.MinValue)]
    public void FromUnits_refuses_units_outside_zero_and_one(int units)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Price.FromUnits(units));
    }

    [Theory]
    [InlineData("0.4500", 4_500)]
    [InlineData(".45", 4_500)]
    [InlineData("1", 10_000)]
    [InlineData("1.0000", 10_000)]
    [InlineData("0", 0)]
    [InlineData("0.0025", 25)]
    public void TryParse_reads_venue_price_strings(string text, int units)
    {
        Assert.True(Price.TryParse(text, out var price));
        Assert.Equal(units, price.Units);
    }

    [Theory]
    [InlineData("1.01")]
    [InlineData("-0.1")]
    [InlineData("0.00001")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("0,45")]
    [InlineData("1e-2")]
    public void TryParse_rejects_strings_that_are_not_prices_on_the_grid(string text)
    {
        Assert.False(Price.TryParse(text, out var price));
        Assert.Equal(Price.Zero, price);
    }

    [Fact]
    public void Complement_is_one_minus_the_price()
    {
        Assert.Equal(P(0.93m), P(0.07m).Complement);
        Assert.Equal(Price.One, Price.Zero.Complement);
        Assert.Equal(P(0.4525m), P(0.5475m).Complement);
        Assert.Equal(P(0.3m), P(0.3m).Complement.Complement);
    }

    [Fact]
    public void Comparisons_order_prices_by_value()
    {
        var low = P(0.40m);
        var high = P(0.41m);

        Assert.True(low < high);
        Assert.True(high > low);
        Assert.True(low <= P(0.40m));
        Assert.True(low >= P(0.40m));
        Assert.False(low > high);
        Assert.False(high <= low);
        Assert.True(low.CompareTo(high) < 0);
        Assert.Equal(0, low.CompareTo(P(0.4m)));
        Assert.Equal(P(0.4m), P(0.4000m));
        Assert.Equal([P(0.1m), P(0.5m), P(0.9m)], new[] { P(0.9m), P(0.1m), P(0.5m) }.Order());
    }

    [Fact]
    public void Value_and_text_round_trip_exactly()
    {
        var price = P(0.4525m);

        Assert.Equal(0.4525m, price.Value);
        Assert.Equal("0.4525", price.ToString());
        Assert.Equal("0.45", P(0.45m).ToString());
        Assert.Equal("1.0", Price.One.ToString());
    }

    [Fact]
    public void IsOnGrid_checks_the_price_against_the_tick()
    {
        Assert.True(P(0.45m).IsOnGrid(TickSize.Cent));
        Assert.False(P(0.455m).IsOnGrid(TickSize.Cent));
        Assert.True(P(0.455m).IsOnGrid(TickSize.DeciCent));
    }

    private static Price P(decimal value) => Price.FromDecimal(value);
}
