using System.ComponentModel.DataAnnotations;

namespace ArbBot.Engine.Venues.Simulated;

/// <summary>Settings of the built-in market simulator (configuration section <c>ArbBot:Simulator</c>).</summary>
public sealed class SimulatorOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "ArbBot:Simulator";

    /// <summary>
    /// The seed of every random choice the simulator makes: the same seed gives the same catalog ids and the same
    /// event stream per venue, step for step.
    /// </summary>
    /// <value>Any 32-bit integer. Default 20261121.</value>
    [Range(int.MinValue, int.MaxValue)]
    public int Seed { get; set; } = 20261121;

    /// <summary>How often the simulated world and its books move.</summary>
    /// <value>From 10 ms to 10 s. Default 100 ms.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan StepInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How often, per market per hour, one venue's book briefly slips a few cents away from the other's: the
    /// cross-venue dislocations arbitrage trades. Raise it to see trades sooner in a demo; 0 turns them off.
    /// </summary>
    /// <value>From 0 to 3,600 per market per hour. Default 12 (one every five minutes per market).</value>
    [Range(0d, 3_600d)]
    public double DislocationsPerHour { get; set; } = 12;
}
