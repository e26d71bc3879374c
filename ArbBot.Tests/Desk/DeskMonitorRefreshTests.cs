using ArbBot.Engine.Desk;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Portfolio;
using ArbBot.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Tests.Desk;

/// <summary>
/// The dashboard's refresh takes the portfolio's copy, sums and holdings off the hub's thread (the hub only adopts the
/// marks prepared for it and copies the spreads): what it shows must be what the refresh on the hub showed.
/// </summary>
public sealed class DeskMonitorRefreshTests
{
    [Fact]
    public async Task The_refresh_off_the_hub_shows_every_figure_the_refresh_on_the_hub_shows()
    {
        var harness = await PaperDeskHarness.CreateAsync(seed: 42);
        Assert.True(harness.ApproveSuggestedTruePairs() > 0);
        var offHub = Monitor(harness, offHub: true);
        var onHub = Monitor(harness, offHub: false);
        var positionsSeen = 0;
        for (var round = 0; round < 12; round++)
        {
            harness.Run(TimeSpan.FromSeconds(20));
            var off = await RefreshAsync(harness, offHub);
            // Nothing moved since: the refresh on the hub marks nothing new and copies the same state.
            var on = await RefreshAsync(harness, onHub);
            var context = $"round {round}";
            AssertSamePortfolio(on.Portfolio, off.Portfolio, context);
            Assert.Equal(on.TotalExposure, off.TotalExposure);
            Assert.Equal(on.Pairs, off.Pairs);
            Assert.Equal(on.Spreads, off.Spreads);
            Assert.Equal(on.Unhedged, off.Unhedged);
            Assert.Equal(on.BreakerFailures, off.BreakerFailures);
            Assert.Same(off, offHub.Latest);
            positionsSeen = Math.Max(positionsSeen, off.Portfolio.Positions.Count);
        }
        Assert.True(positionsSeen > 0, "the desk never opened a position: nothing was compared");
    }

    private static DeskMonitor Monitor(PaperDeskHarness harness, bool offHub) =>
        new(harness.Desk.Engine, harness.Desk.Portfolio, harness.Desk.Executor, harness.Controls,
            new RecordWriter(new NoDatabase(), harness.Time, NullLogger<RecordWriter>.Instance), harness.Desk.Latency, harness.Hub, harness.Desk,
            harness.Time, NullLogger<DeskMonitor>.Instance)
        {
            RefreshOffHub = offHub,
        };

    /// <summary>Refreshes, playing the hub (this harness drains it inline) until the refresh has its answer.</summary>
    private static async Task<DeskSnapshot> RefreshAsync(PaperDeskHarness harness, DeskMonitor monitor)
    {
        var refresh = Task.Run(() => monitor.RefreshAsync(CancellationToken.None));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!refresh.IsCompleted && DateTime.UtcNow < deadline)
        {
            harness.Hub.DrainPending();
            await Task.Delay(1);
        }
        Assert.True(refresh.IsCompleted, "the refresh did not finish");
        return await refresh;
    }

    private static void AssertSamePortfolio(PortfolioSnapshot expected, PortfolioSnapshot actual, string context)
    {
        AssertIdentical(expected.RealizedPnl, actual.RealizedPnl, $"{context}: realized");
        AssertIdentical(expected.UnrealizedPnl, actual.UnrealizedPnl, $"{context}: unrealized");
        AssertIdentical(expected.FeesPaid, actual.FeesPaid, $"{context}: fees");
        AssertIdentical(expected.Equity, actual.Equity, $"{context}: equity");
        AssertIdentical(expected.DailyPnl, actual.DailyPnl, $"{context}: daily");
        AssertIdentical(expected.PeakEquity, actual.PeakEquity, $"{context}: peak");
        AssertIdentical(expected.Drawdown, actual.Drawdown, $"{context}: drawdown");
        Assert.Equal(expected.OpenPositionCount, actual.OpenPositionCount);
        Assert.Equal(expected.Cash, actual.Cash);
        // Records compare every figure by value; the scales too, through their text.
        Assert.Equal(expected.Positions, actual.Positions);
        Assert.Equal(expected.Positions.Select(p => $"{p.Quantity} {p.AverageCost} {p.Mark} {p.UnrealizedPnl}"),
            actual.Positions.Select(p => $"{p.Quantity} {p.AverageCost} {p.Mark} {p.UnrealizedPnl}"));
        Assert.Equal(expected.Pairs, actual.Pairs);
        Assert.Equal(expected.Events, actual.Events);
    }

    private static void AssertIdentical(decimal expected, decimal actual, string context) =>
        Assert.True(decimal.GetBits(expected).SequenceEqual(decimal.GetBits(actual)), $"{context}: expected {expected} (scale {expected.Scale}), got {actual} (scale {actual.Scale})");

    private sealed class NoDatabase : IDbContextFactory<ArbBotDbContext>
    {
        public ArbBotDbContext CreateDbContext() => throw new InvalidOperationException("This test has no database.");
    }
}
