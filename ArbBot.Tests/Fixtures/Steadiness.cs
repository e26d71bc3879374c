using System.Globalization;

namespace ArbBot.Tests.Fixtures;

/// <summary>
/// "Steady" for a soak, judged robustly so a loaded machine cannot fail it by chance: the median of the last third of
/// the samples may exceed the median of the first third by at most a share of it plus a fixed slack. Shared by the
/// compressed soak test and the benchmarks' real-time <c>soak</c>.
/// </summary>
public readonly record struct Steadiness(string What, double First, double Last, double Allowed)
{
    public bool Steady => Last <= Allowed;

    public static Steadiness Judge(string what, IReadOnlyList<double> samples, double share, double slack)
    {
        ArgumentOutOfRangeException.ThrowIfZero(samples.Count);
        var third = Math.Max(1, samples.Count / 3);
        var first = Median(samples.Take(third));
        var last = Median(samples.Skip(samples.Count - third));
        return new Steadiness(what, first, last, first * (1 + share) + slack);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{What}: median {First:F1} over the first third, {Last:F1} over the last (allowed {Allowed:F1}): {(Steady ? "steady" : "GREW")}");

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
