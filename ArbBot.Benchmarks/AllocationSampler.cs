using System.Diagnostics.Tracing;

namespace ArbBot.Benchmarks;

/// <summary>
/// Counts the runtime's allocation samples (one per ~100 KB allocated) by the allocating thread's name and the type, in
/// process: enough to name what the hot path allocates, and on which thread, without an external profiler.
/// </summary>
/// <remarks>
/// The events are dispatched on the listener's own thread; <see cref="EventWrittenEventArgs.OSThreadId"/> is the thread
/// that allocated, named from <c>/proc/self/task/TID/comm</c> (the hub's is <c>arbbot-hub</c>), cached per thread id.
/// </remarks>
internal sealed class AllocationSampler : EventListener
{
    private readonly Dictionary<(string Thread, string Type), int> _byType = [];
    private readonly Dictionary<long, string> _threadNames = [];

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName != "GCAllocationTick_V4" || e.Payload is null) return;
        var index = e.PayloadNames!.IndexOf("TypeName");
        var type = index >= 0 ? e.Payload[index] as string ?? "?" : "?";
        lock (_byType)
        {
            var thread = ThreadName(e.OSThreadId);
            _byType[(thread, type)] = _byType.GetValueOrDefault((thread, type)) + 1;
        }
    }

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
        catch (UnauthorizedAccessException)
        {
            name = "?";
        }
        return _threadNames[id] = name.Length == 0 ? "?" : name;
    }

    public string Top(int count)
    {
        lock (_byType)
        {
            var total = Math.Max(1, _byType.Values.Sum());
            var byThread = _byType.GroupBy(p => p.Key.Thread).Select(g => $"{g.Key} {100.0 * g.Sum(p => p.Value) / total:F1}%");
            return "  by thread: " + string.Join(", ", byThread) + Environment.NewLine +
                string.Join(Environment.NewLine, _byType.OrderByDescending(p => p.Value).Take(count).Select(p => $"  {100.0 * p.Value / total,5:F1}%  {p.Key.Thread,-16} {p.Key.Type}"));
        }
    }
}
