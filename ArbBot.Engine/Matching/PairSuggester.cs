using System.ComponentModel.DataAnnotations;
using ArbBot.Engine.Core;
using FuzzySharp;

namespace ArbBot.Engine.Matching;

/// <summary>Tuning for <see cref="PairSuggester"/>.</summary>
public sealed class PairSuggesterOptions
{
    /// <summary>How many suggestions to keep per market on each venue. <value>1–20; default 3.</value></summary>
    [Range(1, 20)]
    public int SuggestionsPerMarket { get; set; } = 3;

    /// <summary>
    /// How many candidates (those sharing the most distinctive words or names) are fully scored per market.
    /// <value>1–500; default 40.</value>
    /// </summary>
    [Range(1, 500)]
    public int CandidatesPerMarket { get; set; } = 40;

    /// <summary>Suggestions scoring below this are dropped. <value>0–100; default 30.</value></summary>
    [Range(0, 100)]
    public double MinimumScore { get; set; } = 30;

    /// <summary>Close times this close count as the same. <value>0–7 days; default 1 day.</value></summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan CloseTimeTolerance { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>
/// Why a Kalshi market and a Polymarket market may be the same contract: a 0–100 score, the reasons and warnings in
/// words, and the proposed outcome mapping. A proposal for an admin to check, never an approval.
/// </summary>
public sealed record PairAssessment(double Score, PairMapping Mapping, IReadOnlyList<string> Reasons, IReadOnlyList<string> Warnings);

/// <summary>
/// One suggested pair with its ranks: 1 is the best suggestion for that market on its own venue.
/// </summary>
public sealed record PairSuggestion(string KalshiMarketKey, string PolymarketMarketKey, PairAssessment Assessment, int KalshiRank, int PolymarketRank)
{
    public double Score => Assessment.Score;

    public PairMapping Mapping => Assessment.Mapping;

    public IReadOnlyList<string> Reasons => Assessment.Reasons;

    public IReadOnlyList<string> Warnings => Assessment.Warnings;

    /// <summary>The pair to store, always in <see cref="PairStatus.Suggested"/>: only an admin approves.</summary>
    public MarketPair ToMarketPair(long id, DateTimeOffset at) =>
        new(id, KalshiMarketKey, PolymarketMarketKey, Mapping, PairStatus.Suggested, Score, Reasons, Warnings, at, at, ApprovedBy: null);
}

/// <summary>
/// Proposes, for every market on one venue, its likely equivalents on the other: fuzzy title similarity plus agreement
/// of extracted facts (thresholds and their direction, dates, names, close time, settlement source, what is measured),
/// with penalties for conflicts. Similar titles are often different contracts, so every conflict becomes a warning
/// and nothing is approved here.
/// </summary>
public sealed class PairSuggester(PairSuggesterOptions? options = null)
{
    private readonly PairSuggesterOptions _options = options ?? new PairSuggesterOptions();

    // Weights: a perfect title match alone earns 55; the facts earn the rest, and conflicts take more than agreement gives,
    // because one differing threshold or date makes otherwise identical titles a different contract.
    private const double TitleWeight = 0.55;
    private const double SameThreshold = 15;
    private const double ThresholdConflict = 25;
    private const double TouchConflict = 25;
    private const double DirectionConflict = 15;
    private const double OneSidedThreshold = 5;
    private const double SameDate = 10;
    private const double SameMonth = 6;
    private const double DateConflict = 25;
    private const double SharedNames = 10;
    private const double NameConflict = 15;
    private const double SameClose = 10;
    private const double NearClose = 8;
    private const double FarClose = 15;
    private const double SameSourceBonus = 5;
    private const double SourceConflict = 15;
    private const double QualifierConflict = 25;
    private const double LabelBonus = 15;
    private const double LabelConflict = 10;
    private const double OppositeActionConflict = 25;

