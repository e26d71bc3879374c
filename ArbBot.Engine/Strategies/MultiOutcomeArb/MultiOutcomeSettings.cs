using System.Globalization;
using System.Text.RegularExpressions;

namespace ArbBot.Engine.Strategies.MultiOutcomeArb;

/// <summary>
/// The multi-outcome arbitrage strategy's switches, live-editable from the dashboard and <c>PUT
/// /api/strategies/multi-outcome</c>, persisted under <see cref="Control.SettingsStore.MultiOutcomeKey"/> and audited.
/// Checked by <see cref="MultiOutcomeSettingsValidator"/>; the ranges below are the ones it enforces.
/// </summary>
public sealed record MultiOutcomeSettings
{
    /// <summary>Most Kalshi event tickers <see cref="KalshiExhaustiveEvents"/> may hold.</summary>
    public const int MaxKalshiExhaustiveEvents = 200;

    /// <summary>True to look for and trade multi-outcome sets. Default on (trading itself still obeys pause, kill switch and live arming).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Smallest net edge per set (after every fee and the fixed cost per set) worth trading, in dollars. 0.001–0.5,
    /// default 0.02. A set has one leg per outcome, so more can go wrong than with a cross-venue pair: the bar is higher
    /// by default. The risk limits' minimum net edge still applies too, so the effective minimum is the larger of both.
    /// </summary>
    public decimal MinNetEdge { get; init; } = 0.02m;

    /// <summary>Events with more outcomes than this are not traded (every outcome is a leg). 2–50, default 16.</summary>
    public int MaxOutcomes { get; init; } = 16;

    /// <summary>True to trade NO sets too (buy NO on every outcome; pays N − 1), not only YES sets. Default on.</summary>
    public bool TradeNoSets { get; init; } = true;

    /// <summary>
    /// Kalshi event tickers an admin has checked to be exhaustive (some listed market always resolves YES, e.g. a range
    /// split into brackets with open ends, or a field/"other" market). Kalshi's <c>mutually_exclusive</c> flag only
    /// promises at most one YES, so a YES set of any other Kalshi event could pay nothing; those trade NO sets only.
    /// At most 200 tickers of 1–64 characters (A–Z, 0–9, '.', '_', '-'); default none.
    /// </summary>
    public IReadOnlyList<string> KalshiExhaustiveEvents { get; init; } = [];

