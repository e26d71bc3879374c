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
            db.Opportunities.Add(new OpportunityRow
            {
                Id = 4242,
                Strategy = "cross-venue",
                PairId = 3,
                DetectedUtc = at,
                Quantity = 40,
                GrossEdgePerSet = 0.04m,
                TotalCosts = 0.56m,
                NetEdgePerSet = 0.026m,
                ExpectedProfit = 1.04m,
                Decision = "Resized",
                Reason = "resized by MaxTradeSize",
            });
            await db.SaveChangesAsync();
        }

        var html = await client.GetStringAsync("/trades");

        Assert.Contains("Bought 40 YES on Kalshi at 0.47 and 40 NO on Polymarket at 0.49; locked $1.04 after $0.56 fees.", html, StringComparison.Ordinal);
        Assert.Contains("Why: the cross-venue sets paid 0.040 per set more than they cost, 0.026 after fees — 1.04 expected on 40 sets, made smaller by the risk limits.",
            System.Net.WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Contains("attempted", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Orders_page_says_what_each_order_asked_and_what_came_of_it()
    {
        await using var app = new DeskAppFactory();
        var client = await SignedInAsync(app);
        var registry = app.Services.GetRequiredService<ArbBot.Engine.Core.InstrumentRegistry>();
        var market = registry.Markets.First(m => m.Venue == ArbBot.Engine.Core.VenueId.Kalshi && m.OutcomeLabel == "Yes");
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync())
        {
            var at = new DateTime(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);
            db.Orders.Add(new OrderRow
            {
                ClientOrderId = "o77-l0-a1",
                OpportunityId = 77,
                PairId = 3,
                Role = "FirstLeg",
                Venue = "Kalshi",
                Symbol = registry[market.No].Symbol,
                Side = "Buy",
                LimitPrice = 0.47m,
                Quantity = 40,
                TimeInForce = "Ioc",
                Status = "Cancelled",
                FilledQuantity = 25,
                Reason = "IOC remainder cancelled",
                CreatedUtc = at,
                UpdatedUtc = at,
            });
            await db.SaveChangesAsync();
        }

        var html = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync("/orders"));

        Assert.Contains($"Buy 40 NO of “{market.Title}” on Kalshi at most 0.47 (Ioc): cancelled, 25 of 40 filled. " +
            "It was the first leg of opportunity 77 — IOC remainder cancelled.", html, StringComparison.Ordinal);
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
