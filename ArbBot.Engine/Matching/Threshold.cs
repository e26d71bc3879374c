using System.Globalization;

namespace ArbBot.Engine.Matching;

/// <summary>How a market's question compares the measured value with its threshold.</summary>
public enum ThresholdDirection : byte
{
    /// <summary>Strictly above at the measurement time ("above", "more than", "over", "&gt;").</summary>
    Above = 0,
    /// <summary>At or above ("at least", "or more", "or higher", "50+").</summary>
    AtLeast = 1,
    /// <summary>Strictly below ("below", "less than", "under").</summary>
    Below = 2,
    /// <summary>At or below ("or lower", "at most", "stay at or below").</summary>
    AtMost = 3,
    /// <summary>No comparison word: the value itself ("a 25 bps cut").</summary>
    Exactly = 4,
    /// <summary>Touches the level from below at any time before the deadline ("reach", "hit").</summary>
    Reach = 5,
    /// <summary>Touches the level from above at any time before the deadline ("dip to", "fall to").</summary>
    DipTo = 6,
}

/// <summary>What a threshold is measured in. Basis points are stored as percent (25 bps = 0.25%).</summary>
public enum ThresholdUnit : byte
{
    None = 0,
    Dollars = 1,
    Percent = 2,
    Fahrenheit = 3,
    Celsius = 4,
    Inches = 5,
}

/// <summary>A numeric threshold a market's question turns on, with its comparison direction.</summary>
public readonly record struct Threshold(decimal Value, ThresholdUnit Unit, ThresholdDirection Direction, bool InBasisPoints = false)
{
    /// <summary>The value with its unit, as people write it ("$100,000", "4.5%", "80°F").</summary>
    public string ValueText => Unit switch
    {
        ThresholdUnit.Dollars => "$" + Value.ToString("#,0.##", CultureInfo.InvariantCulture),
        ThresholdUnit.Percent when InBasisPoints => (Value * 100m).ToString("0.#", CultureInfo.InvariantCulture) + " bps",
        ThresholdUnit.Percent => Value.ToString("0.###", CultureInfo.InvariantCulture) + "%",
        ThresholdUnit.Fahrenheit => Value.ToString("0.#", CultureInfo.InvariantCulture) + "°F",
        ThresholdUnit.Celsius => Value.ToString("0.#", CultureInfo.InvariantCulture) + "°C",
        ThresholdUnit.Inches => Value.ToString("0.##", CultureInfo.InvariantCulture) + " inches",
        _ => Value.ToString("#,0.##", CultureInfo.InvariantCulture),
    };

    /// <summary>The comparison in words ("above", "at most", "reach").</summary>
    public string DirectionText => Direction switch
    {
        ThresholdDirection.Above => "above",
        ThresholdDirection.AtLeast => "at least",
        ThresholdDirection.Below => "below",
        ThresholdDirection.AtMost => "at most",
        ThresholdDirection.Reach => "reach",
        ThresholdDirection.DipTo => "dip to",
        _ => "exactly",
    };

    /// <summary>
    /// +1 for "settles above", −1 for "settles below", 0 otherwise. Two thresholds at the same value in opposite
    /// families ask complementary questions, which maps one venue's YES to the other's NO.
    /// </summary>
    public int Family => Direction switch
    {
        ThresholdDirection.Above or ThresholdDirection.AtLeast => 1,
        ThresholdDirection.Below or ThresholdDirection.AtMost => -1,
        _ => 0,
    };

    /// <summary>True when the level only has to be touched at some time, not held at the measurement time.</summary>
    public bool IsTouch => Direction is ThresholdDirection.Reach or ThresholdDirection.DipTo;

    /// <summary>
    /// True when two basis-point thresholds mean the same on the 25 bp grid policy rates move on: "more than 25 bps"
    /// is "50+ bps", "less than 50 bps" is "25 bps or less".
    /// </summary>
    public bool SameOnBasisPointGrid(Threshold other)
    {
        if (!InBasisPoints || !other.InBasisPoints || Unit != other.Unit) return false;
        const decimal step = 0.25m;
        return (Direction, other.Direction) switch
        {
            (ThresholdDirection.Above, ThresholdDirection.AtLeast) => Value + step == other.Value,
            (ThresholdDirection.AtLeast, ThresholdDirection.Above) => other.Value + step == Value,
            (ThresholdDirection.Below, ThresholdDirection.AtMost) => Value - step == other.Value,
            (ThresholdDirection.AtMost, ThresholdDirection.Below) => other.Value - step == Value,
            _ => false,
        };
    }

    /// <summary>True when both thresholds name the same number in the same unit.</summary>
    public bool SameLevel(Threshold other) => Unit == other.Unit && Value == other.Value;

    public override string ToString() => $"{DirectionText} {ValueText}";
}

/// <summary>How precisely a date was stated.</summary>
public enum DatePrecision : byte
{
    Day = 0,
    /// <summary>Only a month was named ("Nov 2026"); the day is the first of the month.</summary>
    Month = 1,
}

/// <summary>A calendar date named in a market's title.</summary>
public readonly record struct DateFact(DateOnly Date, DatePrecision Precision)
{
    /// <summary>True when both name the same day, or the same month at month precision.</summary>
    public bool SameAs(DateFact other) =>
        Precision == other.Precision && (Precision == DatePrecision.Day ? Date == other.Date : SameMonth(other));

    /// <summary>True when the two could describe the same time: same day, or one names only the other's month.</summary>
    public bool Overlaps(DateFact other) =>
        SameMonth(other) && (Precision == DatePrecision.Month || other.Precision == DatePrecision.Month || Date == other.Date);

    private bool SameMonth(DateFact other) => Date.Year == other.Date.Year && Date.Month == other.Date.Month;

    public override string ToString() => Precision == DatePrecision.Day
        ? Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        : Date.ToString("yyyy-MM", CultureInfo.InvariantCulture);
}
