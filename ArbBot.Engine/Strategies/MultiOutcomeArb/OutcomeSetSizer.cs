using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Engine.Venues;

namespace ArbBot.Engine.Strategies.MultiOutcomeArb;

/// <summary>
/// The result of <see cref="OutcomeSetSizer.Size"/>: the economics of the best size, or why there is none. The legs'
/// fills are in <see cref="OutcomeSetSizer.Fills"/> when <see cref="Found"/>. A struct, so "no edge" costs nothing.
/// </summary>
public readonly struct OutcomeSetSizing
{
    public ArbSizingOutcome Outcome { get; init; }

    public bool Found => Outcome == ArbSizingOutcome.Edge;

    /// <summary>Sets to buy (contracts per leg), on the set's quantity step.</summary>
    public decimal Quantity { get; init; }

    /// <summary>What one set pays at settlement.</summary>
    public decimal PayoutPerSet { get; init; }

    /// <summary>The sum of every leg's best ask.</summary>
    public decimal BestAskSum { get; init; }

    /// <summary>Payout minus every leg's average price.</summary>
    public decimal GrossEdgePerSet { get; init; }

    /// <summary>Every leg's exact fees plus the fixed cost of every set, in dollars.</summary>
    public decimal TotalCosts { get; init; }

    public decimal NetEdgePerSet { get; init; }

    /// <summary>Payout × quantity − every leg's cost − <see cref="TotalCosts"/>.</summary>
    public decimal ExpectedProfit { get; init; }

    /// <summary>For <see cref="ArbSizingOutcome.BelowMinimumEdge"/>: the best net edge per set that was seen.</summary>
    public decimal EdgeSeen { get; init; }

    public decimal MinimumEdge { get; init; }

    /// <summary>For <see cref="ArbSizingOutcome.BelowMinimumSize"/>: the sets that cleared the edge.</summary>
    public decimal SizeSeen { get; init; }

    /// <summary>The least quantity every leg's venue accepts.</summary>
    public decimal MinimumSize { get; init; }

    /// <summary>Why there is, or is not, an edge, in words.</summary>
    public string Describe() => Outcome switch
    {
        ArbSizingOutcome.Edge => string.Create(CultureInfo.InvariantCulture,
            $"{Quantity:0.##} sets paying {PayoutPerSet:0.##}: gross {GrossEdgePerSet:0.0000}/set, net {NetEdgePerSet:0.0000}/set after {TotalCosts:0.00###} fees and costs"),
        ArbSizingOutcome.NoAsks => "an outcome has no asks",
        ArbSizingOutcome.AsksAtLeastOne => string.Create(CultureInfo.InvariantCulture, $"best asks sum to {BestAskSum:0.00##} ≥ the {PayoutPerSet:0.##} a set pays"),
        ArbSizingOutcome.BelowMinimumEdge => string.Create(CultureInfo.InvariantCulture, $"edge {EdgeSeen:0.0000} below minimum {MinimumEdge:0.00##} after fees"),
        ArbSizingOutcome.BelowMinimumSize => string.Create(CultureInfo.InvariantCulture,
            $"only {SizeSeen:0.##} sets clear the minimum edge, below the minimum order of {MinimumSize:0.##}"),
        _ => Outcome.ToString(),
    };

    public override string ToString() => Describe();
}

/// <summary>
/// Sizes a complete set of one multi-outcome event: one buy per outcome (every YES, or every NO), the same quantity on
/// each, paying a known amount per set. The N-leg counterpart of <see cref="ArbSetSizer"/>, with the same two passes: a
/// walk of the merged ask ladders while the marginal set — payout minus every price, every venue's fee rate and the fixed
/// cost — clears the minimum, then an exact check with each leg's fee per level filled (venues round per fill), giving
/// up one quantity step at a time while the whole size's edge, or its last step's, falls short.
/// </summary>
/// <remarks>
/// One instance per event, holding its scratch arrays, so sizing on the hub's thread does not allocate. Quantities are
/// on the set's step (the largest of its markets' steps): Kalshi whole contracts, Polymarket hundredths.
/// </remarks>
public sealed class OutcomeSetSizer
{
    /// <summary>How many step shrinks the exact check may make before giving up; rounding moves the edge by cents at most.</summary>
    public const int MaxShrinkSteps = 64;

    private readonly int[] _index;
    private readonly decimal[] _left;
    private readonly ArbLegFill[] _fills;
    private readonly LadderRead[] _reads;

