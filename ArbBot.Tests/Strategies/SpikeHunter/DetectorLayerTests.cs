using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Strategies.SpikeHunter;

namespace ArbBot.Tests.Strategies.SpikeHunter;

public sealed class DetectorLayerTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void Ewma_mean_and_variance_equal_the_exponentially_weighted_sums_computed_directly()
    {
        double[] prices = [0.50, 0.52, 0.49, 0.55, 0.51, 0.60, 0.58];
        const int span = 4;
        var ewma = new EwmaEstimator(span);
        var alpha = 2.0 / (span + 1);
        Assert.Equal(0.4, ewma.Alpha, Tolerance);

        for (var n = 1; n <= prices.Length; n++)
        {
            ewma.Add(prices[n - 1]);
            // From first principles: weight (1 − α)^(n−1) on the first sample, α(1 − α)^(n−1−i) on sample i ≥ 1.
            var weights = new double[n];
            for (var i = 0; i < n; i++) weights[i] = i == 0 ? Math.Pow(1 - alpha, n - 1) : alpha * Math.Pow(1 - alpha, n - 1 - i);
            Assert.Equal(1.0, weights.Sum(), Tolerance);
            var mean = 0.0;
            for (var i = 0; i < n; i++) mean += weights[i] * prices[i];
            var variance = 0.0;
            for (var i = 0; i < n; i++) variance += weights[i] * (prices[i] - mean) * (prices[i] - mean);
            Assert.Equal(mean, ewma.Mean, Tolerance);
            Assert.Equal(variance, ewma.Variance, Tolerance);
            Assert.Equal(Math.Sqrt(variance), ewma.Volatility, Tolerance);
        }
    }

    [Fact]
    public void Ewma_by_hand_for_span_three()
    {
        // α = 2/(3+1) = 0.5. Samples 1, 3: mean 2, variance ½(1−2)² + ½(3−2)² = 1. Then 2: mean 2, variance ¼·1 + ¼·1 + ½·0 = 0.5.
        var ewma = new EwmaEstimator(3);
        ewma.Add(1);
        ewma.Add(3);
        Assert.Equal(2.0, ewma.Mean, Tolerance);
        Assert.Equal(1.0, ewma.Variance, Tolerance);
        ewma.Add(2);
        Assert.Equal(2.0, ewma.Mean, Tolerance);
        Assert.Equal(0.5, ewma.Variance, Tolerance);
    }

    [Fact]
    public void Ewma_is_warm_only_after_span_samples()
    {
        var ewma = new EwmaEstimator(5);
        for (var i = 0; i < 4; i++)
        {
            ewma.Add(0.5);
            Assert.False(ewma.IsWarm);
        }
        ewma.Add(0.5);
        Assert.True(ewma.IsWarm);
        ewma.Reset();
        Assert.False(ewma.IsWarm);
        Assert.Equal(0, ewma.Count);
    }

    [Fact]
    public void Cusum_accumulates_beyond_the_slack_and_alarms_above_the_threshold()
    {
        // h = 0.03, k = 0.005. Deviations +0.012, +0.012, +0.012, +0.012:
        // S⁺ = 0.007, 0.014, 0.021, 0.028 (no alarm), then +0.012 → 0.035 > 0.03: alarm up. S⁻ stays 0.
        var cusum = new CusumDetector(0.03, 0.005);
        double[] expected = [0.007, 0.014, 0.021, 0.028];
        foreach (var s in expected)
        {
            Assert.Equal(SpikeDirection.None, cusum.Add(0.012));
            Assert.Equal(s, cusum.Positive, Tolerance);
            Assert.Equal(0.0, cusum.Negative, Tolerance);
        }
        Assert.Equal(SpikeDirection.Up, cusum.Add(0.012));
        Assert.Equal(0.035, cusum.Positive, Tolerance);
    }

    [Fact]
    public void Cusum_cancels_noise_within_the_slack_and_detects_downward_shifts()
    {
        var cusum = new CusumDetector(0.03, 0.005);
        // Within ±k nothing accumulates on either side.
        foreach (var d in new[] { 0.004, -0.005, 0.003, -0.002 }) Assert.Equal(SpikeDirection.None, cusum.Add(d));
        Assert.Equal(0.0, cusum.Positive, Tolerance);
        Assert.Equal(0.0, cusum.Negative, Tolerance);
        // −0.019, −0.019: S⁻ = 0.014, then 0.028 (not above h); −0.001 → max(0, 0.028 + 0.001 − 0.005) = 0.024; −0.02 → 0.039: alarm down.
        Assert.Equal(SpikeDirection.None, cusum.Add(-0.019));
        Assert.Equal(SpikeDirection.None, cusum.Add(-0.019));
        Assert.Equal(0.028, cusum.Negative, Tolerance);
        Assert.Equal(SpikeDirection.None, cusum.Add(-0.001));
        Assert.Equal(0.024, cusum.Negative, Tolerance);
        Assert.Equal(SpikeDirection.Down, cusum.Add(-0.02));
        Assert.Equal(0.039, cusum.Negative, Tolerance);
        Assert.Equal(0.0, cusum.Positive, Tolerance);
    }

    [Fact]
    public void Cusum_reset_zeroes_both_sides()
    {
        var cusum = new CusumDetector(0.03, 0.005);
        cusum.Add(0.02);
        cusum.Add(-0.05);
        Assert.True(cusum.Negative > 0);
        cusum.Reset();
        Assert.Equal(0.0, cusum.Positive);
        Assert.Equal(0.0, cusum.Negative);
        Assert.Equal(0.0, cusum.Progress);
    }

    [Fact]
    public void Rate_of_change_compares_with_the_sample_n_periods_back()
    {
        var roc = new RateOfChange(3);
        foreach (var p in new[] { 0.40, 0.42, 0.44 })
        {
            roc.Add(p);
            Assert.False(roc.IsReady);
        }
        roc.Add(0.50);
        // (0.50 − 0.40) / 0.40 = 25 %.
        Assert.True(roc.IsReady);
        Assert.Equal(25.0, roc.Percent, 1e-9);
        roc.Add(0.33);
        // (0.33 − 0.42) / 0.42 = −21.428… %.
        Assert.Equal(-0.09 / 0.42 * 100, roc.Percent, 1e-9);
        Assert.True(roc.Confirms(SpikeDirection.Down, 1.0));
        Assert.False(roc.Confirms(SpikeDirection.Up, 1.0));
        Assert.False(roc.Confirms(SpikeDirection.Down, 25.0));
    }

    [Fact]
    public void Liquidity_needs_a_narrow_spread_and_enough_dollars_on_the_top_five_asks()
    {
        var book = new OrderBook(new InstrumentId(0), TickSize.Cent);
        // Asks: 0.41×40 + 0.42×40 + 0.43×40 + 0.44×40 + 0.45×40 = 86 dollars; a sixth level does not count.
        BookLevel[] asks = [.. Enumerable.Range(0, 6).Select(i => new BookLevel(Price.FromDecimal(0.41m + i * 0.01m), 40m))];
        book.ApplySnapshot([new BookLevel(Price.FromDecimal(0.39m), 10m)], asks, 1, 1);

        var ok = LiquidityCheck.Evaluate(book, 0.05m, 50m);
        Assert.True(ok.Passed);
        Assert.Equal(0.02m, ok.Spread);
        Assert.Equal(86m, ok.AskDepthUsd);

        var thin = LiquidityCheck.Evaluate(book, 0.05m, 87m);
        Assert.False(thin.Passed);
        Assert.Contains("ask depth $86.00", thin.Failure, StringComparison.Ordinal);

        var wide = LiquidityCheck.Evaluate(book, 0.01m, 50m);
        Assert.False(wide.Passed);
        Assert.Contains("spread 0.02", wide.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Detector_judges_nothing_during_warm_up()
    {
        var detector = new SpikeDetector(Parameters(span: 5));
        for (var i = 0; i < 5; i++)
        {
            // Even a huge move while warming up raises no alarm and accumulates no CUSUM.
            var reading = detector.Add(i == 4 ? 0.90 : 0.50);
            Assert.False(reading.Warm);
            Assert.Equal(SpikeDirection.None, reading.Cusum);
            Assert.Equal(0.0, reading.CusumPositive);
        }
        Assert.True(detector.Add(0.50).Warm);
    }

    [Fact]
    public void Detector_signals_when_cusum_band_and_rate_of_change_agree_and_then_resets_the_cusum()
    {
        var detector = new SpikeDetector(Parameters(span: 3));
        // Warm-up on a flat 0.50: mean 0.50, volatility 0.
        for (var i = 0; i < 3; i++) detector.Add(0.50);
        var spike = detector.Add(0.60);
        Assert.True(spike.Warm);
        // Judged against the mean before it: deviation 0.10, S⁺ = 0.10 − 0.005 = 0.095 > 0.03.
        Assert.Equal(0.095, spike.CusumPositive, Tolerance);
        Assert.Equal(SpikeDirection.Up, spike.Cusum);
        Assert.Equal(BandState.Above, spike.Band);
        Assert.Equal(20.0, spike.RocPercent, 1e-9);
        Assert.Equal(SpikeDirection.Up, spike.Agreed);
        // After the sample: α = 0.5, variance 0.5·(0 + 0.10·0.05) = 0.0025, volatility 0.05.
        Assert.Equal(0.05, spike.VolatilityAfter, 1e-12);
        // The alarm reset both sides: the next sample starts from zero (mean 0.55, deviation +0.05 → S⁺ = 0.045 → alarm again only by fresh evidence).
        var next = detector.Add(0.55);
        Assert.Equal(0.0, next.CusumPositive, Tolerance);
        Assert.Equal(0.0, next.CusumNegative, Tolerance);
    }

    [Fact]
    public void One_disagreeing_layer_blocks_the_signal()
    {
        // Band: a wide band (multiplier 10) is not breached by a move that trips the CUSUM.
        var wide = new SpikeDetector(Parameters(span: 3, multiplier: 10));
        foreach (var p in new[] { 0.50, 0.52, 0.48 }) wide.Add(p);
        var banded = wide.Add(0.56);
        Assert.Equal(SpikeDirection.Up, banded.Cusum);
        Assert.Equal(BandState.Inside, banded.Band);
        Assert.Equal(SpikeDirection.None, banded.Agreed);

        // Rate of change: the price 3 samples ago was already as high, so there is no momentum up.
        var slow = new SpikeDetector(Parameters(span: 3, rocPeriods: 3));
        foreach (var p in new[] { 0.60, 0.50, 0.50 }) slow.Add(p);
        var stale = slow.Add(0.60);
        Assert.Equal(SpikeDirection.Up, stale.Cusum);
        Assert.False(stale.RocConfirms);
        Assert.Equal(SpikeDirection.None, stale.Agreed);

        // CUSUM: a move below the threshold breaks a zero-width band and has momentum, but is not a regime change.
        var small = new SpikeDetector(Parameters(span: 3));
        foreach (var p in new[] { 0.50, 0.50, 0.50 }) small.Add(p);
        var blip = small.Add(0.52);
        Assert.Equal(BandState.Above, blip.Band);
        Assert.True(blip.RocConfirms);
        Assert.Equal(SpikeDirection.None, blip.Cusum);
        Assert.Equal(SpikeDirection.None, blip.Agreed);
    }

    private static SpikeDetectorParameters Parameters(int span, double multiplier = 2.5, int rocPeriods = 3) =>
        new(span, multiplier, 0.03, 0.005, rocPeriods, 1.0);
}
