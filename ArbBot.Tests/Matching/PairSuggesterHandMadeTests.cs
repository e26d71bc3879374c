using System.Diagnostics;
using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.Matching;
using Xunit.Abstractions;

namespace ArbBot.Tests.Matching;

/// <summary>
/// Real-looking Kalshi/Polymarket title pairs written by hand: true pairs, negatively phrased pairs, and decoys that
/// differ only by threshold, date, settlement source, core vs headline, touch vs close, or the name.
/// </summary>
public sealed class PairSuggesterHandMadeTests(ITestOutputHelper output)
{
    private sealed record Case(string Id, string Kalshi, string Polymarket, PairMapping Mapping, string Source, DateTimeOffset Close,
        string KalshiRules = "", string PolymarketRules = "");

    private sealed record Decoy(string TrueId, string Title, string Source, DateTimeOffset Close, string Rules = "");

    private static DateTimeOffset D(int y, int m, int d) => new(y, m, d, 21, 0, 0, TimeSpan.Zero);

    private static readonly Case[] Cases =
    [
        new("btc150", "Bitcoin above $150,000 on Jun 30, 2026?", "Will Bitcoin be above $150k on June 30, 2026?", PairMapping.YesYes, "CF Benchmarks Real-Time Index", D(2026, 6, 30)),
        new("eth2500", "Ethereum below $2,500 on Mar 31, 2026?", "Will Ethereum be above $2,500 on March 31, 2026?", PairMapping.YesNo, "CF Benchmarks Ether Real-Time Index", D(2026, 3, 31)),
        new("cpiyoy", "CPI YoY above 3.1% in Jan 2026?", "Will US annual inflation be above 3.1% in January 2026?", PairMapping.YesYes, "Bureau of Labor Statistics", D(2026, 2, 11),
            "year-over-year change in CPI-U", "12-month change in all-items CPI"),
        new("cpimom", "CPI above 0.3% in Feb 2026?", "Will CPI rise more than 0.3% month-over-month in February 2026?", PairMapping.YesYes, "Bureau of Labor Statistics", D(2026, 3, 11),
            "month-over-month change in CPI-U", "rises more than 0.3% from January"),
        new("u3", "Unemployment above 4.2% in Mar 2026?", "Will the US unemployment rate stay at or below 4.2% in March 2026?", PairMapping.YesNo, "Bureau of Labor Statistics", D(2026, 4, 3)),
        new("fedcut", "Fed cuts rates by 25bps in Mar 2026?", "Will the Fed decrease interest rates by 0.25% after the March 2026 meeting?", PairMapping.YesYes, "Federal Reserve FOMC statement", D(2026, 3, 18)),
        new("nychigh", "NYC high above 90°F on Jul 4, 2026?", "Will the highest temperature in NYC be above 90°F on July 4, 2026?", PairMapping.YesYes, "NWS Central Park", D(2026, 7, 5)),
        new("spx", "S&P 500 above 6,500 on Jun 30, 2026?", "Will the S&P 500 close above 6,500 on June 30, 2026?", PairMapping.YesYes, "S&P Dow Jones Indices", D(2026, 6, 30)),
        new("ndx", "Nasdaq-100 above 22,000 on Dec 31, 2026?", "Will the Nasdaq 100 close above 22,000 on December 31, 2026?", PairMapping.YesYes, "Nasdaq", D(2026, 12, 31)),
        new("gold", "Gold above $3,000 on Sep 30, 2026?", "Will gold close below $3,000 on September 30, 2026?", PairMapping.YesNo, "COMEX", D(2026, 9, 30)),
        new("wti", "WTI oil above $80 on Oct 30, 2026?", "Will WTI crude oil be above $80 on October 30, 2026?", PairMapping.YesYes, "NYMEX", D(2026, 10, 30)),
        new("approval", "Trump approval above 45% on Jul 1, 2026?", "Will Trump's approval rating be above 45% on July 1, 2026?", PairMapping.YesYes, "RealClearPolitics", D(2026, 7, 1)),
        new("lakers", "Lakers win the 2026 NBA Finals?", "Will the Los Angeles Lakers win the 2026 NBA Finals?", PairMapping.YesYes, "NBA", D(2026, 6, 20)),
        new("yankees", "Yankees win the 2026 World Series?", "Will the New York Yankees win the 2026 World Series?", PairMapping.YesYes, "MLB", D(2026, 11, 5)),
        new("newsom", "Gavin Newsom wins 2028 Democratic nomination?", "Will Gavin Newsom win the 2028 Democratic presidential nomination?", PairMapping.YesYes, "Democratic National Committee", D(2028, 8, 20)),
        new("house", "Republicans win the House in 2026?", "Will Republicans fail to win the House in the 2026 midterms?", PairMapping.YesNo, "Associated Press", D(2026, 11, 4)),
        new("recession", "US recession in 2026?", "Will the US avoid a recession in 2026?", PairMapping.YesNo, "NBER", D(2027, 1, 31)),
        new("iphone", "Apple releases a foldable iPhone by Sep 30, 2026?", "Will Apple release a foldable iPhone by September 30, 2026?", PairMapping.YesYes, "Apple", D(2026, 9, 30)),
        new("tsla", "Tesla stock above $400 on Dec 31, 2026?", "Will Tesla (TSLA) close above $400 on December 31, 2026?", PairMapping.YesYes, "Nasdaq", D(2026, 12, 31)),
        new("netflix", "Netflix reports more than 320 million subscribers in Q2 2026?", "Will Netflix report over 320M paid subscribers for Q2 2026?", PairMapping.YesYes, "Netflix investor relations", D(2026, 7, 20)),
        new("nvda", "Nvidia market cap above $5T on Dec 31, 2026?", "Will Nvidia's market cap be above $5 trillion on December 31, 2026?", PairMapping.YesYes, "companiesmarketcap.com", D(2026, 12, 31)),
        new("chisnow", "Chicago snowfall above 10 inches in Jan 2026?", "Will Chicago get more than 10 inches of snow in January 2026?", PairMapping.YesYes, "NWS Chicago O'Hare", D(2026, 2, 1)),
        new("ceasefire", "Ukraine ceasefire before Jul 2026?", "Will Russia and Ukraine agree to a ceasefire by June 30, 2026?", PairMapping.YesYes, "Reuters", D(2026, 6, 30)),
        new("celtics", "Celtics miss the 2026 NBA playoffs?", "Will the Boston Celtics make the 2026 NBA playoffs?", PairMapping.YesNo, "NBA", D(2026, 4, 15)),
        new("gdp", "GDP growth above 2.5% in Q2 2026?", "Will US GDP grow by more than 2.5% in Q2 2026?", PairMapping.YesYes, "Bureau of Economic Analysis", D(2026, 7, 30)),
        new("tenyear", "10-year Treasury yield above 4.5% on Dec 31, 2026?", "Will the 10-year Treasury yield close above 4.50% on December 31, 2026?", PairMapping.YesYes, "US Treasury", D(2026, 12, 31)),
        new("eurovision", "Sweden wins Eurovision 2026?", "Will Sweden win Eurovision 2026?", PairMapping.YesYes, "European Broadcasting Union", D(2026, 5, 17)),
        new("fedhold", "Fed holds rates in Jun 2026?", "Will there be no change in Fed interest rates after the June 2026 meeting?", PairMapping.YesYes, "Federal Reserve FOMC statement", D(2026, 6, 17)),
    ];

