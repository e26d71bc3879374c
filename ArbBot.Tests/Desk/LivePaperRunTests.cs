using System.Net.Http.Json;
using System.Text.Json;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Venues.Simulated;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ArbBot.Tests.Desk;

/// <summary>The whole app in real time on the simulator, as an operator runs it, read back through the REST API.</summary>
public sealed class LivePaperRunTests(ITestOutputHelper output)
{
    private const string AdminKey = "live-run-admin-key-0123456789";

    [LongRunFact]
    public async Task Ten_real_minutes_of_paper_arbitrage_reported_by_the_api_stay_hedged()
    {
        await using var app = new DeskAppFactory(new Dictionary<string, string?> { ["ArbBot:Api:AdminKey"] = AdminKey });
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        await app.Services.GetRequiredService<EngineHost>().Ready;

        // Approve, as an admin would after checking them, the suggestions that truly are the same contract.
        var truth = app.Services.GetRequiredService<SimulatedWorld>().Catalog.GroundTruthMatches;
        var suggested = await client.GetFromJsonAsync<JsonElement>("/api/pairs?status=Suggested");
        var approved = 0;
        foreach (var pair in suggested.EnumerateArray())
        {
            var match = truth.FirstOrDefault(t => t.KalshiMarketKey == pair.GetProperty("kalshiMarket").GetString()
                && t.PolymarketMarketKey == pair.GetProperty("polymarketMarket").GetString());
            if (match is null) continue;
            var mapping = match.YesIsNo ? nameof(PairMapping.YesNo) : nameof(PairMapping.YesYes);
            var response = await client.PostAsJsonAsync($"/api/pairs/{pair.GetProperty("id").GetInt64()}/approve", new { mapping });
            response.EnsureSuccessStatusCode();
            approved++;
        }

        await Task.Delay(TimeSpan.FromMinutes(10));

        var stats = await client.GetStringAsync("/api/stats/execution");
        output.WriteLine($"{approved} pairs approved; /api/stats/execution after 10 minutes: {stats}");
        using var json = JsonDocument.Parse(stats);
        var executed = json.RootElement.GetProperty("executed").GetInt32();
        var hedged = json.RootElement.GetProperty("fullyHedgedWithinSlippage").GetInt32();
        var residual = json.RootElement.GetProperty("leftWithUnhedgedResidual").GetInt32();
        Assert.True(executed > 0);
        Assert.True(hedged >= 0.95 * executed, $"{hedged} of {executed} hedged within slippage");
        Assert.True(residual <= 0.05 * executed, $"{residual} of {executed} left a residual");
    }
}
