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
    private readonly long _startThreadNs;

    private CpuClock(TimeSpan cpu, long wall, long threadNs)
    {
        _startCpu = cpu;
        _startWall = wall;
        _startThreadNs = threadNs;
    }

    public static CpuClock Start() => new(Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.GetTimestamp(), ThreadCpu.Nanoseconds());

    /// <summary>Processor-seconds used since <see cref="Start"/>.</summary>
    public double Seconds => (Process.GetCurrentProcess().TotalProcessorTime - _startCpu).TotalSeconds;

    /// <param name="events">Events handled over the measurement.</param>
    /// <param name="callerRuns">The measured work ran on the calling thread (replay): also print that thread's own time.</param>
    public string Describe(long events, bool callerRuns = false)
    {
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - _startCpu).TotalSeconds;
        var wall = Stopwatch.GetElapsedTime(_startWall).TotalSeconds;
        var line = FormattableString.Invariant(
            $"  processor time  {cpu:F2} s of {wall:F2} s wall ({cpu / wall:P0} of one core): {events / Math.Max(cpu, 1e-9):N0} events per processor-second");
        // The calling thread's own share, where the run is single-threaded (replay: the desk runs on the caller); the rest
        // of the process's time is the runtime's own threads (background collection, the JIT's tiering) and any helper.
        var thread = (ThreadCpu.Nanoseconds() - _startThreadNs) / 1e9;
        return !callerRuns || thread <= 0 ? line : line + Environment.NewLine + FormattableString.Invariant(
            $"                  of which this thread {thread:F2} s: {events / thread:N0} events per thread processor-second; the runtime's other threads {Math.Max(cpu - thread, 0):F2} s");
    }
}
