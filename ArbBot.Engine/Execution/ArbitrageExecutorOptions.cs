using System.ComponentModel.DataAnnotations;
using ArbBot.Engine.Core;

namespace ArbBot.Engine.Execution;

/// <summary>How the arbitrage executor orders legs, waits for silent venues and retries hedges.</summary>
public sealed class ArbitrageExecutorOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Execution:Arbitrage";

    /// <summary>
    /// The usual time from sending an order to its answer, per venue. When two legs are equally thin, the slower
    /// venue's leg goes first: it is the likelier to miss.
    /// </summary>
    /// <value>Default Kalshi 150 ms, Polymarket 300 ms; a venue not listed counts as 0.</value>
    public Dictionary<VenueId, TimeSpan> ExpectedLatency { get; set; } = new()
    {
        [VenueId.Kalshi] = TimeSpan.FromMilliseconds(150),
        [VenueId.Polymarket] = TimeSpan.FromMilliseconds(300),
    };

    /// <summary>
    /// How long after cancelling a timed-out order to wait for any answer before treating it as expired.
    /// </summary>
    /// <value>From 0 to 1 minute; default 2 s.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "ExpiryGrace must lie between 0 and 1 minute.")]
    public TimeSpan ExpiryGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long to wait before looking again when a book offers nothing to unwind into.</summary>
    /// <value>From 10 ms to 10 s; default 250 ms.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10", ErrorMessage = "RetryInterval must lie between 10 ms and 10 seconds.")]
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Hedge retries of a short leg before unwinding instead.</summary>
    /// <value>From 0 to 10; default 2.</value>
    [Range(0, 10)]
    public int MaxHedgeAttempts { get; set; } = 2;

    /// <summary>
    /// How long a finished execution's orders are remembered, so a fill arriving late is still recognised and reported
    /// as unhedged exposure rather than ignored.
    /// </summary>
    /// <value>From 1 minute to 1 day; default 1 hour.</value>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "RetainCompletedFor must lie between 1 minute and 1 day.")]
    public TimeSpan RetainCompletedFor { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The most finished orders remembered for late fills, whatever <see cref="RetainCompletedFor"/> says. When a newly
    /// ended execution would pass it, the oldest executions' orders are forgotten first (a warning is logged when that
    /// starts); a late fill of an order forgotten this way is still journaled and reported, whole, as unhedged exposure
    /// (without its pair, which is no longer known), never ignored. A late count without its fill is logged as an error.
    /// </summary>
    /// <value>From 100 to 10,000,000; default 100,000 (~20 MB with their fills' ids, kept as values). A desk sending a
    /// few orders a minute never reaches it within the hour; the latency harness (~550 orders a second) does in minutes.</value>
    [Range(100, 10_000_000, ErrorMessage = "MaxFinishedOrders must lie between 100 and 10,000,000.")]
    public int MaxFinishedOrders { get; set; } = 100_000;

    /// <summary>Each venue's expected latency lies between 0 and 10 seconds (it orders the legs; a negative one would invert it).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (venue, latency) in ExpectedLatency)
        {
            if (!Enum.IsDefined(venue))
            {
                yield return new ValidationResult($"ExpectedLatency names an unknown venue '{venue}' (known: {string.Join(", ", Enum.GetNames<VenueId>())}).", [nameof(ExpectedLatency)]);
            }
            else if (latency < TimeSpan.Zero || latency > TimeSpan.FromSeconds(10))
            {
                yield return new ValidationResult($"ExpectedLatency of {venue} must lie between 00:00:00 and 00:00:10 (was {latency}).", [nameof(ExpectedLatency)]);
            }
        }
    }
}
