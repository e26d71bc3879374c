using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace ArbBot.Benchmarks;

/// <summary>
/// Every time the runtime stopped all managed threads (from "suspend begin" to "restart end"), with its reason, read in
/// process from the runtime's GC events. A garbage collection is one reason; others (tiered compilation's call-counting
/// clean-up, the debugger) stop the threads too but do not count in <see cref="GC.GetTotalPauseDuration"/>.
/// </summary>
internal sealed class RuntimeSuspensions : EventListener
{
    private readonly List<(DateTime Begin, DateTime End, int Reason)> _suspensions = [];
    private readonly List<Collection> _collections = [];
    private readonly Dictionary<long, string> _threadNames = [];
    private DateTime? _begin;
    private int _reason;
    private readonly DateTime _originUtc = DateTime.UtcNow;
    private readonly long _originTimestamp = Stopwatch.GetTimestamp();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Informational, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        lock (_suspensions)
        {
            if (e.EventName is "GCSuspendEEBegin_V1" or "GCSuspendEEBegin")
            {
                _begin = e.TimeStamp.ToUniversalTime();
                _reason = e.Payload is { Count: > 0 } payload ? Convert.ToInt32(payload[0], CultureInfo.InvariantCulture) : -1;
            }
            else if (e.EventName is "GCStart_V2" or "GCStart_V1" && e.Payload is { Count: >= 4 } start)
            {
                // Count, Depth, Reason, Type; the event is written on the thread that runs the collection (workstation GC:
                // the one whose allocation triggered it, or a background GC thread for a background gen 2).
                _collections.Add(new Collection(e.TimeStamp.ToUniversalTime(), Convert.ToInt32(start[1], CultureInfo.InvariantCulture),
                    Convert.ToInt32(start[2], CultureInfo.InvariantCulture), Convert.ToInt32(start[3], CultureInfo.InvariantCulture), ThreadName(e.OSThreadId)));
            }
            else if (e.EventName is "GCHeapStats_V2" or "GCHeapStats_V1" && e.Payload is { Count: >= 6 } stats && _collections.Count > 0)
            {
                // GenerationSize0, TotalPromotedSize0, GenerationSize1, TotalPromotedSize1, GenerationSize2, TotalPromotedSize2, ...
                var last = _collections[^1];
                if (last.Promoted0 < 0)
                {
                    _collections[^1] = last with
                    {
                        Promoted0 = Convert.ToInt64(stats[1], CultureInfo.InvariantCulture),
                        Promoted1 = Convert.ToInt64(stats[3], CultureInfo.InvariantCulture),
                        Gen2Size = Convert.ToInt64(stats[4], CultureInfo.InvariantCulture),
                    };
                }
            }
            else if (e.EventName is "GCEnd_V1" or "GCEnd" && _collections.Count > 0 && _collections[^1].End is null)
            {
                // From GCStart to GCEnd: the collection's own work (marking, copying), without the wait for threads to stop.
                _collections[^1] = _collections[^1] with { End = e.TimeStamp.ToUniversalTime() };
            }
            else if (e.EventName is "GCRestartEEEnd_V1" or "GCRestartEEEnd" && _begin is { } begin)
            {
                _suspensions.Add((begin, e.TimeStamp.ToUniversalTime(), _reason));
                _begin = null;
            }
        }
    }

    /// <summary>The suspensions overlapping [<paramref name="start"/>, <paramref name="end"/>] (Stopwatch timestamps), described.</summary>
    public string During(long start, long end)
    {
        var from = ToUtc(start);
        var to = ToUtc(end);
        lock (_suspensions)
        {
            var parts = _suspensions.Where(s => s.End >= from && s.Begin <= to)
                .Select(s => string.Create(CultureInfo.InvariantCulture, $"{ReasonName(s.Reason)} {(s.End - s.Begin).TotalMilliseconds:F1} ms"));
            var text = string.Join(", ", parts);
            return text.Length == 0 ? "none" : text;
        }
    }

    /// <summary>How many suspensions there were by reason, and their summed length.</summary>
    public string Summary()
    {
        lock (_suspensions)
        {
            return string.Join(", ", _suspensions.GroupBy(s => s.Reason).Select(g =>
                string.Create(CultureInfo.InvariantCulture, $"{ReasonName(g.Key)} {g.Count()} ({g.Sum(s => (s.End - s.Begin).TotalMilliseconds):F1} ms)")));
        }
    }

    /// <summary>Every collection started after <paramref name="since"/> (a Stopwatch timestamp): when, which generation, why, on which thread, what it promoted.</summary>
    public string Collections(long since)
    {
        var from = ToUtc(since);
        lock (_suspensions)
        {
            return string.Join(Environment.NewLine, _collections.Where(c => c.At >= from).Select(c =>
            {
                var pause = _suspensions.Where(s => s.Reason == 1 && s.End >= c.At && s.Begin <= c.At.AddSeconds(1)).Select(s => (s.End - s.Begin).TotalMilliseconds).FirstOrDefault();
                return string.Create(CultureInfo.InvariantCulture,
                    $"    at {(c.At - from).TotalSeconds,6:F2} s: gen {c.Depth} ({(c.Type == 1 ? "background" : c.Type == 0 ? "blocking" : "type " + c.Type)}, reason {c.Reason}) on {c.Thread}, suspension {pause:F1} ms (GC work {Work(c):F1} ms), promoted gen0 {c.Promoted0 / 1e6:F1} MB, gen1 {c.Promoted1 / 1e6:F1} MB, gen2 now {c.Gen2Size / 1e6:F0} MB");
            }));
        }
    }

    /// <summary>
    /// Per generation after <paramref name="since"/>: how many collections, and the median and largest of the bytes each
    /// promoted out of gen 0, its GC work (start to end) and the suspension it was part of.
    /// </summary>
    public string CollectionSummary(long since)
    {
        var from = ToUtc(since);
        lock (_suspensions)
        {
            var lines = _collections.Where(c => c.At >= from && c.Type != 1).GroupBy(c => c.Depth).OrderBy(g => g.Key).Select(g =>
            {
                var promoted = g.Select(c => c.Promoted0 / 1e6).Order().ToList();
                var work = g.Select(Work).Order().ToList();
                var pauses = g.Select(c => _suspensions.Where(s => s.Reason == 1 && s.End >= c.At && s.Begin <= c.At.AddSeconds(1)).Select(s => (s.End - s.Begin).TotalMilliseconds).FirstOrDefault()).Order().ToList();
                return string.Create(CultureInfo.InvariantCulture,
                    $"    gen {g.Key} blocking: {g.Count()}, promoted out of gen 0 median {Median(promoted):F2} MB (max {promoted[^1]:F2}), GC work median {Median(work):F1} ms (max {work[^1]:F1}), suspension median {Median(pauses):F1} ms (max {pauses[^1]:F1})");
            });
            var text = string.Join(Environment.NewLine, lines);
            return text.Length == 0 ? "    none" : text;
        }
    }

    private static double Median(List<double> sorted) => sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    private static double Work(Collection c) => c.End is { } end ? (end - c.At).TotalMilliseconds : double.NaN;

    private string ThreadName(long id)
    {
        if (_threadNames.TryGetValue(id, out var name)) return name;
        try
        {
            name = File.ReadAllText($"/proc/self/task/{id}/comm").Trim();
        }
        catch (IOException)
        {
            name = "?";
        }
        return _threadNames[id] = name;
    }

    private sealed record Collection(DateTime At, int Depth, int Reason, int Type, string Thread)
    {
        public long Promoted0 { get; init; } = -1;
        public long Promoted1 { get; init; }
        public long Gen2Size { get; init; }
        public DateTime? End { get; init; }
    }

    private DateTime ToUtc(long timestamp) => _originUtc + Stopwatch.GetElapsedTime(_originTimestamp, timestamp);

    private static string ReasonName(int reason) => reason switch
    {
        0 => "other (e.g. tiered compilation)",
        1 => "GC",
        2 => "app domain shutdown",
        3 => "code pitching / rejit",
        4 => "shutdown",
        5 => "debugger",
        6 => "GC prep",
        7 => "debugger sweep",
        _ => string.Create(CultureInfo.InvariantCulture, $"reason {reason}"),
    };
}
