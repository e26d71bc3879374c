using System.ComponentModel.DataAnnotations;
using ArbBot.Engine.Core;

namespace ArbBot.Engine.Portfolio;

/// <summary>Paper balances and the day boundary of the portfolio.</summary>
public sealed class PortfolioOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Portfolio";

    /// <summary>Cash each venue starts with in paper mode, in dollars.</summary>
    /// <value>Each 0–100,000,000; default 10,000 on Kalshi and on Polymarket.</value>
    public Dictionary<VenueId, decimal> StartingBalances { get; set; } = new()
    {
        [VenueId.Kalshi] = 10_000m,
        [VenueId.Polymarket] = 10_000m,
    };

    /// <summary>The IANA time zone whose midnight starts a new trading day for daily PnL.</summary>
    /// <value>A zone known to the system, e.g. "America/New_York"; default "UTC".</value>
    [Required]
    public string TimeZone { get; set; } = "UTC";

    /// <summary>The configured zone; call after validation.</summary>
    public TimeZoneInfo ResolveTimeZone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (venue, balance) in StartingBalances)
        {
            if (!Enum.IsDefined(venue))
            {
                yield return new ValidationResult($"StartingBalances names an unknown venue '{venue}' (known: {string.Join(", ", Enum.GetNames<VenueId>())}).", [nameof(StartingBalances)]);
            }
            else if (balance is < 0m or > 100_000_000m)
            {
                yield return new ValidationResult($"The starting balance of {venue} must lie between 0 and 100,000,000.", [nameof(StartingBalances)]);
            }
        }
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone ?? "", out _))
        {
            yield return new ValidationResult($"Time zone '{TimeZone}' is not known to this system.", [nameof(TimeZone)]);
        }
    }
}
