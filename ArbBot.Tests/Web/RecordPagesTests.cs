using System.Net;
using ArbBot.Engine.Control;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Web;

/// <summary>The read-only record pages render what the database holds (server-rendered on the first request).</summary>
public sealed class RecordPagesTests
{
    [Fact]
    public async Task Audit_page_lists_admin_actions_with_who_and_what()
    {
        await using var app = new DeskAppFactory();
        var client = await SignedInAsync(app);
        await app.Services.GetRequiredService<DeskCommands>().PauseTradingAsync("auditor-check", "page test", CancellationToken.None);

        var html = await client.GetStringAsync("/audit");

        Assert.Contains("trading.pause", html, StringComparison.Ordinal);
        Assert.Contains("auditor-check", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trades_page_explains_each_trade_in_a_sentence()
    {
        await using var app = new DeskAppFactory();
        var client = await SignedInAsync(app);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync())
        {
            var at = new DateTime(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);
            db.Executions.Add(new ExecutionRow
            {
                OpportunityId = 4242,
                PairId = 3,
                Strategy = "cross-venue",
                Kind = "Hedged",
                PlannedQuantity = 40,
                HedgedQuantity = 40,
                NetCashOut = 38.4m,
                Fees = 0.56m,
                ExpectedProfit = 1.04m,
                LockedProfit = 1.04m,
                DetectedUtc = at,
                CompletedUtc = at,
                DetectionToLastFillMs = 98,
                Summary = "Bought 40 YES on Kalshi at 0.47 and 40 NO on Polymarket at 0.49; locked $1.04 after $0.56 fees.",
            });
            await db.SaveChangesAsync();
        }

        var html = await client.GetStringAsync("/trades");

        Assert.Contains("Bought 40 YES on Kalshi at 0.47 and 40 NO on Polymarket at 0.49; locked $1.04 after $0.56 fees.", html, StringComparison.Ordinal);
        Assert.Contains("attempted", html, StringComparison.Ordinal);
    }

    private static async Task<HttpClient> SignedInAsync(DeskAppFactory app)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await app.Services.GetRequiredService<EngineHost>().Ready;
        var response = await AuthTests.SignInAsync(client, DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }
}
