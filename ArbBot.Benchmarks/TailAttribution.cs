using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ArbBot.Benchmarks;

/// <summary>
/// Says why paced events waited before the hub applied them. As the hub starts applying each paced event (the probe's
/// recorder hook, hub thread) it stamps the wall clock, the hub thread's own processor time
/// (<c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>), the runtime's total GC pause, the GC count, the hub's sleeps and the
/// desk's running counts (opportunities reaching the desk, orders submitted, fills) into preallocated arrays; nothing
/// else happens during the run. Afterwards, for every event whose in → applied exceeded the threshold, the wait
/// [ingress, applied] is split over the hub's "slots" it spans (slot i = from applying event i to applying event i + 1:
/// the event, the work it queued, timers and fills run in between) into
/// <list type="bullet">
/// <item><b>hub busy</b>: the hub thread's processor time (its own work on the events and work ahead of it);</item>
/// <item><b>GC</b>: the runtime's pause time (every managed thread stopped);</item>
/// <item><b>off-core</b>: the rest of the wall time — the hub thread runnable but not running (preempted), or waking from
/// a sleep.</item>
/// </list>
/// The slot in progress when the event arrived counts only from its arrival (its processor time capped at that part,
/// none when the hub had gone to sleep in it).
/// </summary>
internal sealed class TailAttribution
{
    private readonly long[] _wall;
    private readonly long[] _cpu;
    private readonly long[] _gcPause;
    private readonly int[] _gcCount;
    private readonly int[] _sleeps;
    private readonly int[] _found;
    private readonly int[] _orders;
    private readonly int[] _fills;
    private readonly long[] _hubBytes;
    private readonly int[] _passes;
    private readonly long[] _jitTicks;
    private readonly Func<long> _sleepCount;
    private readonly Func<long> _fillCount;
    private readonly Func<long> _orderCount;
    private int _foundSoFar;
    private int _passesSoFar;

    public TailAttribution(int events, Func<long> sleepCount, Func<long> fillCount, Func<long> orderCount)
    {
        _wall = new long[events];
        _cpu = new long[events];
        _gcPause = new long[events];
        _gcCount = new int[events];
        _sleeps = new int[events];
        _found = new int[events];
        _orders = new int[events];
        _fills = new int[events];
        _hubBytes = new long[events];
        _passes = new int[events];
        _jitTicks = new long[events];
        _sleepCount = sleepCount;
        _fillCount = fillCount;
        _orderCount = orderCount;
    }

    /// <summary>An opportunity reached the desk (hub thread).</summary>
    public void OnFound() => _foundSoFar++;

    /// <summary>The spike hunter finished a sampling pass (hub thread: its board's <c>Updated</c>).</summary>
    public void OnSpikePass() => _passesSoFar++;

    /// <summary>The hub starts applying paced event <paramref name="index"/>, stamped at <paramref name="appliedAt"/> (hub thread).</summary>
    public void OnApplied(long index, long appliedAt)
    {
        _wall[index] = appliedAt;
        _cpu[index] = ThreadCpu.Nanoseconds();
        _gcPause[index] = GC.GetTotalPauseDuration().Ticks;
        _gcCount[index] = GC.CollectionCount(0);
        _sleeps[index] = (int)_sleepCount();
        _found[index] = _foundSoFar;
        _orders[index] = (int)_orderCount();
        _fills[index] = (int)_fillCount();
        // What the hub thread itself has allocated so far (a thread-local counter: no allocation, a few ns).
        _hubBytes[index] = GC.GetAllocatedBytesForCurrentThread();
        _passes[index] = _passesSoFar;
        // Time the hub thread spent compiling methods (first calls, tier-up, OSR): JIT runs on the calling thread.
        _jitTicks[index] = System.Runtime.JitInfo.GetCompilationTime(currentThread: true).Ticks;
    }

