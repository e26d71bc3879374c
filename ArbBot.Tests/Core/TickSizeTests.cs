using System.Globalization;
using ArbBot.Engine.Core;

namespace ArbBot.Tests.Core;

public sealed class TickSizeTests
{
    [Theory]
    [InlineData("0.1", 1_000)]
    [InlineData("0.01", 100)]
    [InlineData("0.005", 50)]
    [InlineData("0.0025", 25)]
    [InlineData("0.001", 10)]
    [InlineData("0.0001", 1)]
    public void FromDecimal_accepts_every_venue_grid(string text, int units)
    {
        Assert.Equal(units, TickSize.FromDecimal(decimal.Parse(text, CultureInfo.InvariantCulture)).Units);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0.01")]
    [InlineData("0.11")]
    [InlineData("1")]
    [InlineData("0.00005")]
    [InlineData("0.0003")]
    [InlineData("0.07")]
    public void FromDecimal_refuses_zero_negative_too_coarse_too_fine_or_not_dividing_one(string text)
    {
        var value = decimal.Parse(text, CultureInfo.InvariantCulture);

        Assert.Throws<ArgumentOutOfRangeException>(() => TickSize.FromDecimal(value));
        Assert.False(TickSize.TryFromDecimal(value, out _));
    }

    [Fact]
    public void Named_ticks_are_a_cent_and_a_tenth_of_a_cent()
    {
        Assert.Equal(TickSize.FromDecimal(0.01m), TickSize.Cent);
        Assert.Equal(TickSize.FromDecimal(0.001m), TickSize.DeciCent);
        Assert.Equal(0.01m, TickSize.Cent.Value);
    }

    [Theory]
    [InlineData("0.456", "0.01", "0.45", "0.46")]
    [InlineData("0.45", "0.01", "0.45", "0.45")]
    [InlineData("0.4501", "0.0025", "0.45", "0.4525")]
    [InlineData("0.995", "0.01", "0.99", "1")]
    [InlineData("0.0001", "0.1", "0", "0.1")]
    [InlineData("0", "0.01", "0", "0")]
    [InlineData("1", "0.005", "1", "1")]
    public void Floor_and_Ceiling_round_to_the_grid(string price, string tick, string floor, string ceiling)
    {
        var t = TickSize.FromDecimal(D(tick));
        var p = Price.FromDecimal(D(price));

        Assert.Equal(Price.FromDecimal(D(floor)), t.Floor(p));
        Assert.Equal(Price.FromDecimal(D(ceiling)), t.Ceiling(p));
        Assert.True(t.Floor(p).IsOnGrid(t));
        Assert.True(t.Ceiling(p).IsOnGrid(t));
    }

    [Theory]
    [InlineData("0.01", "0.01", "0.99")]
    [InlineData("0.001", "0.001", "0.999")]
    [InlineData("0.0025", "0.0025", "0.9975")]
    [InlineData("0.1", "0.1", "0.9")]
    public void MinPrice_and_MaxPrice_are_one_tick_inside_zero_and_one(string tick, string min, string max)
    {
        var t = TickSize.FromDecimal(D(tick));

        Assert.Equal(Price.FromDecimal(D(min)), t.MinPrice);
        Assert.Equal(Price.FromDecimal(D(max)), t.MaxPrice);
        Assert.True(t.MaxPrice.IsOnGrid(t));
    }

    private static decimal D(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);
}
