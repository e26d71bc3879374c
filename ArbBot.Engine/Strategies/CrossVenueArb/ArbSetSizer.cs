using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues;

namespace ArbBot.Engine.Strategies.CrossVenueArb;

/// <summary>What trading one leg of an arb set costs: the venue's fee rule, the market's fee terms and its minimum order.</summary>
public readonly record struct ArbLegTerms(IFeeModel FeeModel, FeeParameters Fees, decimal MinOrderSize)
{
    /// <summary>The terms of <paramref name="market"/> on a venue charging by <paramref name="feeModel"/>.</summary>
    public static ArbLegTerms For(Market market, IFeeModel feeModel)
    {
        var terms = new ArbLegTerms(feeModel, market.Fees, market.MinOrderSize) { TakerRates = TakerFeeRates.For(feeModel, market.Fees) };
        return terms with { ExactFees = ExactLegWalk.FeeRule.Of(terms) };
    }

    /// <summary>The leg's fee rule in integers for the sizers' walks (set by <see cref="For"/>; worked out per walk otherwise).</summary>
    internal ExactLegWalk.FeeRule? ExactFees { get; init; }

    /// <summary>The leg's taker fee rate per price (set by <see cref="For"/>; terms built directly ask the fee model each time).</summary>
    public TakerFeeRates? TakerRates { get; init; }

    /// <summary>The taker fee per contract at <paramref name="price"/> that the sizers' ladder walks charge (see <see cref="TakerFeeRates"/>).</summary>
    public decimal TakerRateAt(Price price) => TakerRates is { } rates ? rates[price] : TakerFeeRates.Formula(FeeModel, Fees, price);
}

/// <summary>What one leg fills at the sized quantity, walking its ask ladder best first.</summary>
public readonly record struct ArbLegFill(
    /// <summary>The worst price reached: the order's limit.</summary>
    Price WorstPrice,
    /// <summary>Dollars paid for the contracts, fees excluded.</summary>
    decimal Cost,
    /// <summary>Volume-weighted average price.</summary>
    decimal AveragePrice,
    /// <summary>The venue's exact fee, charged per level filled (as each level is a separate fill).</summary>
    decimal Fee,
    /// <summary>Contracts offered at or below <see cref="WorstPrice"/>.</summary>
    decimal DepthWithinWorst);

/// <summary>Whether sizing found a tradable edge and, if not, why.</summary>
public enum ArbSizingOutcome : byte
{
    /// <summary>A size clears the minimum edge after exact fees and fixed costs.</summary>
    Edge = 0,
    /// <summary>At least one leg has no asks.</summary>
    NoAsks,
    /// <summary>The best asks already cost $1 or more per set.</summary>
    AsksAtLeastOne,
    /// <summary>The edge left after fees and fixed costs is below the minimum.</summary>
    BelowMinimumEdge,
    /// <summary>Fewer whole sets clear the minimum edge than the venues' minimum order (or the size cap allows).</summary>
    BelowMinimumSize,
}

/// <summary>Best-ask figures of one arb set for the dashboard: what the top of both books offers right now.</summary>
public readonly record struct ArbTopOfBook(decimal AskSum, decimal GrossEdge, decimal NetEdge, decimal Size);

