using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ArbBot.Benchmarks;

/// <summary>
/// Says why a timed call (the persist command's journal calls) took long. Around each call it stamps, into preallocated
/// arrays, the calling thread's processor time and context switches (<see cref="ThreadCpu"/>), the runtime's total GC
/// pause and GC count; the stamps sit outside the timed window, so the call's wall time is measured as before. Afterwards
/// every call over the threshold is split into
/// <list type="bullet">
/// <item><b>GC pause</b>: the runtime's pause time during the call (every managed thread stopped);</item>
/// <item><b>own work</b>: the thread's processor time beyond that pause (the call's code, JIT, page faults);</item>
/// <item><b>off-core</b>: the rest of the wall time — the thread runnable but not running (preempted: the kernel counted
/// an involuntary switch) or blocked (a voluntary switch: a lock, a futex).</item>
/// </list>
/// </summary>
internal sealed class StallAttribution
{
    private readonly long[] _cpu;
    private readonly long[] _pause;
    private readonly int[] _gcs;
    private readonly int[] _preempted;
    private readonly int[] _blocked;
    private readonly int[] _faults;
    private readonly long[] _at;
    private long _cpuBefore;
    private long _pauseBefore;
    private int _gcsBefore;
    private SwitchCounts _switchesBefore;

    public StallAttribution(long calls)
    {
        _cpu = new long[calls];
        _pause = new long[calls];
        _gcs = new int[calls];
        _preempted = new int[calls];
        _blocked = new int[calls];
        _faults = new int[calls];
        _at = new long[calls];
    }

    /// <summary>Stamps before a call (calling thread; allocates nothing).</summary>
    public void Before()
    {
        _switchesBefore = ThreadCpu.Switches();
        _gcsBefore = GC.CollectionCount(0);
        _pauseBefore = GC.GetTotalPauseDuration().Ticks;
        _cpuBefore = ThreadCpu.Nanoseconds();
    }

    /// <summary>Stamps after call <paramref name="index"/>, which started at <paramref name="startedAt"/> (a Stopwatch timestamp).</summary>
    public void After(long index, long startedAt)
    {
        _cpu[index] = ThreadCpu.Nanoseconds() - _cpuBefore;
        _pause[index] = GC.GetTotalPauseDuration().Ticks - _pauseBefore;
        _gcs[index] = GC.CollectionCount(0) - _gcsBefore;
        var switches = ThreadCpu.Switches();
        _preempted[index] = (int)(switches.Preempted - _switchesBefore.Preempted);
        _blocked[index] = (int)(switches.Blocked - _switchesBefore.Blocked);
        _faults[index] = (int)(switches.PageFaults - _switchesBefore.PageFaults);
        _at[index] = startedAt;
    }

    /// <summary>
    /// The breakdown of the calls whose wall time (<paramref name="wallMicroseconds"/>, unsorted) exceeded the threshold,
    /// each listed with its kind (<paramref name="kindOf"/>) and its time since <paramref name="runStart"/>.
    /// </summary>
    public string Describe(double[] wallMicroseconds, double slowMicroseconds, long runStart, Func<long, string> kindOf, Func<long, long, string>? suspensionsDuring = null, int list = 40)
    {
        var text = new StringBuilder();
        double wallSum = 0, gcSum = 0, ownSum = 0, offSum = 0;
        var byCause = new Dictionary<string, (int Count, double Wall)>(StringComparer.Ordinal);
        var slow = new List<long>();
        for (long i = 0; i < wallMicroseconds.Length; i++)
        {
            var wall = wallMicroseconds[i];
            if (wall <= slowMicroseconds) continue;
            slow.Add(i);
            var (gc, own, off, cause) = Split(i, wall);
            wallSum += wall;
            gcSum += gc;
            ownSum += own;
            offSum += off;
            var (n, w) = byCause.GetValueOrDefault(cause);
            byCause[cause] = (n + 1, w + wall);
        }
        text.Append(CultureInfo.InvariantCulture, $"  stall attribution: {slow.Count:N0} of {wallMicroseconds.Length:N0} calls over {slowMicroseconds:F0} us");
        text.AppendLine();
        if (slow.Count == 0) return text.ToString();
        text.Append(CultureInfo.InvariantCulture,
            $"    their wall time split: GC pause {gcSum * 100 / wallSum:F0}%, own work (thread processor time beyond the pause) {ownSum * 100 / wallSum:F0}%, off-core (preempted or blocked) {offSum * 100 / wallSum:F0}% (of {wallSum / 1e3:F1} ms summed)");
        text.AppendLine();
        text.AppendLine("    by main cause (calls, share of their wall time):");
        foreach (var (cause, (n, w)) in byCause.OrderByDescending(c => c.Value.Count))
        {
            text.Append(CultureInfo.InvariantCulture, $"      {cause,-44} {n,5}  {w * 100 / wallSum,5:F1}%");
            text.AppendLine();
        }
        text.AppendLine("    the calls (at: seconds into the run; cpu: the thread's processor time in the call; switches: preempted/blocked; faults: page faults):");
        foreach (var i in slow.OrderByDescending(i => wallMicroseconds[i]).Take(list).OrderBy(i => i))
        {
            var (_, _, _, cause) = Split(i, wallMicroseconds[i]);
            text.Append(CultureInfo.InvariantCulture,
                $"      #{i,-8} at {Stopwatch.GetElapsedTime(runStart, _at[i]).TotalSeconds,6:F3} s  {kindOf(i),-17} wall {wallMicroseconds[i],8:F0} us  cpu {_cpu[i] / 1e3,8:F0} us  GC {_pause[i] / 10.0,7:F0} us ({_gcs[i]})  switches {_preempted[i]}/{_blocked[i]}  faults {_faults[i]}  -> {cause}");
            if (suspensionsDuring is not null)
            {
                var end = _at[i] + (long)(wallMicroseconds[i] * Stopwatch.Frequency / 1e6);
                text.Append(CultureInfo.InvariantCulture, $"; runtime suspensions: {suspensionsDuring(_at[i], end)}");
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    private (double Gc, double Own, double Off, string Cause) Split(long i, double wall)
    {
        var gc = Math.Min(wall, _pause[i] / 10.0);
        // A workstation GC runs on the thread that triggered it: its processor time during a pause is the GC's.
        var own = Math.Min(wall - gc, Math.Max(0, _cpu[i] / 1e3 - gc));
        var off = Math.Max(0, wall - gc - own);
        string cause;
        if (gc >= own && gc >= off) cause = "GC pause";
        else if (own >= off) cause = _faults[i] > 0 ? "own work (with page faults)" : "own work";
        else if (_preempted[i] > 0) cause = "off-core: preempted";
        else if (_blocked[i] > 0) cause = "off-core: blocked (lock, futex)";
        else cause = "off-core: no switch counted";
        return (gc, own, off, cause);
    }
}
