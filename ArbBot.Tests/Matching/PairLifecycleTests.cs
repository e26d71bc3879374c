using ArbBot.Engine.Core;
using ArbBot.Engine.Matching;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Matching;

public sealed class PairLifecycleTests
{
    private readonly ManualTimeProvider _time = new();

    private MarketPair Suggested(PairMapping mapping = PairMapping.YesNo) =>
        new(7, "KXU3-26NOV-T4.5", "0xabc", mapping, PairStatus.Suggested, 91, ["titles 100% alike"], [], _time.GetUtcNow(), _time.GetUtcNow(), null);

    [Fact]
    public void Approving_a_suggestion_records_the_admin_the_confirmed_mapping_and_an_audit_description()
    {
        _time.Advance(TimeSpan.FromMinutes(5));
        var change = PairLifecycle.Transition(Suggested(), PairAction.Approve, "alice", _time.GetUtcNow(), PairMapping.YesNo);

        Assert.Equal(PairStatus.Approved, change.Pair.Status);
        Assert.Equal(PairMapping.YesNo, change.Pair.Mapping);
        Assert.Equal("alice", change.Pair.ApprovedBy);
        Assert.Equal(_time.GetUtcNow(), change.Pair.UpdatedAt);
        Assert.Equal("pair.approve", change.Action);
        Assert.Equal("pair 7: Kalshi KXU3-26NOV-T4.5 ↔ Polymarket 0xabc", change.Target);
        Assert.Equal("Suggested YES↔NO", change.OldValue);
        Assert.Equal("Approved YES↔NO approved by alice", change.NewValue);

        var audit = change.ToAuditEntry();
        Assert.Equal("alice", audit.Actor);
        Assert.Equal(_time.GetUtcNow().UtcDateTime, audit.AtUtc);
        Assert.Equal(change.OldValue, audit.OldValue);
        Assert.Equal(change.NewValue, audit.NewValue);
    }

    [Fact]
    public void Approving_can_change_the_proposed_mapping_and_says_so_in_the_warnings()
    {
        var change = PairLifecycle.Transition(Suggested(PairMapping.YesNo), PairAction.Approve, "alice", _time.GetUtcNow(), PairMapping.YesYes);
        Assert.Equal(PairMapping.YesYes, change.Pair.Mapping);
        Assert.Contains("mapping set by the admin to YES↔YES; the matcher proposed YES↔NO", change.Pair.Warnings);
    }

