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

    /// <summary>
    /// The processor the hub's thread is pinned to (<see cref="HubThreadPlacement"/>, Linux <c>sched_setaffinity</c>), or
    /// -1 (the default) to leave it to the scheduler. For a machine with a core set aside for the hub (e.g. kept free of
    /// other work with <c>isolcpus</c> or a cgroup): on a machine without one, pinning only stops the scheduler moving the
    /// hub away from a busy core. A refusal by the OS is logged and the desk runs unpinned.
    /// </summary>
    /// <value>From -1 to 63; default -1 (not pinned).</value>
    [Range(-1, 63)]
    public int HubProcessor { get; set; } = -1;

    /// <summary>
    /// The real-time FIFO priority of the hub's thread (Linux <c>sched_setscheduler</c>, <c>SCHED_FIFO</c>), or 0 (the
    /// default) for the ordinary policy. A FIFO thread is not preempted by ordinary threads; keep the priority low and
    /// use it only with a core to spare (or pinned away from the feeds), or it can starve them. Needs CAP_SYS_NICE
    /// (root outside a container); a refusal is logged and the ordinary policy kept.
    /// </summary>
    /// <value>From 0 to 99; default 0 (ordinary policy).</value>
    [Range(0, 99)]
    public int HubRealTimePriority { get; set; }
}