    /// <summary>
    /// Suggests pairs between the two venues' markets, deduplicated: a pair found from either side appears once, ranked
    /// on both sides. Ordered by Kalshi market key, then Kalshi rank.
    /// </summary>
    public IReadOnlyList<PairSuggestion> Suggest(IEnumerable<Market> kalshiMarkets, IEnumerable<Market> polymarketMarkets)
    {
        ArgumentNullException.ThrowIfNull(kalshiMarkets);
        ArgumentNullException.ThrowIfNull(polymarketMarkets);
        var kalshi = Facts(kalshiMarkets, VenueId.Kalshi);
        var poly = Facts(polymarketMarkets, VenueId.Polymarket);
        return Suggest(kalshi, poly);
    }

    /// <summary>As <see cref="Suggest(IEnumerable{Market}, IEnumerable{Market})"/>, from facts already extracted.</summary>
    public IReadOnlyList<PairSuggestion> Suggest(IReadOnlyList<MarketFacts> kalshi, IReadOnlyList<MarketFacts> polymarket)
    {
        var k = kalshi.OrderBy(f => f.MarketKey, StringComparer.Ordinal).ToArray();
        var p = polymarket.OrderBy(f => f.MarketKey, StringComparer.Ordinal).ToArray();
        var assessed = new Dictionary<(int K, int P), PairAssessment>();
        var kept = new HashSet<(int K, int P)>();

        PairAssessment AssessCached(int ki, int pi)
        {
            if (!assessed.TryGetValue((ki, pi), out var a)) assessed[(ki, pi)] = a = Assess(k[ki], p[pi]);
            return a;
        }

        var polyIndex = new CandidateIndex(p);
        for (var ki = 0; ki < k.Length; ki++)
        {
            var top = polyIndex.Candidates(k[ki], _options.CandidatesPerMarket)
                .Select(pi => (pi, a: AssessCached(ki, pi)))
                .Where(x => x.a.Score >= _options.MinimumScore)
                .OrderByDescending(x => x.a.Score).ThenBy(x => x.pi)
                .Take(_options.SuggestionsPerMarket);
            foreach (var (pi, _) in top) kept.Add((ki, pi));
        }
        var kalshiIndex = new CandidateIndex(k);
        for (var pi = 0; pi < p.Length; pi++)
        {
            var top = kalshiIndex.Candidates(p[pi], _options.CandidatesPerMarket)
                .Select(ki => (ki, a: AssessCached(ki, pi)))
                .Where(x => x.a.Score >= _options.MinimumScore)
                .OrderByDescending(x => x.a.Score).ThenBy(x => x.ki)
                .Take(_options.SuggestionsPerMarket);
            foreach (var (ki, _) in top) kept.Add((ki, pi));
        }

        var polyRank = kept.GroupBy(x => x.P)
            .SelectMany(g => g.OrderByDescending(x => assessed[x].Score).ThenBy(x => x.K).Select((x, i) => (x, rank: i + 1)))
            .ToDictionary(t => t.x, t => t.rank);
        return kept.GroupBy(x => x.K)
            .OrderBy(g => g.Key)
            .SelectMany(g => g.OrderByDescending(x => assessed[x].Score).ThenBy(x => x.P)
                .Select((x, i) => new PairSuggestion(k[x.K].MarketKey, p[x.P].MarketKey, assessed[x], i + 1, polyRank[x])))
            .ToArray();
    }

    /// <summary>Scores one Kalshi market against one Polymarket market.</summary>
    public PairAssessment Assess(Market kalshi, Market polymarket)
    {
        ArgumentNullException.ThrowIfNull(kalshi);
        ArgumentNullException.ThrowIfNull(polymarket);
        return Assess(MarketFacts.Extract(kalshi), MarketFacts.Extract(polymarket));
    }

