using ArbBot.Engine.Replay;
using ArbBot.Engine.Risk;
using ArbBot.Tests.Fixtures;
using Xunit.Abstractions;

namespace ArbBot.Tests.Replay;

/// <summary>
/// Parity: a paper-trading run on the simulator, recorded as the app records, replayed through a fresh desk on the
/// replay clock, makes the same decisions: the same opportunities, order transitions and fills, one by one, with the
/// same ids, prices, quantities and timestamps.
/// </summary>
public sealed class ReplayParityTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("arbbot-parity-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(20261121)]
    [InlineData(7)]
    public async Task Replaying_a_recorded_paper_run_reproduces_its_opportunities_orders_and_fills_exactly(int seed)
    {
        RiskLimits limits = null!;
        // As the app starts: limits, approved pairs and watched events are in place before the first book arrives.
        var harness = await PaperDeskHarness.CreateAsync(seed, recordTo: _folder, beforeFirstBooks: h =>
        {
            limits = h.Controls.Limits with { MaxTotalExposure = h.Desk.Portfolio.StartingEquity };
            h.Controls.Apply(h.Controls.State with { Limits = limits });
            h.ApproveSuggestedTruePairs();
            h.WatchMultiOutcomeEvents();
        });
        harness.Run(TimeSpan.FromMinutes(3));
        harness.Recorder!.Dispose();
        Assert.True(harness.Recorder.Dropped == 0, $"the recorder dropped {harness.Recorder.Dropped} events: the recording is incomplete, so parity cannot hold");

        var result = ReplayRunner.Run(ReplayRunner.ResolveFiles(_folder), new ReplayRunOptions { Limits = limits, FollowTrace = true });
        var live = harness.Journal;
        var replay = result.Journal;
        output.WriteLine($"live: {live.Opportunities.Count} opportunities, {live.Transitions.Count} transitions, {live.Fills.Count} fills; " +
            $"replay: {replay.Opportunities.Count}, {replay.Transitions.Count}, {replay.FillLog.Count}; traced {result.Traced}, {result.Events} events");

        Assert.True(result.Traced);
        Assert.True(live.Fills.Count >= 20, $"the run filled only {live.Fills.Count} orders: too little to compare");
        for (var i = 0; i < Math.Min(live.Opportunities.Count, replay.Opportunities.Count); i++)
        {
            var (a, b) = (live.Opportunities[i], replay.Opportunities[i]);
            Assert.True(a.Id == b.Id && a.DetectedAt == b.DetectedAt && a.Quantity == b.Quantity && a.Decision == b.Decision && a.ExpectedProfit == b.ExpectedProfit
                && a.Legs.SequenceEqual(b.Legs), $"opportunity {i} differs:\n live   {a}\n replay {b}");
        }
        Assert.Equal(live.Opportunities.Count, replay.Opportunities.Count);
        for (var i = 0; i < Math.Min(live.Transitions.Count, replay.Transitions.Count); i++)
        {
            Assert.True(live.Transitions[i] == replay.Transitions[i], $"order transition {i} differs:\n live   {live.Transitions[i]}\n replay {replay.Transitions[i]}");
        }
        Assert.Equal(live.Transitions.Count, replay.Transitions.Count);
        Assert.Equal(live.Fills.Select(f => f.Fill), replay.FillLog);
        Assert.Equal(live.Outcomes, replay.Outcomes);
        Assert.Equal(harness.Desk.Portfolio.Equity, result.Report.FinalPnl + harness.Desk.Portfolio.StartingEquity);
    }
}
