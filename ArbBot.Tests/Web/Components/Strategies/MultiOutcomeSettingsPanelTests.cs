using System.Security.Claims;
using ArbBot.Engine.Persistence;
using ArbBot.Tests.Fixtures;
using ArbBot.Web.Components.Strategies;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ArbBot.Tests.Web.Components.Strategies;

/// <summary>The panel rendered to HTML with the app's real services (bUnit is not available; HtmlRenderer is static).</summary>
public sealed class MultiOutcomeSettingsPanelTests : IAsyncLifetime
{
    private readonly DeskAppFactory _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task An_admin_sees_every_setting_with_its_range_and_current_value()
    {
        var html = await RenderAsync(Roles.Admin);

        Assert.Contains("data-testid=\"multi-outcome-settings\"", html, StringComparison.Ordinal);
        Assert.Contains("Allowed: 0.001 to 0.5;", html, StringComparison.Ordinal);
        Assert.Contains("now 0.02.", html, StringComparison.Ordinal);
        Assert.Contains("Allowed: 2 to 50; now 16.", html, StringComparison.Ordinal);
        Assert.Contains("Now: none.", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"multi-outcome-MinNetEdge\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"multi-outcome-save\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("multi-outcome-read-only", html, StringComparison.Ordinal);
        // Pre-rendered (not interactive yet): nothing can be edited until the circuit connects.
        Assert.Contains("data-interactive=\"no\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_viewer_is_told_the_settings_are_read_only()
    {
        var html = await RenderAsync(Roles.Viewer);

        Assert.Contains("data-testid=\"multi-outcome-read-only\"", html, StringComparison.Ordinal);
        Assert.Contains("now 0.02.", html, StringComparison.Ordinal);
    }

    private async Task<string> RenderAsync(string role)
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "someone"), new Claim(ClaimTypes.Role, role)], "Cookies"));
        await using var scope = _app.Services.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(CascadingValue<Task<AuthenticationState>>.Value)] = Task.FromResult(new AuthenticationState(user)),
                [nameof(CascadingValue<Task<AuthenticationState>>.ChildContent)] = (RenderFragment)(b =>
                {
                    b.OpenComponent<MultiOutcomeSettingsPanel>(0);
                    b.CloseComponent();
                }),
            });
            var output = await renderer.RenderComponentAsync<CascadingValue<Task<AuthenticationState>>>(parameters);
            return output.ToHtmlString();
        });
    }
}
