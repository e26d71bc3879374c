using System.Globalization;
using ArbBot.Engine.Risk;

namespace ArbBot.Web.Components.Pages;

/// <summary>
/// One editable field of <see cref="RiskLimits"/> as the Risk page shows it: a plain-language label and explanation,
/// the documented range (durations in seconds) and how to read and write it as a number.
/// </summary>
public sealed record RiskLimitField(
    string Name,
    string Label,
    string Explanation,
    string Unit,
    decimal Min,
    decimal Max,
    decimal Step,
    Func<RiskLimits, decimal> Get,
    Func<RiskLimits, decimal, RiskLimits> Set);

/// <summary>Every field of <see cref="RiskLimits"/>, in the order the validator checks them.</summary>
public static class RiskLimitFields
{
    /// <summary>The ranges repeat RiskLimits' documentation; a test checks them against <see cref="RiskLimitsValidator"/>.</summary>
    public static IReadOnlyList<RiskLimitField> All { get; } =
    [
        new(nameof(RiskLimits.MinNetEdge), "Minimum net edge",
            "The smallest profit per set, after every fee and fixed cost, that is worth trading. Smaller opportunities are ignored.",
            "$ per set", 0.001m, 0.5m, 0.001m, l => l.MinNetEdge, (l, v) => l with { MinNetEdge = v }),
        new(nameof(RiskLimits.MaxTradeSize), "Max trade size",
            "The most money one trade may use, all legs together. A larger opportunity is traded at this size.",
            "$", 1m, 1_000_000m, 1m, l => l.MaxTradeSize, (l, v) => l with { MaxTradeSize = v }),
        new(nameof(RiskLimits.MaxPositionPerMarket), "Max position per market",
            "The most money held in one market, both outcomes together. No trade may take a market above this.",
            "$", 1m, 10_000_000m, 1m, l => l.MaxPositionPerMarket, (l, v) => l with { MaxPositionPerMarket = v }),
        new(nameof(RiskLimits.MaxOpenPositions), "Max open positions",
            "The most markets the desk may hold a position in at once. A trade that would open one more is refused.",
            "markets", 1m, 10_000m, 1m, l => l.MaxOpenPositions, (l, v) => l with { MaxOpenPositions = ToInt(v) }),
        new(nameof(RiskLimits.MaxTotalExposure), "Max total exposure",
            "The most money held in all open positions together, on every venue. A larger trade is made smaller to fit.",
            "$", 1m, 100_000_000m, 1m, l => l.MaxTotalExposure, (l, v) => l with { MaxTotalExposure = v }),
        new(nameof(RiskLimits.DailyLossLimit), "Daily loss limit",
            "Trading stops for the rest of the day once today's profit and loss falls this far below zero.",
            "$", 1m, 1_000_000m, 1m, l => l.DailyLossLimit, (l, v) => l with { DailyLossLimit = v }),
        new(nameof(RiskLimits.MaxDrawdown), "Max drawdown",
            "Trading stops once the account's value falls this far below its highest point.",
            "$", 1m, 10_000_000m, 1m, l => l.MaxDrawdown, (l, v) => l with { MaxDrawdown = v }),
        new(nameof(RiskLimits.PairCooldown), "Pair cooldown",
            "How long the desk waits after trading a pair before it may trade the same pair again.",
            "seconds", 0m, 3_600m, 1m, l => Seconds(l.PairCooldown), (l, v) => l with { PairCooldown = FromSeconds(v) }),
        new(nameof(RiskLimits.CircuitBreakerFailures), "Circuit breaker failures",
            "How many failed executions within the circuit breaker window stop trading until someone looks.",
            "failures", 1m, 1_000m, 1m, l => l.CircuitBreakerFailures, (l, v) => l with { CircuitBreakerFailures = ToInt(v) }),
        new(nameof(RiskLimits.CircuitBreakerWindow), "Circuit breaker window",
            "The span of time in which failed executions are counted for the circuit breaker.",
            "seconds", 1m, 86_400m, 1m, l => Seconds(l.CircuitBreakerWindow), (l, v) => l with { CircuitBreakerWindow = FromSeconds(v) }),
        new(nameof(RiskLimits.MaxBookAge), "Max price age",
            "Prices older than this are treated as stale: the desk does not trade on them until fresh data arrives.",
            "seconds", 0.1m, 600m, 0.1m, l => Seconds(l.MaxBookAge), (l, v) => l with { MaxBookAge = FromSeconds(v) }),
        new(nameof(RiskLimits.SlippageTolerance), "Slippage tolerance",
            "How much worse than planned, per contract, the second leg of a trade may fill.",
            "$ per contract", 0m, 0.2m, 0.001m, l => l.SlippageTolerance, (l, v) => l with { SlippageTolerance = v }),
        new(nameof(RiskLimits.MaxHedgeLoss), "Max hedge loss",
            "The largest loss per set the desk accepts to complete a half-filled trade; beyond it, the filled leg is sold back instead.",
            "$ per set", 0m, 0.5m, 0.001m, l => l.MaxHedgeLoss, (l, v) => l with { MaxHedgeLoss = v }),
        new(nameof(RiskLimits.OrderTimeout), "Order timeout",
            "How long an order may wait without a final answer from the venue before the desk cancels it.",
            "seconds", 0.1m, 300m, 0.1m, l => Seconds(l.OrderTimeout), (l, v) => l with { OrderTimeout = FromSeconds(v) }),
        new(nameof(RiskLimits.FixedCostPerSet), "Fixed cost per set",
            "A fixed cost per set on every trade (for example a transfer or gas fee), subtracted before judging the edge.",
            "$ per set", 0m, 1m, 0.001m, l => l.FixedCostPerSet, (l, v) => l with { FixedCostPerSet = v }),
    ];

    /// <summary>The field's label for a property name, or the name itself when unknown (old audit rows).</summary>
    public static string LabelOf(string name) => All.FirstOrDefault(f => f.Name == name)?.Label ?? name;

    /// <summary>An audit value such as "MaxTradeSize=500; PairCooldown=00:00:02" with labels instead of property names.</summary>
    public static string Describe(string? audit) => Describe(audit, LabelOf);

    /// <summary>An audit value of "Field=value" parts with each field named by <paramref name="labelOf"/>.</summary>
    internal static string Describe(string? audit, Func<string, string> labelOf)
    {
        if (string.IsNullOrWhiteSpace(audit)) return "—";
        var parts = audit.Split("; ", StringSplitOptions.RemoveEmptyEntries).Select(part =>
        {
            var at = part.IndexOf('=', StringComparison.Ordinal);
            return at < 0 ? part : $"{labelOf(part[..at])}: {part[(at + 1)..]}";
        });
        return string.Join("; ", parts);
    }

    internal static decimal Seconds(TimeSpan value) => value.Ticks / (decimal)TimeSpan.TicksPerSecond;

    // Clamped first so a wild entry becomes an out-of-range value the validator reports, not an overflow exception.
    internal static TimeSpan FromSeconds(decimal seconds) =>
        TimeSpan.FromTicks((long)(Math.Clamp(seconds, -1_000_000_000m, 1_000_000_000m) * TimeSpan.TicksPerSecond));

    internal static int ToInt(decimal value) => (int)Math.Clamp(Math.Round(value, MidpointRounding.AwayFromZero), int.MinValue, int.MaxValue);

    /// <summary>A number for people: thousands separated, no trailing zeros.</summary>
    public static string Format(decimal value) => value.ToString("#,0.####", CultureInfo.InvariantCulture);
}
