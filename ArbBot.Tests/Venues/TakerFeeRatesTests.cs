using ArbBot.Engine.Core;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Engine.Venues;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;

namespace ArbBot.Tests.Venues;

public sealed class TakerFeeRatesTests
{
    public static TheoryData<string, decimal, int> Terms => new()
    {
        { "kalshi quadratic", 1m, 0 },
        { "kalshi quadratic x0.5", 0.5m, 0 },
        { "kalshi with maker fees x2.5", 2.5m, 0 },
        { "kalshi direct member", 1m, 0 },
        { "polymarket", 0.25m, 2 },
        { "polymarket", 0.04m, 1 },
        { "polymarket", 0.072m, 1 },
        { "polymarket", 0m, 1 },
    };

    [Theory]
    [MemberData(nameof(Terms))]
    public void Every_price_s_tabled_rate_is_the_fee_formula_s_decimal_digit_for_digit(string venue, decimal rateOrMultiplier, int exponent)
    {
        var (model, fees) = ModelAndTerms(venue, rateOrMultiplier, exponent);

        var rates = TakerFeeRates.For(model, fees);

        Assert.True(rates.Tabled);
        for (var units = 0; units <= Price.Scale; units++)
        {
            var price = Price.FromUnits(units);
            var formula = model.Fee(fees, price, TakerFeeRates.Probe, Liquidity.Taker) / TakerFeeRates.Probe;
            // Same value and same scale (the bits), since figures built from it are printed.
            Assert.Equal(decimal.GetBits(formula), decimal.GetBits(rates[price]));
        }
    }

    [Fact]
    public void Markets_with_the_same_model_and_terms_share_one_table_and_other_models_are_asked_every_time()
    {
        var kalshi = new KalshiFeeModel();
        Assert.Same(TakerFeeRates.For(kalshi, KalshiFeeModel.Quadratic), TakerFeeRates.For(kalshi, KalshiFeeModel.Quadratic));
        Assert.NotSame(TakerFeeRates.For(kalshi, KalshiFeeModel.Quadratic), TakerFeeRates.For(kalshi, KalshiFeeModel.ParametersFor("quadratic", 2m)));
        // Every desk (a replay builds one) has its own model instances: they share the tables rather than add their own.
        Assert.Same(TakerFeeRates.For(kalshi, KalshiFeeModel.Quadratic), TakerFeeRates.For(new KalshiFeeModel(), KalshiFeeModel.Quadratic));
        Assert.NotSame(TakerFeeRates.For(kalshi, KalshiFeeModel.Quadratic), TakerFeeRates.For(new PolymarketFeeModel(), KalshiFeeModel.Quadratic));
        Assert.NotSame(TakerFeeRates.For(kalshi, KalshiFeeModel.Quadratic), TakerFeeRates.For(new KalshiFeeModel(0.0001m), KalshiFeeModel.Quadratic));

        var counting = new CountingFeeModel();
        var rates = TakerFeeRates.For(counting, KalshiFeeModel.Quadratic);
        Assert.False(rates.Tabled);
        Assert.Equal(0.5m, rates[Price.FromDecimal(0.5m)]);
        Assert.Equal(0.25m, rates[Price.FromDecimal(0.25m)]);
        Assert.Equal(2, counting.Calls);
    }

    [Fact]
    public void Leg_terms_for_a_market_carry_the_table_and_terms_built_directly_give_the_same_rates()
    {
        var market = new Market(VenueId.Polymarket, "m", "e", "M?", "", "", new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), TickSize.Cent, 5m, "M",
            PolymarketFeeModel.Parameters(0.25m, 2), QuantityStep: 0.01m);
        var model = new PolymarketFeeModel();

        var tabled = ArbLegTerms.For(market, model);
        var direct = new ArbLegTerms(model, market.Fees, market.MinOrderSize);

        Assert.NotNull(tabled.TakerRates);
        Assert.Null(direct.TakerRates);
        for (var units = 0; units <= Price.Scale; units += 7)
        {
            Assert.Equal(decimal.GetBits(direct.TakerRateAt(Price.FromUnits(units))), decimal.GetBits(tabled.TakerRateAt(Price.FromUnits(units))));
        }
    }

    private static (IFeeModel Model, FeeParameters Fees) ModelAndTerms(string venue, decimal rateOrMultiplier, int exponent) => venue switch
    {
        "kalshi quadratic" or "kalshi quadratic x0.5" => (new KalshiFeeModel(), KalshiFeeModel.ParametersFor("quadratic", rateOrMultiplier)),
        "kalshi with maker fees x2.5" => (new KalshiFeeModel(), KalshiFeeModel.ParametersFor("quadratic_with_maker_fees", rateOrMultiplier)),
        "kalshi direct member" => (new KalshiFeeModel(0.0001m), KalshiFeeModel.Quadratic),
        _ => (new PolymarketFeeModel(), PolymarketFeeModel.Parameters(rateOrMultiplier, exponent)),
    };

    /// <summary>A fee model the table knows nothing about: it must be asked, every time.</summary>
    private sealed class CountingFeeModel : IFeeModel
    {
        public int Calls { get; private set; }

        public decimal Fee(in FeeParameters parameters, Price price, decimal contracts, Liquidity liquidity)
        {
            Calls++;
            return price.Value * contracts;
        }
    }
}