    /// <summary>Scores one Kalshi market's facts against one Polymarket market's facts.</summary>
    public PairAssessment Assess(MarketFacts kalshi, MarketFacts polymarket)
    {
        ArgumentNullException.ThrowIfNull(kalshi);
        ArgumentNullException.ThrowIfNull(polymarket);
        var reasons = new List<string>();
        var warnings = new List<string>();

        double title = Fuzz.TokenSetRatio(kalshi.MatchText, polymarket.MatchText);
        var score = TitleWeight * title;
        reasons.Add($"titles {title:0}% alike");

        // Thresholds decide the direction part of the mapping; negative phrasing flips it once more.
        var flip = false;
        var (verdict, kt, pt) = FactComparison.CompareThresholds(kalshi, polymarket);
        switch (verdict)
        {
            case ThresholdVerdict.Same:
                score += SameThreshold;
                reasons.Add($"same threshold {kt!.Value.ValueText}");
                break;
            case ThresholdVerdict.SameOnGrid:
                score += SameThreshold;
                reasons.Add($"same threshold on the 25 bp grid: {kt} = {pt}");
                warnings.Add($"thresholds agree only if moves come in 25 bp steps: {kt} vs {pt}");
                break;
            case ThresholdVerdict.Complement:
                score += SameThreshold;
                flip = true;
                reasons.Add($"same threshold {kt!.Value.ValueText}, opposite direction ({kt.Value.DirectionText} vs {pt!.Value.DirectionText})");
                break;
            case ThresholdVerdict.TouchVersusSettle:
                score -= TouchConflict;
                warnings.Add($"different contracts: {Describe(kt!.Value)} on Kalshi vs {Describe(pt!.Value)} on Polymarket");
                break;
            case ThresholdVerdict.DirectionDiffers:
                score -= DirectionConflict;
                warnings.Add($"threshold directions differ: {kt} vs {pt}");
                break;
            case ThresholdVerdict.LevelDiffers:
                score -= ThresholdConflict;
                warnings.Add($"thresholds differ: {kt!.Value.ValueText} vs {pt!.Value.ValueText}");
                break;
            case ThresholdVerdict.OneSided:
                score -= OneSidedThreshold;
                warnings.Add(kt is { } only
                    ? $"only Kalshi states a threshold ({only})"
                    : $"only Polymarket states a threshold ({pt})");
                break;
        }

        if (FactComparison.OppositeAction(kalshi, polymarket) is { } opposite)
        {
            score -= OppositeActionConflict;
            warnings.Add($"opposite actions: \"{opposite.Kalshi}\" on Kalshi vs \"{opposite.Polymarket}\" on Polymarket");
        }

        if (kalshi.IsNegated != polymarket.IsNegated)
        {
            flip = !flip;
            var negated = kalshi.IsNegated ? kalshi : polymarket;
            reasons.Add($"{negated.Venue.DisplayName()} asks the complement (\"{negated.NegationCue}\")");
        }
        var mapping = flip ? PairMapping.YesNo : PairMapping.YesYes;
        if (flip) reasons.Add($"proposed mapping {FactComparison.Arrow(mapping)}");

        if (FactComparison.CompareDates(kalshi, polymarket) is { } dates)
        {
            if (dates.Conflict)
            {
                score -= DateConflict;
                warnings.Add($"dates differ: {dates.Kalshi} vs {dates.Polymarket}");
            }
            else if (dates.Shared!.Value.Precision == DatePrecision.Day)
            {
                score += SameDate;
                reasons.Add($"same date {dates.Shared}");
            }
            else
            {
                score += SameMonth;
                reasons.Add($"same month {dates.Shared}");
            }
        }

        var (sharedNames, nameConflict) = FactComparison.CompareEntities(kalshi, polymarket);
        if (sharedNames.Count > 0)
        {
            var overlap = (double)sharedNames.Count / Math.Min(kalshi.EntityKeys.Count, polymarket.EntityKeys.Count);
            score += SharedNames * overlap;
            reasons.Add($"shared names: {string.Join(", ", kalshi.Entities.Where(e => e.Split(' ').Any(w => sharedNames.Contains(MarketFacts.NameKey(w.ToLowerInvariant())))))}");
        }
        if (nameConflict)
        {
            score -= NameConflict;
            warnings.Add($"names differ: {FactComparison.OwnNames(kalshi, polymarket)} vs {FactComparison.OwnNames(polymarket, kalshi)}");
        }

        if (kalshi.OutcomeLabel is { } kl && polymarket.OutcomeLabel is { } pl)
        {
            if (FactComparison.SameOutcome(kl, pl))
            {
                score += LabelBonus;
                reasons.Add($"same outcome \"{kl}\"");
            }
            else
            {
                score -= LabelConflict;
                warnings.Add($"outcomes differ: \"{kl}\" vs \"{pl}\"");
            }
        }

        var closeGap = (kalshi.CloseTime - polymarket.CloseTime).Duration();
        if (closeGap <= TimeSpan.FromHours(1))
        {
            score += SameClose;
            reasons.Add("same close time");
        }
        else if (closeGap <= _options.CloseTimeTolerance)
        {
            score += NearClose;
            reasons.Add($"close times within {FactComparison.Days(closeGap)}");
        }
        else
        {
            if (closeGap > TimeSpan.FromDays(7)) score -= FarClose;
            warnings.Add($"close times differ by {FactComparison.Days(closeGap)}");
        }

        if (FactComparison.SameSource(kalshi.SettlementSource, polymarket.SettlementSource))
        {
            score += SameSourceBonus;
            reasons.Add($"same settlement source ({kalshi.SettlementSource})");
        }
        else
        {
            score -= SourceConflict;
            warnings.Add($"settlement sources differ: {kalshi.SettlementSource} vs {polymarket.SettlementSource}");
        }

        foreach (var conflict in FactComparison.QualifierConflicts(kalshi, polymarket, verdict == ThresholdVerdict.TouchVersusSettle))
        {
            score -= QualifierConflict;
            warnings.Add(conflict);
        }

        return new PairAssessment(Math.Round(Math.Clamp(score, 0, 100), 1), mapping, reasons, warnings);
    }

