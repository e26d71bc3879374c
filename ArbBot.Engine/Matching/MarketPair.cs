using ArbBot.Engine.Core;

namespace ArbBot.Engine.Matching;

/// <summary>How the two venues' outcomes correspond.</summary>
public enum PairMapping : byte
{
    /// <summary>Kalshi YES settles exactly like Polymarket YES.</summary>
    YesYes = 0,
    /// <summary>Kalshi YES settles exactly like Polymarket NO (one venue phrases the question negatively).</summary>
    YesNo = 1,
}

/// <summary>Where a pair is in its life: suggested → approved → paused ↔ approved → retired.</summary>
public enum PairStatus : byte
{
    /// <summary>Proposed by the matcher; never traded until an admin approves it.</summary>
    Suggested = 0,
    Approved = 1,
    Paused = 2,
    /// <summary>Finished with, or dismissed as not the same contract. Final.</summary>
    Retired = 3,
}

/// <summary>
/// A Kalshi market and a Polymarket market that a human says settle identically, with the outcome mapping they
/// confirmed. Only <see cref="PairStatus.Approved"/> pairs are traded.
/// </summary>
public sealed record MarketPair(
    long Id,
    string KalshiMarketKey,
    string PolymarketMarketKey,
    PairMapping Mapping,
    PairStatus Status,
    /// <summary>The matcher's confidence, 0–100.</summary>
    double Score,
    /// <summary>Why the matcher proposed it, in words (e.g. "titles 92% similar", "same threshold 4.5%").</summary>
    IReadOnlyList<string> Reasons,
    /// <summary>Differences a human must weigh (e.g. "close times differ by 2 days", "different settlement sources").</summary>
    IReadOnlyList<string> Warnings,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? ApprovedBy);

/// <summary>
/// Two instruments, one on each venue, whose payoffs add up to exactly $1 whatever happens: buying both for less than
/// $1 after fees locks a profit. Every pair yields two such sets.
/// </summary>
public readonly record struct ArbSet(InstrumentId Kalshi, InstrumentId Polymarket)
{
    /// <summary>The two sets of an approved pair, from both markets' YES/NO instruments and the mapping.</summary>
    public static (ArbSet First, ArbSet Second) Of(Market kalshi, Market polymarket, PairMapping mapping) => mapping switch
    {
        // Kalshi YES ≡ Polymarket YES: YES on one plus NO on the other pays $1.
        PairMapping.YesYes => (new ArbSet(kalshi.Yes, polymarket.No), new ArbSet(kalshi.No, polymarket.Yes)),
        // Kalshi YES ≡ Polymarket NO: YES on both pays $1, and so does NO on both.
        PairMapping.YesNo => (new ArbSet(kalshi.Yes, polymarket.Yes), new ArbSet(kalshi.No, polymarket.No)),
        _ => throw new ArgumentOutOfRangeException(nameof(mapping), mapping, null),
    };
}
