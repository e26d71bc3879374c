using ArbBot.Engine.Portfolio;

namespace ArbBot.Tests.Portfolio;

public sealed class ExactDecimalSumTests
{
    [Fact]
    public void Terms_added_and_taken_away_in_any_order_leave_the_identical_sum()
    {
        var random = new Random(11);
        // Average-cost-like terms with 28 significant digits, cash-like terms with a few places, whole counts.
        var terms = Enumerable.Range(0, 2_000).Select(k => (k % 3) switch
        {
            0 => random.Next(1, 5_000) * (random.Next(1, 9_999) / 7m),
            1 => random.Next(-1_000_000, 1_000_000) / 10_000m,
            _ => (decimal)random.Next(0, 500),
        }).ToArray();
        var forward = new ExactDecimalSum();
        foreach (var term in terms) forward.Add(term);
        var shuffled = new ExactDecimalSum();
        var extra = terms.Take(300).ToArray();
        foreach (var term in terms.Concat(extra).OrderBy(_ => random.Next())) shuffled.Add(term);
        foreach (var term in extra.Reverse()) shuffled.Subtract(term);

        Assert.True(forward.SameAs(shuffled));
        Assert.Equal(decimal.GetBits(forward.Value()), decimal.GetBits(shuffled.Value()));
        Assert.True(Math.Abs(terms.Aggregate(0m, (sum, term) => sum + term) - forward.Value()) < 1e-18m);
    }

    [Fact]
    public void A_term_taken_away_leaves_no_trace_of_rounding_where_a_running_decimal_keeps_one()
    {
        var third = 1m / 3m;
        // A running decimal moved by 1,000 and back loses the third's last digits to rounding.
        Assert.NotEqual(third, third + 1_000m - 1_000m);

        var sum = new ExactDecimalSum();
        sum.Add(third);
        sum.Add(1_000m);
        sum.Subtract(1_000m);

        Assert.Equal(decimal.GetBits(third), decimal.GetBits(sum.Value()));
    }

    [Fact]
    public void A_sum_that_fits_a_decimal_is_exact()
    {
        var sum = new ExactDecimalSum();
        sum.Add(1_000m);
        sum.Add(-23.5m);
        sum.Add(0.00000000000000000001m);
        sum.Add(40m);
        sum.Subtract(0.455m);

        Assert.Equal(1_016.04500000000000000001m, sum.Value());
        sum.Clear();
        Assert.Equal(0m, sum.Value());
    }

    [Fact]
    public void A_scale_whose_sum_outgrows_96_bits_rounds_half_to_even_to_the_places_that_fit()
    {
        var sum = new ExactDecimalSum();
        // Ten times the largest 28-place decimal: 79.228162514264337593543950335 exactly, 27 places fit.
        for (var k = 0; k < 10; k++) sum.Add(7.9228162514264337593543950335m);
        Assert.Equal(79.228162514264337593543950335m, sum.Value());

        // 2^96 + 9 units at 28 places (…34.5 once a place is dropped) rounds to the even neighbour below, …34.
        var halfway = new ExactDecimalSum();
        halfway.Add(7.9228162514264337593543950335m);
        halfway.Add(0.0000000000000000000000000010m);
        Assert.Equal(7.922816251426433759354395034m, halfway.Value());
        // 2^96 + 19 units (…35.5) rounds up to the even …36.
        halfway.Add(0.0000000000000000000000000010m);
        Assert.Equal(7.922816251426433759354395036m, halfway.Value());
    }
}