    public OutcomeSetSizer(int legs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(legs, 2);
        _index = new int[legs];
        _left = new decimal[legs];
        _fills = new ArbLegFill[legs];
        _reads = new LadderRead[legs];
    }

    /// <summary>How much of each leg's ladder the last <see cref="Size"/> read (its answer cannot depend on the rest).</summary>
    internal ReadOnlySpan<LadderRead> Reads => _reads;

    public int Legs => _fills.Length;

    /// <summary>Each leg's fill at the found quantity (valid after a <see cref="OutcomeSetSizing.Found"/> sizing).</summary>
    public ReadOnlySpan<ArbLegFill> Fills => _fills;

    /// <summary>Finds the most profitable quantity in which every extra step still clears <paramref name="minNetEdge"/> per set.</summary>
    /// <param name="asks">Each leg's ask ladder, best first; only the first <paramref name="depths"/>[i] levels are read.</param>
    /// <param name="depths">How many levels of each ladder are valid.</param>
    /// <param name="terms">Each leg's fee rule, fee terms and minimum order.</param>
    /// <param name="payoutPerSet">What one set pays: $1 for a YES set, N − 1 for a NO set.</param>
    /// <param name="quantityStep">The set's quantity increment.</param>
    /// <param name="fixedCostPerSet">Dollars per set on top of fees.</param>
    /// <param name="minNetEdge">The least net edge per set worth trading.</param>
    /// <param name="maxQuantity">The most sets to take (floored to the step).</param>
    public OutcomeSetSizing Size(
        BookLevel[][] asks,
        ReadOnlySpan<int> depths,
        ReadOnlySpan<ArbLegTerms> terms,
        decimal payoutPerSet,
        decimal quantityStep,
        decimal fixedCostPerSet,
        decimal minNetEdge,
        decimal maxQuantity)
    {
        ArgumentNullException.ThrowIfNull(asks);
        var n = _fills.Length;
        if (asks.Length < n || depths.Length < n || terms.Length < n) throw new ArgumentException($"Sizing needs {n} ladders, depths and terms.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantityStep);
        Array.Clear(_reads);

        var minSize = quantityStep;
        var bestUnits = 0L;
        var anyEmpty = false;
        for (var i = 0; i < n; i++)
        {
            minSize = Math.Max(minSize, CeilingToStep(terms[i].MinOrderSize, quantityStep));
            _reads[i].Read(0, depths[i]);
            if (depths[i] == 0) anyEmpty = true;
            else bestUnits += asks[i][0].Price.Units;
        }
        var none = new OutcomeSetSizing { PayoutPerSet = payoutPerSet, BestAskSum = bestUnits / (decimal)Price.Scale, MinimumEdge = minNetEdge, MinimumSize = minSize };
        if (anyEmpty) return none with { Outcome = ArbSizingOutcome.NoAsks };
        if (bestUnits >= payoutPerSet * Price.Scale) return none with { Outcome = ArbSizingOutcome.AsksAtLeastOne };

        var cap = FloorToStep(Math.Max(0m, maxQuantity), quantityStep);
        var qualifying = WalkQualifyingSize(asks, depths, terms, payoutPerSet, fixedCostPerSet, minNetEdge, cap, out var topEdge);
        if (qualifying == 0m) return none with { Outcome = ArbSizingOutcome.BelowMinimumEdge, EdgeSeen = topEdge };

        var quantity = FloorToStep(Math.Min(qualifying, cap), quantityStep);
        if (quantity < minSize) return none with { Outcome = ArbSizingOutcome.BelowMinimumSize, SizeSeen = Math.Min(qualifying, cap) };

        var at = Profit(asks, depths, terms, payoutPerSet, fixedCostPerSet, quantity);
        for (var step = 0; step <= MaxShrinkSteps && quantity >= minSize; step++)
        {
            var below = Profit(asks, depths, terms, payoutPerSet, fixedCostPerSet, quantity - quantityStep);
            var averageClears = at >= minNetEdge * quantity;
            // The smallest tradable size has no "extra" step: its average is all there is to check.
            var lastClears = quantity == minSize || at - below >= minNetEdge * quantityStep;
            if (averageClears && lastClears) return Found(asks, depths, terms, payoutPerSet, fixedCostPerSet, quantity, bestUnits);
            none = none with { EdgeSeen = at / quantity };
            at = below;
            quantity -= quantityStep;
        }
        return none with { Outcome = ArbSizingOutcome.BelowMinimumEdge };
    }

    private decimal WalkQualifyingSize(
        BookLevel[][] asks, ReadOnlySpan<int> depths, ReadOnlySpan<ArbLegTerms> terms, decimal payout, decimal fixedCostPerSet, decimal minNetEdge,
        decimal cap, out decimal topEdge)
    {
        var n = _fills.Length;
        for (var i = 0; i < n; i++)
        {
            _index[i] = 0;
            _left[i] = asks[i][0].Size;
        }
        topEdge = 0m;
        var first = true;
        decimal qualifying = 0m;
        while (qualifying < cap)
        {
            decimal marginal = payout - fixedCostPerSet, chunk = decimal.MaxValue;
            for (var i = 0; i < n; i++)
            {
                // Skip exhausted (or malformed empty) levels; a leg out of levels ends the walk.
                while (_left[i] <= 0m && ++_index[i] < depths[i]) _left[i] = asks[i][_index[i]].Size;
                _reads[i].Read(_index[i], depths[i]);
                if (_index[i] >= depths[i]) return qualifying;
                var price = asks[i][_index[i]].Price;
                marginal -= price.Value + RateOf(terms[i], price);
                chunk = Math.Min(chunk, _left[i]);
            }
            if (first)
            {
                topEdge = marginal;
                first = false;
            }
            if (marginal < minNetEdge) break;
            qualifying += chunk;
            for (var i = 0; i < n; i++) _left[i] -= chunk;
        }
        return qualifying;
    }

    private static decimal RateOf(in ArbLegTerms terms, Price price) => terms.TakerRateAt(price);

    /// <summary>Payout minus every leg's cost and exact fees, minus the fixed costs, at exactly <paramref name="quantity"/> sets.</summary>
    private decimal Profit(BookLevel[][] asks, ReadOnlySpan<int> depths, ReadOnlySpan<ArbLegTerms> terms, decimal payout, decimal fixedCostPerSet, decimal quantity)
    {
        var profit = (payout - fixedCostPerSet) * quantity;
        for (var i = 0; i < _fills.Length; i++)
        {
            var leg = WalkLeg(asks[i].AsSpan(0, depths[i]), terms[i], quantity, ref _reads[i]);
            profit -= leg.Cost + leg.Fee;
        }
        return profit;
    }

    private OutcomeSetSizing Found(
        BookLevel[][] asks, ReadOnlySpan<int> depths, ReadOnlySpan<ArbLegTerms> terms, decimal payout, decimal fixedCostPerSet, decimal quantity, long bestUnits)
    {
        decimal cost = 0m, fees = 0m;
        for (var i = 0; i < _fills.Length; i++)
        {
            var ladder = asks[i].AsSpan(0, depths[i]);
            var walk = WalkLeg(ladder, terms[i], quantity, ref _reads[i]);
            decimal depth = 0m;
            var at = 0;
            for (; at < ladder.Length; at++)
            {
                _reads[i].Read(at, ladder.Length);
                var level = ladder[at];
                if (level.Price > walk.Worst) break;
                depth += level.Size;
            }
            // Ran to the end: the depth depends on there being no more levels.
            if (at == ladder.Length) _reads[i].Read(at, ladder.Length);
            _fills[i] = new ArbLegFill(walk.Worst, walk.Cost, walk.Cost / quantity, walk.Fee, depth);
            cost += walk.Cost;
            fees += walk.Fee;
        }
        var costs = fees + fixedCostPerSet * quantity;
        var profit = payout * quantity - cost - costs;
        return new OutcomeSetSizing
        {
            Outcome = ArbSizingOutcome.Edge,
            Quantity = quantity,
            PayoutPerSet = payout,
            BestAskSum = bestUnits / (decimal)Price.Scale,
            GrossEdgePerSet = payout - cost / quantity,
            TotalCosts = costs,
            NetEdgePerSet = profit / quantity,
            ExpectedProfit = profit,
        };
    }

    private static (Price Worst, decimal Cost, decimal Fee) WalkLeg(ReadOnlySpan<BookLevel> asks, in ArbLegTerms terms, decimal quantity, ref LadderRead read) =>
        ExactLegWalk.Walk(asks, terms, quantity, ref read);

    private static decimal FloorToStep(decimal quantity, decimal step) => quantity <= 0m ? 0m : decimal.Floor(quantity / step) * step;

    private static decimal CeilingToStep(decimal quantity, decimal step) => quantity <= 0m ? 0m : decimal.Ceiling(quantity / step) * step;
}
