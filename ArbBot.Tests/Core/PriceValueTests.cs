using ArbBot.Engine.Core;

namespace ArbBot.Tests.Core;

public sealed class PriceValueTests
{
    [Fact]
    public void Every_price_converts_to_the_exact_decimal_of_its_units_over_ten_thousand_digit_for_digit()
    {
        Span<int> expected = stackalloc int[4];
        Span<int> actual = stackalloc int[4];
        for (var units = 0; units <= Price.Scale; units++)
        {
            decimal.GetBits(units / 10_000m, expected);
            decimal.GetBits(Price.FromUnits(units).Value, actual);
            Assert.True(expected.SequenceEqual(actual), $"units {units}: {units / 10_000m} vs {Price.FromUnits(units).Value}");
        }
    }
}