/// <summary>
/// The result of <see cref="ArbSetSizer.Size"/>: the legs and economics of the best size, or the reason there is none.
/// A struct, so the frequent "no edge" answer costs no allocation; <see cref="Describe"/> builds words only when asked.
/// </summary>
public readonly struct ArbSizing
{
    public ArbSizingOutcome Outcome { get; init; }

    /// <summary>True when <see cref="Outcome"/> is <see cref="ArbSizingOutcome.Edge"/>.</summary>
    public bool Found => Outcome == ArbSizingOutcome.Edge;

    /// <summary>Whole sets to buy (contracts per leg).</summary>
    public decimal Quantity { get; init; }

    public ArbLegFill Kalshi { get; init; }

    public ArbLegFill Polymarket { get; init; }

    /// <summary>$1 minus both legs' average prices.</summary>
    public decimal GrossEdgePerSet { get; init; }

    /// <summary>Both legs' exact fees plus the fixed cost of every set, in dollars.</summary>
    public decimal TotalCosts { get; init; }

    /// <summary>Expected profit per set after every fee and fixed cost.</summary>
    public decimal NetEdgePerSet { get; init; }

    /// <summary>Quantity − both legs' cost − <see cref="TotalCosts"/>.</summary>
    public decimal ExpectedProfit { get; init; }

    /// <summary>Best ask of the Kalshi leg (default when it has none).</summary>
    public Price KalshiBestAsk { get; init; }

    /// <summary>Best ask of the Polymarket leg (default when it has none).</summary>
    public Price PolymarketBestAsk { get; init; }

    /// <summary>For <see cref="ArbSizingOutcome.BelowMinimumEdge"/>: the best net edge per set that was seen.</summary>
    public decimal EdgeSeen { get; init; }

    /// <summary>The minimum net edge sizing was asked for.</summary>
    public decimal MinimumEdge { get; init; }

    /// <summary>For <see cref="ArbSizingOutcome.BelowMinimumSize"/>: sets that cleared the edge, and the least tradable.</summary>
    public decimal SizeSeen { get; init; }

    /// <summary>The least whole number of sets both venues accept.</summary>
    public decimal MinimumSize { get; init; }

    /// <summary>Why there is, or is not, an edge, in words.</summary>
    public string Describe() => Outcome switch
    {
        ArbSizingOutcome.Edge => string.Create(CultureInfo.InvariantCulture,
            $"{Quantity:0.##} sets at Kalshi ≤ {Kalshi.WorstPrice} + Polymarket ≤ {Polymarket.WorstPrice}: gross {GrossEdgePerSet:0.0000}/set, net {NetEdgePerSet:0.0000}/set after {TotalCosts:0.00###} fees and costs"),
        ArbSizingOutcome.NoAsks => KalshiBestAsk == default && PolymarketBestAsk == default
            ? "no asks on either leg"
            : KalshiBestAsk == default ? "no asks on the Kalshi leg" : "no asks on the Polymarket leg",
        ArbSizingOutcome.AsksAtLeastOne => string.Create(CultureInfo.InvariantCulture,
            $"best asks {KalshiBestAsk} + {PolymarketBestAsk} = {KalshiBestAsk.Value + PolymarketBestAsk.Value:0.00##} ≥ $1"),
        ArbSizingOutcome.BelowMinimumEdge => string.Create(CultureInfo.InvariantCulture,
            $"edge {EdgeSeen:0.0000} below minimum {MinimumEdge:0.00##} after fees"),
        ArbSizingOutcome.BelowMinimumSize => string.Create(CultureInfo.InvariantCulture,
            $"only {SizeSeen:0.##} sets clear the minimum edge, below the minimum order of {MinimumSize:0.##}"),
        _ => Outcome.ToString(),
    };

    public override string ToString() => Describe();
}

/// <summary>
/// Sizes a cross-venue arb set: both legs are buys of complementary instruments that together pay $1 per set. Pure
/// arithmetic over the two ask ladders; does not allocate.
/// </summary>
/// <remarks>
/// <para>
/// The two ladders are merged into chunks (a stretch where neither leg's level changes). A chunk is taken while its
/// marginal edge per set — $1 minus both prices, each venue's rounding-free fee rate and the fixed cost — clears the
/// minimum. Prices only rise along the ladders and fee rates change more slowly than prices, so the first chunk that
/// fails ends the walk.
/// </para>
/// <para>
/// Venues round fees per fill (Kalshi up to the cent, Polymarket down to $0.00001), and a sweep fills once per level,
/// so the walked size is then checked with each leg's exact fee per level filled: while the whole size's net edge per
/// set, or the last contract's own edge, falls short of the minimum, it gives up one contract. Sets are whole
/// contracts on both venues so the legs always match (Polymarket allows 2 decimals, Kalshi does not).
/// </para>
/// </remarks>
public static class ArbSetSizer
{
    /// <summary>
    /// How many single-contract shrinks the exact check may make before giving up. Rounding moves the edge by at most
    /// a cent per fill, so a real edge is found within a few contracts; the bound keeps a hopeless book cheap.
    /// </summary>
    public const int MaxShrinkSteps = 64;

