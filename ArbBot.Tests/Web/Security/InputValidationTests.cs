using System.Net;
using System.Text.Json;
using ArbBot.Engine.Control;
using ArbBot.Engine.Hosting;
using ArbBot.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using static ArbBot.Tests.Web.Security.SecurityTestSupport;

namespace ArbBot.Tests.Web.Security;

/// <summary>Inputs that used to be taken silently: unknown filter values and unbounded reasons.</summary>
public sealed class InputValidationTests : IAsyncLifetime
{
    private readonly DeskAppFactory _app = new(KeySettings());

    public async Task InitializeAsync() => await _app.Services.GetRequiredService<EngineHost>().Ready;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("/api/orders?status=Bogus", "status")]
    [InlineData("/api/orders?status=3", "status")]
    [InlineData("/api/opportunities?decision=Maybe", "decision")]
    public async Task An_unknown_filter_value_gets_400_naming_the_filter_and_its_allowed_values(string path, string field)
    {
        using var response = await KeyClient(_app, ReadKey).GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var message = problem.RootElement.GetProperty("errors").GetProperty(field)[0].GetString()!;
        Assert.Contains("must be one of", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/orders?status=filled")]
    [InlineData("/api/opportunities?decision=taken")]
    public async Task A_known_filter_value_in_any_case_is_accepted(string path)
    {
        using var response = await KeyClient(_app, ReadKey).GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_overlong_or_control_laden_kill_switch_reason_still_engages_it_with_the_reason_cut_and_cleaned()
    {
        var reason = "line one\nline two\u0007" + new string('x', 5000);

        using var response = await KeyClient(_app, AdminKey).PostAsync("/api/kill-switch?reason=" + Uri.EscapeDataString(reason), null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var state = _app.Services.GetRequiredService<DeskControls>().State;
        Assert.True(state.KillSwitchEngaged);
        Assert.Equal(DeskCommands.MaxReasonLength, state.KillSwitchReason!.Length);
        Assert.StartsWith("line one line two ", state.KillSwitchReason, StringComparison.Ordinal);
        Assert.EndsWith("…", state.KillSwitchReason, StringComparison.Ordinal);
        Assert.DoesNotContain(state.KillSwitchReason, char.IsControl);
    }
}
