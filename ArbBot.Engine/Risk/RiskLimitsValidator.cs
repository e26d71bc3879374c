using System.Globalization;

namespace ArbBot.Engine.Risk;

/// <summary>One field of <see cref="RiskLimits"/> outside its documented range.</summary>
public sealed record RiskLimitViolation(
    /// <summary>The property name, e.g. "MaxTradeSize".</summary>
    string Field,
    /// <summary>For people, e.g. "MaxTradeSize must be between 1 and 1,000,000 (was 0)".</summary>
    string Message);

/// <summary>
/// Checks every field of <see cref="RiskLimits"/> against the range its documentation states, so the REST API and the
/// dashboard refuse a bad edit with a message naming the field.
/// </summary>
public static class RiskLimitsValidator
{
    /// <summary>Every violation, in field order; empty when the limits are valid.</summary>
    public static IReadOnlyList<RiskLimitViolation> Validate(RiskLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var errors = new List<RiskLimitViolation>();
        Range(errors, nameof(RiskLimits.MinNetEdge), limits.MinNetEdge, 0.001m, 0.5m);
        Range(errors, nameof(RiskLimits.MaxTradeSize), limits.MaxTradeSize, 1m, 1_000_000m);
        Range(errors, nameof(RiskLimits.MaxPositionPerMarket), limits.MaxPositionPerMarket, 1m, 10_000_000m);
        Range(errors, nameof(RiskLimits.MaxOpenPositions), limits.MaxOpenPositions, 1m, 10_000m);
        Range(errors, nameof(RiskLimits.MaxTotalExposure), limits.MaxTotalExposure, 1m, 100_000_000m);
        Range(errors, nameof(RiskLimits.DailyLossLimit), limits.DailyLossLimit, 1m, 1_000_000m);
        Range(errors, nameof(RiskLimits.MaxDrawdown), limits.MaxDrawdown, 1m, 10_000_000m);
        Range(errors, nameof(RiskLimits.PairCooldown), limits.PairCooldown, TimeSpan.Zero, TimeSpan.FromHours(1));
        Range(errors, nameof(RiskLimits.CircuitBreakerFailures), limits.CircuitBreakerFailures, 1m, 1_000m);
        Range(errors, nameof(RiskLimits.CircuitBreakerWindow), limits.CircuitBreakerWindow, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Range(errors, nameof(RiskLimits.MaxBookAge), limits.MaxBookAge, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
        Range(errors, nameof(RiskLimits.SlippageTolerance), limits.SlippageTolerance, 0m, 0.2m);
        Range(errors, nameof(RiskLimits.MaxHedgeLoss), limits.MaxHedgeLoss, 0m, 0.5m);
        Range(errors, nameof(RiskLimits.OrderTimeout), limits.OrderTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        Range(errors, nameof(RiskLimits.FixedCostPerSet), limits.FixedCostPerSet, 0m, 1m);
        return errors;
    }

    private static void Range(List<RiskLimitViolation> errors, string field, decimal value, decimal min, decimal max)
    {
        if (value >= min && value <= max) return;
        errors.Add(new RiskLimitViolation(field, $"{field} must be between {Number(min)} and {Number(max)} (was {Number(value)})"));
    }

    private static void Range(List<RiskLimitViolation> errors, string field, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value >= min && value <= max) return;
        errors.Add(new RiskLimitViolation(field, $"{field} must be between {Duration(min)} and {Duration(max)} (was {Duration(value)})"));
    }

    private static string Number(decimal value) => value.ToString("#,0.####", CultureInfo.InvariantCulture);

    /// <summary>A duration as people write it ("100 ms", "2 s", "10 min", "1 h", "1 day"), falling back to d.hh:mm:ss.</summary>
    private static string Duration(TimeSpan value)
    {
        if (value == TimeSpan.Zero) return "0 s";
        if (value < TimeSpan.Zero || value.Ticks % TimeSpan.TicksPerMillisecond != 0) return value.ToString("c", CultureInfo.InvariantCulture);
        if (value == TimeSpan.FromDays(1)) return "1 day";
        if (value.Ticks % TimeSpan.TicksPerHour == 0) return F(value.TotalHours, "h");
        if (value.Ticks % TimeSpan.TicksPerMinute == 0) return F(value.TotalMinutes, "min");
        if (value.Ticks % TimeSpan.TicksPerSecond == 0) return F(value.TotalSeconds, "s");
        return value < TimeSpan.FromSeconds(1) ? F(value.TotalMilliseconds, "ms") : F(value.TotalSeconds, "s");
    }

    private static string F(double amount, string unit) => amount.ToString("#,0.###", CultureInfo.InvariantCulture) + " " + unit;
}
