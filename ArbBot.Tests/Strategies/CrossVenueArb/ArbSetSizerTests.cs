using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;

namespace ArbBot.Tests.Strategies.CrossVenueArb;

/// <summary>
/// Expected numbers are worked by hand in the comments: Kalshi taker fee = ceil-to-cent(0.07 × C × p(1−p)) per level
/// filled; Polymarket fee = floor-to-1e-5(C × rate × p(1−p)).
/// </summary>
public sealed class ArbSetSizerTests
{
    private static readonly ArbLegTerms Kalshi = new(new KalshiFeeModel(), KalshiFeeModel.Quadratic, 1m);
    private static readonly ArbLegTerms KalshiFree = new(new KalshiFeeModel(), FeeParameters.None, 1m);
    private static readonly ArbLegTerms PolymarketFree = new(new PolymarketFeeModel(), FeeParameters.None, 1m);

    [Fact]
    public void Walks_both_ladders_until_the_marginal_set_falls_below_the_minimum_edge()
    {
        // Chunks: 10 @ .40+.50 (edge .0832), 5 @ .42+.50 (.062948), 5 @ .42+.53 (.032948), then .45+.53 clears only
        // .002675 after Kalshi's .017325 fee rate: 20 sets.
        BookLevel[] kalshi = [L(0.40m, 10), L(0.42m, 10), L(0.45m, 20)];
        BookLevel[] polymarket = [L(0.50m, 15), L(0.53m, 30)];

        var sizing = ArbSetSizer.Size(kalshi, polymarket, Kalshi, PolymarketFree, 0m, 0.01m, 1_000m);

        Assert.True(sizing.Found, sizing.Describe());
        Assert.Equal(20m, sizing.Quantity);
        // Kalshi: 10 @ .40 = 4.00, fee ceil(.168) = .17; 10 @ .42 = 4.20, fee ceil(.17052) = .18.
        Assert.Equal(new ArbLegFill(P(0.42m), 8.20m, 0.41m, 0.35m, 20m), sizing.Kalshi);
        // Polymarket: 15 @ .50 + 5 @ .53 = 10.15; 45 contracts offered at or below .53.
        Assert.Equal(new ArbLegFill(P(0.53m), 10.15m, 0.5075m, 0m, 45m), sizing.Polymarket);
        Assert.Equal(0.0825m, sizing.GrossEdgePerSet);
        Assert.Equal(0.35m, sizing.TotalCosts);
        Assert.Equal(1.30m, sizing.ExpectedProfit);
        Assert.Equal(0.065m, sizing.NetEdgePerSet);
    }

    [Fact]
    public void Polymarket_fee_rate_stops_the_walk_where_a_fee_free_market_would_go_on()
    {
        BookLevel[] kalshi = [L(0.30m, 100)];
        BookLevel[] polymarket = [L(0.60m, 50), L(0.65m, 50)];
        var charged = new ArbLegTerms(new PolymarketFeeModel(), PolymarketFeeModel.Parameters(0.04m, 1), 1m);

        // Second chunk: .05 gross − .04 × .65 × .35 (.0091) = .0409 < .045; fee-free it is .05 and qualifies.
        var withFee = ArbSetSizer.Size(kalshi, polymarket, KalshiFree, charged, 0m, 0.045m, 1_000m);
        var withoutFee = ArbSetSizer.Size(kalshi, polymarket, KalshiFree, PolymarketFree, 0m, 0.045m, 1_000m);

        Assert.Equal(50m, withFee.Quantity);
        // 50 × .04 × .24 = .48; profit 50 − 15 − 30 − .48 = 4.52.
        Assert.Equal(0.48m, withFee.Polymarket.Fee);
        Assert.Equal(4.52m, withFee.ExpectedProfit);
        Assert.Equal(0.0904m, withFee.NetEdgePerSet);
        Assert.Equal(100m, withoutFee.Quantity);
        Assert.Equal(7.50m, withoutFee.ExpectedProfit);
    }

    [Fact]
    public void Polymarket_fee_is_charged_per_level_filled_and_floored()
    {
        BookLevel[] kalshi = [L(0.30m, 100)];
        BookLevel[] polymarket = [L(0.60m, 50), L(0.65m, 50)];
        var charged = new ArbLegTerms(new PolymarketFeeModel(), PolymarketFeeModel.Parameters(0.04m, 1), 1m);

        var sizing = ArbSetSizer.Size(kalshi, polymarket, KalshiFree, charged, 0m, 0.01m, 1_000m);

        // 50 × .04 × .24 = .48 plus 50 × .04 × .2275 = .455; profit 100 − 30 − 62.5 − .935 = 6.565.
        Assert.Equal(100m, sizing.Quantity);
        Assert.Equal(0.935m, sizing.Polymarket.Fee);
        Assert.Equal(6.565m, sizing.ExpectedProfit);
        Assert.Equal(0.935m, sizing.TotalCosts);
    }

    [Fact]
    public void Fee_rounding_that_leaves_the_last_contract_below_the_minimum_edge_drops_it()
    {
        // Rounding-free, every set earns .03 − .0175 = .0125 ≥ .012. Exactly, Kalshi's fee for 1..5 contracts at .50
        // is .02, .04, .06, .07, .09: the 5th set adds .03 − .02 = .01 < .012, the 4th adds .02.
        BookLevel[] kalshi = [L(0.50m, 5)];
        BookLevel[] polymarket = [L(0.47m, 10)];

        var sizing = ArbSetSizer.Size(kalshi, polymarket, Kalshi, PolymarketFree, 0m, 0.012m, 1_000m);

        Assert.True(sizing.Found, sizing.Describe());
        Assert.Equal(4m, sizing.Quantity);
        Assert.Equal(0.07m, sizing.Kalshi.Fee);
        Assert.Equal(0.05m, sizing.ExpectedProfit);
        Assert.Equal(0.0125m, sizing.NetEdgePerSet);
    }

