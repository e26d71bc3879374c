using System.Globalization;
using FuzzySharp;

namespace ArbBot.Engine.Matching;

/// <summary>How two markets' thresholds relate.</summary>
internal enum ThresholdVerdict
{
    /// <summary>Neither title states a threshold.</summary>
    NoneStated,
    /// <summary>Only one title states a threshold.</summary>
    OneSided,
    /// <summary>Same level, same direction.</summary>
    Same,
    /// <summary>Basis-point levels one 25 bp step apart that mean the same ("&gt;25 bps" and "50+ bps").</summary>
    SameOnGrid,
    /// <summary>Same level, opposite directions: one market asks the complement of the other.</summary>
    Complement,
    /// <summary>Same level, but one must be touched at any time and the other held at the measurement time.</summary>
    TouchVersusSettle,
    /// <summary>Same level, directions that neither agree nor complement (e.g. "above" vs "exactly").</summary>
    DirectionDiffers,
    /// <summary>Different levels.</summary>
    LevelDiffers,
}

/// <summary>The comparisons of two markets' facts that both the suggester and the approval view rely on.</summary>
internal static class FactComparison
{
    /// <summary>Settlement sources whose normalized words are at least this alike are taken to be the same source.</summary>
    private const int SameSourceRatio = 85;

    public static (ThresholdVerdict Verdict, Threshold? Kalshi, Threshold? Polymarket) CompareThresholds(MarketFacts kalshi, MarketFacts polymarket)
    {
        if (kalshi.Thresholds.Count == 0 && polymarket.Thresholds.Count == 0) return (ThresholdVerdict.NoneStated, null, null);
        if (kalshi.Thresholds.Count == 0) return (ThresholdVerdict.OneSided, null, polymarket.Thresholds[0]);
        if (polymarket.Thresholds.Count == 0) return (ThresholdVerdict.OneSided, kalshi.Thresholds[0], null);

        // The best-agreeing pair decides: titles may state a second number (a size, a count) besides the strike.
        var best = (Verdict: ThresholdVerdict.LevelDiffers, K: kalshi.Thresholds[0], P: polymarket.Thresholds[0]);
        foreach (var k in kalshi.Thresholds)
        {
            foreach (var p in polymarket.Thresholds)
            {
                var verdict = k.SameLevel(p) ? DirectionVerdict(k, p)
                    : k.SameOnBasisPointGrid(p) ? ThresholdVerdict.SameOnGrid
                    : ThresholdVerdict.LevelDiffers;
                if (verdict < best.Verdict) best = (verdict, k, p);
            }
        }
        return best;
    }

    private static ThresholdVerdict DirectionVerdict(Threshold k, Threshold p)
    {
        if (k.IsTouch != p.IsTouch) return ThresholdVerdict.TouchVersusSettle;
        if (k.Direction == p.Direction || (k.Family != 0 && k.Family == p.Family)) return ThresholdVerdict.Same;
        if (k.Family != 0 && k.Family == -p.Family) return ThresholdVerdict.Complement;
        return ThresholdVerdict.DirectionDiffers;
    }

    /// <summary>
    /// True when two outcome labels name the same outcome: the same words and the same thresholds, direction included,
    /// so "Cut 25bps" and "Cut &gt;25bps" differ.
    /// </summary>
    public static bool SameOutcome(string kalshiLabel, string polymarketLabel)
    {
        var thresholdsAgree = MarketFacts.ThresholdsIn(kalshiLabel).SequenceEqual(MarketFacts.ThresholdsIn(polymarketLabel));
        return thresholdsAgree && Fuzz.TokenSetRatio(MarketFacts.NormalizePhrase(kalshiLabel), MarketFacts.NormalizePhrase(polymarketLabel)) >= 90;
    }

    private static readonly (string A, string B)[] OppositeActions = [("cut", "hike"), ("win", "lose"), ("approv", "reject"), ("pass", "fail"), ("up", "down")];

    /// <summary>An action one title names whose opposite the other names ("cut" vs "hike"), or null.</summary>
    public static (string Kalshi, string Polymarket)? OppositeAction(MarketFacts kalshi, MarketFacts polymarket)
    {
        foreach (var (a, b) in OppositeActions)
        {
            if (kalshi.MatchTokens.Contains(a) && polymarket.MatchTokens.Contains(b) && !polymarket.MatchTokens.Contains(a)) return (a, b);
            if (kalshi.MatchTokens.Contains(b) && polymarket.MatchTokens.Contains(a) && !polymarket.MatchTokens.Contains(b)) return (b, a);
        }
        return null;
    }

