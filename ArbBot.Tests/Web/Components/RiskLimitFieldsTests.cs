using ArbBot.Engine.Risk;
using ArbBot.Web.Components.Pages;

namespace ArbBot.Tests.Web.Components;

public sealed class RiskLimitFieldsTests
{
    [Fact]
    public void Every_limit_has_exactly_one_field()
    {
        var properties = typeof(RiskLimits).GetProperties().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(properties, RiskLimitFields.All.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    public static TheoryData<string> FieldNames() => [.. RiskLimitFields.All.Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(FieldNames))]
    public void Page_range_matches_the_validator(string name)
    {
        var field = RiskLimitFields.All.Single(f => f.Name == name);
        var defaults = new RiskLimits();

        Assert.Empty(RiskLimitsValidator.Validate(field.Set(defaults, field.Min)));
        Assert.Empty(RiskLimitsValidator.Validate(field.Set(defaults, field.Max)));
        // One step beyond either end must be refused for this very field, so the page never offers a value the desk rejects.
        Assert.Contains(RiskLimitsValidator.Validate(field.Set(defaults, field.Min - field.Step)), v => v.Field == name);
        Assert.Contains(RiskLimitsValidator.Validate(field.Set(defaults, field.Max + field.Step)), v => v.Field == name);
    }

    [Theory]
    [MemberData(nameof(FieldNames))]
    public void Default_value_round_trips_and_sits_in_range(string name)
    {
        var field = RiskLimitFields.All.Single(f => f.Name == name);
        var defaults = new RiskLimits();
        var value = field.Get(defaults);

        Assert.InRange(value, field.Min, field.Max);
        Assert.Equal(defaults, field.Set(defaults, value));
    }

    [Fact]
    public void Durations_are_edited_in_seconds()
    {
        var cooldown = RiskLimitFields.All.Single(f => f.Name == nameof(RiskLimits.PairCooldown));
        var bookAge = RiskLimitFields.All.Single(f => f.Name == nameof(RiskLimits.MaxBookAge));

        Assert.Equal(2m, cooldown.Get(new RiskLimits()));
        Assert.Equal(TimeSpan.FromMilliseconds(250), bookAge.Set(new RiskLimits(), 0.25m).MaxBookAge);
    }

    [Fact]
    public void Wild_entries_become_validation_errors_not_exceptions()
    {
        foreach (var field in RiskLimitFields.All)
        {
            var limits = field.Set(new RiskLimits(), decimal.MaxValue);
            Assert.Contains(RiskLimitsValidator.Validate(limits), v => v.Field == field.Name);
        }
    }

    [Fact]
    public void Audit_text_is_shown_with_labels()
    {
        Assert.Equal("Max trade size: 500; Pair cooldown: 00:00:02", RiskLimitFields.Describe("MaxTradeSize=500; PairCooldown=00:00:02"));
        Assert.Equal("—", RiskLimitFields.Describe(null));
    }
}