    /// <summary>
    /// Finds the most profitable whole number of sets in which every extra set still clears <paramref name="minNetEdge"/>
    /// after each venue's exact fees and <paramref name="fixedCostPerSet"/>.
    /// </summary>
    /// <param name="kalshiAsks">The Kalshi leg's asks, best (lowest) first.</param>
    /// <param name="polymarketAsks">The Polymarket leg's asks, best first.</param>
    /// <param name="kalshi">The Kalshi leg's fee rule, fee terms and minimum order.</param>
    /// <param name="polymarket">The Polymarket leg's fee rule, fee terms and minimum order.</param>
    /// <param name="fixedCostPerSet">Dollars per set on top of fees (transfer, gas).</param>
    /// <param name="minNetEdge">The least net edge per set worth trading, in dollars.</param>
    /// <param name="maxQuantity">The most sets to take (floored to whole sets).</param>
    public static ArbSizing Size(
        ReadOnlySpan<BookLevel> kalshiAsks,
        ReadOnlySpan<BookLevel> polymarketAsks,
        in ArbLegTerms kalshi,
        in ArbLegTerms polymarket,
        decimal fixedCostPerSet,
        decimal minNetEdge,
        decimal maxQuantity)
    {
        var reads = new LadderReads();
        return Size(kalshiAsks, polymarketAsks, kalshi, polymarket, fixedCostPerSet, minNetEdge, maxQuantity, ref reads);
    }

    /// <summary>
    /// As <see cref="Size(ReadOnlySpan{BookLevel}, ReadOnlySpan{BookLevel}, in ArbLegTerms, in ArbLegTerms, decimal, decimal, decimal)"/>,
    /// and adds to <paramref name="reads"/> the levels of each ladder the answer was worked out from.
    /// </summary>
    internal static ArbSizing Size(
        ReadOnlySpan<BookLevel> kalshiAsks,
        ReadOnlySpan<BookLevel> polymarketAsks,
        in ArbLegTerms kalshi,
        in ArbLegTerms polymarket,
        decimal fixedCostPerSet,
        decimal minNetEdge,
        decimal maxQuantity,
        ref LadderReads reads)
    {
        reads.Kalshi.Read(0, kalshiAsks.Length);
        reads.Polymarket.Read(0, polymarketAsks.Length);
        var kBest = kalshiAsks.IsEmpty ? default : kalshiAsks[0].Price;
        var pBest = polymarketAsks.IsEmpty ? default : polymarketAsks[0].Price;
        var minSize = Math.Max(1m, decimal.Ceiling(Math.Max(kalshi.MinOrderSize, polymarket.MinOrderSize)));
        var none = new ArbSizing { KalshiBestAsk = kBest, PolymarketBestAsk = pBest, MinimumEdge = minNetEdge, MinimumSize = minSize };
        if (kalshiAsks.IsEmpty || polymarketAsks.IsEmpty) return none with { Outcome = ArbSizingOutcome.NoAsks };
        if (kBest.Units + pBest.Units >= Price.Scale) return none with { Outcome = ArbSizingOutcome.AsksAtLeastOne };

        var cap = decimal.Floor(Math.Max(0m, maxQuantity));
        var qualifying = WalkQualifyingSize(kalshiAsks, polymarketAsks, kalshi, polymarket, fixedCostPerSet, minNetEdge, cap, out var topEdge, ref reads);
        if (qualifying == 0m) return none with { Outcome = ArbSizingOutcome.BelowMinimumEdge, EdgeSeen = topEdge };

        var quantity = Math.Min(decimal.Floor(qualifying), cap);
        if (quantity < minSize) return none with { Outcome = ArbSizingOutcome.BelowMinimumSize, SizeSeen = Math.Min(qualifying, cap) };

        // Exact check, shrinking one contract at a time while rounding leaves the size (or its last contract) short.
        var at = Exact(kalshiAsks, polymarketAsks, kalshi, polymarket, fixedCostPerSet, quantity, ref reads);
        for (var step = 0; step <= MaxShrinkSteps && quantity >= minSize; step++)
        {
            var below = Exact(kalshiAsks, polymarketAsks, kalshi, polymarket, fixedCostPerSet, quantity - 1m, ref reads);
            var averageClears = at.Profit >= minNetEdge * quantity;
            // The smallest tradable size has no "extra" contract: its average is all there is to check.
            var lastClears = quantity == minSize || at.Profit - below.Profit >= minNetEdge;
            if (averageClears && lastClears) return Found(kalshiAsks, polymarketAsks, quantity, at, ref reads);
            none = none with { EdgeSeen = at.Profit / quantity };
            at = below;
            quantity--;
        }
        return none with { Outcome = ArbSizingOutcome.BelowMinimumEdge };
    }

