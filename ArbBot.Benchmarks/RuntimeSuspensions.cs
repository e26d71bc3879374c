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
