using ArbBot.Engine.Persistence;

namespace ArbBot.Engine.Matching;

/// <summary>What an admin does to a pair.</summary>
public enum PairAction : byte
{
    /// <summary>Suggested → Approved, confirming (and possibly changing) the outcome mapping.</summary>
    Approve = 0,
    /// <summary>Approved → Paused: stop trading the pair without forgetting it.</summary>
    Pause = 1,
    /// <summary>Paused → Approved.</summary>
    Resume = 2,
    /// <summary>Any status but Retired → Retired: dismissed or finished with. Final.</summary>
    Retire = 3,
}

/// <summary>
/// The outcome of a legal transition: the pair as it now is, plus what an audit record needs (who, when, what, before,
/// after). Storing both is the caller's job.
/// </summary>
public sealed record PairChange(MarketPair Pair, string Actor, DateTimeOffset At, string Action, string Target, string OldValue, string NewValue)
{
    /// <summary>The change as the audit table stores it.</summary>
    public AuditEntry ToAuditEntry() => new()
    {
        AtUtc = At.UtcDateTime,
        Actor = Actor,
        Action = Action,
        Target = Target,
        OldValue = OldValue,
        NewValue = NewValue,
    };
}

/// <summary>A transition the lifecycle does not allow, with the reason in words.</summary>
public sealed class PairTransitionRefusedException(string message) : InvalidOperationException(message);

/// <summary>
/// The pair lifecycle, suggested → approved → paused ↔ approved → retired, as pure rules: no storage, no clock of its
/// own (the caller passes the time from its TimeProvider). Approval always needs an admin's explicit mapping; nothing
/// here approves on its own.
/// </summary>
public static class PairLifecycle
{
    /// <summary>
    /// Applies <paramref name="action"/> by <paramref name="actor"/> at <paramref name="at"/>. Approving needs
    /// <paramref name="mapping"/> (the admin's confirmed mapping, which may differ from the proposed one); when a
    /// <paramref name="comparison"/> of the two markets is given, its settlement differences are added to the pair's
    /// warnings, which approval keeps rather than blocks on.
    /// </summary>
    /// <exception cref="PairTransitionRefusedException">The transition is not allowed; the message says why.</exception>
    public static PairChange Transition(MarketPair pair, PairAction action, string actor, DateTimeOffset at,
        PairMapping? mapping = null, PairComparison? comparison = null) =>
        TryTransition(pair, action, actor, at, out var change, out var refusal, mapping, comparison)
            ? change
            : throw new PairTransitionRefusedException(refusal);

    /// <summary>As <see cref="Transition"/>, returning false and the reason instead of throwing.</summary>
    public static bool TryTransition(MarketPair pair, PairAction action, string actor, DateTimeOffset at,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PairChange? change,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? refusal,
        PairMapping? mapping = null, PairComparison? comparison = null)
    {
        ArgumentNullException.ThrowIfNull(pair);
        change = null;
        refusal = Refusal(pair, action, actor, mapping, comparison);
        if (refusal is not null) return false;

        var next = action switch
        {
            PairAction.Approve => pair with
            {
                Status = PairStatus.Approved,
                Mapping = mapping!.Value,
                ApprovedBy = actor,
                Warnings = ApprovalWarnings(pair, mapping.Value, comparison),
            },
            PairAction.Pause => pair with { Status = PairStatus.Paused },
            PairAction.Resume => pair with { Status = PairStatus.Approved },
            _ => pair with { Status = PairStatus.Retired },
        };
        next = next with { UpdatedAt = at };
        change = new PairChange(next, actor, at, ActionName(action), Target(pair), Describe(pair), Describe(next));
        return true;
    }

    private static string? Refusal(MarketPair pair, PairAction action, string actor, PairMapping? mapping, PairComparison? comparison)
    {
        if (string.IsNullOrWhiteSpace(actor)) return "Every pair change needs the name of the admin making it.";
        if (pair.Status == PairStatus.Retired) return $"Pair {pair.Id} is retired; retired pairs cannot change. Suggest it again instead.";
        if (comparison is not null && (comparison.Kalshi.MarketKey != pair.KalshiMarketKey || comparison.Polymarket.MarketKey != pair.PolymarketMarketKey))
        {
            return $"The comparison is of {comparison.Kalshi.MarketKey} ↔ {comparison.Polymarket.MarketKey}, not of pair {pair.Id}.";
        }
        if (action != PairAction.Approve && mapping is { } m && m != pair.Mapping)
        {
            return $"The mapping can only be set when approving; pair {pair.Id} is {pair.Status}. Retire it and approve a new suggestion to change it.";
        }
        return action switch
        {
            PairAction.Approve when pair.Status == PairStatus.Approved => $"Pair {pair.Id} is already approved.",
            PairAction.Approve when pair.Status == PairStatus.Paused => $"Pair {pair.Id} is paused; resume it instead of approving it again.",
            PairAction.Approve when mapping is null =>
                $"Approving pair {pair.Id} needs the admin to confirm the outcome mapping (proposed: {FactComparison.Arrow(pair.Mapping)}).",
            PairAction.Pause when pair.Status != PairStatus.Approved => $"Only an approved pair can be paused; pair {pair.Id} is {pair.Status}.",
            PairAction.Resume when pair.Status != PairStatus.Paused => $"Only a paused pair can be resumed; pair {pair.Id} is {pair.Status}.",
            PairAction.Approve or PairAction.Pause or PairAction.Resume or PairAction.Retire => null,
            _ => $"Unknown action {action}.",
        };
    }

    private static string[] ApprovalWarnings(MarketPair pair, PairMapping confirmed, PairComparison? comparison)
    {
        var warnings = new List<string>(pair.Warnings);
        if (comparison is not null) warnings.AddRange(comparison.SettlementWarnings);
        if (confirmed != pair.Mapping)
        {
            warnings.Add($"mapping set by the admin to {FactComparison.Arrow(confirmed)}; the matcher proposed {FactComparison.Arrow(pair.Mapping)}");
        }
        return warnings.Distinct(StringComparer.Ordinal).ToArray();
    }

    private static string ActionName(PairAction action) => action switch
    {
        PairAction.Approve => "pair.approve",
        PairAction.Pause => "pair.pause",
        PairAction.Resume => "pair.resume",
        _ => "pair.retire",
    };

    private static string Target(MarketPair pair) => $"pair {pair.Id}: Kalshi {pair.KalshiMarketKey} ↔ Polymarket {pair.PolymarketMarketKey}";

    private static string Describe(MarketPair pair) =>
        $"{pair.Status} {FactComparison.Arrow(pair.Mapping)}" + (pair.ApprovedBy is { } by ? $" approved by {by}" : "");
}