    private static readonly Decoy[] Decoys =
    [
        new("btc150", "Will Bitcoin reach $150,000 by June 30, 2026?", "Binance BTC/USDT", D(2026, 6, 30), "any Binance 1-minute candle has a high at or above the price"),
        new("cpiyoy", "Will US annual core inflation be above 3.1% in January 2026?", "Bureau of Labor Statistics", D(2026, 2, 11), "12-month change in CPI less food and energy"),
        new("cpimom", "Will CPI rise more than 0.4% month-over-month in February 2026?", "Bureau of Labor Statistics", D(2026, 3, 11), "rises more than 0.4% from January"),
        new("nychigh", "Will the highest temperature in NYC be above 90°F on July 4, 2026?", "NWS LaGuardia Airport", D(2026, 7, 5)),
        new("spx", "Will the S&P 500 close above 6,500 on June 26, 2026?", "S&P Dow Jones Indices", D(2026, 6, 26)),
        new("lakers", "Will the Boston Celtics win the 2026 NBA Finals?", "NBA", D(2026, 6, 20)),
        new("gdp", "Will US GDP grow by more than 3.0% in Q2 2026?", "Bureau of Economic Analysis", D(2026, 7, 30)),
        new("eurovision", "Will Finland win Eurovision 2026?", "European Broadcasting Union", D(2026, 5, 17)),
        new("fedcut", "Will the Fed decrease interest rates by 0.50% after the March 2026 meeting?", "Federal Reserve FOMC statement", D(2026, 3, 18)),
        new("tenyear", "Will the 10-year Treasury yield close above 4.50% on December 31, 2027?", "US Treasury", D(2027, 12, 31)),
    ];

