using ArbBot.Engine.Core;

namespace ArbBot.Engine.Strategies;

/// <summary>One order an opportunity needs: buy (or sell) an instrument up to a worst price.</summary>
public sealed record OpportunityLeg(
    InstrumentId Instrument,
    VenueId Venue,
    Side Side,
    /// <summary>The worst price the size reaches when walking the book; the order's limit.</summary>
    Price WorstPrice,
    /// <summary>Volume-weighted average price over the levels walked.</summary>
    decimal AveragePrice,
    /// <summary>The venue's fee for this leg at the opportunity's size, in dollars.</summary>
    decimal Fee,
    /// <summary>The best opposite price when detected (best ask for a buy).</summary>
    Price TopOfBook,
    /// <summary>Contracts available within <see cref="WorstPrice"/> when detected.</summary>
    decimal DepthWithinWorst,
    /// <summary>The book's <see cref="MarketData.OrderBook.Version"/> when detected.</summary>
    long BookVersion,
    /// <summary>Age of the book's last update when detected.</summary>
    TimeSpan BookAge);

/// <summary>What became of an opportunity.</summary>
public enum OpportunityDecision : byte
{
    /// <summary>Passed the risk gate at full size and went to execution.</summary>
    Taken,
    /// <summary>Passed the risk gate at a smaller size and went to execution.</summary>
    Resized,
    /// <summary>Stopped by the risk gate; <see cref="Opportunity.Reason"/> names the rule.</summary>
    Rejected,
    /// <summary>Seen but not acted on for a reason outside risk (e.g. below the minimum edge after fees, stale book).</summary>
    Skipped,
    /// <summary>Just found by a strategy and not yet through the risk gate; the gate's answer replaces it.</summary>
    Detected,
}

/// <summary>
/// A set of legs that together pay a known amount (cross-venue: $1 per set), sized and priced after every fee, with the
/// books' state and the reason it was or was not taken. Produced by a strategy on the hub's thread.
/// </summary>
public sealed record Opportunity(
    long Id,
    /// <summary>Which strategy found it ("cross-venue", "multi-outcome", "spike").</summary>
    string Strategy,
    /// <summary>The approved pair it came from (cross-venue), else null.</summary>
    long? PairId,
    DateTimeOffset DetectedAt,
    IReadOnlyList<OpportunityLeg> Legs,
    /// <summary>Sets (contracts per leg): every leg trades the same number of contracts.</summary>
    decimal Quantity,
    /// <summary>Payout per set minus the average cost of the legs per set, before fees.</summary>
    decimal GrossEdgePerSet,
    /// <summary>Every leg's fee plus configured fixed costs, in dollars, for the whole quantity.</summary>
    decimal TotalCosts,
    /// <summary>(Payout − cost − fees − fixed costs) per set.</summary>
    decimal NetEdgePerSet,
    /// <summary>NetEdgePerSet × Quantity.</summary>
    decimal ExpectedProfit,
    OpportunityDecision Decision,
    /// <summary>In words: why it was taken, resized, rejected or skipped.</summary>
    string Reason)
{
    /// <summary>Dollars needed to buy the legs at their average prices (fees excluded).</summary>
    public decimal Notional => Legs.Sum(l => l.AveragePrice) * Quantity;

    /// <summary>
    /// What one complete set pays at settlement whatever happens: $1 for a cross-venue set or a multi-outcome YES set,
    /// N − 1 for the NO set of an N-outcome event (every NO but the winner's pays).
    /// </summary>
    public decimal PayoutPerSet { get; init; } = 1m;

    /// <summary>
    /// The venue event a multi-outcome set comes from ("Polymarket:fed-decision-in-december-2026"), else null. Without a
    /// pair, executions, the order-in-flight check and the cooldown are kept per event under this key.
    /// </summary>
    public string? EventKey { get; init; }
}
