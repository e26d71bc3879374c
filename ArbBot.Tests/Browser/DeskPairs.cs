using ArbBot.Engine.Matching;
using ArbBot.Engine.Venues.Simulated;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Browser;

/// <summary>Approves suggested pairs the way an admin would after checking them: only those that truly are the same contract.</summary>
internal static class DeskPairs
{
    /// <summary>Approves up to <paramref name="count"/> true pairs through the PairService (as the API does); returns their ids.</summary>
    public static async Task<IReadOnlyList<long>> ApproveTruePairsAsync(IServiceProvider services, int count)
    {
        var pairs = services.GetRequiredService<PairService>();
        var truth = services.GetRequiredService<SimulatedWorld>().Catalog.GroundTruthMatches;
        var approved = new List<long>();
        foreach (var pair in await pairs.ListAsync(PairStatus.Suggested, CancellationToken.None))
        {
            if (approved.Count == count) break;
            var match = truth.FirstOrDefault(t => t.KalshiMarketKey == pair.KalshiMarketKey && t.PolymarketMarketKey == pair.PolymarketMarketKey);
            if (match is null) continue;
            var result = await pairs.ApproveAsync(pair.Id, match.YesIsNo ? PairMapping.YesNo : PairMapping.YesYes, "browser-test", CancellationToken.None);
            Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Message)));
            approved.Add(pair.Id);
        }
        Assert.NotEmpty(approved);
        return approved;
    }
}
