using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Control;

/// <summary>
/// Live trading armed by an admin over REST (the same DeskCommands the dashboard uses): refused with a clear message
/// when the phrase is wrong, a venue is simulated or credentials are missing, or the caller is a viewer; armed on the
/// loopback fakes, an arbitrage's orders reach both fake exchanges signed; disarming and restarting return to paper.
/// </summary>
public sealed class LiveArmingTests
{
    private const string AdminKey = "live-arming-admin-key-0123456789";
    private const string ReadKey = "live-arming-read-key-0123456789";

    [Fact]
    public async Task Arming_is_refused_for_a_wrong_phrase_for_simulated_venues_and_for_a_viewer_and_the_desk_stays_on_paper()
    {
        await using var app = new DeskAppFactory(new Dictionary<string, string?> { ["ArbBot:Api:AdminKey"] = AdminKey, ["ArbBot:Api:ReadKey"] = ReadKey });
        var admin = Client(app, AdminKey);
        var viewer = Client(app, ReadKey);

        var wrong = await ArmAsync(admin, "arm live");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        var wrongBody = await wrong.Content.ReadAsStringAsync();
        Assert.Contains("confirmation", wrongBody, StringComparison.Ordinal);
        Assert.Contains("Type ARM LIVE exactly", wrongBody, StringComparison.Ordinal);

        var simulated = await ArmAsync(admin, LiveTrading.ConfirmationPhrase);
        Assert.Equal(HttpStatusCode.BadRequest, simulated.StatusCode);
        var simulatedBody = await simulated.Content.ReadAsStringAsync();
        Assert.Contains("ArbBot:Venues:Kalshi:Source = Real", simulatedBody, StringComparison.Ordinal);
        Assert.Contains("ArbBot:Venues:Polymarket:Source = Real", simulatedBody, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Forbidden, (await ArmAsync(viewer, LiveTrading.ConfirmationPhrase)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/live/disarm", null)).StatusCode);

        // The viewer can read what is missing; nothing was armed or audited.
        var state = await viewer.GetFromJsonAsync<JsonElement>("/api/live");
        Assert.Equal("Paper", state.GetProperty("mode").GetString());
        Assert.Contains(state.GetProperty("missing").EnumerateArray(), m => m.GetProperty("field").GetString() == "ArbBot:Venues:Kalshi:Source");
        Assert.Equal("Paper", (await viewer.GetFromJsonAsync<JsonElement>("/api/status")).GetProperty("mode").GetString());
        Assert.Empty(await AuditAsync(app, DeskCommands.ArmLiveAction));
        Assert.All(app.Services.GetRequiredService<VenueSet>().Gateways.Values, g => Assert.True(g.IsPaper));
    }

    [Fact]
    public async Task Arming_is_refused_naming_the_polymarket_trading_settings_when_its_credentials_are_missing()
    {
        await using var fakes = await CrossVenueFakes.StartAsync();
        var settings = fakes.Settings(tradingCredentials: false);
        settings["ArbBot:Api:AdminKey"] = AdminKey;
        await using var app = new DeskAppFactory(settings);
        var admin = Client(app, AdminKey);

        var refused = await ArmAsync(admin, LiveTrading.ConfirmationPhrase);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains("ArbBot:Polymarket:Trading:PrivateKey", body, StringComparison.Ordinal);
        Assert.DoesNotContain("ArbBot:Venues:Kalshi:Source", body, StringComparison.Ordinal);
        Assert.False(app.Services.GetRequiredService<LiveTrading>().Armed);
        Assert.Equal(0, fakes.Kalshi.CreateRequests);
    }

    [Fact]
    public async Task Armed_on_the_fakes_an_arbitrage_reaches_both_exchanges_signed_then_disarming_and_a_restart_return_to_paper()
    {
        await using var fakes = await CrossVenueFakes.StartAsync();
        var settings = fakes.Settings(tradingCredentials: true);
        settings["ArbBot:Api:AdminKey"] = AdminKey;
        var data = Directory.CreateTempSubdirectory("arbbot-live-").FullName;
        try
        {
            long pairId;
            await using (var app = new DeskAppFactory(settings, dataDirectory: data))
            {
                var admin = Client(app, AdminKey);
                await app.Services.GetRequiredService<EngineHost>().Ready.WaitAsync(TimeSpan.FromSeconds(60));
                pairId = await SuggestedGdpPairAsync(admin);

                var armed = await ArmAsync(admin, LiveTrading.ConfirmationPhrase);
                Assert.True(armed.IsSuccessStatusCode, await armed.Content.ReadAsStringAsync());
                var status = await admin.GetFromJsonAsync<JsonElement>("/api/status");
                Assert.Equal("Live", status.GetProperty("mode").GetString());
                Assert.All(status.GetProperty("venues").EnumerateArray(), v => Assert.False(v.GetProperty("paper").GetBoolean()));

                // Approved while armed: the dislocation is traded on the venues themselves.
                var approved = await admin.PostAsync($"/api/pairs/{pairId}/approve", new StringContent("""{"mapping": "YesYes"}""", Encoding.UTF8, "application/json"));
                Assert.True(approved.IsSuccessStatusCode, await approved.Content.ReadAsStringAsync());
                await Eventually.TrueAsync(() => fakes.Kalshi.Orders.Any(o => o.Ticker == CrossVenueFakes.KalshiGdp && o.Filled > 0), "a Kalshi order filled on the fake");
                await Eventually.TrueAsync(() => fakes.Exchange.State.OrdersSnapshot().Any(o => o.TokenId == CrossVenueFakes.GdpNoToken && o.Matched > 0), "a Polymarket NO order matched on the fake exchange");
                await Eventually.TrueAsync(() => app.Executions.Fills.Any(f => f.Venue == VenueId.Kalshi) && app.Executions.Fills.Any(f => f.Venue == VenueId.Polymarket),
                    "both venues' fills reported to the desk");
                // Signed correctly: the fakes verify every signature and refused none.
                Assert.Equal(0, fakes.Kalshi.Rejected);
                Assert.Equal(0, Interlocked.Read(ref fakes.Exchange.State.SignatureRejected));
                Assert.Equal(0, Interlocked.Read(ref fakes.Exchange.State.AuthRejected));

                var disarmed = await admin.PostAsync("/api/live/disarm", null);
                Assert.True(disarmed.IsSuccessStatusCode, await disarmed.Content.ReadAsStringAsync());
                Assert.Equal("Paper", (await admin.GetFromJsonAsync<JsonElement>("/api/live")).GetProperty("mode").GetString());
                Assert.All(app.Services.GetRequiredService<VenueSet>().Gateways.Values, g => Assert.True(g.IsPaper));
                var audit = await AuditAsync(app, DeskCommands.ArmLiveAction, DeskCommands.DisarmLiveAction);
                Assert.Collection(audit,
                    a => Assert.Equal(("api-admin-key", DeskCommands.ArmLiveAction, "paper", true), (a.Actor, a.Action, a.OldValue, a.NewValue!.StartsWith("live (armed by api-admin-key at ", StringComparison.Ordinal))),
                    a => Assert.Equal(("api-admin-key", DeskCommands.DisarmLiveAction, true, "paper"), (a.Actor, a.Action, a.OldValue!.StartsWith("live (armed by api-admin-key", StringComparison.Ordinal), a.NewValue)));

                // Armed again, then the process stops while live.
                Assert.True((await ArmAsync(admin, LiveTrading.ConfirmationPhrase)).IsSuccessStatusCode);
                Assert.True(app.Services.GetRequiredService<LiveTrading>().Armed);
            }

            await using (var restarted = new DeskAppFactory(settings, dataDirectory: data))
            {
                var admin = Client(restarted, AdminKey);
                var live = await Eventually.ValueAsync(async () =>
                {
                    var state = await admin.GetFromJsonAsync<JsonElement>("/api/live");
                    return state.GetProperty("restartNotice").ValueKind == JsonValueKind.String ? state : (JsonElement?)null;
                }, "the restart notice");
                Assert.Equal("Paper", live.GetProperty("mode").GetString());
                Assert.StartsWith("Started in PAPER: live trading was armed by ", live.GetProperty("restartNotice").GetString(), StringComparison.Ordinal);
                Assert.All(restarted.Services.GetRequiredService<VenueSet>().Gateways.Values, g => Assert.True(g.IsPaper));
                var last = (await AuditAsync(restarted, DeskCommands.DisarmLiveAction)).Last();
                Assert.Equal("system", last.Actor);
                Assert.Equal("paper (restarted: the desk never starts live)", last.NewValue);
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static HttpClient Client(DeskAppFactory app, string key)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static Task<HttpResponseMessage> ArmAsync(HttpClient client, string confirmation) =>
        client.PostAsync("/api/live/arm", new StringContent(JsonSerializer.Serialize(new { confirmation }), Encoding.UTF8, "application/json"));

    private static Task<long> SuggestedGdpPairAsync(HttpClient admin) => Eventually.ValueAsync(async () =>
    {
        var suggested = await admin.GetFromJsonAsync<JsonElement>("/api/pairs?status=Suggested");
        return suggested.EnumerateArray().Where(p => p.GetProperty("kalshiMarket").GetString() == CrossVenueFakes.KalshiGdp)
            .Select(p => (long?)p.GetProperty("id").GetInt64()).FirstOrDefault();
    }, "the GDP pair suggested");

    private static async Task<List<AuditEntry>> AuditAsync(DeskAppFactory app, params string[] actions)
    {
        var contexts = app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        return await db.Audit.AsNoTracking().Where(a => actions.Contains(a.Action)).OrderBy(a => a.Id).ToListAsync();
    }
}
