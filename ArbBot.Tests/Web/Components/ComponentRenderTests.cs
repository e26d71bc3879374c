using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Risk;
using ArbBot.Web.Components.Layout;
using ArbBot.Web.Components.Pages;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Web.Components;

/// <summary>Key components rendered to HTML with HtmlRenderer, as the server pre-renders them.</summary>
public sealed class ComponentRenderTests
{
    [Fact]
    public async Task Mode_banner_says_PAPER_in_paper_mode()
    {
        await using var renderer = new ComponentRenderer(live: false);

        var html = await renderer.RenderAsync<ModeBanner>();

        Assert.Contains("mode-paper", html, StringComparison.Ordinal);
        Assert.Contains(">PAPER<", html, StringComparison.Ordinal);
        Assert.DoesNotContain("LIVE", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mode_banner_says_LIVE_once_live_trading_is_armed()
    {
        await using var renderer = new ComponentRenderer(live: true);

        var html = await renderer.RenderAsync<ModeBanner>();

        Assert.Contains("mode-live", html, StringComparison.Ordinal);
        Assert.Contains(">LIVE<", html, StringComparison.Ordinal);
        Assert.Contains("Real orders reach the venues", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Desk_controls_tell_a_viewer_they_can_only_look_and_not_an_admin()
    {
        await using var renderer = new ComponentRenderer();

        var viewer = await renderer.RenderAsync<DeskControlsBar>(ComponentRenderer.User("bob", Roles.Viewer));
        var admin = await renderer.RenderAsync<DeskControlsBar>(ComponentRenderer.User("alice", Roles.Admin));

        Assert.Contains("data-testid=\"read-only\"", viewer, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"read-only\"", admin, StringComparison.Ordinal);
        // Pre-rendered (no circuit yet) a click would be lost, so even an admin's buttons wait, disabled.
        foreach (var html in new[] { viewer, admin })
        {
            Assert.Contains("data-interactive=\"no\"", html, StringComparison.Ordinal);
            Assert.Matches("<button[^>]*disabled[^>]*data-testid=\"pause-trading\"|<button[^>]*data-testid=\"pause-trading\"[^>]*disabled", html);
        }
    }

    [Fact]
    public async Task Desk_controls_show_a_pause_and_an_engaged_kill_switch_with_their_reasons()
    {
        await using var renderer = new ComponentRenderer();
        renderer.Services.GetRequiredService<DeskControls>().Apply(new ControlState(true, "lunch break", true, "venue outage", new RiskLimits()));

        var html = await renderer.RenderAsync<DeskControlsBar>(ComponentRenderer.User("alice", Roles.Admin));

        Assert.Contains("Paused: lunch break", html, StringComparison.Ordinal);
        Assert.Contains("KILL SWITCH ENGAGED: venue outage", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"resume-trading\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"reset-kill-switch\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"pause-trading\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconnect_banner_is_the_element_blazor_looks_for_hidden_until_the_script_shows_it()
    {
        await using var renderer = new ComponentRenderer();

        var html = await renderer.RenderAsync<ReconnectBanner>();

        Assert.Matches("<div id=\"components-reconnect-modal\" class=\"reconnect-banner components-reconnect-hide\"", html);
        Assert.Contains("id=\"components-reconnect-current-attempt\"", html, StringComparison.Ordinal);
        // One message for each state the script can set.
        Assert.Contains("class=\"reconnect-show\"", html, StringComparison.Ordinal);
        Assert.Contains("class=\"reconnect-failed\"", html, StringComparison.Ordinal);
        Assert.Contains("class=\"reconnect-rejected\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Field_errors_show_one_line_per_refused_field()
    {
        await using var renderer = new ComponentRenderer();
        IReadOnlyList<CommandError> errors = [new("password", "A password needs at least 12 characters."), new("role", "The role must be Viewer or Admin.")];

        var html = await renderer.RenderAsync<FieldErrors>(parameters: new Dictionary<string, object?> { ["Errors"] = errors });

        Assert.Contains("data-testid=\"error-password\">A password needs at least 12 characters.</div>", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"error-role\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Field_errors_for_one_field_show_only_its_lines_and_the_general_line_shows_the_rest()
    {
        await using var renderer = new ComponentRenderer();
        IReadOnlyList<CommandError> errors = [new("password", "A password needs at least 12 characters."), new("database", "The database is away.")];

        var beside = await renderer.RenderAsync<FieldErrors>(parameters: new Dictionary<string, object?> { ["Errors"] = errors, ["Field"] = "password" });
        var general = await renderer.RenderAsync<FieldErrors>(parameters: new Dictionary<string, object?> { ["Errors"] = errors, ["Except"] = new[] { "password" } });

        Assert.Contains("data-testid=\"error-password\"", beside, StringComparison.Ordinal);
        Assert.DoesNotContain("error-database", beside, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"error-database\">The database is away.</div>", general, StringComparison.Ordinal);
        Assert.DoesNotContain("error-password", general, StringComparison.Ordinal);
    }
}
