using System.ComponentModel.DataAnnotations;

namespace ArbBot.Engine.Lifecycle;

/// <summary>How the desk starts and stops (configuration section <c>ArbBot:Lifecycle</c>).</summary>
public sealed class LifecycleOptions
{
    public const string Section = "ArbBot:Lifecycle";

    /// <summary>
    /// The longest a stop (SIGTERM, Ctrl+C) may take from the signal to the process exiting: executions are given
    /// <see cref="ExecutionDrainTimeout"/> to finish, open orders are cancelled, every pending record is saved.
    /// </summary>
    /// <value>From 1 s to 5 min. Default 15 s.</value>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "ArbBot:Lifecycle:ShutdownTimeout must be between 00:00:01 and 00:05:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a stop waits for executions already under way to finish their legs (so no leg is left unhedged by the
    /// stop itself) before their remaining orders are cancelled. Part of <see cref="ShutdownTimeout"/>.
    /// </summary>
    /// <value>From 0 to 1 min. Default 3 s.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "ArbBot:Lifecycle:ExecutionDrainTimeout must be between 00:00:00 and 00:01:00")]
    public TimeSpan ExecutionDrainTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
