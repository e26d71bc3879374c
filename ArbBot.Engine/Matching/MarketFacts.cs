using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ArbBot.Engine.Core;

namespace ArbBot.Engine.Matching;

/// <summary>
/// What a market's published text says, reduced to comparable facts: normalized title tokens, numeric thresholds with
/// their direction, dates, names, negative phrasing, measurement qualifiers, settlement source and close time.
/// Built by <see cref="Extract"/>; pure and deterministic.
/// </summary>
public sealed partial record MarketFacts(
    VenueId Venue,
    string MarketKey,
    string Title,
    /// <summary>The title as lowercase words without punctuation, stop words or comparison words, numbers normalized.</summary>
    string NormalizedTitle,
    /// <summary>Stemmed title words: what fuzzy scoring and candidate blocking compare.</summary>
    IReadOnlyList<string> MatchTokens,
    IReadOnlyList<Threshold> Thresholds,
    IReadOnlyList<DateFact> Dates,
    /// <summary>Capitalized names in the title ("Brandon Johnson", "Chicago"), as written.</summary>
    IReadOnlyList<string> Entities,
    /// <summary>The names' words, lowercased and stemmed, for comparison.</summary>
    IReadOnlyList<string> EntityKeys,
    /// <summary>The words that make the title ask the complement ("other than", "miss", "avoid"); null when none.</summary>
    string? NegationCue,
    /// <summary>What is measured, where the title or rules say so: "core", "year-over-year", "month-over-month", "touch".</summary>
    IReadOnlyList<string> Qualifiers,
    string SettlementSource,
    DateTimeOffset CloseTime,
    /// <summary>The outcome label inside a multi-outcome event; null for plain yes/no markets.</summary>
    string? OutcomeLabel)
{
    /// <summary>True when the title asks the negation of the natural question.</summary>
    public bool IsNegated => NegationCue is not null;

    internal string MatchText { get; } = string.Join(' ', MatchTokens);

    /// <summary>Reads the facts from a market's title, rules, settlement source and close time.</summary>
    public static MarketFacts Extract(Market market)
    {
        ArgumentNullException.ThrowIfNull(market);
        var text = Prepare(market.Title);

        var dates = new List<DateFact>();
        text = ExtractDates(text, market.CloseTime, dates);
        text = SeasonPattern().Replace(text, "$1to$2");
        text = TimeOfDayPattern().Replace(text, " ");

        string? cue = null;
        var negation = NegationPattern().Match(text);
        if (negation.Success)
        {
            cue = WhitespacePattern().Replace(negation.Value.Trim(), " ");
            text = text.Remove(negation.Index, negation.Length).Insert(negation.Index, " ");
        }

        var thresholds = new List<Threshold>();
        text = ExtractNumbers(text, thresholds);

        var words = TokenPattern().Matches(text).Select(m => m.Value.Trim('.')).Where(w => w.Length > 0);
        var normalized = new List<string>();
        foreach (var word in words)
        {
            if (StopWords.Contains(word)) continue;
            normalized.Add(Synonyms.GetValueOrDefault(word, word));
        }
        var matchTokens = normalized.Select(Stem).ToArray();

        var (entities, entityKeys) = ExtractEntities(market.Title);
        var label = string.Equals(market.OutcomeLabel, "Yes", StringComparison.OrdinalIgnoreCase) || string.IsNullOrWhiteSpace(market.OutcomeLabel)
            ? null
            : market.OutcomeLabel;

        return new MarketFacts(market.Venue, market.MarketKey, market.Title, string.Join(' ', normalized), matchTokens, thresholds,
            dates, entities, entityKeys, cue, ExtractQualifiers(market, thresholds), market.SettlementSource, market.CloseTime, label);
    }

    /// <summary>The thresholds a free phrase states ("Cut >25bps" states above 25 bps).</summary>
    internal static List<Threshold> ThresholdsIn(string phrase)
    {
        var found = new List<Threshold>();
        ExtractNumbers(Prepare(phrase), found);
        return found;
    }

    /// <summary>Normalizes a free phrase (an outcome label, a settlement source) the way titles are, for comparison.</summary>
    internal static string NormalizePhrase(string phrase)
    {
        var text = ExtractNumbers(Prepare(phrase), []);
        var tokens = TokenPattern().Matches(text).Select(m => m.Value.Trim('.'))
            .Where(w => w.Length > 0 && !StopWords.Contains(w) && !SourceNoise.Contains(w))
            .Select(w => Stem(Synonyms.GetValueOrDefault(w, w)));
        return string.Join(' ', tokens);
    }

    // ---- text preparation ----

    private static string Prepare(string raw)
    {
        var text = raw.ToLowerInvariant()
            .Replace('’', '\'').Replace('–', '-').Replace('—', '-')
            .Replace("s&p", "sp", StringComparison.Ordinal);
        text = PossessivePattern().Replace(text, "");
        foreach (var (phrase, replacement) in PhraseSynonyms) text = text.Replace(phrase, replacement, StringComparison.Ordinal);
        // Joining hyphenated words keeps "GPT-6", "re-elected" and "year-over-year" as one word each on both venues.
        return HyphenatedWordPattern().Replace(text, "");
    }

    private static readonly (string Phrase, string Replacement)[] PhraseSynonyms =
    [
        ("12-month", "yoy"),
        ("year over year", "yoy"),
        ("month over month", "mom"),
        ("federal reserve", "fed"),
        ("no change", "hold"),
        ("new york city", "nyc"),
        ("united states", "us"),
        ("u.s.", "us"),
        ("interest rates", "rates"),
    ];

    // ---- dates ----

    private static string ExtractDates(string text, DateTimeOffset close, List<DateFact> dates)
    {
        text = IsoDatePattern().Replace(text, m => AddDay(dates, Int(m, "y"), Int(m, "mo"), Int(m, "d")) ? " " : m.Value);
        text = MonthDayYearPattern().Replace(text, m => AddDay(dates, Int(m, "y"), MonthOf(m), Int(m, "d")) ? " " : m.Value);
        text = DayMonthYearPattern().Replace(text, m => AddDay(dates, Int(m, "y"), MonthOf(m), Int(m, "d")) ? " " : m.Value);
        // Kalshi's ticker style ("26DEC31", "26DEC") puts the two-digit year first.
        text = CompactDatePattern().Replace(text, m =>
        {
            var year = 2000 + Int(m, "yy");
            if (m.Groups["d"].Success) return AddDay(dates, year, MonthOf(m), Int(m, "d")) ? " " : m.Value;
            AddMonth(dates, year, MonthOf(m));
            return " ";
        });
        text = MonthYearPattern().Replace(text, m =>
        {
            var year = Int(m, "y");
            var month = MonthOf(m);
            if (m.Groups["before"].Success)
            {
                // "before Feb 2027" is the same deadline as "by January 31, 2027".
                var last = new DateOnly(year, month, 1).AddDays(-1);
                dates.Add(new DateFact(last, DatePrecision.Day));
                return " by ";
            }
            AddMonth(dates, year, month);
            return " ";
        });
        // A day without a year ("December 25") means the one in the market's own year.
        return MonthDayPattern().Replace(text, m => AddDay(dates, close.Year, MonthOf(m), Int(m, "d")) ? " " : m.Value);
    }

    private static bool AddDay(List<DateFact> dates, int year, int month, int day)
    {
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        var fact = new DateFact(new DateOnly(year, month, day), DatePrecision.Day);
        if (!dates.Contains(fact)) dates.Add(fact);
        return true;
    }

    private static void AddMonth(List<DateFact> dates, int year, int month)
    {
        var fact = new DateFact(new DateOnly(year, month, 1), DatePrecision.Month);
        if (!dates.Contains(fact)) dates.Add(fact);
    }

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].ValueSpan, CultureInfo.InvariantCulture);

    private static int MonthOf(Match m) => m.Groups["m"].Value[..3] switch
    {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        _ => 12,
    };

    // ---- numbers and thresholds ----

    private static string ExtractNumbers(string text, List<Threshold> thresholds) => NumberPattern().Replace(text, m =>
    {
        var hasComma = m.Groups["num"].Value.Contains(',', StringComparison.Ordinal);
        var value = decimal.Parse(m.Groups["num"].Value.Replace(",", "", StringComparison.Ordinal), NumberStyles.Number, CultureInfo.InvariantCulture);
        var mult = m.Groups["mult"].Value;
        value *= mult switch
        {
            "k" or "thousand" => 1_000m,
            "m" or "mn" or "million" => 1_000_000m,
            "b" or "bn" or "billion" => 1_000_000_000m,
            "t" or "tn" or "trillion" => 1_000_000_000_000m,
            _ => 1m,
        };
        var unitText = m.Groups["unit"].Value;
        var unit = m.Groups["cur"].Success ? ThresholdUnit.Dollars : ThresholdUnit.None;
        var basisPoints = unitText.StartsWith('b');
        if (unitText.Length > 0)
        {
            if (basisPoints)
            {
                unit = ThresholdUnit.Percent;
                value /= 100m;
            }
            else if (unitText is "%" || unitText.StartsWith('p')) unit = ThresholdUnit.Percent;
            else if (unitText.StartsWith("in", StringComparison.Ordinal)) unit = ThresholdUnit.Inches;
            else if (unitText.EndsWith('c')) unit = ThresholdUnit.Celsius;
            else unit = ThresholdUnit.Fahrenheit;
        }
        var marked = unit != ThresholdUnit.None || mult.Length > 0 || hasComma;
        var isYear = !marked && !m.Groups["sym"].Success && !m.Groups["plus"].Success && value is >= 1900 and <= 2100 && value == decimal.Truncate(value);
        var token = value.ToString("0.####", CultureInfo.InvariantCulture) + unit switch
        {
            ThresholdUnit.Percent => "pct",
            ThresholdUnit.Fahrenheit => "f",
            ThresholdUnit.Celsius => "c",
            ThresholdUnit.Inches => "in",
            _ => "",
        };
        if (isYear) return " " + token + " ";

        var direction = DirectionOf(text, m);
        if (direction is null && !marked) return " " + token + " ";
        var threshold = new Threshold(value, unit, direction ?? ThresholdDirection.Exactly, basisPoints);
        if (!thresholds.Contains(threshold)) thresholds.Add(threshold);
        return " " + token + " ";
    });

    private static ThresholdDirection? DirectionOf(string text, Match number)
    {
        switch (number.Groups["sym"].Value)
        {
            case ">": return ThresholdDirection.Above;
            case ">=" or "≥": return ThresholdDirection.AtLeast;
            case "<": return ThresholdDirection.Below;
            case "<=" or "≤": return ThresholdDirection.AtMost;
        }
        if (number.Groups["plus"].Success) return ThresholdDirection.AtLeast;

        var after = OrMoreOrLessPattern().Match(text, number.Index + number.Length);
        if (after.Success) return after.Groups["more"].Success ? ThresholdDirection.AtLeast : ThresholdDirection.AtMost;

        var before = DirectionWordPattern().Match(text[..number.Index]);
        if (!before.Success) return null;
        if (before.Groups["ge"].Success) return ThresholdDirection.AtLeast;
        if (before.Groups["le"].Success) return ThresholdDirection.AtMost;
        if (before.Groups["gt"].Success) return ThresholdDirection.Above;
        if (before.Groups["lt"].Success) return ThresholdDirection.Below;
        return before.Groups["reach"].Success ? ThresholdDirection.Reach : ThresholdDirection.DipTo;
    }

    // ---- names ----

    private static (IReadOnlyList<string> Entities, IReadOnlyList<string> Keys) ExtractEntities(string title)
    {
        var entities = new List<string>();
        var keys = new List<string>();
        var current = new StringBuilder();
        var text = title.Replace('’', '\'').Replace("S&P", "SP", StringComparison.Ordinal);
        var previousEnd = 0;
        foreach (Match word in EntityWordPattern().Matches(text))
        {
            // A name runs over adjacent capitalized words only: "Time's 2026 Person" is two names.
            if (!string.IsNullOrWhiteSpace(text[previousEnd..word.Index])) Flush();
            previousEnd = word.Index + word.Length;
            var w = PossessivePattern().Replace(word.Value, "").Replace("-", "", StringComparison.Ordinal);
            var lower = w.ToLowerInvariant();
            var isName = w.Length > 1 && char.IsUpper(w[0]) && !StopWords.Contains(lower) && !NotNames.Contains(lower)
                && !MonthNamePattern().IsMatch(lower) && !RomanNumeralPattern().IsMatch(w);
            if (!isName)
            {
                Flush();
                continue;
            }
            if (current.Length > 0) current.Append(' ');
            current.Append(w);
            var key = NameKey(lower);
            if (!keys.Contains(key)) keys.Add(key);
        }
        Flush();
        return (entities, keys);

        void Flush()
        {
            if (current.Length > 0 && !entities.Contains(current.ToString())) entities.Add(current.ToString());
            current.Clear();
        }
    }

    /// <summary>The comparison key of one lowercase name word.</summary>
    internal static string NameKey(string lowerWord) => Stem(Synonyms.GetValueOrDefault(lowerWord, lowerWord));

    // ---- qualifiers: what exactly is measured ----

    private static string[] ExtractQualifiers(Market market, List<Threshold> thresholds)
    {
        var text = Prepare(market.Title + " . " + market.Rules);
        var found = new List<string>();
        if (CorePattern().IsMatch(text)) found.Add(CoreQualifier);
        var yoy = YearOverYearPattern().IsMatch(text);
        var mom = MonthOverMonthPattern().IsMatch(text);
        // Saying both is a rule explaining itself, not a measure; only a one-sided statement is a fact.
        if (yoy && !mom) found.Add(YearOverYearQualifier);
        if (mom && !yoy) found.Add(MonthOverMonthQualifier);
        if (thresholds.Any(t => t.IsTouch) || TouchPattern().IsMatch(text)) found.Add(TouchQualifier);
        return [.. found];
    }

    internal const string CoreQualifier = "core";
    internal const string YearOverYearQualifier = "year-over-year";
    internal const string MonthOverMonthQualifier = "month-over-month";
    internal const string TouchQualifier = "touch";

    // ---- word lists ----

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "will", "the", "a", "an", "be", "been", "being", "of", "in", "on", "by", "to", "for", "at", "is", "are", "was", "and",
        "or", "than", "this", "that", "it", "its", "as", "with", "from", "after", "before", "between", "during", "through",
        "any", "there", "what", "which", "who", "whom", "how", "does", "do", "did", "yes", "et", "est", "edt", "pt", "pst",
        "am", "pm", "utc", "us", "usa", "get", "gets", "above", "below", "over", "under", "more", "less", "least", "most",
        "higher", "lower", "greater", "fewer", "exceed", "exceeds", "reach", "reaches", "hit", "hits", "touch", "rise",
        "rises", "fall", "falls", "drop", "drops", "dip", "dips", "stay", "stays", "end", "ends", "close", "closes",
    };

    /// <summary>Capitalized words that are not names: measures and abbreviations both venues use loosely.</summary>
    private static readonly HashSet<string> NotNames = new(StringComparer.Ordinal)
    {
        "yoy", "mom", "q1", "q2", "q3", "q4", "h1", "h2", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
        "sunday", "cut", "hike", "hold", "another", "someone", "anyone",
    };

    /// <summary>Words that differ between the venues' house styles for the same thing.</summary>
    private static readonly Dictionary<string, string> Synonyms = new(StringComparer.Ordinal)
    {
        ["decrease"] = "cut",
        ["decreases"] = "cut",
        ["reduce"] = "cut",
        ["cuts"] = "cut",
        ["increase"] = "hike",
        ["increases"] = "hike",
        ["raise"] = "hike",
        ["raises"] = "hike",
        ["hikes"] = "hike",
        ["annual"] = "yoy",
        ["yearoveryear"] = "yoy",
        ["monthovermonth"] = "mom",
        ["monthly"] = "mom",
        ["btc"] = "bitcoin",
        ["eth"] = "ethereum",
        ["ether"] = "ethereum",
        ["sol"] = "solana",
        ["snowfall"] = "snow",
        ["democratic"] = "democrat",
        ["democrats"] = "democrat",
        ["gop"] = "republican",
        ["republicans"] = "republican",
        ["presidency"] = "president",
        ["presidential"] = "president",
        ["mayoral"] = "mayor",
        ["wins"] = "win",
        ["won"] = "win",
        ["winner"] = "win",
        ["fomc"] = "fed",
    };

    /// <summary>Words a settlement source carries that do not say which source it is.</summary>
    private static readonly HashSet<string> SourceNoise = new(StringComparer.Ordinal)
    {
        "official", "report", "release", "information", "website", "data", "announcement", "announcements", "page",
    };

    /// <summary>
    /// A light suffix stripper: enough for "presidency"/"presidential" or "deliveries"/"deliver" to meet. Only the
    /// matcher sees stems; people see <see cref="NormalizedTitle"/>.
    /// </summary>
    internal static string Stem(string word)
    {
        if (word.Length <= 4 || !word.All(char.IsAsciiLetterLower)) return word;
        var stem = word;
        if (stem.EndsWith("ies", StringComparison.Ordinal) || stem.EndsWith("ied", StringComparison.Ordinal)) stem = stem[..^3] + "y";
        else
        {
            foreach (var suffix in Suffixes)
            {
                if (stem.EndsWith(suffix, StringComparison.Ordinal) && stem.Length - suffix.Length >= 3)
                {
                    stem = stem[..^suffix.Length];
                    break;
                }
            }
        }
        if (stem.Length > 3 && stem.EndsWith('e')) stem = stem[..^1];
        return stem.Length > 7 ? stem[..7] : stem;
    }

    private static readonly string[] Suffixes = ["ations", "ation", "ings", "ions", "ing", "ion", "ial", "ed", "es", "al", "ic", "cy", "s"];

    // ---- patterns ----

    private const string Month = "(?<m>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

    [GeneratedRegex(@"\b(?<y>20\d\d)-(?<mo>\d\d)-(?<d>\d\d)\b")]
    private static partial Regex IsoDatePattern();

    [GeneratedRegex(@"\b" + Month + @"\.?\s+(?<d>\d{1,2})(?:st|nd|rd|th)?(?:\s*-\s*\d{1,2})?,?\s+(?<y>20\d\d)\b")]
    private static partial Regex MonthDayYearPattern();

    [GeneratedRegex(@"\b(?<d>\d{1,2})(?:st|nd|rd|th)?\s+" + Month + @"\.?,?\s+(?<y>20\d\d)\b")]
    private static partial Regex DayMonthYearPattern();

    [GeneratedRegex(@"\b(?<yy>\d\d)(?<m>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?<d>\d\d)?(?:\d\d)?\b")]
    private static partial Regex CompactDatePattern();

    [GeneratedRegex(@"\b(?<before>before\s+)?" + Month + @"\.?,?\s+(?<y>20\d\d)\b")]
    private static partial Regex MonthYearPattern();

    [GeneratedRegex(@"\b" + Month + @"\.?\s+(?<d>\d{1,2})(?:st|nd|rd|th)?\b")]
    private static partial Regex MonthDayPattern();

    [GeneratedRegex(@"^(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)$")]
    private static partial Regex MonthNamePattern();

    [GeneratedRegex(@"\b(20\d\d)-(\d\d)\b")]
    private static partial Regex SeasonPattern();

    [GeneratedRegex(@"\b\d{1,2}(?::\d\d)?\s*(?:am|pm)\b")]
    private static partial Regex TimeOfDayPattern();

    [GeneratedRegex(@"'s\b")]
    private static partial Regex PossessivePattern();

    [GeneratedRegex(@"(?<=[a-z])-(?=[a-z0-9])")]
    private static partial Regex HyphenatedWordPattern();

    [GeneratedRegex(@"\b(?:(?:some|any)(?:one|body)\s+other\s+than|other\s+than|do(?:es)?\s+not|did\s+not|not|never|fails?\s+to|avoids?|miss(?:es)?|won't|doesn't|isn't|without)\b")]
    private static partial Regex NegationPattern();

    [GeneratedRegex(@"(?<![\w.,])(?<sym>[><]=?|≥|≤)?\s*(?<cur>\$)?\s*(?<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s*(?<mult>k|thousand|mn|m|million|bn|b|billion|tn|t|trillion)\b)?(?<plus>\+)?(?:\s*(?<unit>%|percent\b|bps\b|bp\b|basis points?\b|°\s*f\b|°\s*c\b|°|degrees\b|inches\b|inch\b))?(?<plus>\+)?(?![a-z0-9])")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"\G\s*(?:[a-z]+\s+)?or\s+(?:(?<more>more|higher|above|greater|over)|(?<less>less|lower|below|fewer|under))\b")]
    private static partial Regex OrMoreOrLessPattern();

    [GeneratedRegex(@"\b(?:(?<ge>at\s+or\s+above|at\s+least|no\s+less\s+than)|(?<le>at\s+or\s+below|at\s+most|no\s+more\s+than)|(?<gt>more\s+than|greater\s+than|higher\s+than|above|over|exceeds?|exceeding)|(?<lt>less\s+than|fewer\s+than|lower\s+than|below|under)|(?<reach>reach(?:es)?|hits?|touch(?:es)?)|(?<dip>dips?\s+to|falls?\s+to|drops?\s+to|sinks?\s+to))\s*(?:(?:by|of)\s+)?\$?$")]
    private static partial Regex DirectionWordPattern();

    [GeneratedRegex(@"[a-z0-9.]+")]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespacePattern();

    [GeneratedRegex(@"[\p{L}][\p{L}\p{Nd}'\-]*")]
    private static partial Regex EntityWordPattern();

    [GeneratedRegex(@"^[IVXLCDM]{2,}$")]
    private static partial Regex RomanNumeralPattern();

    [GeneratedRegex(@"\bcore\b|less food and energy|excluding food and energy|exfood")]
    private static partial Regex CorePattern();

    [GeneratedRegex(@"\b(?:yoy|yearoveryear|annual)\b")]
    private static partial Regex YearOverYearPattern();

    [GeneratedRegex(@"\b(?:mom|monthovermonth)\b|\bfrom (?:the )?(?:previous|prior) month\b|\bfrom (?:january|february|march|april|may|june|july|august|september|october|november|december)\b")]
    private static partial Regex MonthOverMonthPattern();

    [GeneratedRegex(@"\breach(?:es)?\b|\bat any time\b|\bintraday\b|\bany\b[^.]{0,40}\bcandle\b")]
    private static partial Regex TouchPattern();
}
