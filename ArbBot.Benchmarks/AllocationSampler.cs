using System.Diagnostics.Tracing;

namespace ArbBot.Benchmarks;

/// <summary>
/// Counts the runtime's allocation samples (one per ~100 KB allocated) by type, in process: enough to name what the
/// hot path allocates without an external profiler.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly Dictionary<string, int> _byType = new(StringComparer.Ordinal);

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName != "GCAllocationTick_V4" || e.Payload is null) return;
        var index = e.PayloadNames!.IndexOf("TypeName");
        var type = index >= 0 ? e.Payload[index] as string ?? "?" : "?";
        lock (_byType) _byType[type] = _byType.GetValueOrDefault(type) + 1;
    }

    public string Top(int count)
    {
        lock (_byType)
        {
            var total = Math.Max(1, _byType.Values.Sum());
            return string.Join(Environment.NewLine, _byType.OrderByDescending(p => p.Value).Take(count).Select(p => $"  {100.0 * p.Value / total,5:F1}%  {p.Key}"));
        }
    }
}
