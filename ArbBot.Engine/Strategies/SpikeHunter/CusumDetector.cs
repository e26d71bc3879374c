namespace ArbBot.Engine.Strategies.SpikeHunter;

/// <summary>Which way a detector saw the price break.</summary>
public enum SpikeDirection : sbyte
{
    Down = -1,
    None = 0,
    Up = 1,
}

/// <summary>
/// Two-sided CUSUM (Page, 1954) of deviations from a reference mean: S⁺ = max(0, S⁺ + d − k) accumulates upward
/// evidence and S⁻ = max(0, S⁻ − d − k) downward evidence; a side above the threshold h is an alarm. Small moves within
/// the slack k cancel out; a sustained move accumulates. Allocation-free; one per instrument, on the hub's thread.
/// </summary>
/// <remarks>
/// The sums keep their values after an alarm so the alarm can be shown; the owner calls <see cref="Reset"/> once it has
/// recorded the sample, which zeroes both sides (standard CUSUM practice: the next alarm needs fresh evidence).
/// </remarks>
public sealed class CusumDetector(double threshold, double slack)
{
    /// <summary>h: the alarm level.</summary>
    public double Threshold { get; } = threshold >= 0 ? threshold : throw new ArgumentOutOfRangeException(nameof(threshold));

    /// <summary>k: the deviation per sample that is ignored as noise.</summary>
    public double Slack { get; } = slack >= 0 ? slack : throw new ArgumentOutOfRangeException(nameof(slack));

    /// <summary>S⁺, the upward sum.</summary>
    public double Positive { get; private set; }

    /// <summary>S⁻, the downward sum (a positive number).</summary>
    public double Negative { get; private set; }

    /// <summary>The larger side as a share of the threshold (1 = alarm level).</summary>
    public double Progress => Threshold <= 0 ? 0 : Math.Max(Positive, Negative) / Threshold;

    /// <summary>Adds one deviation from the reference mean; returns the side in alarm (the larger if both), else none.</summary>
    public SpikeDirection Add(double deviation)
    {
        Positive = Math.Max(0, Positive + deviation - Slack);
        Negative = Math.Max(0, Negative - deviation - Slack);
        var up = Positive > Threshold;
        var down = Negative > Threshold;
        if (up && (!down || Positive >= Negative)) return SpikeDirection.Up;
        return down ? SpikeDirection.Down : SpikeDirection.None;
    }

    /// <summary>Zeroes both sides.</summary>
    public void Reset()
    {
        Positive = 0;
        Negative = 0;
    }
}