    private static string Describe(Threshold t) => t.IsTouch
        ? $"{t.DirectionText} {t.ValueText} at any time"
        : $"{t.DirectionText} {t.ValueText} at the close";

    private static MarketFacts[] Facts(IEnumerable<Market> markets, VenueId venue) => markets.Select(m => m.Venue == venue
        ? MarketFacts.Extract(m)
        : throw new ArgumentException($"{m.MarketKey} is a {m.Venue.DisplayName()} market where {venue.DisplayName()} markets were expected.")).ToArray();

    /// <summary>
    /// Blocking: an inverted index from distinctive words and names to markets, so only markets sharing something
    /// distinctive are fuzzy-scored. Words on very many markets ("2026", "bitcoin" in a crypto-heavy list) are skipped
    /// as keys because they would make every block huge; rarer shared words rank candidates by inverse frequency.
    /// </summary>
    private sealed class CandidateIndex
    {
        private readonly Dictionary<string, List<int>> _postings = new(StringComparer.Ordinal);
        private readonly int _count;
        private readonly int _maxPosting;

        public CandidateIndex(IReadOnlyList<MarketFacts> markets)
        {
            _count = markets.Count;
            _maxPosting = Math.Max(64, markets.Count / 20);
            for (var i = 0; i < markets.Count; i++)
            {
                foreach (var key in Keys(markets[i]))
                {
                    if (!_postings.TryGetValue(key, out var list)) _postings[key] = list = [];
                    list.Add(i);
                }
            }
        }

        public IEnumerable<int> Candidates(MarketFacts query, int limit)
        {
            var weights = new Dictionary<int, double>();
            foreach (var key in Keys(query))
            {
                if (!_postings.TryGetValue(key, out var list) || list.Count > _maxPosting) continue;
                var idf = Math.Log(1.0 + (double)_count / list.Count);
                foreach (var i in list) weights[i] = weights.GetValueOrDefault(i) + idf;
            }
            return weights.OrderByDescending(w => w.Value).ThenBy(w => w.Key).Take(limit).Select(w => w.Key);
        }

        private static IEnumerable<string> Keys(MarketFacts facts) => facts.MatchTokens.Concat(facts.EntityKeys).Distinct(StringComparer.Ordinal);
    }
}
