using System.ComponentModel.DataAnnotations;

namespace ArbBot.Engine.MarketData;

/// <summary>How the engine judges its market data; bound from <see cref="SectionName"/>.</summary>
public sealed class MarketDataOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "ArbBot:MarketData";

    /// <summary>How long a book may go without any update before it is marked stale and strategies stop trusting it.</summary>
    /// <value>From 100 ms to 10 minutes; default 5 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the stale-book monitor checks every book's age; a book is marked at most this late.</summary>
    /// <value>From 10 ms to 1 minute; default 250 ms.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long the hub's thread keeps looking for the next book event before it sleeps on an empty queue
    /// (<see cref="MarketDataHub.SpinBeforeSleep"/>). Zero, the default, sleeps at once: an idle desk uses no processor.
    /// A spin (e.g. 50 µs) spares events that arrive close together the thread's wake-up, for up to that much processor
    /// time after each burst; on a machine with a core to spare it lowers the event-to-order latency.
    /// </summary>
    /// <value>From 0 to 10 ms; default 0.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:00.010", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan HubSpinBeforeSleep { get; set; } = TimeSpan.Zero;
}