    [Fact]
    public void Fee_rounding_that_kills_the_edge_at_every_size_gives_no_opportunity_with_the_edge_seen()
    {
        // Rounding-free .0125 ≥ .011, but 1, 2 and 3 contracts pay .02, .04, .06: exactly .01 per set.
        BookLevel[] kalshi = [L(0.50m, 3)];
        BookLevel[] polymarket = [L(0.47m, 10)];

        var sizing = ArbSetSizer.Size(kalshi, polymarket, Kalshi, PolymarketFree, 0m, 0.011m, 1_000m);

        Assert.False(sizing.Found);
        Assert.Equal(ArbSizingOutcome.BelowMinimumEdge, sizing.Outcome);
        Assert.Equal("edge 0.0100 below minimum 0.011 after fees", sizing.Describe());
    }

    [Fact]
    public void Asks_summing_to_a_dollar_or_more_give_no_opportunity()
    {
        var sizing = ArbSetSizer.Size([L(0.52m, 10)], [L(0.49m, 10)], Kalshi, PolymarketFree, 0m, 0.01m, 1_000m);

        Assert.Equal(ArbSizingOutcome.AsksAtLeastOne, sizing.Outcome);
        Assert.Equal("best asks 0.52 + 0.49 = 1.01 ≥ $1", sizing.Describe());
    }

    [Fact]
    public void A_gross_edge_eaten_by_fees_gives_no_opportunity()
    {
        // .01 gross − .0175 Kalshi fee rate = −.0075.
        var sizing = ArbSetSizer.Size([L(0.50m, 10)], [L(0.49m, 10)], Kalshi, PolymarketFree, 0m, 0.01m, 1_000m);

        Assert.Equal(ArbSizingOutcome.BelowMinimumEdge, sizing.Outcome);
        Assert.Equal("edge -0.0075 below minimum 0.01 after fees", sizing.Describe());
    }

    [Fact]
    public void Fixed_cost_per_set_counts_against_the_edge()
    {
        BookLevel[] kalshi = [L(0.40m, 10)];
        BookLevel[] polymarket = [L(0.55m, 10)];

        var cheap = ArbSetSizer.Size(kalshi, polymarket, KalshiFree, PolymarketFree, 0.03m, 0.01m, 1_000m);
        var dear = ArbSetSizer.Size(kalshi, polymarket, KalshiFree, PolymarketFree, 0.045m, 0.01m, 1_000m);

        Assert.Equal(10m, cheap.Quantity);
        Assert.Equal(0.30m, cheap.TotalCosts);
        Assert.Equal(0.02m, cheap.NetEdgePerSet);
        Assert.Equal(ArbSizingOutcome.BelowMinimumEdge, dear.Outcome);
    }

    [Fact]
    public void Sets_are_whole_contracts_even_when_polymarket_offers_fractions()
    {
        var sizing = ArbSetSizer.Size([L(0.40m, 10)], [L(0.50m, 2.5m), L(0.99m, 100)], KalshiFree, PolymarketFree, 0m, 0.01m, 1_000m);

        Assert.Equal(2m, sizing.Quantity);
        Assert.Equal(new ArbLegFill(P(0.50m), 1.00m, 0.50m, 0m, 2.5m), sizing.Polymarket);
    }

    [Fact]
    public void Fewer_qualifying_sets_than_a_market_minimum_order_give_no_opportunity()
    {
        var polymarketMinFive = PolymarketFree with { MinOrderSize = 5m };

        var sizing = ArbSetSizer.Size([L(0.40m, 3)], [L(0.50m, 10)], KalshiFree, polymarketMinFive, 0m, 0.01m, 1_000m);

        Assert.Equal(ArbSizingOutcome.BelowMinimumSize, sizing.Outcome);
        Assert.Equal("only 3 sets clear the minimum edge, below the minimum order of 5", sizing.Describe());
    }

    [Fact]
    public void The_quantity_cap_limits_the_size()
    {
        var sizing = ArbSetSizer.Size([L(0.40m, 30)], [L(0.50m, 30)], KalshiFree, PolymarketFree, 0m, 0.01m, 7.9m);

        Assert.Equal(7m, sizing.Quantity);
        Assert.Equal(0.70m, sizing.ExpectedProfit);
    }

    [Fact]
    public void An_empty_ladder_gives_no_opportunity_naming_the_leg()
    {
        var sizing = ArbSetSizer.Size([L(0.40m, 30)], [], KalshiFree, PolymarketFree, 0m, 0.01m, 100m);

        Assert.Equal(ArbSizingOutcome.NoAsks, sizing.Outcome);
        Assert.Equal("no asks on the Polymarket leg", sizing.Describe());
    }

    [Fact]
    public void Top_of_book_net_edge_uses_exact_fees_on_the_top_size()
    {
        // 4 sets at .50 + .47: Kalshi fee ceil(.07) = .07 → .0175/set; net .03 − .0175.
        var top = ArbSetSizer.TopOfBook(L(0.50m, 4), L(0.47m, 9), Kalshi, PolymarketFree, 0m);

        Assert.Equal(new ArbTopOfBook(0.97m, 0.03m, 0.0125m, 4m), top);
    }

    internal static BookLevel L(decimal price, decimal size) => new(Price.FromDecimal(price), size);

    private static Price P(decimal price) => Price.FromDecimal(price);
}
