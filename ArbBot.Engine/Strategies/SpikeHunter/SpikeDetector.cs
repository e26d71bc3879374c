namespace ArbBot.Engine.Strategies.SpikeHunter;

/// <summary>Where the sampled price stands against the EWMA bands.</summary>
public enum BandState : sbyte
{
    Below = -1,
    Inside = 0,
    Above = 1,
}

/// <summary>
/// What the statistical layers saw at one sample. Mean, volatility and bands are those the sample was judged against
/// (from the samples before it); <see cref="VolatilityAfter"/> includes the sample and sizes exits.
/// </summary>
public readonly record struct SpikeReading(
    double Price,
    bool Warm,
    double Mean,
    double Volatility,
    double Upper,
    double Lower,
    double CusumPositive,
    double CusumNegative,
    SpikeDirection Cusum,
    BandState Band,
    double RocPercent,
    bool RocConfirms,
    double VolatilityAfter)
{
    /// <summary>CUSUM, band and rate of change agree on a direction (liquidity is checked by the caller).</summary>
    public SpikeDirection Agreed =>
        Cusum != SpikeDirection.None && (sbyte)Band == (sbyte)Cusum && RocConfirms ? Cusum : SpikeDirection.None;
}

/// <summary>
/// The statistical layers of the spike hunter for one instrument's sampled mid price: EWMA mean and volatility, a
/// two-sided CUSUM of deviations from the EWMA mean, a band breach at mean ± multiplier·volatility, and the rate of
/// change over n samples confirming the direction. Allocation-free per sample; hub thread only.
/// </summary>
/// <remarks>
/// <para>
/// Each sample is judged against the state the samples before it built — the deviation, the bands and the CUSUM step use
/// the previous mean and volatility — and only then folded into the EWMA. Judging a sample against bands that already
/// include it would let a spike widen the very bands it must breach.
/// </para>
/// <para>
/// Warm-up: until the EWMA has seen <c>span</c> samples nothing is judged: the CUSUM stays at zero and no signal can
/// fire; the EWMA and the rate-of-change window fill meanwhile. The first judged sample is number span + 1.
/// </para>
/// <para>
/// After the CUSUM alarms (whichever way, whether or not the other layers agreed) both of its sides are reset, so the
/// next alarm needs fresh evidence.
/// </para>
/// </remarks>
public sealed class SpikeDetector
{
    private readonly EwmaEstimator _ewma;
    private readonly CusumDetector _cusum;
    private readonly RateOfChange _roc;

    public SpikeDetector(SpikeDetectorParameters parameters)
    {
        Parameters = parameters;
        _ewma = new EwmaEstimator(parameters.EwmaSpan);
        _cusum = new CusumDetector(parameters.CusumThreshold, parameters.CusumSlack);
        _roc = new RateOfChange(parameters.RocPeriods);
    }

    public SpikeDetectorParameters Parameters { get; }

    /// <summary>Samples seen.</summary>
    public int Count => _ewma.Count;

    /// <summary>Judges <paramref name="price"/> against the state so far, then folds it in.</summary>
    public SpikeReading Add(double price)
    {
        var warm = _ewma.IsWarm;
        var mean = _ewma.Mean;
        var volatility = _ewma.Volatility;
        var width = Parameters.EwmaMultiplier * volatility;
        _roc.Add(price);
        var cusum = SpikeDirection.None;
        var band = BandState.Inside;
        var rocConfirms = false;
        if (warm)
        {
            cusum = _cusum.Add(price - mean);
            band = price > mean + width ? BandState.Above : price < mean - width ? BandState.Below : BandState.Inside;
            rocConfirms = _roc.Confirms(cusum != SpikeDirection.None ? cusum : (SpikeDirection)(sbyte)band, Parameters.RocThresholdPercent);
        }
        var positive = _cusum.Positive;
        var negative = _cusum.Negative;
        if (cusum != SpikeDirection.None) _cusum.Reset();
        _ewma.Add(price);
        return new SpikeReading(price, warm, mean, volatility, mean + width, mean - width, positive, negative, cusum, band,
            _roc.Percent, rocConfirms, _ewma.Volatility);
    }

    /// <summary>The CUSUM's current larger side as a share of its threshold.</summary>
    public double CusumProgress => _cusum.Progress;
}

/// <summary>The detector's parameters (a slice of <see cref="SpikeHunterSettings"/>); a change starts a new warm-up.</summary>
public readonly record struct SpikeDetectorParameters(
    int EwmaSpan, double EwmaMultiplier, double CusumThreshold, double CusumSlack, int RocPeriods, double RocThresholdPercent);
