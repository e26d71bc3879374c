using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ArbBot.Engine.Control;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Strategies.SpikeHunter;
using ArbBot.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Web.Api;

public sealed class StrategiesApiTests : IAsyncLifetime
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

    public async Task InitializeAsync()
    {
        _admin = Client(AdminKey);
        _reader = Client(ReadKey);
        await _app.Services.GetRequiredService<EngineHost>().Ready;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_read_key_reads_the_spike_settings_but_may_not_change_them()
    {
        var settings = await _reader.GetFromJsonAsync<JsonElement>("/api/strategies/spike");
        Assert.Equal(0.03m, settings.GetProperty("cusumThreshold").GetDecimal());
        Assert.Equal("Fade", settings.GetProperty("direction").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await _reader.PutAsync("/api/strategies/spike", Json("""{"cusumThreshold": 0.05}"""))).StatusCode);
        Assert.Equal(new SpikeHunterSettings(), _app.Services.GetRequiredService<SpikeHunterControls>().Settings);
    }

    [Fact]
    public async Task An_admin_changes_fields_which_apply_at_once_and_are_audited()
    {
        var response = await _admin.PutAsync("/api/strategies/spike", Json("""{"enabled": true, "ewmaSpan": 30, "cooldown": "00:01:00"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var settings = _app.Services.GetRequiredService<SpikeHunterControls>().Settings;
        Assert.Equal(new SpikeHunterSettings() with { Enabled = true, EwmaSpan = 30, Cooldown = TimeSpan.FromMinutes(1) }, settings);
        var read = await _reader.GetFromJsonAsync<JsonElement>("/api/strategies/spike");
        Assert.Equal(30, read.GetProperty("ewmaSpan").GetInt32());
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();
        var audit = await db.Audit.SingleAsync(a => a.Action == DeskCommands.SpikeHunterAction);
        Assert.Equal("Enabled=False; EwmaSpan=20; Cooldown=00:00:30", audit.OldValue);
        Assert.Equal("Enabled=True; EwmaSpan=30; Cooldown=00:01:00", audit.NewValue);
    }

    [Theory]
    [InlineData("""{"cusumThreshold": 0}""", "cusumThreshold", "CusumThreshold must be between")]
    [InlineData("""{"direction": "Sideways"}""", "direction", "Not valid here")]
    [InlineData("""{"direction": 1}""", "direction", "Not valid here")]
    [InlineData("""{"cusumTreshold": 0.1}""", "cusumTreshold", "Unknown field")]
    [InlineData("", "body", "A JSON body is required")]
    public async Task Invalid_bodies_get_400_naming_the_field_and_change_nothing(string body, string field, string message)
    {
        var response = await _admin.PutAsync("/api/strategies/spike", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var list), $"errors should name '{field}': {errors}");
        Assert.Contains(message, list[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(new SpikeHunterSettings(), _app.Services.GetRequiredService<SpikeHunterControls>().Settings);
    }

    private HttpClient Client(string? key)
    {
        var client = _app.CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
