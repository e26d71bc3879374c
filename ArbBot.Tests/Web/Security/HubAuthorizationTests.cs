using System.Net;
using System.Reflection;
using System.Text.Json;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Matching;
using ArbBot.Tests.Fixtures;
using ArbBot.Web.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using static ArbBot.Tests.Web.Security.SecurityTestSupport;

namespace ArbBot.Tests.Web.Security;

/// <summary>
/// Every method a client can call on <c>/hubs/desk</c>, found by reflection on <see cref="DeskHub"/> (a method added
/// later is covered without touching this test), refused to a read key and to a signed-in viewer, with nothing changed.
/// </summary>
public sealed class HubAuthorizationTests : IAsyncLifetime
{
    private readonly DeskAppFactory _app = new(KeySettings());
    private Uri _baseUrl = null!;

    private Uri HubUrl => new(_baseUrl, DeskHub.Path);

    public async Task InitializeAsync()
    {
        _baseUrl = LoopbackServer.Start(_app);
        await _app.Services.GetRequiredService<EngineHost>().Ready;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>The hub methods a client can invoke: public instance methods of the hub itself, not the base class's lifecycle hooks.</summary>
    private static List<MethodInfo> HubMethods() =>
        [.. typeof(DeskHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name is not (nameof(Hub.OnConnectedAsync) or nameof(Hub.OnDisconnectedAsync) or nameof(IDisposable.Dispose)))];

    [Fact]
    public async Task Every_hub_method_refuses_a_read_key_and_a_signed_in_viewer_and_changes_nothing()
    {
        var pairId = (await _app.Services.GetRequiredService<PairService>().ListAsync(PairStatus.Suggested, CancellationToken.None))[0].Id;
        await _app.Services.GetRequiredService<ArbBot.Web.Auth.UserAccounts>()
            .UpsertAsync(ViewerUser, ViewerPassword, ArbBot.Engine.Persistence.Roles.Viewer, "test", CancellationToken.None);
        var methods = HubMethods();
        Assert.Contains(methods, m => m.Name == nameof(DeskHub.EngageKillSwitch));
        var before = await DeskFingerprintAsync(_app);

        await using var reader = await SignalRTestClient.ConnectAsync(HubUrl, new Dictionary<string, string> { ["X-Api-Key"] = ReadKey });
        await using var viewer = await SignalRTestClient.ConnectAsync(HubUrl, await SignedInCookieAsync(ViewerUser, ViewerPassword));
        foreach (var method in methods)
        {
            var arguments = method.GetParameters().Select(p => Argument(p, pairId)).ToArray();
            foreach (var (who, hub) in new[] { ("read key", reader), ("viewer", viewer) })
            {
                var refused = await Assert.ThrowsAsync<HubErrorException>(() => hub.InvokeAsync(method.Name, arguments));
                Assert.True(refused.Message.Contains("Only an admin may", StringComparison.Ordinal), $"{method.Name} as a {who}: {refused.Message}");
            }
        }

        Assert.Equal(before, await DeskFingerprintAsync(_app));

        // The admin key's call with the same arguments is accepted: the refusals were the role, not the arguments.
        await using var admin = await SignalRTestClient.ConnectAsync(HubUrl, new Dictionary<string, string> { ["X-Api-Key"] = AdminKey });
        var engaged = await admin.InvokeAsync(nameof(DeskHub.EngageKillSwitch), "admin");
        Assert.True(engaged.GetProperty("succeeded").GetBoolean(), engaged.ToString());
    }

    [Fact]
    public async Task A_signed_in_connection_opened_from_another_origin_is_refused()
    {
        var cookie = await SignedInCookieAsync(DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);

        // The negotiate POST a page on another origin (here: another port of the same host) would send.
        var forged = new Dictionary<string, string>(cookie) { ["Origin"] = "http://127.0.0.1:1" };
        using var negotiate = await SignalRTestClient.NegotiateAsync(HubUrl, forged);
        Assert.Equal(HttpStatusCode.Forbidden, negotiate.StatusCode);

        // Skipping negotiation, straight to the WebSocket, as SignalR clients may: refused at the handshake too.
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        foreach (var (name, value) in forged) socket.Options.SetRequestHeader(name, value);
        var wsUrl = new UriBuilder(HubUrl) { Scheme = "ws" }.Uri;
        var refused = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => socket.ConnectAsync(wsUrl, CancellationToken.None));
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);

        // The dashboard's own origin is welcome.
        var own = new Dictionary<string, string>(cookie) { ["Origin"] = _baseUrl.GetLeftPart(UriPartial.Authority) };
        await using var hub = await SignalRTestClient.ConnectAsync(HubUrl, own);
        var paused = await hub.InvokeAsync(nameof(DeskHub.PauseTrading), "same origin");
        Assert.True(paused.GetProperty("succeeded").GetBoolean(), paused.ToString());
    }

    private static object? Argument(ParameterInfo parameter, long pairId) => parameter.ParameterType switch
    {
        var t when t == typeof(long) || t == typeof(int) => pairId,
        var t when t == typeof(JsonElement) => new { maxTradeSize = 1m },
        var t when t == typeof(string) => null,
        var t when t == typeof(bool) => true,
        var t => throw new InvalidOperationException($"No test value for {parameter.Name} ({t}) of a hub method: add one."),
    };

    private async Task<Dictionary<string, string>> SignedInCookieAsync(string user, string password)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = _baseUrl };
        var response = await AuthTests.SignInAsync(http, user, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return new Dictionary<string, string> { ["Cookie"] = cookies.GetCookieHeader(_baseUrl) };
    }
}