    private static Market Kalshi(Case c) => MarketFactsTests.Market(VenueId.Kalshi, "K-" + c.Id, c.Kalshi, Rules(c.KalshiRules, c.Source), c.Source, c.Close);

    private static Market Poly(Case c) => MarketFactsTests.Market(VenueId.Polymarket, "P-" + c.Id, c.Polymarket, Rules(c.PolymarketRules, c.Source), c.Source, c.Close);

    private static Market Poly(Decoy d, int i) => MarketFactsTests.Market(VenueId.Polymarket, $"P-decoy-{i}-{d.TrueId}", d.Title, Rules(d.Rules, d.Source), d.Source, d.Close);

    private static string Rules(string condition, string source) => $"Resolves Yes if {(condition.Length > 0 ? condition : "the title's condition holds")}. Source: {source}.";

    [Fact]
    public void The_hand_made_set_has_true_negated_and_decoy_pairs()
    {
        Assert.True(Cases.Length >= 25);
        Assert.Contains(Cases, c => c.Mapping == PairMapping.YesNo);
        Assert.True(Decoys.Length >= 8);
    }

    [Fact]
    public void Top_suggestion_is_the_true_pair_with_the_right_mapping_for_at_least_90_percent_of_hand_made_pairs()
    {
        var poly = Cases.Select(Poly).Concat(Decoys.Select(Poly)).ToArray();
        var suggestions = new PairSuggester().Suggest(Cases.Select(Kalshi), poly);
        var top = suggestions.Where(s => s.KalshiRank == 1).ToDictionary(s => s.KalshiMarketKey);
        var correct = 0;
        foreach (var c in Cases)
        {
            if (top.TryGetValue("K-" + c.Id, out var best) && best.PolymarketMarketKey == "P-" + c.Id && best.Mapping == c.Mapping) correct++;
            else output.WriteLine($"MISS {c.Id}: top {(best is null ? "none" : $"{best.PolymarketMarketKey} {best.Mapping} {best.Score}")}");
        }
        var precision = (double)correct / Cases.Length;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Hand-made set: top-suggestion precision {precision:P1} ({correct}/{Cases.Length} true pairs among {poly.Length} Polymarket markets, {Decoys.Length} of them decoys; mapping included)"));
        Assert.True(precision >= 0.9, $"precision {precision:P1}");
    }

    [Fact]
    public void Each_decoy_scores_below_its_true_counterpart_and_carries_a_warning()
    {
        var suggester = new PairSuggester();
        for (var i = 0; i < Decoys.Length; i++)
        {
            var decoy = Decoys[i];
            var c = Cases.Single(x => x.Id == decoy.TrueId);
            var truth = suggester.Assess(Kalshi(c), Poly(c));
            var fake = suggester.Assess(Kalshi(c), Poly(decoy, i));
            output.WriteLine($"{c.Id}: true {truth.Score} vs decoy {fake.Score} — {string.Join("; ", fake.Warnings)}");
            Assert.True(fake.Score < truth.Score, $"decoy '{decoy.Title}' scores {fake.Score} ≥ true {truth.Score}");
            Assert.NotEmpty(fake.Warnings);
        }
    }