    [Fact]
    public void Approving_without_a_confirmed_mapping_is_refused()
    {
        var ex = Assert.Throws<PairTransitionRefusedException>(() => PairLifecycle.Transition(Suggested(), PairAction.Approve, "alice", _time.GetUtcNow()));
        Assert.Contains("confirm the outcome mapping", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Approved_pairs_pause_and_resume_and_any_live_pair_retires()
    {
        var approved = PairLifecycle.Transition(Suggested(), PairAction.Approve, "alice", _time.GetUtcNow(), PairMapping.YesNo).Pair;
        var paused = PairLifecycle.Transition(approved, PairAction.Pause, "bob", _time.GetUtcNow());
        Assert.Equal(PairStatus.Paused, paused.Pair.Status);
        Assert.Equal("pair.pause", paused.Action);
        Assert.Equal("bob", paused.Actor);
        var resumed = PairLifecycle.Transition(paused.Pair, PairAction.Resume, "bob", _time.GetUtcNow());
        Assert.Equal(PairStatus.Approved, resumed.Pair.Status);
        Assert.Equal("alice", resumed.Pair.ApprovedBy);

        Assert.Equal(PairStatus.Retired, PairLifecycle.Transition(Suggested(), PairAction.Retire, "carol", _time.GetUtcNow()).Pair.Status);
        Assert.Equal(PairStatus.Retired, PairLifecycle.Transition(approved, PairAction.Retire, "carol", _time.GetUtcNow()).Pair.Status);
        Assert.Equal(PairStatus.Retired, PairLifecycle.Transition(paused.Pair, PairAction.Retire, "carol", _time.GetUtcNow()).Pair.Status);
    }

    [Theory]
    [InlineData(PairStatus.Suggested, PairAction.Pause, "Only an approved pair can be paused")]
    [InlineData(PairStatus.Suggested, PairAction.Resume, "Only a paused pair can be resumed")]
    [InlineData(PairStatus.Approved, PairAction.Approve, "already approved")]
    [InlineData(PairStatus.Approved, PairAction.Resume, "Only a paused pair can be resumed")]
    [InlineData(PairStatus.Paused, PairAction.Approve, "resume it instead")]
    [InlineData(PairStatus.Paused, PairAction.Pause, "Only an approved pair can be paused")]
    [InlineData(PairStatus.Retired, PairAction.Approve, "retired")]
    [InlineData(PairStatus.Retired, PairAction.Resume, "retired")]
    [InlineData(PairStatus.Retired, PairAction.Retire, "retired")]
    public void Illegal_transitions_are_refused_with_a_reason(PairStatus from, PairAction action, string reason)
    {
        var pair = Suggested() with { Status = from };
        Assert.False(PairLifecycle.TryTransition(pair, action, "alice", _time.GetUtcNow(), out var change, out var refusal, PairMapping.YesNo));
        Assert.Null(change);
        Assert.Contains(reason, refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_change_needs_an_actor_and_the_mapping_only_changes_on_approval()
    {
        Assert.Throws<PairTransitionRefusedException>(() => PairLifecycle.Transition(Suggested(), PairAction.Retire, " ", _time.GetUtcNow()));
        var approved = Suggested() with { Status = PairStatus.Approved };
        var ex = Assert.Throws<PairTransitionRefusedException>(() => PairLifecycle.Transition(approved, PairAction.Pause, "bob", _time.GetUtcNow(), PairMapping.YesYes));
        Assert.Contains("only be set when approving", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Approval_keeps_the_settlement_differences_of_the_comparison_as_warnings()
    {
        var close = new DateTimeOffset(2027, 1, 1, 5, 0, 0, TimeSpan.Zero);
        var k = MarketFactsTests.Market(VenueId.Kalshi, "KXNYCSNOWM-26DEC-T2", "NYC snowfall above 2 inches in Dec 2026?",
            "Total December 2026 snowfall at Central Park is above 2.0 inches.", "NWS Central Park", close);
        var p = MarketFactsTests.Market(VenueId.Polymarket, "0xsnow", "Will NYC get more than 2 inches of snow in December 2026?",
            "Total December 2026 snowfall recorded at LaGuardia Airport is more than 2.0 inches.", "NWS LaGuardia Airport", close.AddDays(3));
        var comparison = PairComparison.Build(k, null, p, null);
        var pair = new PairSuggester().Suggest([k], [p]).Single().ToMarketPair(3, _time.GetUtcNow());

        var approved = PairLifecycle.Transition(pair, PairAction.Approve, "alice", _time.GetUtcNow(), PairMapping.YesYes, comparison).Pair;

        Assert.Equal(PairStatus.Approved, approved.Status);
        Assert.Contains("settlement sources differ: NWS Central Park vs NWS LaGuardia Airport", approved.Warnings);
        Assert.Contains("close times differ by 3 days", approved.Warnings);
        Assert.Equal(approved.Warnings.Count, approved.Warnings.Distinct().Count());
    }

    [Fact]
    public void A_comparison_of_other_markets_is_refused()
    {
        var k = MarketFactsTests.Market(VenueId.Kalshi, "OTHER", "Bitcoin above $1?");
        var p = MarketFactsTests.Market(VenueId.Polymarket, "0xabc", "Will Bitcoin be above $1?");
        var comparison = PairComparison.Build(k, null, p, null);
        Assert.Throws<PairTransitionRefusedException>(() =>
            PairLifecycle.Transition(Suggested(), PairAction.Approve, "alice", _time.GetUtcNow(), PairMapping.YesNo, comparison));
    }
}
