using ArbBot.Engine.Hosting;
using ArbBot.Web;
using ArbBot.Web.Api;
using ArbBot.Web.Auth;
using ArbBot.Web.Components;
using ArbBot.Web.Health;
using ArbBot.Web.Hubs;
using ArbBot.Web.Observability;
using ArbBot.Web.Replay;
using ArbBot.Web.Security;
using ArbBot.Web.Venues;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;

if (args is [HealthProbe.Argument, ..]) return await HealthProbe.RunAsync(args[1..]);

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.UseOperatorSettings();
if (args is [PolymarketCommand.Verb, ..])
{
    return await PolymarketCommand.RunAsync(args[1..], builder.Configuration, Console.Out, Console.Error, CancellationToken.None);
}
if (args is [ReplayCommand.Verb, ..])
{
    return await ReplayCommand.RunAsync(args[1..], builder.Configuration, Console.Out, Console.Error, CancellationToken.None);
}
builder.Logging.AddArbBotConsole(builder.Configuration);
if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
{
    // Only this machine by default; --urls or ASPNETCORE_URLS opens it up deliberately.
    builder.WebHost.UseUrls("http://localhost:5080");
}
// Radzen's scripts and styles come from its package; outside Development the host only finds them through the build's
// static web assets manifest when told to look (a published app carries them in wwwroot and has no manifest).
builder.WebHost.UseStaticWebAssets();
builder.Services.AddArbBotEngine(builder.Configuration);
builder.Services.AddArbBotWeb(builder.Configuration);
builder.Services.AddArbBotWebSecurity(builder.Configuration);

var app = builder.Build();
app.UseArbBotWebSecurity();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}
app.UseCrossSiteRequestGuard();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapArbBotHealth();
app.MapArbBotMetrics();
app.MapDeskApi();
app.MapHub<DeskHub>(DeskHub.Path);
app.MapPost("/logout", async (HttpContext context, IAntiforgery antiforgery) =>
{
    // The sign-out form carries the antiforgery token; a post forged from elsewhere is refused.
    if (!await antiforgery.IsRequestValidAsync(context)) return Results.BadRequest();
    await context.SignOutAsync();
    return Results.Redirect("/login");
});
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

return await StartupErrors.RunAsync(app);

/// <summary>The web host's entry point (public for WebApplicationFactory in tests).</summary>
public partial class Program;