    /// <summary>Top-of-book figures: ask sum, gross edge, and net edge after exact fees on the top size (at least one set).</summary>
    public static ArbTopOfBook TopOfBook(BookLevel kalshiAsk, BookLevel polymarketAsk, in ArbLegTerms kalshi, in ArbLegTerms polymarket, decimal fixedCostPerSet)
    {
        var askSum = kalshiAsk.Price.Value + polymarketAsk.Price.Value;
        var size = Math.Min(kalshiAsk.Size, polymarketAsk.Size);
        var sets = Math.Max(1m, decimal.Floor(size));
        var fees = kalshi.FeeModel.Fee(kalshi.Fees, kalshiAsk.Price, sets, Liquidity.Taker)
                   + polymarket.FeeModel.Fee(polymarket.Fees, polymarketAsk.Price, sets, Liquidity.Taker);
        var gross = 1m - askSum;
        return new ArbTopOfBook(askSum, gross, gross - fees / sets - fixedCostPerSet, size);
    }

    /// <summary>Sets (possibly fractional) along the merged ladders whose rounding-free marginal edge clears the minimum.</summary>
    private static decimal WalkQualifyingSize(
        ReadOnlySpan<BookLevel> kAsks,
        ReadOnlySpan<BookLevel> pAsks,
        in ArbLegTerms kalshi,
        in ArbLegTerms polymarket,
        decimal fixedCostPerSet,
        decimal minNetEdge,
        decimal cap,
        out decimal topEdge,
        ref LadderReads reads)
    {
        topEdge = 0m;
        var first = true;
        decimal qualifying = 0m;
        int i = 0, j = 0;
        var kLeft = kAsks[0].Size;
        var pLeft = pAsks[0].Size;
        while (qualifying < cap)
        {
            // Skip exhausted (or malformed empty) levels.
            while (kLeft <= 0m && ++i < kAsks.Length) kLeft = kAsks[i].Size;
            while (pLeft <= 0m && ++j < pAsks.Length) pLeft = pAsks[j].Size;
            reads.Kalshi.Read(i, kAsks.Length);
            reads.Polymarket.Read(j, pAsks.Length);
            if (i >= kAsks.Length || j >= pAsks.Length) break;

            var kPrice = kAsks[i].Price;
            var pPrice = pAsks[j].Price;
            if (kPrice.Units + pPrice.Units >= Price.Scale) break;
            var marginal = 1m - kPrice.Value - pPrice.Value - RateOf(kalshi, kPrice) - RateOf(polymarket, pPrice) - fixedCostPerSet;
            if (first)
            {
                topEdge = marginal;
                first = false;
            }
            if (marginal < minNetEdge) break;
            var chunk = Math.Min(kLeft, pLeft);
            qualifying += chunk;
            kLeft -= chunk;
            pLeft -= chunk;
        }
        return qualifying;
    }

    private static decimal RateOf(in ArbLegTerms terms, Price price) => terms.TakerRateAt(price);

