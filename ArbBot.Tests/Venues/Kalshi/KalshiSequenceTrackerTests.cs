using ArbBot.Engine.Venues.Kalshi;

namespace ArbBot.Tests.Venues.Kalshi;

public sealed class KalshiSequenceTrackerTests
{
    [Fact]
    public void Contiguous_seq_after_a_snapshot_is_accepted()
    {
        var tracker = new KalshiSequenceTracker();

        Assert.Equal(KalshiSequenceVerdict.Accepted, tracker.ObserveSnapshot(2, 2).Verdict);
        Assert.Equal(new KalshiSequenceResult(KalshiSequenceVerdict.Accepted, 3), tracker.Observe(2, 3));
        Assert.Equal(new KalshiSequenceResult(KalshiSequenceVerdict.Accepted, 4), tracker.Observe(2, 4));
    }

    [Fact]
    public void A_gap_is_reported_once_then_deltas_wait_for_a_snapshot()
    {
        var tracker = new KalshiSequenceTracker();
        tracker.ObserveSnapshot(2, 2);

        Assert.Equal(new KalshiSequenceResult(KalshiSequenceVerdict.Gap, 3), tracker.Observe(2, 5));
        Assert.True(tracker.IsAwaitingSnapshot(2));
        Assert.Equal(KalshiSequenceVerdict.AwaitingSnapshot, tracker.Observe(2, 6).Verdict);

        Assert.Equal(KalshiSequenceVerdict.Accepted, tracker.ObserveSnapshot(2, 7).Verdict);
        Assert.False(tracker.IsAwaitingSnapshot(2));
        Assert.Equal(KalshiSequenceVerdict.Accepted, tracker.Observe(2, 8).Verdict);
    }

    [Fact]
    public void Duplicate_and_old_seq_are_ignored_without_breaking_the_sequence()
    {
        var tracker = new KalshiSequenceTracker();
        tracker.ObserveSnapshot(2, 2);
        tracker.Observe(2, 3);

        Assert.Equal(KalshiSequenceVerdict.Duplicate, tracker.Observe(2, 3).Verdict);
        Assert.Equal(KalshiSequenceVerdict.Duplicate, tracker.Observe(2, 1).Verdict);
        Assert.Equal(KalshiSequenceVerdict.Accepted, tracker.Observe(2, 4).Verdict);
    }

    [Fact]
    public void Each_sid_is_tracked_independently()
    {
        var tracker = new KalshiSequenceTracker();
        tracker.ObserveSnapshot(1, 10);
        tracker.ObserveSnapshot(2, 2);

        Assert.Equal(KalshiSequenceVerdict.Gap, tracker.Observe(1, 12).Verdict);
        Assert.Equal(KalshiSequenceVerdict.Accepted, tracker.Observe(2, 3).Verdict);
        Assert.False(tracker.IsAwaitingSnapshot(2));
    }

    [Fact]
    public void A_delta_before_any_snapshot_asks_for_one()
    {
        var tracker = new KalshiSequenceTracker();

        Assert.Equal(KalshiSequenceVerdict.Gap, tracker.Observe(5, 3).Verdict);
        Assert.True(tracker.IsAwaitingSnapshot(5));
    }

    [Fact]
    public void Forgetting_a_sid_lets_a_new_connection_restart_its_seq()
    {
        var tracker = new KalshiSequenceTracker();
        tracker.ObserveSnapshot(2, 40);
        tracker.Forget(2);

        Assert.Equal(KalshiSequenceVerdict.Accepted, tracker.ObserveSnapshot(2, 1).Verdict);
        Assert.Equal(KalshiSequenceVerdict.Accepted, tracker.Observe(2, 2).Verdict);
    }
}
