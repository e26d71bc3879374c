using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Venues.Simulated;
using Xunit.Abstractions;

namespace ArbBot.Tests.Matching;

public sealed class PairSuggesterCatalogTests(ITestOutputHelper output)
{
    private readonly SimulatedCatalog _catalog = SimulatedCatalog.Create(20261121);
    private readonly PairSuggester _suggester = new();

    private Market[] MarketsOf(VenueId venue) => _catalog.ListingsOf(venue).Select(l => l.ToMarket(TickSize.Cent)).ToArray();

    [Fact]
    public void Top_suggestion_is_the_true_pair_with_the_right_mapping_for_at_least_90_percent_of_the_catalog()
    {
        var suggestions = _suggester.Suggest(MarketsOf(VenueId.Kalshi), MarketsOf(VenueId.Polymarket));
        var top = suggestions.Where(s => s.KalshiRank == 1).ToDictionary(s => s.KalshiMarketKey);
        var correct = 0;
        foreach (var truth in _catalog.GroundTruthMatches)
        {
            var expected = truth.YesIsNo ? PairMapping.YesNo : PairMapping.YesYes;
            if (top.TryGetValue(truth.KalshiMarketKey, out var best) && best.PolymarketMarketKey == truth.PolymarketMarketKey && best.Mapping == expected)
            {
                correct++;
            }
            else
            {
                output.WriteLine($"MISS {truth.KalshiMarketKey}: top {(best is null ? "none" : best.PolymarketMarketKey + " " + best.Mapping)}");
            }
        }
        var precision = (double)correct / _catalog.GroundTruthMatches.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Simulator catalog: top-suggestion precision {precision:P1} ({correct}/{_catalog.GroundTruthMatches.Count} true pairs, mapping included)"));
        Assert.True(precision >= 0.9, $"precision {precision:P1}");
    }

    [Fact]
    public void Every_negatively_phrased_true_pair_is_proposed_yes_to_no()
    {
        var suggestions = _suggester.Suggest(MarketsOf(VenueId.Kalshi), MarketsOf(VenueId.Polymarket));
        var inverted = _catalog.GroundTruthMatches.Where(m => m.YesIsNo).ToArray();
        Assert.NotEmpty(inverted);
        foreach (var truth in inverted)
        {
            var s = suggestions.Single(x => x.KalshiMarketKey == truth.KalshiMarketKey && x.PolymarketMarketKey == truth.PolymarketMarketKey);
            Assert.Equal(PairMapping.YesNo, s.Mapping);
        }
    }

    [Fact]
    public void Decoys_score_below_the_true_pair_and_always_carry_a_warning()
    {
        var kalshi = MarketsOf(VenueId.Kalshi).ToDictionary(m => m.MarketKey);
        var poly = MarketsOf(VenueId.Polymarket).ToDictionary(m => m.MarketKey);
        var truthByKalshi = _catalog.GroundTruthMatches.ToDictionary(m => m.KalshiMarketKey);
        var truthByPoly = _catalog.GroundTruthMatches.ToDictionary(m => m.PolymarketMarketKey);
        var checkedPairs = 0;
        foreach (var decoy in _catalog.Listings.Where(l => l.IsDecoy))
        {
            // A decoy is compared with every market of the other venue in the same family of questions: those the
            // suggester surfaces for it, plus the ones a human would line it up with.
            var others = decoy.Venue == VenueId.Kalshi ? poly.Values : (IEnumerable<Market>)kalshi.Values;
            foreach (var other in others)
            {
                var (k, p) = decoy.Venue == VenueId.Kalshi ? (kalshi[decoy.MarketKey], other) : (other, poly[decoy.MarketKey]);
                var assessment = _suggester.Assess(k, p);
                if (assessment.Score < new PairSuggesterOptions().MinimumScore) continue;
                checkedPairs++;
                Assert.True(assessment.Warnings.Count > 0, $"{k.Title} / {p.Title} carries no warning");
                var trueScore = decoy.Venue == VenueId.Kalshi
                    ? truthByPoly.TryGetValue(p.MarketKey, out var t1) ? _suggester.Assess(kalshi[t1.KalshiMarketKey], p).Score : (double?)null
                    : truthByKalshi.TryGetValue(k.MarketKey, out var t2) ? _suggester.Assess(k, poly[t2.PolymarketMarketKey]).Score : null;
                if (trueScore is { } ts) Assert.True(assessment.Score < ts, $"decoy {k.Title} / {p.Title} scores {assessment.Score} ≥ true {ts}");
            }
        }
        Assert.True(checkedPairs >= 5, $"only {checkedPairs} decoy pairs were checked");
    }

    [Fact]
    public void Snowfall_at_a_different_station_is_flagged_as_a_different_settlement_source()
    {
        var k = MarketsOf(VenueId.Kalshi).Single(m => m.Title.StartsWith("NYC snowfall", StringComparison.Ordinal));
        var p = MarketsOf(VenueId.Polymarket).Single(m => m.Title.Contains("inches of snow", StringComparison.Ordinal));
        var a = _suggester.Assess(k, p);
        Assert.Contains("settlement sources differ: NWS Central Park vs NWS LaGuardia Airport", a.Warnings);
    }

    [Fact]
    public void Suggestions_are_deterministic_and_each_pair_appears_once()
    {
        var first = _suggester.Suggest(MarketsOf(VenueId.Kalshi), MarketsOf(VenueId.Polymarket));
        var second = _suggester.Suggest(MarketsOf(VenueId.Kalshi).Reverse(), MarketsOf(VenueId.Polymarket).Reverse());
        Assert.Equal(first.Select(s => (s.KalshiMarketKey, s.PolymarketMarketKey, s.Score, s.KalshiRank, s.PolymarketRank)),
            second.Select(s => (s.KalshiMarketKey, s.PolymarketMarketKey, s.Score, s.KalshiRank, s.PolymarketRank)));
        Assert.Equal(first.Count, first.Select(s => (s.KalshiMarketKey, s.PolymarketMarketKey)).Distinct().Count());
        Assert.All(first, s => Assert.InRange(s.Score, 0, 100));
        Assert.All(first, s => Assert.Equal(PairStatus.Suggested, s.ToMarketPair(1, DateTimeOffset.UnixEpoch).Status));
    }

    [Fact]
    public void Markets_on_the_wrong_venue_are_refused()
    {
        Assert.Throws<ArgumentException>(() => _suggester.Suggest(MarketsOf(VenueId.Polymarket), MarketsOf(VenueId.Polymarket)));
    }
}
