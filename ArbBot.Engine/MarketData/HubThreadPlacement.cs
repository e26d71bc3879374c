using System.Globalization;
using System.Runtime.InteropServices;

namespace ArbBot.Engine.MarketData;

/// <summary>
/// Where the hub's thread runs: pinned to one processor (<c>sched_setaffinity</c>) and/or under the real-time FIFO
/// policy at a low priority (<c>sched_setscheduler</c>). Linux only; applied by the hub's thread to itself as it starts.
/// When the OS refuses (a container without CAP_SYS_NICE, a processor the process may not use), the thread carries on
/// as it was and the refusal is described.
/// </summary>
/// <remarks>
/// Why: the hub runs the whole desk's hot path on one thread; when the scheduler moves it or lets another thread take
/// its core, every event queued behind waits. On a machine with a core to spare (isolated for the hub), pinning keeps
/// its caches and a FIFO policy keeps ordinary threads from preempting it. Measured on this two-core VM shared with the
/// feed and the collector, see bench/notes/wt-gc3.md.
/// </remarks>
public sealed record HubThreadPlacement(int Processor, int RealTimePriority)
{
    /// <summary>No placement: the scheduler decides (the default).</summary>
    public static readonly HubThreadPlacement None = new(-1, 0);

    /// <summary>True when nothing is asked for.</summary>
    public bool IsNone => Processor < 0 && RealTimePriority <= 0;

    /// <summary>Applies the placement to the calling thread; returns what happened, in words (for the log).</summary>
    public string ApplyToCurrentThread()
    {
        if (IsNone) return "no placement asked for";
        if (!OperatingSystem.IsLinux()) return "hub thread placement is Linux only; left to the scheduler";
        var said = new List<string>();
        if (Processor >= 0)
        {
            if (Processor >= 64)
            {
                said.Add(string.Create(CultureInfo.InvariantCulture, $"processor {Processor} is beyond the 64 this build can pin to; not pinned"));
            }
            else
            {
                var mask = 1UL << Processor;
                var result = SchedSetAffinity(0, (nuint)sizeof(ulong), ref mask);
                said.Add(result == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"pinned to processor {Processor}")
                    : string.Create(CultureInfo.InvariantCulture, $"pinning to processor {Processor} refused by the OS (errno {Marshal.GetLastPInvokeError()}); not pinned"));
            }
        }
        if (RealTimePriority > 0)
        {
            var parameter = RealTimePriority;
            var result = SchedSetScheduler(0, SchedFifo, ref parameter);
            said.Add(result == 0
                ? string.Create(CultureInfo.InvariantCulture, $"real-time FIFO policy at priority {RealTimePriority}")
                : string.Create(CultureInfo.InvariantCulture, $"real-time FIFO policy refused by the OS (errno {Marshal.GetLastPInvokeError()}; containers lack CAP_SYS_NICE); ordinary policy kept"));
        }
        return string.Join("; ", said);
    }

    private const int SchedFifo = 1;

    // pid 0: the calling thread (Linux applies both calls per thread).
    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static extern int SchedSetAffinity(int pid, nuint size, ref ulong mask);

    [DllImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static extern int SchedSetScheduler(int pid, int policy, ref int priority);
}
