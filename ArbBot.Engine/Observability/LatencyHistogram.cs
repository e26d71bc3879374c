using System.Diagnostics;

namespace ArbBot.Engine.Observability;

/// <summary>
/// A fixed-bucket latency histogram that the hub's thread can update with a few interlocked adds: no lock, no
/// allocation. Readers (the metrics endpoint) see counts that may be a moment apart, which Prometheus tolerates.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Upper bounds of the buckets, in seconds (Prometheus <c>le</c>); the last bucket is +Inf.</summary>
    public static readonly double[] BoundsSeconds = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    private static readonly long[] BoundsTicks = [.. BoundsSeconds.Select(s => (long)(s * Stopwatch.Frequency))];

    private readonly long[] _counts = new long[BoundsSeconds.Length + 1];
    private long _sumTicks;
    private long _count;

    /// <summary>Records a duration measured with <see cref="Stopwatch.GetTimestamp"/> ticks.</summary>
    public void Observe(long stopwatchTicks)
    {
        var bucket = BoundsTicks.Length;
        for (var i = 0; i < BoundsTicks.Length; i++)
        {
            if (stopwatchTicks <= BoundsTicks[i])
            {
                bucket = i;
                break;
            }
        }
        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumTicks, stopwatchTicks);
        Interlocked.Increment(ref _count);
    }

    /// <summary>Cumulative counts per bucket (the last is +Inf), the total count and the sum in seconds.</summary>
    public (long[] Cumulative, long Count, double SumSeconds) Read()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            running += Interlocked.Read(ref _counts[i]);
            cumulative[i] = running;
        }
        return (cumulative, running, Interlocked.Read(ref _sumTicks) / (double)Stopwatch.Frequency);
    }
}
