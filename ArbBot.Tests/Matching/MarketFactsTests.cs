using ArbBot.Engine.Core;
using ArbBot.Engine.Matching;

namespace ArbBot.Tests.Matching;

public sealed class MarketFactsTests
{
    private static readonly DateTimeOffset Close = new(2026, 12, 31, 22, 0, 0, TimeSpan.Zero);

    internal static Market Market(VenueId venue, string key, string title, string rules = "", string source = "", DateTimeOffset? close = null, string label = "Yes") =>
        new(venue, key, key + "-event", title, rules, source, close ?? Close, TickSize.Cent, 1m, label, FeeParameters.None);

    private static MarketFacts Facts(string title, string rules = "", string label = "Yes") =>
        MarketFacts.Extract(Market(VenueId.Kalshi, "K", title, rules, label: label));

    [Theory]
    [InlineData("Bitcoin above $100k on Dec 31, 2026?")]
    [InlineData("Bitcoin above $100,000 on Dec 31, 2026?")]
    [InlineData("Bitcoin above $100K on Dec 31, 2026?")]
    [InlineData("Will Bitcoin be above $100 thousand on December 31, 2026?")]
    public void Dollar_amounts_in_any_spelling_become_one_threshold(string title)
    {
        var facts = Facts(title);
        Assert.Equal([new Threshold(100_000m, ThresholdUnit.Dollars, ThresholdDirection.Above)], facts.Thresholds);
        Assert.Contains("100000", facts.MatchTokens);
    }

    [Fact]
    public void Millions_and_trillions_are_scaled()
    {
        Assert.Equal(320_000_000m, Facts("Will Netflix report over 320M subscribers?").Thresholds.Single().Value);
        Assert.Equal(5_000_000_000_000m, Facts("Nvidia market cap above $5T?").Thresholds.Single().Value);
        Assert.Equal(5_000_000_000_000m, Facts("Will Nvidia be worth more than $5 trillion?").Thresholds.Single().Value);
    }

    [Fact]
    public void Percents_and_basis_points_share_one_scale()
    {
        Assert.Equal(4.5m, Facts("Unemployment above 4.5% in Nov 2026?").Thresholds.Single().Value);
        var bps = Facts("Fed cuts by 25bps in March 2026?").Thresholds.Single();
        var spaced = Facts("Fed cuts by 25 bps in March 2026?").Thresholds.Single();
        var percent = Facts("Fed cuts by 0.25% in March 2026?").Thresholds.Single();
        Assert.True(bps.SameLevel(percent));
        Assert.True(spaced.SameLevel(percent));
        Assert.Equal(ThresholdUnit.Percent, bps.Unit);
        Assert.Equal("25 bps", bps.ValueText);
        Assert.Equal("0.25%", percent.ValueText);
    }

    [Theory]
    [InlineData("CPI above 2.9% in Nov 2026?", ThresholdDirection.Above)]
    [InlineData("Will CPI rise more than 2.9% in Nov 2026?", ThresholdDirection.Above)]
    [InlineData("Will CPI be 2.9% or higher in Nov 2026?", ThresholdDirection.AtLeast)]
    [InlineData("Will CPI be at least 2.9% in Nov 2026?", ThresholdDirection.AtLeast)]
    [InlineData("Will CPI be below 2.9% in Nov 2026?", ThresholdDirection.Below)]
    [InlineData("Will CPI be less than 2.9% in Nov 2026?", ThresholdDirection.Below)]
    [InlineData("Will CPI be 2.9% or lower in Nov 2026?", ThresholdDirection.AtMost)]
    [InlineData("Will CPI stay at or below 2.9% in Nov 2026?", ThresholdDirection.AtMost)]
    [InlineData("Will CPI reach 2.9% in Nov 2026?", ThresholdDirection.Reach)]
    [InlineData("Fed decision: Cut >2.9%?", ThresholdDirection.Above)]
    [InlineData("Will the Fed cut by 2.9+ %?", ThresholdDirection.AtLeast)]
    [InlineData("CPI at 2.9% in Nov 2026?", ThresholdDirection.Exactly)]
    public void Comparison_words_set_the_threshold_direction(string title, ThresholdDirection expected)
    {
        var threshold = Facts(title).Thresholds.Single();
        Assert.Equal(2.9m, threshold.Value);
        Assert.Equal(expected, threshold.Direction);
    }

