using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ArbBot.Engine.Control;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Web.Api;

public sealed class MultiOutcomeApiTests : IAsyncLifetime
{
    private const string AdminKey = "test-admin-key-0123456789abcdef";
    private const string ReadKey = "test-read-key-0123456789abcdef";
    private const string Route = "/api/strategies/multi-outcome";

    private static readonly Dictionary<string, string?> Keys = new()
    {
        ["ArbBot:Api:AdminKey"] = AdminKey,
        ["ArbBot:Api:ReadKey"] = ReadKey,
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("arbbot-multi-").FullName;
    private DeskAppFactory _app = null!;

    public async Task InitializeAsync()
    {
        _app = new DeskAppFactory(Keys, dataDirectory: _folder);
        await _app.Services.GetRequiredService<EngineHost>().Ready;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task The_host_watches_the_simulators_exclusive_events_with_the_defaults()
    {
        var settings = await Client(ReadKey).GetFromJsonAsync<JsonElement>(Route);

        Assert.Equal((true, 0.02m, 16, true, 0), (settings.GetProperty("enabled").GetBoolean(), settings.GetProperty("minNetEdge").GetDecimal(),
            settings.GetProperty("maxOutcomes").GetInt32(), settings.GetProperty("tradeNoSets").GetBoolean(), settings.GetProperty("kalshiExhaustiveEvents").GetArrayLength()));
        // Fed and MLS Cup on both venues; never Polymarket's augmented Person of the Year.
        var watched = _app.Services.GetRequiredService<DeskEngine>().MultiOutcome!.WatchedEventCount;
        Assert.Equal(4, watched);
    }

    [Fact]
    public async Task A_viewer_key_reads_but_may_not_change_the_settings()
    {
        var reader = Client(ReadKey);

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(Route)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PutAsync(Route, Json("""{"enabled": false}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client(null).PutAsync(Route, Json("""{"enabled": false}"""))).StatusCode);
        Assert.True(_app.Services.GetRequiredService<DeskControls>().MultiOutcome.Enabled);
    }

    [Fact]
    public async Task An_admin_change_is_applied_audited_field_by_field_and_restored_after_a_restart()
    {
        var response = await Client(AdminKey).PutAsync(Route, Json("""{"minNetEdge": 0.05, "kalshiExhaustiveEvents": ["KXFEDDECISION-26DEC"]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var engine = _app.Services.GetRequiredService<DeskEngine>().MultiOutcome!;
        Assert.Equal((0.05m, "KXFEDDECISION-26DEC"), (engine.Settings.MinNetEdge, Assert.Single(engine.Settings.KalshiExhaustiveEvents)));
        await using (var db = await Db())
        {
            var audit = await db.Audit.SingleAsync(a => a.Action == SettingsStore.MultiOutcomeAction);
            Assert.Equal(("multi-outcome", "MinNetEdge=0.02; KalshiExhaustiveEvents=", "MinNetEdge=0.05; KalshiExhaustiveEvents=KXFEDDECISION-26DEC"),
                (audit.Target, audit.OldValue, audit.NewValue));
            Assert.False(string.IsNullOrEmpty(audit.Actor));
            Assert.True(await db.Settings.AnyAsync(s => s.Key == SettingsStore.MultiOutcomeKey));
        }

        // The same change again changes nothing and writes no second entry.
        Assert.Equal(HttpStatusCode.OK, (await Client(AdminKey).PutAsync(Route, Json("""{"minNetEdge": 0.05}"""))).StatusCode);
        await using (var db = await Db()) Assert.Equal(1, await db.Audit.CountAsync(a => a.Action == SettingsStore.MultiOutcomeAction));

        await _app.DisposeAsync();
        _app = new DeskAppFactory(Keys, dataDirectory: _folder);
        await _app.Services.GetRequiredService<EngineHost>().Ready;
        var restored = await Client(ReadKey).GetFromJsonAsync<JsonElement>(Route);
        Assert.Equal(0.05m, restored.GetProperty("minNetEdge").GetDecimal());
        Assert.Equal(0.05m, _app.Services.GetRequiredService<DeskEngine>().MultiOutcome!.Settings.MinNetEdge);
    }

    [Theory]
    [InlineData("""{"minNetEdge": 0}""", "minNetEdge", "MinNetEdge must be between 0.001 and 0.5")]
    [InlineData("""{"maxOutcomes": 1}""", "maxOutcomes", "MaxOutcomes must be between 2 and 50")]
    [InlineData("""{"kalshiExhaustiveEvents": ["not a ticker"]}""", "kalshiExhaustiveEvents", "is not a Kalshi event ticker")]
    [InlineData("""{"kalshiExhaustiveEvents": ["KXA", "kxa"]}""", "kalshiExhaustiveEvents", "lists a ticker twice")]
    [InlineData("""{"enabled": "yes"}""", "enabled", "Not valid here")]
    [InlineData("""{"minEdge": 0.05}""", "minEdge", "Unknown field")]
    [InlineData("", "body", "A JSON body is required")]
    public async Task Invalid_settings_get_400_naming_the_field_and_change_nothing(string body, string field, string message)
    {
        var response = await Client(AdminKey).PutAsync(Route, Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var list), $"errors should name '{field}': {errors}");
        Assert.Contains(message, list[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0.02m, _app.Services.GetRequiredService<DeskControls>().MultiOutcome.MinNetEdge);
        await using var db = await Db();
        Assert.False(await db.Audit.AnyAsync(a => a.Action == SettingsStore.MultiOutcomeAction));
    }

    private HttpClient Client(string? key)
    {
        var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private async Task<ArbBotDbContext> Db() =>
        await _app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
