using ArbBot.Engine.Replay;

namespace ArbBot.Tests.Replay;

public sealed class ReplayClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Timers_fire_in_due_order_at_their_own_time_while_the_clock_moves_to_an_event()
    {
        var clock = new ReplayClock(Start);
        var fired = new List<(string Name, DateTimeOffset At)>();
        using var late = clock.CreateTimer(_ => fired.Add(("late", clock.GetUtcNow())), null, TimeSpan.FromMilliseconds(30), Timeout.InfiniteTimeSpan);
        using var early = clock.CreateTimer(_ => fired.Add(("early", clock.GetUtcNow())), null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);

        clock.AdvanceTo((Start + TimeSpan.FromMilliseconds(50)).UtcTicks);

        Assert.Equal([("early", Start.AddMilliseconds(10)), ("late", Start.AddMilliseconds(30))], fired);
        Assert.Equal(Start.AddMilliseconds(50), clock.GetUtcNow());
    }

    [Fact]
    public void A_periodic_timer_fires_once_per_period_passed_and_stops_when_disposed()
    {
        var clock = new ReplayClock(Start);
        var count = 0;
        var timer = clock.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        clock.Advance(TimeSpan.FromSeconds(3.5));
        Assert.Equal(3, count);
        timer.Dispose();
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(3, count);
    }

    [Fact]
    public void A_changed_timer_fires_only_at_its_new_time_and_a_time_in_the_past_does_not_move_the_clock_back()
    {
        var clock = new ReplayClock(Start);
        var fired = new List<DateTimeOffset>();
        using var timer = clock.CreateTimer(_ => fired.Add(clock.GetUtcNow()), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        timer.Change(TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromSeconds(2));
        clock.AdvanceTo(Start.UtcTicks);
        Assert.Equal(Start.AddSeconds(2), clock.GetUtcNow());
        clock.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal([Start.AddSeconds(5)], fired);
    }

    [Fact]
    public void A_timer_created_by_a_firing_timer_fires_in_the_same_advance_when_due()
    {
        var clock = new ReplayClock(Start);
        var fired = new List<DateTimeOffset>();
        ITimer? inner = null;
        using var outer = clock.CreateTimer(_ => inner = clock.CreateTimer(_ => fired.Add(clock.GetUtcNow()), null, TimeSpan.FromMilliseconds(5), Timeout.InfiniteTimeSpan),
            null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromMilliseconds(20));

        Assert.Equal([Start.AddMilliseconds(15)], fired);
        inner?.Dispose();
    }
}
