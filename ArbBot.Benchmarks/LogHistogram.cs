using System.Diagnostics;
using System.Globalization;
using System.Numerics;

namespace ArbBot.Benchmarks;

/// <summary>
/// A latency histogram in the HdrHistogram style: values in nanoseconds, exact below 64 ns, then 32 log-linear buckets
/// per power of two (every bucket within ~3% of its values) up to 2^62 ns. Recording is an index computation and an
/// increment: no allocation, no lock. Single writer (the hub's thread); read it once the writer has stopped.
/// </summary>
internal sealed class LogHistogram
{
    private const int LinearBuckets = 64;
    private const int SubBuckets = 32;
    private readonly long[] _counts = new long[LinearBuckets + (62 - 6 + 1) * SubBuckets];
    private long _max;

    public long Count { get; private set; }

    /// <summary>The sum of every recorded value (nanoseconds).</summary>
    public long Sum { get; private set; }

    /// <summary>Records the time from <paramref name="startTimestamp"/> (a <see cref="Stopwatch.GetTimestamp"/>) to now.</summary>
    public void RecordSince(long startTimestamp) => Record(ToNanoseconds(Stopwatch.GetTimestamp() - startTimestamp));

    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0) nanoseconds = 0;
        _counts[IndexOf(nanoseconds)]++;
        Count++;
        Sum += nanoseconds;
        if (nanoseconds > _max) _max = nanoseconds;
    }

    public static long ToNanoseconds(long stopwatchTicks) =>
        Stopwatch.Frequency == 1_000_000_000 ? stopwatchTicks : (long)(stopwatchTicks * (1e9 / Stopwatch.Frequency));

    private static int IndexOf(long value)
    {
        if (value < LinearBuckets) return (int)value;
        var msb = 63 - BitOperations.LeadingZeroCount((ulong)value);
        // value >> (msb - 5) lies in [32, 63]: the bucket within this power of two.
        return LinearBuckets + (msb - 6) * SubBuckets + (int)(value >> (msb - 5)) - SubBuckets;
    }

    /// <summary>The highest value a bucket holds.</summary>
    private static long UpperBoundOf(int index)
    {
        if (index < LinearBuckets) return index;
        var msb = (index - LinearBuckets) / SubBuckets + 6;
        var sub = (index - LinearBuckets) % SubBuckets + SubBuckets;
        return ((long)(sub + 1) << (msb - 5)) - 1;
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1), as its bucket's upper bound (never above the maximum).</summary>
    public long ValueAt(double q)
    {
        if (Count == 0) return 0;
        var rank = Math.Max(1, (long)Math.Ceiling(q * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(UpperBoundOf(i), _max);
        }
        return _max;
    }

    public long Max => _max;

    public void Reset()
    {
        Array.Clear(_counts);
        Count = 0;
        Sum = 0;
        _max = 0;
    }

    /// <summary>"n samples: p50 X us, p99 Y us, p99.9 Z us, max M us".</summary>
    public string Describe() => Count == 0
        ? "no samples"
        : string.Create(CultureInfo.InvariantCulture,
            $"{Count:N0} samples: p50 {ValueAt(0.50) / 1e3:F1} us, p90 {ValueAt(0.90) / 1e3:F1} us, p99 {ValueAt(0.99) / 1e3:F1} us, p99.9 {ValueAt(0.999) / 1e3:F1} us, max {Max / 1e3:F1} us");
}