    /// <summary>The breakdown of the slow events among [<paramref name="from"/>, end) and the hub's heaviest slots.</summary>
    public string Describe(long[] ingress, long from, double slowMicroseconds, int top = 12, Func<long, long, string>? suspensionsDuring = null)
    {
        var ticksPerMicro = Stopwatch.Frequency / 1e6;
        var threshold = (long)(slowMicroseconds * ticksPerMicro);
        var last = _wall.Length - 1;
        while (last > 0 && _wall[last] == 0) last--;
        long measured = 0, slow = 0;
        double busySum = 0, gcSum = 0, offSum = 0, waitSum = 0;
        var byCause = new Dictionary<string, (long Count, double Wait)>(StringComparer.Ordinal);
        var heavyKinds = new Dictionary<string, long>(StringComparer.Ordinal);
        var ahead = new LogHistogram();
        var slowWaits = new LogHistogram();
        for (var e = (int)Math.Max(from, 1); e <= last; e++)
        {
            if (_wall[e] == 0) continue;
            measured++;
            var wait = _wall[e] - ingress[e];
            if (wait <= threshold) continue;
            slow++;
            // The slot in progress when the event arrived: the last event applied at or before its ingress.
            var x = Array.BinarySearch(_wall, 0, e, ingress[e]);
            x = x >= 0 ? x : ~x - 1;
            if (x < 0) x = 0;
            double busy = 0, gc = 0;
            long heaviest = -1, heaviestCpu = -1;
            for (var j = x; j < e; j++)
            {
                if (_wall[j] == 0 || _wall[j + 1] == 0) continue;
                double pause = _gcPause[j + 1] - _gcPause[j];
                pause *= Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond;
                // A workstation GC collects on the thread that triggered it, often the hub: its processor time in a pause is the GC's.
                var cpu = Math.Max(0, (_cpu[j + 1] - _cpu[j]) * ticksPerMicro / 1e3 - pause);
                if (j == x)
                {
                    var overlap = Math.Max(0, _wall[j + 1] - ingress[e]);
                    cpu = _sleeps[j + 1] != _sleeps[j] ? 0 : Math.Min(cpu, overlap);
                    pause = Math.Min(pause, overlap);
                }
                busy += cpu;
                gc += pause;
                var slotCpu = (long)(cpu * 1e3 / ticksPerMicro);
                if (slotCpu > heaviestCpu)
                {
                    heaviestCpu = slotCpu;
                    heaviest = j;
                }
            }
            var off = Math.Max(0, wait - busy - gc);
            busySum += busy;
            gcSum += gc;
            offSum += off;
            waitSum += wait;
            ahead.Record(e - x);
            slowWaits.Record(LogHistogram.ToNanoseconds(wait));
            string cause;
            if (gc >= busy && gc >= off) cause = "GC pause";
            else if (off >= busy) cause = _sleeps[x + 1 == e ? e : x + 1] != _sleeps[x] ? "off-core: hub waking from sleep" : "off-core: hub preempted";
            else if (heaviest >= 0 && heaviestCpu * ticksPerMicro / 1e3 >= busy / 2)
            {
                cause = "hub busy: one heavy slot ahead";
                var kind = CoarseKindOf(heaviest);
                heavyKinds[kind] = heavyKinds.GetValueOrDefault(kind) + 1;
            }
            else cause = "hub busy: many events ahead";
            var (n, w) = byCause.GetValueOrDefault(cause);
            byCause[cause] = (n + 1, w + wait);
        }

        var text = new StringBuilder();
        var us = 1 / ticksPerMicro;
        text.Append(CultureInfo.InvariantCulture, $"  tail attribution: {slow:N0} of {measured:N0} paced events waited > {slowMicroseconds:F0} us before the hub applied them ({slow * 100.0 / Math.Max(1, measured):F2}%)");
        text.AppendLine();
        if (slow > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"    their wait: p50 {slowWaits.ValueAt(0.5) / 1e3:F0} us, p99 {slowWaits.ValueAt(0.99) / 1e3:F0} us, max {slowWaits.Max / 1e3:F0} us; events applied ahead of them p50 {ahead.ValueAt(0.5):F0}, p99 {ahead.ValueAt(0.99):F0}");
            text.AppendLine();
            text.Append(CultureInfo.InvariantCulture, $"    wait time split: hub busy (its own processor time) {busySum * 100 / waitSum:F0}%, GC pause {gcSum * 100 / waitSum:F0}%, off-core (preempted or waking) {offSum * 100 / waitSum:F0}% (of {waitSum * us / 1e3:F1} ms summed)");
            text.AppendLine();
            text.AppendLine("    slow events by main cause (share of events, share of their wait):");
            foreach (var (cause, (n, w)) in byCause.OrderByDescending(c => c.Value.Count))
            {
                text.Append(CultureInfo.InvariantCulture, $"      {cause,-36} {n * 100.0 / slow,5:F1}%  {w * 100 / waitSum,5:F1}%");
                text.AppendLine();
            }
            if (heavyKinds.Count > 0)
            {
                text.Append("      the heavy slot did: ");
                text.AppendJoin(", ", heavyKinds.OrderByDescending(k => k.Value).Take(6).Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Key} {k.Value:N0}")));
                text.AppendLine();
            }
        }

