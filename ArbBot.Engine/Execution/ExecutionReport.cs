using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.Events;

namespace ArbBot.Engine.Execution;

/// <summary>Turns a finished execution into its <see cref="ExecutionOutcome"/>: the numbers and a sentence a person can read.</summary>
internal static class ExecutionReport
{
    public static ExecutionOutcome Build(ArbitrageExecution execution, DateTimeOffset now)
    {
        var legs = execution.Legs;
        // Loops over the legs rather than LINQ over the array as an IEnumerable (an enumerator object per query, per execution).
        var smallestNet = decimal.MaxValue;
        foreach (var leg in legs)
        {
            var net = leg.Net;
            if (net < smallestNet) smallestNet = net;
        }
        var hedged = Math.Max(0m, smallestNet);
        decimal residual = 0m, residualCost = 0m, netCash = 0m, fees = 0m;
        foreach (var leg in legs)
        {
            var excess = leg.Net - hedged;
            residual += excess;
            // Contracts still held without their complement are a position, not a cost of the locked sets.
            residualCost += excess * leg.AverageBuyPrice;
            netCash += leg.BuyCost - leg.SellProceeds;
            fees += leg.Fees;
        }
        // Each complete set pays the same whatever happens: $1 cross-venue, N − 1 for a multi-outcome NO set.
        var locked = hedged * execution.Opportunity.PayoutPerSet - (netCash - residualCost) - fees;

        bool unwound = false, hedgeRetried = false, anyFill = false;
        foreach (var leg in legs)
        {
            unwound |= leg.FilledBy(OrderRole.Unwind) > 0m;
            hedgeRetried |= leg.FilledBy(OrderRole.Hedge) > 0m;
            anyFill |= leg.Bought > 0m;
        }
        var kind = residual > 0m ? ExecutionOutcomeKind.Residual
            : unwound ? ExecutionOutcomeKind.Unwound
            : hedgeRetried ? ExecutionOutcomeKind.HedgedBeyondSlippage
            : anyFill ? ExecutionOutcomeKind.Hedged
            : ExecutionOutcomeKind.NotFilled;

        var opportunity = execution.Opportunity;
        var summary = kind switch
        {
            ExecutionOutcomeKind.Hedged => $"Bought {Bought(execution, hedged)}; locked {Money(locked)} after {Money(fees)} fees.",
            ExecutionOutcomeKind.HedgedBeyondSlippage =>
                $"Bought {Bought(execution, hedged)}; completing {Join(legs.Where(l => l.FilledBy(OrderRole.Hedge) > 0m).Select(l => l.Leg.Venue.DisplayName()).Distinct())} took a hedge retry beyond the slippage tolerance; locked {Money(locked)} after {Money(fees)} fees.",
            ExecutionOutcomeKind.NotFilled => FirstLegMissed(execution),
            _ => Imbalanced(execution, hedged),
        };

        return new ExecutionOutcome(opportunity.Id, opportunity.PairId, opportunity.Strategy, kind, execution.Quantity, hedged, residual,
            netCash, fees, opportunity.NetEdgePerSet * execution.Quantity, locked, opportunity.DetectedAt, now,
            (execution.LastFillAt ?? now) - opportunity.DetectedAt, summary);
    }

    private static string Bought(ArbitrageExecution execution, decimal hedged) =>
        Join(execution.Legs.Select(l => $"{Qty(hedged)} {l.OutcomeName} on {l.Leg.Venue.DisplayName()} at {PriceText(l.AverageBuyPrice)}"));

    private static string FirstLegMissed(ArbitrageExecution execution)
    {
        var first = execution.FirstLeg;
        var venue = first.Leg.Venue.DisplayName();
        var order = first.Orders[0];
        return order.Status switch
        {
            OrderStatus.Rejected => $"First leg rejected by {venue} ({order.LastReason ?? "no reason given"}); nothing bought.",
            OrderStatus.Expired when order.SendError is { } error =>
                $"First leg could not be sent to {venue} ({error}) and no answer came; nothing bought as far as {venue} has told us.",
            OrderStatus.Expired => $"First leg got no answer from {venue} in time; cancelled it and assumed nothing bought.",
            _ when order.SendError is { } error => $"First leg could not be sent to {venue} ({error}); cancelled, nothing bought.",
            _ => $"First leg missed: the {venue} ask moved before the order arrived; nothing bought.",
        };
    }

    /// <summary>"Polymarket filled 25 of 40; sold back 15 YES on Kalshi at 0.45 (−$0.30); 25 sets locked."</summary>
    private static string Imbalanced(ArbitrageExecution execution, decimal hedged)
    {
        var parts = new List<string>();
        var target = execution.MatchTarget;
        var shortLegs = execution.SendOrder.Skip(1).Select(i => execution.Legs[i]).Where(l => l.Bought < target).ToList();
        if (shortLegs.Count > 0)
        {
            // A multi-outcome set has every leg on one venue: the outcome says which leg it was.
            var named = execution.Opportunity.EventKey is not null;
            parts.Add(Join(shortLegs.Select(l => $"{(named ? $"{l.OutcomeName} on " : "")}{l.Leg.Venue.DisplayName()} filled {Qty(l.Bought)} of {Qty(target)}")));
        }
        foreach (var leg in execution.Legs.Where(l => l.Sold > 0m))
        {
            var result = (leg.AverageSellPrice - leg.AverageBuyPrice) * leg.Sold;
            parts.Add($"sold back {Qty(leg.Sold)} {leg.OutcomeName} on {leg.Leg.Venue.DisplayName()} at {PriceText(leg.AverageSellPrice)} ({Money(result, signed: true)})");
        }
        foreach (var leg in execution.Legs)
        {
            var excess = leg.Net - hedged;
            if (excess > 0m) parts.Add($"{Qty(excess)} {leg.OutcomeName} on {leg.Leg.Venue.DisplayName()} left unhedged");
        }
        parts.Add(hedged > 0m ? $"{Qty(hedged)} sets locked" : "no sets locked");
        var sentence = string.Join("; ", parts);
        return string.Concat(sentence[..1].ToUpperInvariant(), sentence[1..], ".");
    }

    private static string Join(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count <= 1 ? string.Concat(list) : string.Join(", ", list.Take(list.Count - 1)) + " and " + list[^1];
    }

    private static string Qty(decimal quantity) => quantity.ToString("0.####", CultureInfo.InvariantCulture);

    private static string PriceText(decimal price) => Math.Round(price, 4).ToString("0.00##", CultureInfo.InvariantCulture);

    /// <summary>Dollars to the cent; a loss carries a minus sign, a gain a plus sign when <paramref name="signed"/>.</summary>
    private static string Money(decimal amount, bool signed = false)
    {
        var cents = Math.Round(amount, 2, MidpointRounding.AwayFromZero);
        var text = Math.Abs(cents).ToString("0.00", CultureInfo.InvariantCulture);
        return cents < 0m ? $"\u2212${text}" : signed ? $"+${text}" : $"${text}";
    }
}
