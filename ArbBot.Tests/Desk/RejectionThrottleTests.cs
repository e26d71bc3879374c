using ArbBot.Engine.Desk;
using ArbBot.Engine.Risk;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Desk;

public sealed class RejectionThrottleTests
{
    /// <summary>
    /// <see cref="RejectionThrottle.SuppressInBoth"/> is the desk's one-look-up form of "neither would record, so count
    /// it against both": over random rejections, times and keys it must answer and count exactly as
    /// <see cref="RejectionThrottle.WouldRecord"/> on both followed by <see cref="RejectionThrottle.ShouldRecord(long?, string?, RiskRule, out int)"/>
    /// on both does, which later "+N similar" counts show.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Suppressing_in_both_answers_and_counts_as_checking_then_counting_each(int seed)
    {
        var time = new ManualTimeProvider();
        var interval = TimeSpan.FromSeconds(10);
        var (combinedFirst, combinedSecond) = (new RejectionThrottle(time, interval), new RejectionThrottle(time, interval));
        var (separateFirst, separateSecond) = (new RejectionThrottle(time, interval), new RejectionThrottle(time, interval));
        var random = new Random(seed);
        var rules = new[] { RiskRule.KillSwitch, RiskRule.PairCooldown, RiskRule.OrderInFlight };
        var suppressed = 0;

        for (var step = 0; step < 20_000; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 400)));
            long? pairId = random.Next(3) == 0 ? null : random.Next(1, 4);
            var eventKey = pairId is null ? $"E{random.Next(2)}" : null;
            var rule = rules[random.Next(rules.Length)];
            switch (random.Next(4))
            {
                case 0:
                    // The full path records (or thins) in the first throttle only, as the gate's risk events do.
                    Assert.Equal(separateFirst.ShouldRecord(pairId, eventKey, rule, out var a), combinedFirst.ShouldRecord(pairId, eventKey, rule, out var b));
                    Assert.Equal(a, b);
                    break;
                case 1:
                    Assert.Equal(separateSecond.ShouldRecord(pairId, eventKey, rule, out var c), combinedSecond.ShouldRecord(pairId, eventKey, rule, out var d));
                    Assert.Equal(c, d);
                    break;
                default:
                    var neither = !separateFirst.WouldRecord(pairId, eventKey, rule) && !separateSecond.WouldRecord(pairId, eventKey, rule);
                    if (neither)
                    {
                        separateFirst.ShouldRecord(pairId, eventKey, rule, out _);
                        separateSecond.ShouldRecord(pairId, eventKey, rule, out _);
                        suppressed++;
                    }
                    Assert.Equal(neither, RejectionThrottle.SuppressInBoth(combinedFirst, combinedSecond, pairId, eventKey, rule));
                    break;
            }
        }

        Assert.True(suppressed > 1_000, $"the random rejections should often be thinned in both; were {suppressed} times");
        // Every key's pending count comes out the same once its interval has passed.
        time.Advance(TimeSpan.FromSeconds(11));
        foreach (long? pairId in new long?[] { null, 1, 2, 3 })
        {
            foreach (var eventKey in pairId is null ? new[] { "E0", "E1" } : new string?[] { null })
            {
                foreach (var rule in rules)
                {
                    Assert.Equal(separateFirst.ShouldRecord(pairId, eventKey, rule, out var a), combinedFirst.ShouldRecord(pairId, eventKey, rule, out var b));
                    Assert.Equal(a, b);
                    Assert.Equal(separateSecond.ShouldRecord(pairId, eventKey, rule, out var c), combinedSecond.ShouldRecord(pairId, eventKey, rule, out var d));
                    Assert.Equal(c, d);
                }
            }
        }
    }
}
