namespace ArbBot.Engine.Strategies.SpikeHunter;

/// <summary>
/// Exponentially weighted mean and volatility of a series, with smoothing alpha = 2 / (span + 1) (pandas' <c>span</c>).
/// Allocation-free; one per instrument, on the hub's thread.
/// </summary>
/// <remarks>
/// <para>
/// The first sample sets the mean and a variance of 0; each later sample x moves them by the incremental weighted form
/// (Finch, "Incremental calculation of weighted mean and variance", 2009): d = x − mean; mean += alpha·d;
/// variance = (1 − alpha)·(variance + alpha·d²). This is exactly the weighted mean and the weighted (population)
/// variance with weights (1 − alpha)^(n−1) on the first sample and alpha·(1 − alpha)^(n−1−i) on sample i ≥ 2, which sum
/// to 1 — the "adjust=False" EWMA.
/// </para>
/// <para>
/// Warm-up: the estimates mean little until about <c>span</c> samples have been seen, so <see cref="IsWarm"/> is false
/// until <see cref="Count"/> reaches the span, and the spike detector judges no sample before that.
/// </para>
/// </remarks>
public sealed class EwmaEstimator
{
    /// <summary>Creates an estimator for <paramref name="span"/> samples (2 or more).</summary>
    public EwmaEstimator(int span)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(span, 2);
        Span = span;
        Alpha = 2.0 / (span + 1);
    }

    public int Span { get; }

    /// <summary>2 / (span + 1).</summary>
    public double Alpha { get; }

    /// <summary>Samples seen since creation or the last <see cref="Reset"/>.</summary>
    public int Count { get; private set; }

    public double Mean { get; private set; }

    public double Variance { get; private set; }

    public double Volatility => Math.Sqrt(Variance);

    /// <summary>True once <see cref="Span"/> samples have been seen.</summary>
    public bool IsWarm => Count >= Span;

    public void Add(double value)
    {
        if (Count == 0)
        {
            Mean = value;
            Variance = 0;
        }
        else
        {
            var deviation = value - Mean;
            var increment = Alpha * deviation;
            Mean += increment;
            Variance = (1 - Alpha) * (Variance + deviation * increment);
        }
        if (Count < int.MaxValue) Count++;
    }

    public void Reset()
    {
        Count = 0;
        Mean = 0;
        Variance = 0;
    }
}
