using System.ComponentModel.DataAnnotations;

namespace ArbBot.Engine.Execution;

/// <summary>How the paper gateway simulates execution against the live L2 books.</summary>
public sealed class PaperExecutionOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Execution:Paper";

    /// <summary>
    /// The simulated round trip from placing an order to it meeting the book: matching runs against the book as it
    /// is once this much time has passed, not as it was when the order was placed.
    /// </summary>
    /// <value>From 0 to 10 seconds; default 50 ms. Zero matches on the next pass of the market-data hub.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10", ErrorMessage = "Latency must lie between 0 and 10 seconds.")]
    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(50);
}
