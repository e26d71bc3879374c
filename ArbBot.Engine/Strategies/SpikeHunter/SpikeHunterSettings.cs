using System.Globalization;

namespace ArbBot.Engine.Strategies.SpikeHunter;

/// <summary>Whether the spike hunter bets on the spike reverting or continuing.</summary>
public enum SpikeTradeDirection : byte
{
    /// <summary>Trade against the spike (the overreaction thesis): after a jump up, buy NO; after a drop, buy YES.</summary>
    Fade,
    /// <summary>Trade with the spike: after a jump up, buy YES; after a drop, buy NO.</summary>
    Follow,
}

/// <summary>
/// The spike hunter's live-editable settings, persisted under <see cref="Control.SettingsStore.SpikeHunterKey"/> and
/// audited. Defaults are seed 004's; each property states its range, which <see cref="SpikeHunterSettingsValidator"/>
/// enforces. Prices and volatilities are probabilities (0–1 = $0–$1 per contract).
/// </summary>
public sealed record SpikeHunterSettings
{
    /// <summary>
    /// Trades when true; when false the detector still runs (the Signals page stays live) but nothing is entered, and open
    /// positions are still exited. Default false: a directional strategy is switched on by an admin who has watched its
    /// signals, not by an upgrade (on the simulator its stops gap on news jumps and can reach the daily loss limit).
    /// </summary>
    public bool Enabled { get; init; }
    /// <summary>Fade (default) or follow the spike.</summary>
    public SpikeTradeDirection Direction { get; init; } = SpikeTradeDirection.Fade;
    /// <summary>How often every instrument's mid price is sampled. 100 ms–60 s, default 1 s.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>CUSUM threshold h: accumulated deviation that counts as a regime change. 0.001–0.5, default 0.03.</summary>
    public decimal CusumThreshold { get; init; } = 0.03m;
    /// <summary>CUSUM slack k: deviation per sample ignored as noise. 0–0.1, default 0.005.</summary>
    public decimal CusumSlack { get; init; } = 0.005m;
    /// <summary>EWMA span in samples (alpha = 2/(span+1)); also the warm-up length. 2–1,000, default 20.</summary>
    public int EwmaSpan { get; init; } = 20;
    /// <summary>Band half-width in EWMA volatilities. 0.5–10, default 2.5.</summary>
    public decimal EwmaMultiplier { get; init; } = 2.5m;
    /// <summary>Rate of change (percent) needed to confirm the direction. 0–100, default 1.</summary>
    public decimal RocThresholdPercent { get; init; } = 1m;
    /// <summary>Samples the rate of change is measured over. 1–100, default 3.</summary>
    public int RocPeriods { get; init; } = 3;
    /// <summary>Least dollars (price × size) on the top 5 ask levels of the instrument to buy. 0–1,000,000, default 50.</summary>
    public decimal MinLiquidityUsd { get; init; } = 50m;
    /// <summary>Widest spread of the instrument to buy. 0.01–0.5, default 0.05.</summary>
    public decimal MaxSpread { get; init; } = 0.05m;
    /// <summary>Quiet time per market after an entry or an exit. 0–1 h, default 30 s.</summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Stop loss distance in volatilities below the entry mid. 0.1–20, default 2.</summary>
    public decimal StopMultiplier { get; init; } = 2m;
    /// <summary>Take-profit distance in volatilities above the entry mid. 0.1–50, default 3.</summary>
    public decimal ProfitMultiplier { get; init; } = 3m;
    /// <summary>Trailing stop distance in volatilities below the best mid since entry (only ever tightens). 0.1–20, default 1.5.</summary>
    public decimal TrailingMultiplier { get; init; } = 1.5m;
    /// <summary>Longest a position is held before it is closed whatever the price. 1 s–1 day, default 5 min.</summary>
    public TimeSpan MaxHoldingTime { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Most spike positions open at once. 1–100, default 3.</summary>
    public int MaxConcurrentPositions { get; init; } = 3;
    /// <summary>Share of the full Kelly stake taken. 0.01–1, default 0.25 (quarter Kelly).</summary>
    public decimal KellyFraction { get; init; } = 0.25m;
    /// <summary>Largest entry notional as a share of the bankroll (desk equity). 0.001–0.5, default 0.01.</summary>
    public decimal MaxBankrollFraction { get; init; } = 0.01m;

    /// <summary>The detector's slice of the settings.</summary>
    public SpikeDetectorParameters DetectorParameters => new(EwmaSpan, (double)EwmaMultiplier, (double)CusumThreshold, (double)CusumSlack,
        RocPeriods, (double)RocThresholdPercent);
}

/// <summary>One field of <see cref="SpikeHunterSettings"/> outside its documented range.</summary>
public sealed record SpikeHunterSettingViolation(string Field, string Message);

/// <summary>Checks every field of <see cref="SpikeHunterSettings"/> against its documented range (as <see cref="Risk.RiskLimitsValidator"/> does for limits).</summary>
public static class SpikeHunterSettingsValidator
{
    /// <summary>Every violation, in field order; empty when valid.</summary>
    public static IReadOnlyList<SpikeHunterSettingViolation> Validate(SpikeHunterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<SpikeHunterSettingViolation>();
        if (!Enum.IsDefined(settings.Direction))
        {
            errors.Add(new(nameof(SpikeHunterSettings.Direction), "Direction must be Fade or Follow"));
        }
        Range(errors, nameof(SpikeHunterSettings.SampleInterval), settings.SampleInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(60));
        Range(errors, nameof(SpikeHunterSettings.CusumThreshold), settings.CusumThreshold, 0.001m, 0.5m);
        Range(errors, nameof(SpikeHunterSettings.CusumSlack), settings.CusumSlack, 0m, 0.1m);
        Range(errors, nameof(SpikeHunterSettings.EwmaSpan), settings.EwmaSpan, 2m, 1_000m);
        Range(errors, nameof(SpikeHunterSettings.EwmaMultiplier), settings.EwmaMultiplier, 0.5m, 10m);
        Range(errors, nameof(SpikeHunterSettings.RocThresholdPercent), settings.RocThresholdPercent, 0m, 100m);
        Range(errors, nameof(SpikeHunterSettings.RocPeriods), settings.RocPeriods, 1m, 100m);
        Range(errors, nameof(SpikeHunterSettings.MinLiquidityUsd), settings.MinLiquidityUsd, 0m, 1_000_000m);
        Range(errors, nameof(SpikeHunterSettings.MaxSpread), settings.MaxSpread, 0.01m, 0.5m);
        Range(errors, nameof(SpikeHunterSettings.Cooldown), settings.Cooldown, TimeSpan.Zero, TimeSpan.FromHours(1));
        Range(errors, nameof(SpikeHunterSettings.StopMultiplier), settings.StopMultiplier, 0.1m, 20m);
        Range(errors, nameof(SpikeHunterSettings.ProfitMultiplier), settings.ProfitMultiplier, 0.1m, 50m);
        Range(errors, nameof(SpikeHunterSettings.TrailingMultiplier), settings.TrailingMultiplier, 0.1m, 20m);
        Range(errors, nameof(SpikeHunterSettings.MaxHoldingTime), settings.MaxHoldingTime, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Range(errors, nameof(SpikeHunterSettings.MaxConcurrentPositions), settings.MaxConcurrentPositions, 1m, 100m);
        Range(errors, nameof(SpikeHunterSettings.KellyFraction), settings.KellyFraction, 0.01m, 1m);
        Range(errors, nameof(SpikeHunterSettings.MaxBankrollFraction), settings.MaxBankrollFraction, 0.001m, 0.5m);
        return errors;
    }

    private static void Range(List<SpikeHunterSettingViolation> errors, string field, decimal value, decimal min, decimal max)
    {
        if (value >= min && value <= max) return;
        errors.Add(new(field, $"{field} must be between {Number(min)} and {Number(max)} (was {Number(value)})"));
    }

    private static void Range(List<SpikeHunterSettingViolation> errors, string field, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value >= min && value <= max) return;
        errors.Add(new(field, $"{field} must be between {Seconds(min)} and {Seconds(max)} (was {Seconds(value)})"));
    }

    private static string Number(decimal value) => value.ToString("#,0.####", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("#,0.###", CultureInfo.InvariantCulture) + " s";
}

/// <summary>
/// The spike hunter's current settings: changed only through <see cref="Control.DeskCommands.SetSpikeHunterSettingsAsync"/>
/// (persisted and audited first, then applied on the hub's thread); read from any thread (an immutable record published atomically).
/// </summary>
public sealed class SpikeHunterControls
{
    private volatile SpikeHunterSettings _settings = new();

    public SpikeHunterSettings Settings => _settings;

    /// <summary>Raised after a change, on the hub's thread.</summary>
    public event Action<SpikeHunterSettings>? Changed;

    /// <summary>Publishes new settings. Call on the hub's thread (commands do); tests may call it directly.</summary>
    public void Apply(SpikeHunterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        Changed?.Invoke(settings);
    }
}
