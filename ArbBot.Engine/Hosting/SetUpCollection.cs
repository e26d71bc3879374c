using System.Diagnostics;
using System.Runtime;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Hosting;

/// <summary>
/// One full, compacting collection once the desk is wired (instruments, books, pairs, strategies, positions) and before
/// market data starts to flow, so the set-up's survivors are in gen 2 before trading.
/// </summary>
/// <remarks>
/// Without it the set-up leaves ~9 MB (books, registry, strategies' state) in gen 0/1, and the first gen 1 during trading
/// copies it on whichever thread allocates at that moment — on the hub, a ~59 ms slot on this machine (bench/notes/
/// wt-gen1.md). Before any book arrives nothing waits on the pause; the large object heap is compacted once too.
/// </remarks>
public static class SetUpCollection
{
    /// <summary>Collects and compacts every generation, blocking; returns how long it took and the heap after it.</summary>
    public static (TimeSpan Took, long HeapBytes) Run()
    {
        var started = Stopwatch.GetTimestamp();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return (Stopwatch.GetElapsedTime(started), GC.GetTotalMemory(forceFullCollection: false));
    }

    /// <summary><see cref="Run"/>, logged.</summary>
    public static void Run(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var (took, heap) = Run();
        logger.LogInformation("Set-up collection before market data: {Milliseconds:F1} ms, heap {HeapMegabytes:F1} MB", took.TotalMilliseconds, heap / 1048576.0);
    }
}