    /// <summary>The dates both titles name: the same day, the same month, or a conflict (null when either names none).</summary>
    public static (bool Conflict, DateFact? Shared, DateFact Kalshi, DateFact Polymarket)? CompareDates(MarketFacts kalshi, MarketFacts polymarket)
    {
        if (kalshi.Dates.Count == 0 || polymarket.Dates.Count == 0) return null;
        foreach (var k in kalshi.Dates)
        {
            foreach (var p in polymarket.Dates)
            {
                if (k.SameAs(p)) return (false, k, k, p);
            }
        }
        foreach (var k in kalshi.Dates)
        {
            foreach (var p in polymarket.Dates)
            {
                if (k.Overlaps(p)) return (false, k.Precision == DatePrecision.Month ? k : p, k, p);
            }
        }
        return (true, null, kalshi.Dates[0], polymarket.Dates[0]);
    }

    /// <summary>
    /// True when two settlement sources name the same thing: alike words ("Federal Reserve FOMC statement" /
    /// "FOMC statement") or one spelling out the other's initials ("Bureau of Labor Statistics" / "BLS CPI release").
    /// </summary>
    public static bool SameSource(string a, string b)
    {
        if (string.IsNullOrWhiteSpace(a) || string.IsNullOrWhiteSpace(b)) return true;
        var na = MarketFacts.NormalizePhrase(a);
        var nb = MarketFacts.NormalizePhrase(b);
        if (na == nb || Fuzz.TokenSetRatio(na, nb) >= SameSourceRatio) return true;
        return ContainsInitials(a, nb) || ContainsInitials(b, na);
    }

    private static bool ContainsInitials(string source, string otherNormalized)
    {
        var initials = string.Concat(source.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Length > 1 && char.IsUpper(w[0]))
            .Select(w => char.ToLowerInvariant(w[0])));
        return initials.Length >= 2 && otherNormalized.Split(' ').Contains(initials);
    }

    /// <summary>Differences in what is measured (core vs headline, year-over-year vs month-over-month, touch vs close).</summary>
    public static List<string> QualifierConflicts(MarketFacts kalshi, MarketFacts polymarket, bool touchAlreadyReported)
    {
        var conflicts = new List<string>();
        var k = kalshi.Qualifiers;
        var p = polymarket.Qualifiers;
        if (k.Contains(MarketFacts.CoreQualifier) != p.Contains(MarketFacts.CoreQualifier))
        {
            var subject = MentionsPrices(kalshi) || MentionsPrices(polymarket) ? " CPI" : "";
            conflicts.Add($"rules differ: core vs headline{subject} (core on {(k.Contains(MarketFacts.CoreQualifier) ? "Kalshi" : "Polymarket")})");
        }
        var kYoy = k.Contains(MarketFacts.YearOverYearQualifier);
        var kMom = k.Contains(MarketFacts.MonthOverMonthQualifier);
        var pYoy = p.Contains(MarketFacts.YearOverYearQualifier);
        var pMom = p.Contains(MarketFacts.MonthOverMonthQualifier);
        if ((kYoy && pMom) || (kMom && pYoy))
        {
            conflicts.Add($"rules differ: {(kYoy ? "year-over-year" : "month-over-month")} on Kalshi vs {(pYoy ? "year-over-year" : "month-over-month")} on Polymarket");
        }
        if (!touchAlreadyReported && k.Contains(MarketFacts.TouchQualifier) != p.Contains(MarketFacts.TouchQualifier))
        {
            conflicts.Add($"rules differ: {(k.Contains(MarketFacts.TouchQualifier) ? "Kalshi" : "Polymarket")} pays on touching the level at any time, the other on the value at the close");
        }
        return conflicts;
    }

    private static bool MentionsPrices(MarketFacts facts) =>
        facts.NormalizedTitle.Contains("cpi", StringComparison.Ordinal) || facts.NormalizedTitle.Contains("inflation", StringComparison.Ordinal);

    /// <summary>Shared and one-sided name words, and whether each side names something the other does not.</summary>
    public static (IReadOnlyList<string> Shared, bool Conflict) CompareEntities(MarketFacts kalshi, MarketFacts polymarket)
    {
        var shared = kalshi.EntityKeys.Intersect(polymarket.EntityKeys).ToArray();
        var kOnly = kalshi.EntityKeys.Except(polymarket.EntityKeys).Any();
        var pOnly = polymarket.EntityKeys.Except(kalshi.EntityKeys).Any();
        return (shared, kOnly && pOnly);
    }

    /// <summary>Names from one side whose words are not all in the other's names, for display.</summary>
    public static string OwnNames(MarketFacts side, MarketFacts other)
    {
        var own = side.Entities.Where(e => e.Split(' ').Any(w => !other.EntityKeys.Contains(MarketFacts.NameKey(w.ToLowerInvariant())))).ToArray();
        return own.Length == 0 ? "(none)" : string.Join(", ", own);
    }

    public static string Days(TimeSpan span) => span.TotalDays >= 1
        ? span.TotalDays.ToString("0.#", CultureInfo.InvariantCulture) + (span.TotalDays < 1.05 ? " day" : " days")
        : span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture) + " hours";

    public static string Arrow(PairMapping mapping) => mapping == PairMapping.YesYes ? "YES↔YES" : "YES↔NO";
}
