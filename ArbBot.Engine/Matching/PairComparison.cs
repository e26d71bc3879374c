using System.Globalization;
using ArbBot.Engine.Core;
using FuzzySharp;

namespace ArbBot.Engine.Matching;

/// <summary>One venue's side of a pair, as the approval view shows it.</summary>
public sealed record PairSide(
    VenueId Venue,
    string MarketKey,
    string? EventTitle,
    string Title,
    string OutcomeLabel,
    string Rules,
    string SettlementSource,
    DateTimeOffset CloseTime,
    TickSize TickSize,
    decimal MinOrderSize,
    FeeParameters Fees,
    /// <summary>What the event says about its outcomes: "exclusive", "augmented", or null for a plain event.</summary>
    string? EventStructure,
    MarketFacts Facts);

/// <summary>
/// One thing that differs between the two sides. <paramref name="AffectsSettlement"/> is true when the difference could
/// make the markets settle differently (rules, dates, sources), false for trading terms (tick, fees, minimum size).
/// </summary>
public sealed record PairDifference(string Field, string Description, string KalshiValue, string PolymarketValue, bool AffectsSettlement);

/// <summary>
/// The side-by-side view an admin approves from: both venues' titles, rules, settlement sources, dates, tick and fees,
/// with every difference flagged. Similar titles are often different contracts; this is where a human checks.
/// </summary>
public sealed record PairComparison(PairSide Kalshi, PairSide Polymarket, PairAssessment Assessment, IReadOnlyList<PairDifference> Differences)
{
    /// <summary>Rules texts less alike than this (token-set %) are flagged for a careful read.</summary>
    private const int AlikeRules = 70;

    /// <summary>The outcome mapping the matcher proposes; the admin confirms or changes it on approval.</summary>
    public PairMapping ProposedMapping => Assessment.Mapping;

    /// <summary>The differences that could make the markets settle differently, as warnings to keep on the pair.</summary>
    public IReadOnlyList<string> SettlementWarnings => Differences.Where(d => d.AffectsSettlement).Select(d => d.Description).ToArray();

    /// <summary>Builds the comparison from both markets and, where known, their events.</summary>
    public static PairComparison Build(Market kalshi, VenueEvent? kalshiEvent, Market polymarket, VenueEvent? polymarketEvent, PairSuggesterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(kalshi);
        ArgumentNullException.ThrowIfNull(polymarket);
        if (kalshi.Venue != VenueId.Kalshi || polymarket.Venue != VenueId.Polymarket)
        {
            throw new ArgumentException("A pair compares a Kalshi market (first) with a Polymarket market (second).");
        }
        options ??= new PairSuggesterOptions();
        var k = Side(kalshi, kalshiEvent);
        var p = Side(polymarket, polymarketEvent);
        var assessment = new PairSuggester(options).Assess(k.Facts, p.Facts);
        return new PairComparison(k, p, assessment, FlagDifferences(k, p, assessment, options));
    }

    private static PairSide Side(Market market, VenueEvent? venueEvent) => new(
        market.Venue, market.MarketKey, venueEvent?.Title, market.Title, market.OutcomeLabel, market.Rules, market.SettlementSource,
        market.CloseTime, market.TickSize, market.MinOrderSize, market.Fees, Structure(venueEvent), MarketFacts.Extract(market));

    private static string? Structure(VenueEvent? e) => e switch
    {
        null => null,
        { Augmented: true } => "augmented (outcomes may still be added)",
        { MutuallyExclusive: true } or { NegRisk: true } => "mutually exclusive outcomes",
        _ => null,
    };

