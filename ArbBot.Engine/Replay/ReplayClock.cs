namespace ArbBot.Engine.Replay;

/// <summary>
/// The clock of a replay: it stands still until the replay moves it to the next event's receive time, and timers
/// created from it (paper order latency, order timeouts, the spike hunter's sampling) fire during that move, in due
/// order, on the replaying thread. Reading the time is a field read, so the hub can ask it on every event.
/// </summary>
public sealed class ReplayClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<ReplayTimer, (long Due, long Order)> _due = new();
    private long _nowTicks;
    private long _nextDueTicks = long.MaxValue;
    private long _order;

    public ReplayClock(DateTimeOffset start) => _nowTicks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Volatile.Read(ref _nowTicks), TimeSpan.Zero);

    public override long GetTimestamp() => Volatile.Read(ref _nowTicks);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Timers fired so far.</summary>
    public long TimersFired { get; private set; }

    /// <summary>
    /// Moves the clock to <paramref name="utcTicks"/>, firing every timer due on the way at its own due time. A time
    /// before the present leaves the clock where it is (recorded receive times may step back by a tick across feeds).
    /// </summary>
    public void AdvanceTo(long utcTicks)
    {
        // The common case on every event: no timer due yet.
        if (utcTicks < Volatile.Read(ref _nextDueTicks))
        {
            if (utcTicks > _nowTicks) Volatile.Write(ref _nowTicks, utcTicks);
            return;
        }
        while (true)
        {
            ReplayTimer timer;
            lock (_gate)
            {
                if (!_due.TryPeek(out timer!, out var key) || key.Due > utcTicks)
                {
                    if (utcTicks > _nowTicks) Volatile.Write(ref _nowTicks, utcTicks);
                    return;
                }
                _due.Dequeue();
                if (key.Order != timer.Order)
                {
                    UpdateNextDue();
                    continue; // changed or disposed since it was queued
                }
                if (key.Due > _nowTicks) Volatile.Write(ref _nowTicks, key.Due);
                if (timer.PeriodTicks > 0) Schedule(timer, key.Due + timer.PeriodTicks);
                else timer.Order = -1;
                UpdateNextDue();
            }
            TimersFired++;
            timer.Fire();
        }
    }

    /// <summary>Moves the clock forward by <paramref name="by"/>, firing timers on the way.</summary>
    public void Advance(TimeSpan by) => AdvanceTo(Volatile.Read(ref _nowTicks) + by.Ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ReplayTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Schedule(ReplayTimer timer, long due)
    {
        timer.Order = ++_order;
        _due.Enqueue(timer, (due, timer.Order));
    }

    private void UpdateNextDue() => Volatile.Write(ref _nextDueTicks, _due.TryPeek(out _, out var key) ? key.Due : long.MaxValue);

    private sealed class ReplayTimer(ReplayClock clock, TimerCallback callback, object? state) : ITimer
    {
        /// <summary>Which queue entry is current; -1 when not armed (older entries are skipped when they surface).</summary>
        public long Order { get; set; } = -1;

        public long PeriodTicks { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                PeriodTicks = period == Timeout.InfiniteTimeSpan ? 0 : Math.Max(period.Ticks, 1);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    Order = -1;
                }
                else
                {
                    clock.Schedule(this, clock._nowTicks + Math.Max(dueTime.Ticks, 0));
                }
                clock.UpdateNextDue();
            }
            return true;
        }

        public void Dispose()
        {
            lock (clock._gate) Order = -1;
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