    [Theory]
    [InlineData("Bitcoin above $90,000 on Dec 31, 2026?", "2026-12-31")]
    [InlineData("Will Bitcoin be above $90,000 on December 31, 2026 at 5pm ET?", "2026-12-31")]
    [InlineData("Will Bitcoin be above $90,000 on 31 December 2026?", "2026-12-31")]
    [InlineData("Will Bitcoin be above $90,000 on 2026-12-31?", "2026-12-31")]
    [InlineData("Will Bitcoin be above $90,000 on December 31?", "2026-12-31")]
    [InlineData("Bitcoin above $90,000 on 26DEC31?", "2026-12-31")]
    [InlineData("CPI above 2.9% in Nov 2026?", "2026-11")]
    [InlineData("Fed decision 26DEC: Hold?", "2026-12")]
    [InlineData("Government shutdown before Feb 2027?", "2027-01-31")]
    public void Dates_are_read_in_each_venues_style(string title, string expected)
    {
        var facts = Facts(title);
        Assert.Equal(expected, Assert.Single(facts.Dates).ToString());
    }

    [Fact]
    public void Years_times_and_names_with_digits_are_not_thresholds()
    {
        Assert.Empty(Facts("Will OpenAI release GPT-6 by March 31, 2027 at 11:59 PM ET?").Thresholds);
        Assert.Empty(Facts("Democratic party wins the 2028 presidency?").Thresholds);
        var spx = Facts("S&P 500 above 7,000 on Dec 31, 2026?");
        Assert.Equal(7_000m, spx.Thresholds.Single().Value);
    }

    [Theory]
    [InlineData("Will someone other than Brandon Johnson win the 2027 Chicago mayoral election?", "someone other than")]
    [InlineData("Will the US government avoid a shutdown through January 31, 2027?", "avoid")]
    [InlineData("Will the Kansas City Chiefs miss the 2026-27 NFL playoffs?", "miss")]
    [InlineData("Will the Senate fail to pass the bill by June 30, 2026?", "fail to")]
    [InlineData("Will Apple not be the largest company on December 31, 2026?", "not")]
    public void Negative_phrasing_is_detected(string title, string cue)
    {
        var facts = Facts(title);
        Assert.True(facts.IsNegated);
        Assert.Equal(cue, facts.NegationCue);
    }

    [Theory]
    [InlineData("Will there be no change in Fed interest rates after the December 2026 meeting?")]
    [InlineData("Chiefs make the 2026-27 NFL playoffs?")]
    [InlineData("Will the US unemployment rate be 4.5% or lower in November 2026?")]
    public void Plain_questions_are_not_negated(string title) => Assert.False(Facts(title).IsNegated);

    [Fact]
    public void Capitalized_names_are_entities_but_question_words_months_and_numerals_are_not()
    {
        var facts = Facts("Will the Philadelphia Eagles win Super Bowl LXI in February 2027?");
        Assert.Equal(["Philadelphia Eagles", "Super Bowl"], facts.Entities);
        Assert.Equal(["Brandon Johnson", "Chicago"], Facts("Will Brandon Johnson be re-elected Chicago mayor?").Entities);
        Assert.Equal(["Donald Trump", "Time", "Person", "Year"], Facts("Will Donald Trump be named Time's 2026 Person of the Year?").Entities);
    }

    [Fact]
    public void Titles_are_normalized_without_stop_words_punctuation_or_comparison_words()
    {
        var facts = Facts("Will Bitcoin be above $100,000 on December 31, 2026 at 5pm ET?");
        Assert.Equal("bitcoin 100000", facts.NormalizedTitle);
    }

    [Fact]
    public void Core_and_headline_and_the_measurement_period_are_read_from_title_and_rules()
    {
        var core = Facts("Will US annual core inflation be above 2.9% in November 2026?", "the 12-month change in CPI less food and energy");
        Assert.Contains("core", core.Qualifiers);
        Assert.Contains("year-over-year", core.Qualifiers);
        var mom = Facts("CPI above 0.2% in Nov 2026?", "the month-over-month change in seasonally adjusted CPI-U");
        Assert.Equal(["month-over-month"], mom.Qualifiers);
        Assert.Contains("touch", Facts("Will Bitcoin reach $120,000 by December 31, 2026?").Qualifiers);
    }

    [Fact]
    public void Settlement_source_close_time_and_outcome_label_are_kept()
    {
        var market = Market(VenueId.Polymarket, "P", "Will LAFC win the 2026 MLS Cup?", source: "Major League Soccer", label: "LAFC");
        var facts = MarketFacts.Extract(market);
        Assert.Equal("Major League Soccer", facts.SettlementSource);
        Assert.Equal(Close, facts.CloseTime);
        Assert.Equal("LAFC", facts.OutcomeLabel);
        Assert.Null(Facts("Bitcoin above $1?").OutcomeLabel);
    }
}