    private static List<PairDifference> FlagDifferences(PairSide k, PairSide p, PairAssessment assessment, PairSuggesterOptions options)
    {
        var kf = k.Facts;
        var pf = p.Facts;
        var list = new List<PairDifference>();

        if (kf.IsNegated != pf.IsNegated || assessment.Mapping == PairMapping.YesNo)
        {
            list.Add(new("Phrasing", $"the venues ask opposite questions: proposed mapping {FactComparison.Arrow(assessment.Mapping)}",
                kf.NegationCue ?? Thresholds(kf), pf.NegationCue ?? Thresholds(pf), AffectsSettlement: false));
        }

        var (verdict, _, _) = FactComparison.CompareThresholds(kf, pf);
        if (verdict is not (ThresholdVerdict.NoneStated or ThresholdVerdict.Same or ThresholdVerdict.Complement))
        {
            list.Add(new("Threshold", $"thresholds differ: {Thresholds(kf)} vs {Thresholds(pf)}", Thresholds(kf), Thresholds(pf), AffectsSettlement: true));
        }

        if (FactComparison.CompareDates(kf, pf) is { Conflict: true })
        {
            list.Add(new("Date", $"dates differ: {Dates(kf)} vs {Dates(pf)}", Dates(kf), Dates(pf), AffectsSettlement: true));
        }

        var closeGap = (k.CloseTime - p.CloseTime).Duration();
        if (closeGap > options.CloseTimeTolerance)
        {
            list.Add(new("Close time", $"close times differ by {FactComparison.Days(closeGap)}", Time(k.CloseTime), Time(p.CloseTime), AffectsSettlement: true));
        }

        if (!FactComparison.SameSource(k.SettlementSource, p.SettlementSource))
        {
            list.Add(new("Settlement source", $"settlement sources differ: {k.SettlementSource} vs {p.SettlementSource}",
                k.SettlementSource, p.SettlementSource, AffectsSettlement: true));
        }

        foreach (var conflict in FactComparison.QualifierConflicts(kf, pf, touchAlreadyReported: false))
        {
            list.Add(new("Rules", conflict, string.Join(", ", kf.Qualifiers), string.Join(", ", pf.Qualifiers), AffectsSettlement: true));
        }

        var rulesAlike = Fuzz.TokenSetRatio(k.Rules, p.Rules);
        if (rulesAlike < AlikeRules)
        {
            list.Add(new("Rules", $"rules worded differently ({rulesAlike}% alike): read both", k.Rules, p.Rules, AffectsSettlement: true));
        }

        if (k.EventStructure != p.EventStructure)
        {
            list.Add(new("Event", "event structures differ", k.EventStructure ?? "plain", p.EventStructure ?? "plain",
                AffectsSettlement: p.EventStructure?.StartsWith("augmented", StringComparison.Ordinal) == true
                    || k.EventStructure?.StartsWith("augmented", StringComparison.Ordinal) == true));
        }

        if (k.TickSize != p.TickSize)
        {
            list.Add(new("Tick size", "tick sizes differ", Money(k.TickSize.Value), Money(p.TickSize.Value), AffectsSettlement: false));
        }
        if (k.Fees != p.Fees)
        {
            list.Add(new("Fees", "fee terms differ", Fees(k.Fees), Fees(p.Fees), AffectsSettlement: false));
        }
        if (k.MinOrderSize != p.MinOrderSize)
        {
            list.Add(new("Minimum order", "minimum order sizes differ", Number(k.MinOrderSize), Number(p.MinOrderSize), AffectsSettlement: false));
        }
        return list;
    }

    private static string Thresholds(MarketFacts f) => f.Thresholds.Count == 0 ? "(none)" : string.Join(", ", f.Thresholds);

    private static string Dates(MarketFacts f) => f.Dates.Count == 0 ? "(none)" : string.Join(", ", f.Dates);

    private static string Time(DateTimeOffset t) => t.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Money(decimal d) => "$" + d.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Number(decimal d) => d.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Fees(FeeParameters f) => string.Create(CultureInfo.InvariantCulture,
        $"taker {f.TakerRate:0.####}, maker {f.MakerRate:0.####}, exponent {f.Exponent}");
}