    [Theory]
    [InlineData("btc150", "different contracts: reach $150,000 at any time on Kalshi vs above $150,000 at the close")]
    [InlineData("cpiyoy", "rules differ: core vs headline CPI")]
    [InlineData("cpimom", "thresholds differ: 0.3% vs 0.4%")]
    [InlineData("nychigh", "settlement sources differ: NWS Central Park vs NWS LaGuardia Airport")]
    [InlineData("spx", "dates differ: 2026-06-30 vs 2026-06-26")]
    [InlineData("lakers", "names differ")]
    public void Decoy_warnings_say_what_differs(string trueId, string expected)
    {
        var i = Array.FindIndex(Decoys, d => d.TrueId == trueId);
        var c = Cases.Single(x => x.Id == trueId);
        // The reach decoy is compared the other way round so the touch contract is on the Kalshi side of the sentence.
        var warnings = trueId == "btc150"
            ? new PairSuggester().Assess(
                MarketFactsTests.Market(VenueId.Kalshi, "K", Decoys[i].Title, Rules(Decoys[i].Rules, Decoys[i].Source), Decoys[i].Source, Decoys[i].Close), Poly(c)).Warnings
            : new PairSuggester().Assess(Kalshi(c), Poly(Decoys[i], i)).Warnings;
        Assert.Contains(warnings, w => w.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void True_pairs_give_reasons_in_words()
    {
        var c = Cases.Single(x => x.Id == "btc150");
        var a = new PairSuggester().Assess(Kalshi(c), Poly(c));
        Assert.Contains(a.Reasons, r => r.StartsWith("titles ", StringComparison.Ordinal) && r.EndsWith("% alike", StringComparison.Ordinal));
        Assert.Contains("same threshold $150,000", a.Reasons);
        Assert.Contains("same date 2026-06-30", a.Reasons);
        Assert.Empty(a.Warnings);
        Assert.True(a.Score >= 90, $"score {a.Score}");
    }

    [Fact]
    public void Two_thousand_markets_per_venue_are_suggested_in_one_pass()
    {
        string[] assets = ["Bitcoin", "Ethereum", "Solana", "Gold", "Silver", "Oil", "Tesla", "Apple", "Nvidia", "Amazon"];
        var kalshi = new List<Market>();
        var poly = new List<Market>();
        for (var i = 0; i < 2000; i++)
        {
            var asset = assets[i % assets.Length];
            var strike = 1000 + (i / assets.Length) * 50;
            var day = new DateTimeOffset(2026, 1, 1, 21, 0, 0, TimeSpan.Zero).AddDays(i % 365);
            var dateK = day.ToString("MMM d, yyyy", CultureInfo.InvariantCulture);
            var dateP = day.ToString("MMMM d, yyyy", CultureInfo.InvariantCulture);
            var money = strike.ToString("#,0", CultureInfo.InvariantCulture);
            kalshi.Add(MarketFactsTests.Market(VenueId.Kalshi, $"K{i}", $"{asset} above ${money} on {dateK}?", "", "Index", day));
            poly.Add(MarketFactsTests.Market(VenueId.Polymarket, $"P{i}", $"Will {asset} be above ${money} on {dateP}?", "", "Index", day));
        }
        var watch = Stopwatch.StartNew();
        var suggestions = new PairSuggester().Suggest(kalshi, poly);
        watch.Stop();
        var top = suggestions.Where(s => s.KalshiRank == 1).ToArray();
        var correct = top.Count(s => s.KalshiMarketKey[1..] == s.PolymarketMarketKey[1..]);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"2,000 × 2,000 synthetic markets: {suggestions.Count} suggestions in {watch.Elapsed.TotalSeconds:0.00} s; top suggestion correct for {correct}/2000"));
        Assert.Equal(2000, top.Length);
        Assert.True(correct >= 1900, $"{correct}/2000 correct");
    }
}
