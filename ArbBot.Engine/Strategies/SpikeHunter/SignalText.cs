using System.Globalization;
using ArbBot.Engine.Core;

namespace ArbBot.Engine.Strategies.SpikeHunter;

/// <summary>The spike hunter's readings in words, for signal records, trade summaries and the Signals page.</summary>
public static class SignalText
{
    /// <summary>"YES of “title” on Polymarket jumped: CUSUM+ 0.043 passed 0.030, the mid 0.620 broke above the band 0.585, …"</summary>
    public static string Describe(Market market, SpikeReading reading, LiquidityReading liquidity, SpikeDirection direction, SpikeHunterSettings settings)
    {
        var up = direction == SpikeDirection.Up;
        var cusum = up ? reading.CusumPositive : reading.CusumNegative;
        var breached = (sbyte)reading.Band == (sbyte)direction;
        var band = breached
            ? F($"the mid {reading.Price:0.000} broke {(up ? "above the upper" : "below the lower")} band {(up ? reading.Upper : reading.Lower):0.000} (mean {reading.Mean:0.000} ± {settings.EwmaMultiplier:0.##}σ)")
            : F($"but the mid {reading.Price:0.000} stayed inside the bands {reading.Lower:0.000}–{reading.Upper:0.000}");
        var roc = reading.RocConfirms
            ? F($"it moved {reading.RocPercent:+0.0;-0.0}% over {settings.RocPeriods} samples (needs {(up ? "+" : "-")}{settings.RocThresholdPercent:0.##}%)")
            : F($"{(breached ? "but " : "")}its {reading.RocPercent:+0.0;-0.0}% over {settings.RocPeriods} samples did not confirm (needs {(up ? "+" : "-")}{settings.RocThresholdPercent:0.##}%)");
        var liquid = liquidity.Passed
            ? F($"the book to buy had spread {liquidity.Spread:0.00##} and ${liquidity.AskDepthUsd:0} on its top {LiquidityCheck.Levels} asks")
            : $"the book to buy failed the liquidity check ({liquidity.Failure})";
        return F($"YES of “{market.Title}” on {market.Venue.DisplayName()} {(up ? "jumped" : "dropped")}: CUSUM{(up ? "+" : "−")} {cusum:0.000} passed {settings.CusumThreshold:0.000}, {band}, {roc}, {liquid}.");
    }

    /// <summary>Where an instrument stands, in a sentence: what is missing before it would signal.</summary>
    public static string Describe(InstrumentSignalState state)
    {
        if (!state.Warm) return F($"Warming up: {state.Samples} of {state.WarmupSamples} samples seen; no signal until the EWMA has {state.WarmupSamples}.");
        var leaning = state.Leaning == SpikeDirection.Up ? "upward" : state.Leaning == SpikeDirection.Down ? "downward" : null;
        if (leaning is null) return F($"Quiet: the mid {state.Price:0.000} sits on its mean {state.Mean:0.000}; the CUSUM has nothing accumulated.");
        var band = state.Band == BandState.Inside ? F($"inside the bands {state.Lower:0.000}–{state.Upper:0.000}")
            : state.Band == BandState.Above ? F($"above the upper band {state.Upper:0.000}") : F($"below the lower band {state.Lower:0.000}");
        var liquidity = state.Liquidity is { } l ? (l.Passed ? "liquidity is sufficient" : $"liquidity fails ({l.Failure})") : "liquidity unchecked";
        var cooldown = state.CooldownUntil is { } until ? F($"; cooling down until {until:HH:mm:ss}") : "";
        var position = state.HasPosition ? "; a spike position is open" : "";
        return F($"Leaning {leaning}: CUSUM at {state.Progress:0%} of its threshold, the mid {state.Price:0.000} is {band}, ROC {state.RocPercent:+0.00;-0.00}% (needs {state.RocThresholdPercent:0.##}%), {liquidity}{cooldown}{position}.");
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