        // The hub's own processor time per slot, by what the slot did.
        var kinds = new Dictionary<string, LogHistogram>(StringComparer.Ordinal);
        var bytesByKind = new Dictionary<string, long>(StringComparer.Ordinal);
        var slots = new List<(int Index, long Cpu)>();
        long hubBytes = 0, slotCount = 0;
        for (var j = (int)from; j < last; j++)
        {
            if (_wall[j] == 0 || _wall[j + 1] == 0) continue;
            var cpu = _cpu[j + 1] - _cpu[j];
            var kind = CoarseKindOf(j);
            if (!kinds.TryGetValue(kind, out var histogram)) kinds[kind] = histogram = new LogHistogram();
            histogram.Record(cpu);
            slots.Add((j, cpu));
            var bytes = _hubBytes[j + 1] - _hubBytes[j];
            bytesByKind[kind] = bytesByKind.GetValueOrDefault(kind) + bytes;
            hubBytes += bytes;
            slotCount++;
        }
        text.AppendLine("  hub processor time per slot (an event, the work it queued, timers and fills until the next event), by what it did:");
        foreach (var (kind, histogram) in kinds.OrderByDescending(k => k.Value.Count))
        {
            text.Append(CultureInfo.InvariantCulture, $"    {kind,-34} {histogram.Count,9:N0} slots: p50 {histogram.ValueAt(0.5) / 1e3,7:F1} us, p99 {histogram.ValueAt(0.99) / 1e3,7:F1} us, max {histogram.Max / 1e3,8:F1} us, total {histogram.Sum / 1e9,6:F2} s; hub allocated {bytesByKind[kind] / (double)histogram.Count,8:F1} B per slot");
            text.AppendLine();
        }
        var jitMs = (_jitTicks[last] - _jitTicks[from]) / 1e4;
        text.Append(CultureInfo.InvariantCulture, $"  the hub thread allocated {hubBytes / (double)Math.Max(1, slotCount):F1} B per paced event ({hubBytes / 1e6:F1} MB over {slotCount:N0} slots); it spent {jitMs:F1} ms compiling methods after the warm-up");
        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"  the {top} slots with the most hub processor time:");
        text.AppendLine();
        foreach (var (index, cpu) in slots.OrderByDescending(s => s.Cpu).Take(top))
        {
            var wall = (_wall[index + 1] - _wall[index]) * us;
            var pause = (_gcPause[index + 1] - _gcPause[index]) / 10.0;
            var at = (_wall[index] - _wall[from]) * us / 1e6;
            text.Append(CultureInfo.InvariantCulture, $"    event {index,9:N0} at {at,5:F2} s: cpu {cpu / 1e3,8:F1} us, wall {wall,8:F1} us, GC pause {pause,7:F1} us ({_gcCount[index + 1] - _gcCount[index]} GCs), hub allocated {(_hubBytes[index + 1] - _hubBytes[index]) / 1024.0,8:F1} KB, JIT on the hub {(_jitTicks[index + 1] - _jitTicks[index]) / 10.0,7:F1} us, {KindOf(index)}");
            if (suspensionsDuring is not null) text.Append(CultureInfo.InvariantCulture, $"; runtime suspensions: {suspensionsDuring(_wall[index], _wall[index + 1])}");
            text.AppendLine();
        }
        return text.ToString();
    }

    /// <summary>What a slot did, in five kinds: a spike hunter sampling pass (with whatever else), fills, orders without fills, opportunities only, book update only.</summary>
    private string CoarseKindOf(long slot)
    {
        if (_passes[slot + 1] != _passes[slot]) return "spike hunter pass (and more)";
        if (_fills[slot + 1] != _fills[slot]) return "fills (and orders, opportunities)";
        if (_orders[slot + 1] != _orders[slot]) return "orders, no fill";
        if (_found[slot + 1] != _found[slot]) return "opportunities refused, no order";
        return "book update only";
    }

    private string KindOf(long slot)
    {
        var found = _found[slot + 1] - _found[slot];
        var orders = _orders[slot + 1] - _orders[slot];
        var fills = _fills[slot + 1] - _fills[slot];
        var passes = _passes[slot + 1] - _passes[slot];
        if (found == 0 && orders == 0 && fills == 0 && passes == 0) return "book update only";
        var parts = new List<string>(4);
        if (passes > 0) parts.Add("spike hunter pass");
        if (found > 0) parts.Add(found == 1 ? "1 opportunity" : found < 5 ? $"{found} opportunities" : "5+ opportunities");
        if (orders > 0) parts.Add(orders == 1 ? "1 order" : orders < 5 ? $"{orders} orders" : "5+ orders");
        if (fills > 0) parts.Add(fills == 1 ? "1 fill" : fills < 5 ? $"{fills} fills" : "5+ fills");
        return string.Join(", ", parts);
    }
}
