using System.Runtime.InteropServices;

namespace ArbBot.Benchmarks;

/// <summary>
/// The calling thread's own accounting from the kernel (Linux): its processor time
/// (<c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>) and, from <c>getrusage(RUSAGE_THREAD)</c>, how often it was switched
/// out — involuntarily (preempted: another thread took its core) or voluntarily (it blocked: a lock, a futex, I/O) — and
/// its page faults. Both allocate nothing, so a timed loop can stamp them per iteration.
/// </summary>
internal static class ThreadCpu
{
    private const int ClockThreadCpuTimeId = 3;
    private const int RusageThread = 1;

    /// <summary>The C <c>struct timespec</c> (64-bit Linux).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxResident;
        public long SharedText;
        public long UnsharedData;
        public long UnsharedStack;
        public long MinorFaults;
        public long MajorFaults;
        public long Swaps;
        public long BlockInputs;
        public long BlockOutputs;
        public long MessagesSent;
        public long MessagesReceived;
        public long Signals;
        public long VoluntarySwitches;
        public long InvoluntarySwitches;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();

    /// <summary>The calling thread's kernel id.</summary>
    public static int CurrentThreadId() => GetThreadId();

    /// <summary>
    /// Sets the nice value of every thread of this process except <paramref name="keep"/> (a kernel thread id); returns
    /// how many were changed. Linux lets an unprivileged process raise its threads' nice values (lower their priority),
    /// not lower them again. Threads created later inherit their creator's value.
    /// </summary>
    public static int NiceAllThreadsBut(int keep, int nice)
    {
        var changed = 0;
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            if (!int.TryParse(Path.GetFileName(task), out var tid) || tid == keep) continue;
            if (SetPriority(0, tid, nice) == 0) changed++;
        }
        return changed;
    }

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetResourceUsage(int who, out ResourceUsage usage);

    /// <summary>The calling thread's processor time in nanoseconds (0 where unsupported).</summary>
    public static long Nanoseconds() => ClockGetTime(ClockThreadCpuTimeId, out var t) == 0 ? t.Seconds * 1_000_000_000 + t.Nanoseconds : 0;

    /// <summary>The calling thread's context switches and page faults so far (zeros where unsupported).</summary>
    public static SwitchCounts Switches() =>
        GetResourceUsage(RusageThread, out var u) == 0 ? new SwitchCounts(u.InvoluntarySwitches, u.VoluntarySwitches, u.MinorFaults + u.MajorFaults) : default;
}

/// <summary>A thread's context switches (preempted, blocked) and page faults, as counted by the kernel.</summary>
internal readonly record struct SwitchCounts(long Preempted, long Blocked, long PageFaults);