    /// <summary>Both legs at exactly <paramref name="quantity"/> sets, with each level's fill charged its own fee.</summary>
    private static ExactSize Exact(
        ReadOnlySpan<BookLevel> kAsks,
        ReadOnlySpan<BookLevel> pAsks,
        in ArbLegTerms kalshi,
        in ArbLegTerms polymarket,
        decimal fixedCostPerSet,
        decimal quantity,
        ref LadderReads reads)
    {
        var k = WalkLeg(kAsks, kalshi, quantity, ref reads.Kalshi);
        var p = WalkLeg(pAsks, polymarket, quantity, ref reads.Polymarket);
        var costs = k.Fee + p.Fee + fixedCostPerSet * quantity;
        return new ExactSize(k, p, costs, quantity - k.Cost - p.Cost - costs);
    }

    private static LegWalk WalkLeg(ReadOnlySpan<BookLevel> asks, in ArbLegTerms terms, decimal quantity, ref LadderRead read)
    {
        var (worst, cost, fee) = ExactLegWalk.Walk(asks, terms, quantity, ref read);
        return new LegWalk(worst, cost, fee);
    }

    private static ArbSizing Found(ReadOnlySpan<BookLevel> kAsks, ReadOnlySpan<BookLevel> pAsks, decimal quantity, in ExactSize at, ref LadderReads reads)
    {
        var legCost = at.Kalshi.Cost + at.Polymarket.Cost;
        return new ArbSizing
        {
            Outcome = ArbSizingOutcome.Edge,
            Quantity = quantity,
            Kalshi = Fill(kAsks, at.Kalshi, quantity, ref reads.Kalshi),
            Polymarket = Fill(pAsks, at.Polymarket, quantity, ref reads.Polymarket),
            GrossEdgePerSet = 1m - legCost / quantity,
            TotalCosts = at.Costs,
            NetEdgePerSet = at.Profit / quantity,
            ExpectedProfit = at.Profit,
            KalshiBestAsk = kAsks[0].Price,
            PolymarketBestAsk = pAsks[0].Price,
        };
    }

    private static ArbLegFill Fill(ReadOnlySpan<BookLevel> asks, in LegWalk walk, decimal quantity, ref LadderRead read)
    {
        decimal depth = 0m;
        var i = 0;
        for (; i < asks.Length; i++)
        {
            read.Read(i, asks.Length);
            var level = asks[i];
            if (level.Price > walk.Worst) break;
            depth += level.Size;
        }
        // Ran to the end: the depth depends on there being no more levels.
        if (i == asks.Length) read.Read(i, asks.Length);
        return new ArbLegFill(walk.Worst, walk.Cost, walk.Cost / quantity, walk.Fee, depth);
    }

    private readonly record struct LegWalk(Price Worst, decimal Cost, decimal Fee);

    private readonly record struct ExactSize(LegWalk Kalshi, LegWalk Polymarket, decimal Costs, decimal Profit);
}

/// <summary>
/// How much of one ask ladder an answer was worked out from: its first <see cref="Levels"/> levels, and whether it
/// depended on the ladder ending where it did (a walk that ran out of levels). Levels beyond those, and the ladder's
/// length unless <see cref="ReachedEnd"/>, cannot change the answer.
/// </summary>
internal struct LadderRead
{
    /// <summary>How many leading levels were read.</summary>
    public int Levels;

    /// <summary>A read went past the last level: the ladder's length is part of the answer.</summary>
    public bool ReachedEnd;

    /// <summary>Notes that level <paramref name="index"/> of a ladder of <paramref name="length"/> levels was read (at or past the end: the end was).</summary>
    public void Read(int index, int length)
    {
        if (index >= length) ReachedEnd = true;
        else if (index >= Levels) Levels = index + 1;
    }

    /// <summary>
    /// True when <paramref name="now"/> gives the same answer as <paramref name="then"/> (the ladder this was read from):
    /// the same levels read, same prices and sizes digit for digit, and the same length when the end was read.
    /// </summary>
    public readonly bool Same(ReadOnlySpan<BookLevel> now, ReadOnlySpan<BookLevel> then)
    {
        if (ReachedEnd) return LevelLadders.Same(now, then);
        return now.Length >= Levels && then.Length >= Levels && LevelLadders.Same(now[..Levels], then[..Levels]);
    }
}

/// <summary>What an arb set's sizing read of its two ladders.</summary>
internal struct LadderReads
{
    public LadderRead Kalshi;
    public LadderRead Polymarket;
}
