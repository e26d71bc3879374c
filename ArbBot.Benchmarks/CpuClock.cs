using System.Diagnostics;

namespace ArbBot.Benchmarks;

/// <summary>
/// Processor time used by the process over a measurement: on a machine shared with other builds, wall time counts the
/// time the run waited for a core, processor time does not. Both are printed.
/// </summary>
internal readonly struct CpuClock
{
    private readonly TimeSpan _startCpu;
    private readonly long _startWall;

    private CpuClock(TimeSpan cpu, long wall)
    {
        _startCpu = cpu;
        _startWall = wall;
    }

    public static CpuClock Start() => new(Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.GetTimestamp());

    /// <summary>Processor-seconds used since <see cref="Start"/>.</summary>
    public double Seconds => (Process.GetCurrentProcess().TotalProcessorTime - _startCpu).TotalSeconds;

    public string Describe(long events)
    {
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - _startCpu).TotalSeconds;
        var wall = Stopwatch.GetElapsedTime(_startWall).TotalSeconds;
        return FormattableString.Invariant(
            $"  processor time  {cpu:F2} s of {wall:F2} s wall ({cpu / wall:P0} of one core): {events / Math.Max(cpu, 1e-9):N0} events per processor-second");
    }
}
