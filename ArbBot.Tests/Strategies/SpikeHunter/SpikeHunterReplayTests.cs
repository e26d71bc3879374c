using ArbBot.Engine.Events;
using ArbBot.Engine.Strategies.SpikeHunter;
using ArbBot.Tests.Fixtures;
using Xunit.Abstractions;

namespace ArbBot.Tests.Strategies.SpikeHunter;

public sealed class SpikeHunterReplayTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    public async Task Explore(int seed)
    {
        var harness = await PaperDeskHarness.CreateAsync(seed);
        harness.Controls.GetType();
        harness.Run(TimeSpan.FromMinutes(10));
        var board = harness.Desk.SpikeHunter.Board;
        output.WriteLine($"seed {seed}: signals {board.Signals.Count}");
        foreach (var s in board.Signals.Reverse().Take(30)) output.WriteLine($"{s.At:HH:mm:ss} {s.Action} {s.Explanation}");
        foreach (var o in harness.Journal.Outcomes.Where(o => o.Strategy == "spike")) output.WriteLine($"OUTCOME {o.Kind} {o.LockedProfit} {o.Summary}");
    }
}
