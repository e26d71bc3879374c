using ArbBot.Engine.Strategies.SpikeHunter;
using ArbBot.Web.Components.Pages;

namespace ArbBot.Web.Components.Strategies;

/// <summary>One numeric field of <see cref="SpikeHunterSettings"/> as the Strategies page edits it (like <see cref="RiskLimitField"/>).</summary>
public sealed record SpikeHunterField(
    string Name,
    string Label,
    string Explanation,
    string Unit,
    decimal Min,
    decimal Max,
    decimal Step,
    Func<SpikeHunterSettings, decimal> Get,
    Func<SpikeHunterSettings, decimal, SpikeHunterSettings> Set);

/// <summary>Every numeric field of <see cref="SpikeHunterSettings"/>, in the validator's order; ranges repeat its documentation.</summary>
public static class SpikeHunterFields
{
    public static IReadOnlyList<SpikeHunterField> All { get; } =
    [
        new(nameof(SpikeHunterSettings.SampleInterval), "Sampling interval",
            "How often every market's mid price is sampled. All the windows below count samples.",
            "seconds", 0.1m, 60m, 0.1m, s => Seconds(s.SampleInterval), (s, v) => s with { SampleInterval = FromSeconds(v) }),
        new(nameof(SpikeHunterSettings.CusumThreshold), "Spike trigger level (CUSUM threshold)",
            "How much accumulated drift away from normal before the detector calls a regime change. Lower means more, noisier signals.",
            "$ per contract", 0.001m, 0.5m, 0.001m, s => s.CusumThreshold, (s, v) => s with { CusumThreshold = v }),
        new(nameof(SpikeHunterSettings.CusumSlack), "Noise filter (CUSUM slack)",
            "Moves smaller than this per sample are ignored as noise.",
            "$ per contract", 0m, 0.1m, 0.001m, s => s.CusumSlack, (s, v) => s with { CusumSlack = v }),
        new(nameof(SpikeHunterSettings.EwmaSpan), "Memory length (EWMA span)",
            "How many samples define \"normal\"; also the warm-up before a market can signal. Changing it restarts the warm-up.",
            "samples", 2m, 1_000m, 1m, s => s.EwmaSpan, (s, v) => s with { EwmaSpan = ToInt(v) }),
        new(nameof(SpikeHunterSettings.EwmaMultiplier), "Band width (EWMA multiplier)",
            "How many volatilities from normal a price must be to count as unusual.",
            "volatilities", 0.5m, 10m, 0.1m, s => s.EwmaMultiplier, (s, v) => s with { EwmaMultiplier = v }),
        new(nameof(SpikeHunterSettings.RocThresholdPercent), "Minimum speed (rate of change)",
            "The price must have moved at least this much, in the spike's direction, over the speed window.",
            "%", 0m, 100m, 0.1m, s => s.RocThresholdPercent, (s, v) => s with { RocThresholdPercent = v }),
        new(nameof(SpikeHunterSettings.RocPeriods), "Speed window",
            "How many samples back the rate of change compares with.",
            "samples", 1m, 100m, 1m, s => s.RocPeriods, (s, v) => s with { RocPeriods = ToInt(v) }),
        new(nameof(SpikeHunterSettings.MinLiquidityUsd), "Minimum market depth",
            "Dollars that must rest on the top five asks of the token to buy.",
            "$", 0m, 1_000_000m, 1m, s => s.MinLiquidityUsd, (s, v) => s with { MinLiquidityUsd = v }),
        new(nameof(SpikeHunterSettings.MaxSpread), "Maximum spread",
            "The widest bid-ask spread of the token to buy that is still traded.",
            "$ per contract", 0.01m, 0.5m, 0.01m, s => s.MaxSpread, (s, v) => s with { MaxSpread = v }),
        new(nameof(SpikeHunterSettings.Cooldown), "Cooldown",
            "How long a market rests after an entry or an exit before it may be traded again.",
            "seconds", 0m, 3_600m, 1m, s => Seconds(s.Cooldown), (s, v) => s with { Cooldown = FromSeconds(v) }),
        new(nameof(SpikeHunterSettings.StopMultiplier), "Stop loss distance",
            "The stop sits this many volatilities below the entry price.",
            "volatilities", 0.1m, 20m, 0.1m, s => s.StopMultiplier, (s, v) => s with { StopMultiplier = v }),
        new(nameof(SpikeHunterSettings.ProfitMultiplier), "Take-profit distance",
            "The target sits this many volatilities above the entry price.",
            "volatilities", 0.1m, 50m, 0.1m, s => s.ProfitMultiplier, (s, v) => s with { ProfitMultiplier = v }),
        new(nameof(SpikeHunterSettings.TrailingMultiplier), "Trailing stop distance",
            "The stop follows the best bid up at this many volatilities below it; it never moves down.",
            "volatilities", 0.1m, 20m, 0.1m, s => s.TrailingMultiplier, (s, v) => s with { TrailingMultiplier = v }),
        new(nameof(SpikeHunterSettings.MaxHoldingTime), "Maximum holding time",
            "A position still open after this long is closed whatever the price.",
            "seconds", 1m, 86_400m, 1m, s => Seconds(s.MaxHoldingTime), (s, v) => s with { MaxHoldingTime = FromSeconds(v) }),
        new(nameof(SpikeHunterSettings.MaxConcurrentPositions), "Maximum open spike positions",
            "The most spike trades held at once; the risk limits still apply to all trades together.",
            "positions", 1m, 100m, 1m, s => s.MaxConcurrentPositions, (s, v) => s with { MaxConcurrentPositions = ToInt(v) }),
        new(nameof(SpikeHunterSettings.KellyFraction), "Kelly fraction",
            "The share of the full Kelly stake taken (0.25 = quarter Kelly).",
            "of full Kelly", 0.01m, 1m, 0.01m, s => s.KellyFraction, (s, v) => s with { KellyFraction = v }),
        new(nameof(SpikeHunterSettings.MaxBankrollFraction), "Maximum stake",
            "The largest entry as a share of the desk's equity, whatever Kelly says.",
            "of bankroll", 0.001m, 0.5m, 0.001m, s => s.MaxBankrollFraction, (s, v) => s with { MaxBankrollFraction = v }),
    ];

    /// <summary>A field's label for a property name, or the name (Enabled, Direction, old rows).</summary>
    public static string LabelOf(string name) => name switch
    {
        nameof(SpikeHunterSettings.Enabled) => "Enabled",
        nameof(SpikeHunterSettings.Direction) => "Direction",
        _ => All.FirstOrDefault(f => f.Name == name)?.Label ?? name,
    };

    /// <summary>An audit value such as "CusumThreshold=0.04" with labels.</summary>
    public static string Describe(string? audit) => RiskLimitFields.Describe(audit, LabelOf);

    private static decimal Seconds(TimeSpan value) => RiskLimitFields.Seconds(value);

    private static TimeSpan FromSeconds(decimal seconds) => RiskLimitFields.FromSeconds(seconds);

    private static int ToInt(decimal value) => RiskLimitFields.ToInt(value);

    public static string Format(decimal value) => RiskLimitFields.Format(value);
}
