using System.Net;
using System.Text.Json;
using ArbBot.Engine.Control;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using ArbBot.Tests.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Web.Hubs;

/// <summary>The SignalR hub against the real app on Kestrel, through a WebSocket JSON-protocol client.</summary>
public sealed class DeskHubTests : IAsyncLifetime
{
    private const string AdminKey = "hub-admin-key-0123456789abcdef";
    private const string ReadKey = "hub-read-key-0123456789abcdef";
    private static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(20);

    private readonly DeskAppFactory _app = new(new Dictionary<string, string?>
    {
        ["ArbBot:Api:AdminKey"] = AdminKey,
        ["ArbBot:Api:ReadKey"] = ReadKey,
    });

    private Uri _baseUrl = null!;

    private Uri HubUrl => new(_baseUrl, "/hubs/desk");

    public async Task InitializeAsync()
    {
        _baseUrl = LoopbackServer.Start(_app);
        await _app.Services.GetRequiredService<EngineHost>().Ready;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Pushes_the_spreads_of_a_pair_approved_through_the_hub_and_the_risk_state_after_a_pause()
    {
        await using var hub = await SignalRTestClient.ConnectAsync(HubUrl, Key(AdminKey));
        var pairId = (await Pairs().ListAsync(PairStatus.Suggested, CancellationToken.None))[0].Id;

        var approved = await hub.InvokeAsync("ApprovePair", pairId, null);
        Assert.True(approved.GetProperty("succeeded").GetBoolean(), approved.ToString());
        Assert.Equal("Approved", approved.GetProperty("value").GetProperty("status").GetString());

        var withSpread = await hub.WaitForAsync("DeskUpdate",
            batch => batch.GetProperty("spreads").EnumerateArray().Any(s => s.GetProperty("pairId").GetInt64() == pairId && s.GetProperty("state").GetString() != "NotEvaluated"),
            PushTimeout);
        Assert.All(withSpread.GetProperty("spreads").EnumerateArray().Where(s => s.GetProperty("pairId").GetInt64() == pairId),
            s => Assert.Contains("Kalshi", s.GetProperty("set").GetString(), StringComparison.Ordinal));

        var paused = await hub.InvokeAsync("PauseTrading", "hub test");
        Assert.True(paused.GetProperty("value").GetProperty("tradingPaused").GetBoolean());
        var pausedState = await hub.WaitForAsync("DeskUpdate",
            batch => batch.GetProperty("riskState") is { ValueKind: JsonValueKind.Object } state && state.GetProperty("controls").GetProperty("tradingPaused").GetBoolean(),
            PushTimeout);
        var riskState = pausedState.GetProperty("riskState");
        Assert.Equal("hub test", riskState.GetProperty("controls").GetProperty("pauseReason").GetString());
        Assert.Equal(100m, riskState.GetProperty("portfolio").GetProperty("dailyLossLimit").GetDecimal());
        Assert.False(riskState.GetProperty("breaker").GetProperty("tripped").GetBoolean());

        await using var db = await Db();
        var audit = await db.Audit.Where(a => a.Action == "trading.pause" || a.Action == "pair.approve").OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["pair.approve", "trading.pause"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal("api-admin-key", a.Actor));
    }

    [Fact]
    public async Task Batches_come_no_faster_than_ten_a_second_and_are_numbered()
    {
        await using var hub = await SignalRTestClient.ConnectAsync(HubUrl, Key(ReadKey));
        await hub.WaitForAsync("DeskUpdate", _ => true, PushTimeout);
        hub.TakeReceived();
        var watched = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var batches = hub.TakeReceived().Where(c => c.Target == "DeskUpdate").Select(c => c.Arguments[0]).ToList();
        var elapsed = watched.Elapsed;

        Assert.NotEmpty(batches);
        // The feed never emits twice within 100 ms, however long the wait really took.
        Assert.InRange(batches.Count, 1, (int)(elapsed.TotalMilliseconds / 100) + 2);
        var sequences = batches.Select(b => b.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
    }

    [Fact]
    public async Task A_read_key_receives_pushes_but_every_command_is_refused_and_nothing_changes()
    {
        var pairs = Pairs();
        var pairId = (await pairs.ListAsync(PairStatus.Suggested, CancellationToken.None))[0].Id;
        var stateBefore = _app.Services.GetRequiredService<DeskControls>().State;
        var auditBefore = await AuditCount();
        await using var hub = await SignalRTestClient.ConnectAsync(HubUrl, Key(ReadKey));

        await hub.WaitForAsync("DeskUpdate", _ => true, PushTimeout);
        await AssertAllCommandsRefusedAsync(hub, pairId);

        Assert.Equal(stateBefore, _app.Services.GetRequiredService<DeskControls>().State);
        Assert.Equal(PairStatus.Suggested, (await pairs.GetAsync(pairId, CancellationToken.None))!.Pair.Status);
        Assert.Equal(auditBefore, await AuditCount());
    }

    [Fact]
    public async Task A_signed_in_viewer_is_refused_commands_and_a_signed_in_admin_is_audited_by_name()
    {
        await _app.Services.GetRequiredService<ArbBot.Web.Auth.UserAccounts>()
            .UpsertAsync("hub-viewer", "viewer-password-for-hub", Roles.Viewer, "test", CancellationToken.None);
        var pairId = (await Pairs().ListAsync(PairStatus.Suggested, CancellationToken.None))[0].Id;
        var auditBefore = await AuditCount();

        await using (var viewer = await SignalRTestClient.ConnectAsync(HubUrl, await SignedInCookieAsync("hub-viewer", "viewer-password-for-hub")))
        {
            await viewer.WaitForAsync("DeskUpdate", _ => true, PushTimeout);
            await AssertAllCommandsRefusedAsync(viewer, pairId);
        }
        Assert.False(_app.Services.GetRequiredService<DeskControls>().TradingPaused);
        Assert.Equal(auditBefore, await AuditCount());

        await using var admin = await SignalRTestClient.ConnectAsync(HubUrl, await SignedInCookieAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword));
        var engaged = await admin.InvokeAsync("EngageKillSwitch", (string?)null);
        Assert.True(engaged.GetProperty("value").GetProperty("killSwitchEngaged").GetBoolean());
        await admin.InvokeAsync("ResetKillSwitch");
        Assert.False(_app.Services.GetRequiredService<DeskControls>().KillSwitchEngaged);
        await using var db = await Db();
        var audit = await db.Audit.Where(a => a.Action.StartsWith("kill-switch.")).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["kill-switch.engage", "kill-switch.reset"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal(DeskAppFactory.AdminUser, a.Actor));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-valid-key")]
    public async Task Negotiating_without_a_valid_key_or_sign_in_is_unauthorized(string? key)
    {
        using var response = await SignalRTestClient.NegotiateAsync(HubUrl, key is null ? new Dictionary<string, string>() : Key(key));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Invalid_limits_and_arguments_get_the_same_field_errors_as_rest_and_change_nothing()
    {
        var limitsBefore = _app.Services.GetRequiredService<DeskControls>().Limits;
        await using var hub = await SignalRTestClient.ConnectAsync(HubUrl, Key(AdminKey));

        var outOfRange = await hub.InvokeAsync("SetLimits", new { maxTradeSize = 0m, minNetEdge = 0.02m });
        Assert.False(outOfRange.GetProperty("succeeded").GetBoolean());
        Assert.Contains("maxTradeSize", Fields(outOfRange));
        var unknown = await hub.InvokeAsync("SetLimits", new { maxTradeSize = 10m, leverage = 3 });
        Assert.Equal(["leverage"], Fields(unknown));
        var wrongType = await hub.InvokeAsync("SetLimits", JsonDocument.Parse("""{"maxTradeSize": "lots"}""").RootElement);
        Assert.Equal(["maxTradeSize"], Fields(wrongType));
        var badMapping = await hub.InvokeAsync("ApprovePair", 1L, "Sideways");
        Assert.Equal(["mapping"], Fields(badMapping));
        var noSuchPair = await hub.InvokeAsync("PausePair", 987_654L);
        Assert.Equal(["id"], Fields(noSuchPair));

        Assert.Equal(limitsBefore, _app.Services.GetRequiredService<DeskControls>().Limits);
        var good = await hub.InvokeAsync("SetLimits", new { maxTradeSize = 42m });
        Assert.True(good.GetProperty("succeeded").GetBoolean(), good.ToString());
        Assert.Equal(42m, _app.Services.GetRequiredService<DeskControls>().Limits.MaxTradeSize);
        Assert.Equal(limitsBefore.MinNetEdge, _app.Services.GetRequiredService<DeskControls>().Limits.MinNetEdge);
    }

    private static async Task AssertAllCommandsRefusedAsync(SignalRTestClient hub, long pairId)
    {
        (string Method, object?[] Arguments)[] commands =
        [
            ("PauseTrading", [null]), ("ResumeTrading", []), ("EngageKillSwitch", ["no"]), ("ResetKillSwitch", []),
            ("SetLimits", [new { maxTradeSize = 1m }]), ("ApprovePair", [pairId, null]), ("PausePair", [pairId]), ("ResumePair", [pairId]),
            ("RetirePair", [pairId]),
        ];
        foreach (var (method, arguments) in commands)
        {
            var refused = await Assert.ThrowsAsync<HubErrorException>(() => hub.InvokeAsync(method, arguments));
            Assert.Contains("Only an admin may", refused.Message, StringComparison.Ordinal);
        }
    }

    private static List<string> Fields(JsonElement result) =>
        [.. result.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()!)];

    private static Dictionary<string, string> Key(string key) => new() { ["X-Api-Key"] = key };

    private async Task<Dictionary<string, string>> SignedInCookieAsync(string user, string password)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = _baseUrl };
        var response = await AuthTests.SignInAsync(http, user, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return new Dictionary<string, string> { ["Cookie"] = cookies.GetCookieHeader(_baseUrl) };
    }

    private PairService Pairs() => _app.Services.GetRequiredService<PairService>();

    private async Task<int> AuditCount()
    {
        await using var db = await Db();
        return await db.Audit.CountAsync();
    }

    private Task<ArbBotDbContext> Db() => _app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();
}
