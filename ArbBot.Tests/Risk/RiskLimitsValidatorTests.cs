using ArbBot.Engine.Risk;

namespace ArbBot.Tests.Risk;

public sealed class RiskLimitsValidatorTests
{
    public static TheoryData<string, RiskLimits, RiskLimits, string> OutOfRange => new()
    {
        // field, just inside (low end), just outside, expected message
        { "MinNetEdge", new RiskLimits { MinNetEdge = 0.001m }, new RiskLimits { MinNetEdge = 0.0009m }, "MinNetEdge must be between 0.001 and 0.5 (was 0.0009)" },
        { "MinNetEdge", new RiskLimits { MinNetEdge = 0.5m }, new RiskLimits { MinNetEdge = 0.51m }, "MinNetEdge must be between 0.001 and 0.5 (was 0.51)" },
        { "MaxTradeSize", new RiskLimits { MaxTradeSize = 1m }, new RiskLimits { MaxTradeSize = 0m }, "MaxTradeSize must be between 1 and 1,000,000 (was 0)" },
        { "MaxTradeSize", new RiskLimits { MaxTradeSize = 1_000_000m }, new RiskLimits { MaxTradeSize = 1_000_001m }, "MaxTradeSize must be between 1 and 1,000,000 (was 1,000,001)" },
        { "MaxPositionPerMarket", new RiskLimits { MaxPositionPerMarket = 10_000_000m }, new RiskLimits { MaxPositionPerMarket = 10_000_000.01m }, "MaxPositionPerMarket must be between 1 and 10,000,000 (was 10,000,000.01)" },
        { "MaxOpenPositions", new RiskLimits { MaxOpenPositions = 1 }, new RiskLimits { MaxOpenPositions = 0 }, "MaxOpenPositions must be between 1 and 10,000 (was 0)" },
        { "MaxTotalExposure", new RiskLimits { MaxTotalExposure = 100_000_000m }, new RiskLimits { MaxTotalExposure = 0.99m }, "MaxTotalExposure must be between 1 and 100,000,000 (was 0.99)" },
        { "DailyLossLimit", new RiskLimits { DailyLossLimit = 1m }, new RiskLimits { DailyLossLimit = -5m }, "DailyLossLimit must be between 1 and 1,000,000 (was -5)" },
        { "MaxDrawdown", new RiskLimits { MaxDrawdown = 10_000_000m }, new RiskLimits { MaxDrawdown = 0.5m }, "MaxDrawdown must be between 1 and 10,000,000 (was 0.5)" },
        { "PairCooldown", new RiskLimits { PairCooldown = TimeSpan.Zero }, new RiskLimits { PairCooldown = TimeSpan.FromHours(2) }, "PairCooldown must be between 0 s and 1 h (was 2 h)" },
        { "CircuitBreakerFailures", new RiskLimits { CircuitBreakerFailures = 1_000 }, new RiskLimits { CircuitBreakerFailures = 1_001 }, "CircuitBreakerFailures must be between 1 and 1,000 (was 1,001)" },
        { "CircuitBreakerWindow", new RiskLimits { CircuitBreakerWindow = TimeSpan.FromDays(1) }, new RiskLimits { CircuitBreakerWindow = TimeSpan.FromMilliseconds(500) }, "CircuitBreakerWindow must be between 1 s and 1 day (was 500 ms)" },
        { "MaxBookAge", new RiskLimits { MaxBookAge = TimeSpan.FromMilliseconds(100) }, new RiskLimits { MaxBookAge = TimeSpan.FromMilliseconds(50) }, "MaxBookAge must be between 100 ms and 10 min (was 50 ms)" },
        { "SlippageTolerance", new RiskLimits { SlippageTolerance = 0m }, new RiskLimits { SlippageTolerance = 0.25m }, "SlippageTolerance must be between 0 and 0.2 (was 0.25)" },
        { "MaxHedgeLoss", new RiskLimits { MaxHedgeLoss = 0.5m }, new RiskLimits { MaxHedgeLoss = -0.01m }, "MaxHedgeLoss must be between 0 and 0.5 (was -0.01)" },
        { "OrderTimeout", new RiskLimits { OrderTimeout = TimeSpan.FromMinutes(5) }, new RiskLimits { OrderTimeout = TimeSpan.FromSeconds(301) }, "OrderTimeout must be between 100 ms and 5 min (was 301 s)" },
        { "FixedCostPerSet", new RiskLimits { FixedCostPerSet = 1m }, new RiskLimits { FixedCostPerSet = 1.5m }, "FixedCostPerSet must be between 0 and 1 (was 1.5)" },
    };

    [Fact]
    public void Default_limits_are_valid()
    {
        Assert.Empty(RiskLimitsValidator.Validate(new RiskLimits()));
    }

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void A_field_outside_its_documented_range_is_named_with_its_range_and_value(string field, RiskLimits atBound, RiskLimits outside, string message)
    {
        Assert.Empty(RiskLimitsValidator.Validate(atBound));

        var violation = Assert.Single(RiskLimitsValidator.Validate(outside));

        Assert.Equal(new RiskLimitViolation(field, message), violation);
    }

    [Fact]
    public void Every_violation_is_reported_not_just_the_first()
    {
        var limits = new RiskLimits { MaxTradeSize = 0m, MaxBookAge = TimeSpan.Zero, FixedCostPerSet = 2m };

        Assert.Equal(["MaxTradeSize", "MaxBookAge", "FixedCostPerSet"], RiskLimitsValidator.Validate(limits).Select(v => v.Field));
    }
}
