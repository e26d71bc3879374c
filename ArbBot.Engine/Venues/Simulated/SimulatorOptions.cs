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
}
