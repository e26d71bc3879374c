using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Web.Api;

public sealed class DeskApiTests : IAsyncLifetime
{
    private const string AdminKey = "test-admin-key-0123456789abcdef";
    private const string ReadKey = "test-read-key-0123456789abcdef";

    private readonly DeskAppFactory _app = new(new Dictionary<string, string?>
    {
        ["ArbBot:Api:AdminKey"] = AdminKey,
        ["ArbBot:Api:ReadKey"] = ReadKey,
    });

    private HttpClient _admin = null!;
    private HttpClient _reader = null!;
    private HttpClient _anonymous = null!;

    public async Task InitializeAsync()
    {
        _admin = Client(AdminKey);
        _reader = Client(ReadKey);
        _anonymous = Client(null);
        await _app.Services.GetRequiredService<EngineHost>().Ready;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-key")]
    public async Task Requests_without_a_valid_key_are_unauthorized(string? key)
    {
        var client = Client(key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/status")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/trading/pause", null)).StatusCode);
    }

    [Fact]
    public async Task A_read_key_reads_but_may_change_nothing()
    {
        Assert.Equal(HttpStatusCode.OK, (await _reader.GetAsync("/api/status")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _reader.GetAsync("/api/limits")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _reader.GetAsync("/api/pairs")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _reader.PostAsync("/api/trading/pause", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _reader.PostAsync("/api/kill-switch", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _reader.PutAsync("/api/limits", Json("""{"maxTradeSize": 10}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _reader.PostAsync("/api/pairs/1/approve", null)).StatusCode);
        Assert.False((await Status()).GetProperty("tradingPaused").GetBoolean());
    }

    [Fact]
    public async Task Status_names_the_mode_the_venues_and_their_freshness()
    {
        var status = await Status();
        Assert.Equal("Paper", status.GetProperty("mode").GetString());
        var venues = status.GetProperty("venues").EnumerateArray().Select(v => v.GetProperty("name").GetString() ?? "").Order().ToArray();
        Assert.Equal(["Kalshi (simulated)", "Polymarket (simulated)"], venues);
        Assert.True(status.GetProperty("venues")[0].GetProperty("paper").GetBoolean());
    }

    [Fact]
    public async Task Pause_and_resume_take_effect_and_are_audited_with_the_key_as_actor()
    {
        var paused = await _admin.PostAsync("/api/trading/pause?reason=lunch", null);
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.True((await Status()).GetProperty("tradingPaused").GetBoolean());

        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsync("/api/trading/resume", null)).StatusCode);
        Assert.False((await Status()).GetProperty("tradingPaused").GetBoolean());

        await using var db = await Db();
        var audit = await db.Audit.Where(a => a.Action.StartsWith("trading.")).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["trading.pause", "trading.resume"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal("api-admin-key", a.Actor));
        Assert.Equal(("running", "paused"), (audit[0].OldValue, audit[0].NewValue));
    }

    [Fact]
    public async Task Kill_switch_engages_and_resets_and_survives_in_the_database()
    {
        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsync("/api/kill-switch?reason=test", null)).StatusCode);
        Assert.True((await Status()).GetProperty("killSwitchEngaged").GetBoolean());
        await using (var db = await Db())
        {
            Assert.Contains("\"killSwitchEngaged\":true", (await db.Settings.SingleAsync()).ValueJson, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await _admin.DeleteAsync("/api/kill-switch")).StatusCode);
        Assert.False((await Status()).GetProperty("killSwitchEngaged").GetBoolean());
    }

    [Fact]
    public async Task Limits_are_changed_field_by_field_persisted_and_audited_before_and_after()
    {
        var response = await _admin.PutAsync("/api/limits", Json("""{"maxTradeSize": 250, "pairCooldown": "00:00:05"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var limits = await _reader.GetFromJsonAsync<JsonElement>("/api/limits");
        Assert.Equal(250m, limits.GetProperty("maxTradeSize").GetDecimal());
        Assert.Equal("00:00:05", limits.GetProperty("pairCooldown").GetString());
        Assert.Equal(0.01m, limits.GetProperty("minNetEdge").GetDecimal());
        await using var db = await Db();
        var audit = await db.Audit.SingleAsync(a => a.Action == "limits.set");
        Assert.Equal("MaxTradeSize=500; PairCooldown=00:00:02", audit.OldValue);
        Assert.Equal("MaxTradeSize=250; PairCooldown=00:00:05", audit.NewValue);
    }

    [Theory]
    [InlineData("""{"maxTradeSize": 0}""", "maxTradeSize", "MaxTradeSize must be between")]
    [InlineData("""{"minNetEdge": -0.5}""", "minNetEdge", "MinNetEdge must be between")]
    [InlineData("""{"maxTradeSize": "lots"}""", "maxTradeSize", "Not valid here")]
    [InlineData("""{"maxTradeSizes": 10}""", "maxTradeSizes", "Unknown field")]
    [InlineData("""{"maxTradeSize": 10""", "maxTradeSize", "Not valid here")]
    [InlineData("", "body", "A JSON body is required")]
    public async Task Invalid_limits_get_400_naming_the_field_and_change_nothing(string body, string field, string message)
    {
        var response = await _admin.PutAsync("/api/limits", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var list), $"errors should name '{field}': {errors}");
        Assert.Contains(message, list[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(500m, (await _reader.GetFromJsonAsync<JsonElement>("/api/limits")).GetProperty("maxTradeSize").GetDecimal());
    }

    [Fact]
    public async Task A_suggested_pair_goes_through_its_lifecycle_and_illegal_moves_are_refused()
    {
        var suggested = (await _reader.GetFromJsonAsync<JsonElement>("/api/pairs?status=Suggested"))[0];
        var id = suggested.GetProperty("id").GetInt64();

        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.PostAsync($"/api/pairs/{id}/resume", null)).StatusCode);
        var approved = await _admin.PostAsync($"/api/pairs/{id}/approve", Json("""{"mapping": "YesYes"}"""));
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("Approved", await StatusOf(id));
        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsync($"/api/pairs/{id}/pause", null)).StatusCode);
        Assert.Equal("Paused", await StatusOf(id));
        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsync($"/api/pairs/{id}/resume", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsync($"/api/pairs/{id}/retire", null)).StatusCode);
        Assert.Equal("Retired", await StatusOf(id));
        var refused = await _admin.PostAsync($"/api/pairs/{id}/approve", null);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("status", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await using var db = await Db();
        var actions = await db.Audit.Where(a => a.Target.Contains(id.ToString(System.Globalization.CultureInfo.InvariantCulture))).Select(a => a.Action).ToListAsync();
        Assert.Equal(["pair.approve", "pair.pause", "pair.resume", "pair.retire"], actions);
    }

    [Fact]
    public async Task Approving_with_an_unknown_mapping_or_an_unknown_pair_is_refused()
    {
        var id = (await _reader.GetFromJsonAsync<JsonElement>("/api/pairs?status=Suggested"))[0].GetProperty("id").GetInt64();

        var bad = await _admin.PostAsync($"/api/pairs/{id}/approve", Json("""{"mapping": "Sideways"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("mapping", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var missing = await _admin.PostAsync("/api/pairs/999999/approve", null);
        Assert.True(missing.StatusCode == HttpStatusCode.NotFound, $"{missing.StatusCode}: {await missing.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData("/api/pairs?status=Bogus", "status")]
    [InlineData("/api/opportunities?limit=0", "limit")]
    [InlineData("/api/orders?limit=5000", "limit")]
    [InlineData("/api/trades?limit=-1", "limit")]
    public async Task Bad_query_parameters_get_400_naming_them(string url, string field)
    {
        var response = await _reader.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Records_and_statistics_are_readable()
    {
        foreach (var url in new[] { "/api/opportunities", "/api/orders", "/api/trades", "/api/positions" })
        {
            Assert.Equal(HttpStatusCode.OK, (await _reader.GetAsync(url)).StatusCode);
        }
        var stats = await _reader.GetFromJsonAsync<JsonElement>("/api/stats/execution");
        foreach (var field in new[] { "attempted", "fullyHedgedWithinSlippage", "leftWithUnhedgedResidual", "averageDetectionToLastFillMs" })
        {
            Assert.True(stats.TryGetProperty(field, out _), $"stats should report {field}");
        }
    }

    private HttpClient Client(string? key)
    {
        var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private async Task<JsonElement> Status() => await _reader.GetFromJsonAsync<JsonElement>("/api/status");

    private async Task<string?> StatusOf(long id) =>
        (await _reader.GetFromJsonAsync<JsonElement>($"/api/pairs/{id}")).GetProperty("pair").GetProperty("status").GetString();

    private async Task<ArbBotDbContext> Db() =>
        await _app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