    /// <summary>True when <paramref name="eventTicker"/> is in <see cref="KalshiExhaustiveEvents"/> (tickers compare case-insensitively).</summary>
    public bool IsVouchedExhaustive(string eventTicker)
    {
        foreach (var ticker in KalshiExhaustiveEvents)
        {
            if (string.Equals(ticker, eventTicker, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>Value equality, the ticker list compared item by item.</summary>
    public bool Equals(MultiOutcomeSettings? other) =>
        other is not null && Enabled == other.Enabled && MinNetEdge == other.MinNetEdge && MaxOutcomes == other.MaxOutcomes
        && TradeNoSets == other.TradeNoSets && KalshiExhaustiveEvents.SequenceEqual(other.KalshiExhaustiveEvents, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Enabled, MinNetEdge, MaxOutcomes, TradeNoSets, KalshiExhaustiveEvents.Count);

    /// <summary>Every field as "Field=value", in declaration order; with <paramref name="onlyDiffering"/> only those that differ from it.</summary>
    public IReadOnlyList<string> Describe(MultiOutcomeSettings? onlyDiffering = null)
    {
        var all = new (string Field, string Value)[]
        {
            (nameof(Enabled), Enabled ? "true" : "false"),
            (nameof(MinNetEdge), MinNetEdge.ToString(CultureInfo.InvariantCulture)),
            (nameof(MaxOutcomes), MaxOutcomes.ToString(CultureInfo.InvariantCulture)),
            (nameof(TradeNoSets), TradeNoSets ? "true" : "false"),
            (nameof(KalshiExhaustiveEvents), string.Join(",", KalshiExhaustiveEvents)),
        };
        if (onlyDiffering is null) return [.. all.Select(f => $"{f.Field}={f.Value}")];
        var others = onlyDiffering.Describe();
        return [.. all.Select(f => $"{f.Field}={f.Value}").Where(line => !others.Contains(line))];
    }

    /// <summary>The change from <paramref name="before"/> to <paramref name="after"/> as "Field=value; …" texts of the fields that differ, for the audit trail.</summary>
    public static (string Before, string After) DescribeChange(MultiOutcomeSettings before, MultiOutcomeSettings after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return (string.Join("; ", before.Describe(after)), string.Join("; ", after.Describe(before)));
    }
}

/// <summary>One field of <see cref="MultiOutcomeSettings"/> outside its documented range, named for the API and the dashboard.</summary>
public sealed record MultiOutcomeSettingViolation(string Field, string Message);

/// <summary>Checks every field of <see cref="MultiOutcomeSettings"/> against the range its documentation states.</summary>
public static partial class MultiOutcomeSettingsValidator
{
    public const decimal MinNetEdgeMin = 0.001m;
    public const decimal MinNetEdgeMax = 0.5m;
    public const int MaxOutcomesMin = 2;
    public const int MaxOutcomesMax = 50;

    /// <summary>Every violation, in field order; empty when the settings are valid.</summary>
    public static IReadOnlyList<MultiOutcomeSettingViolation> Validate(MultiOutcomeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<MultiOutcomeSettingViolation>();
        if (settings.MinNetEdge < MinNetEdgeMin || settings.MinNetEdge > MinNetEdgeMax)
        {
            errors.Add(new(nameof(MultiOutcomeSettings.MinNetEdge), string.Create(CultureInfo.InvariantCulture,
                $"MinNetEdge must be between {MinNetEdgeMin} and {MinNetEdgeMax} (was {settings.MinNetEdge})")));
        }
        if (settings.MaxOutcomes < MaxOutcomesMin || settings.MaxOutcomes > MaxOutcomesMax)
        {
            errors.Add(new(nameof(MultiOutcomeSettings.MaxOutcomes), string.Create(CultureInfo.InvariantCulture,
                $"MaxOutcomes must be between {MaxOutcomesMin} and {MaxOutcomesMax} (was {settings.MaxOutcomes})")));
        }
        var tickers = settings.KalshiExhaustiveEvents;
        if (tickers is null)
        {
            errors.Add(new(nameof(MultiOutcomeSettings.KalshiExhaustiveEvents), "KalshiExhaustiveEvents must be a list (empty for none)"));
        }
        else if (tickers.Count > MultiOutcomeSettings.MaxKalshiExhaustiveEvents)
        {
            errors.Add(new(nameof(MultiOutcomeSettings.KalshiExhaustiveEvents), string.Create(CultureInfo.InvariantCulture,
                $"KalshiExhaustiveEvents may hold at most {MultiOutcomeSettings.MaxKalshiExhaustiveEvents} tickers (was {tickers.Count})")));
        }
        else
        {
            var bad = tickers.FirstOrDefault(t => t is null || !TickerPattern().IsMatch(t));
            if (tickers.Any(t => t is null || !TickerPattern().IsMatch(t)))
            {
                errors.Add(new(nameof(MultiOutcomeSettings.KalshiExhaustiveEvents),
                    $"KalshiExhaustiveEvents: '{bad}' is not a Kalshi event ticker (1–64 characters: A–Z, 0–9, '.', '_', '-')"));
            }
            else if (tickers.Distinct(StringComparer.OrdinalIgnoreCase).Count() != tickers.Count)
            {
                errors.Add(new(nameof(MultiOutcomeSettings.KalshiExhaustiveEvents), "KalshiExhaustiveEvents lists a ticker twice"));
            }
        }
        return errors;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex TickerPattern();
}
