using System.Reflection;
using System.Text.Json;
using ArbBot.Engine.Hosting;
using ArbBot.Tests.Fixtures;
using ArbBot.Web.Hubs;
using Microsoft.Extensions.DependencyInjection;
using static ArbBot.Tests.Web.Security.SecurityTestSupport;

namespace ArbBot.Tests.Web.Validation;

/// <summary>
/// Every SignalR hub command taking arguments, found by reflection on <see cref="DeskHub"/>, has its bad arguments
/// listed here; each is refused with the field named (as REST names it) and the desk does not change. A command added
/// without an entry fails the sweep.
/// </summary>
public sealed class HubInputSweepTests : IAsyncLifetime
{
    /// <summary>By hub method: argument lists that must be refused, and the field the refusal must name.</summary>
    private static readonly Dictionary<string, (object?[] Arguments, string Field)[]> Cases = new(StringComparer.Ordinal)
    {
        // The reason is free text: cut to a maximum and cleaned, never refused (pausing and stopping must always work).
        ["PauseTrading"] = [],
        ["EngageKillSwitch"] = [],
        ["SetLimits"] =
        [
            ([Json("""{"maxTradeSize": 0}""")], "maxTradeSize"),
            ([Json("""{"maxTradeSize": "lots"}""")], "maxTradeSize"),
            ([Json("""{"leverage": 3}""")], "leverage"),
            ([Json("""{"pairCooldown": "soon"}""")], "pairCooldown"),
            ([Json("""{"dailyLossLimit": 1e30}""")], "dailyLossLimit"),
            ([Json("[]")], "body"),
            ([null], "body"),
        ],
        ["ApprovePair"] = [([1L, "Sideways"], "mapping"), ([1L, "1"], "mapping"), ([987_654L, null], "id")],
        ["PausePair"] = [([987_654L], "id"), ([-1L], "id")],
        ["ResumePair"] = [([987_654L], "id")],
        ["RetirePair"] = [([987_654L], "id")],
    };

    private readonly DeskAppFactory _app = new(KeySettings());
    private Uri _baseUrl = null!;

    public async Task InitializeAsync()
    {
        _baseUrl = LoopbackServer.Start(_app);
        await _app.Services.GetRequiredService<EngineHost>().Ready;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public void Every_hub_command_with_arguments_has_its_bad_arguments_listed()
    {
        var commands = typeof(DeskHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.GetParameters().Length > 0 && !m.IsSpecialName && m.Name is not (nameof(DeskHub.OnDisconnectedAsync)))
            .Select(m => m.Name).ToList();

        Assert.True(commands.All(Cases.ContainsKey), "Hub commands without cases: " + string.Join(", ", commands.Where(c => !Cases.ContainsKey(c))));
        Assert.True(Cases.Keys.All(commands.Contains), "Cases for commands that no longer exist: " + string.Join(", ", Cases.Keys.Where(k => !commands.Contains(k))));
    }

    [Fact]
    public async Task Every_bad_argument_of_every_hub_command_is_refused_naming_the_field_and_changes_nothing()
    {
        await using var hub = await SignalRTestClient.ConnectAsync(new Uri(_baseUrl, "/hubs/desk"), new Dictionary<string, string> { ["X-Api-Key"] = AdminKey });
        var before = await DeskFingerprintAsync(_app);
        var failures = new List<string>();
        foreach (var (method, cases) in Cases)
        {
            foreach (var (arguments, field) in cases)
            {
                var what = $"{method}({string.Join(", ", arguments.Select(a => a is JsonElement j ? j.GetRawText() : a?.ToString() ?? "null"))})";
                var result = await hub.InvokeAsync(method, arguments);
                if (result.GetProperty("succeeded").GetBoolean()) failures.Add($"{what}: succeeded");
                else
                {
                    var fields = result.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
                    if (!fields.Contains(field)) failures.Add($"{what}: refused naming [{string.Join(", ", fields)}], expected '{field}'");
                }
                if (await DeskFingerprintAsync(_app) != before) failures.Add($"{what}: the desk changed");
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
