using System.Diagnostics;
using System.Runtime;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Hosting;

/// <summary>
/// One full, compacting collection once the desk is wired (instruments, books, pairs, strategies, positions) and before
/// market data starts to flow, so the set-up's survivors are in gen 2 before trading.
/// </summary>
/// <remarks>
/// The aim was the first gen 1 of trading, which copied ~9 MB on whichever thread allocated at that moment (on the hub a
/// ~59 ms slot here, bench/notes/wt-gen1.md). Measured (bench/notes/wt-gc3.md), it did not remove that gen 1: most of
/// those bytes are built in the first seconds of trading, not during set-up. It is kept because it costs nothing that
/// waits (no book has arrived yet; 0.2–0.4 s at start) and leaves the set-up's survivors compacted in gen 2.
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
