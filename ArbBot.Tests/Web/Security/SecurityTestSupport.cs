using System.Net;
using ArbBot.Engine.Control;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Strategies.SpikeHunter;
using ArbBot.Tests.Fixtures;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Web.Security;

/// <summary>What the security tests share: keys, a signed-in viewer, and a fingerprint of everything a command could change.</summary>
internal static class SecurityTestSupport
{
    public const string AdminKey = "security-admin-key-0123456789abcdef";
    public const string ReadKey = "security-read-key-0123456789abcdef";
    public const string ViewerUser = "security-viewer";
    public const string ViewerPassword = "viewer-password-0123456789";

    public static Dictionary<string, string?> KeySettings() => new()
    {
        ["ArbBot:Api:AdminKey"] = AdminKey,
        ["ArbBot:Api:ReadKey"] = ReadKey,
    };

    public static HttpClient KeyClient(DeskAppFactory app, string key)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    /// <summary>A client signed in (cookie) as <paramref name="user"/>, sending its own origin as a browser on the dashboard would.</summary>
    public static async Task<HttpClient> SignedInClientAsync(DeskAppFactory app, string user, string password)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var response = await AuthTests.SignInAsync(client, user, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        client.DefaultRequestHeaders.Add("Origin", "http://localhost");
        return client;
    }

    public static async Task<HttpClient> SignedInViewerAsync(DeskAppFactory app)
    {
        await app.Services.GetRequiredService<ArbBot.Web.Auth.UserAccounts>().UpsertAsync(ViewerUser, ViewerPassword, Roles.Viewer, "test", CancellationToken.None);
        return await SignedInClientAsync(app, ViewerUser, ViewerPassword);
    }

    /// <summary>Everything a command can change, as text: switches, limits, strategy settings, pairs, users and the audit trail's length.</summary>
    public static async Task<string> DeskFingerprintAsync(DeskAppFactory app)
    {
        var controls = app.Services.GetRequiredService<DeskControls>();
        var spike = app.Services.GetRequiredService<SpikeHunterControls>();
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ArbBotDbContext>>().CreateDbContextAsync();
        var pairs = await app.Services.GetRequiredService<PairService>().ListAsync(null, CancellationToken.None);
        var users = await db.Users.AsNoTracking().OrderBy(u => u.UserName).Select(u => u.UserName + ":" + u.Role + ":" + u.PasswordHash).ToListAsync();
        return string.Join('\n',
            controls.State.ToString(),
            controls.Limits.ToString(),
            System.Text.Json.JsonSerializer.Serialize(controls.MultiOutcome),
            System.Text.Json.JsonSerializer.Serialize(spike.Settings),
            string.Join(',', pairs.Select(p => $"{p.Id}:{p.Status}:{p.Mapping}")),
            string.Join(',', users),
            "audit " + await db.Audit.CountAsync(),
            "settings " + string.Join(',', await db.Settings.AsNoTracking().OrderBy(s => s.Key).Select(s => s.Key + "=" + s.ValueJson).ToListAsync()));
    }
}
