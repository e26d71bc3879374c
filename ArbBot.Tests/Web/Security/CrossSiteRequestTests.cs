using System.Net;
using ArbBot.Engine.Control;
using ArbBot.Engine.Hosting;
using ArbBot.Tests.Fixtures;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Web.Security;

/// <summary>A page on another origin cannot make a signed-in admin's browser change the desk through the REST API.</summary>
public sealed class CrossSiteRequestTests : IAsyncLifetime
{
    private readonly DeskAppFactory _app = new();
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        await _app.Services.GetRequiredService<EngineHost>().Ready;
        _admin = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await AuthTests.SignInAsync(_admin, DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword)).StatusCode);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("Origin", "http://evil.example")]
    [InlineData("Origin", "http://localhost:8080")]
    [InlineData("Origin", "null")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData(null, null)]
    public async Task A_cookie_authenticated_change_from_another_origin_or_of_unknown_origin_is_refused_and_changes_nothing(string? header, string? value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/kill-switch?reason=forged");
        if (header is not null) request.Headers.Add(header, value);

        using var response = await _admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Refused", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(_app.Services.GetRequiredService<DeskControls>().KillSwitchEngaged);
    }

    [Fact]
    public async Task A_cookie_authenticated_change_from_the_desks_own_origin_goes_through()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/trading/pause?reason=own");
        request.Headers.Add("Origin", "http://localhost");
        request.Headers.Add("Sec-Fetch-Site", "same-origin");

        using var response = await _admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(_app.Services.GetRequiredService<DeskControls>().TradingPaused);
    }

    [Fact]
    public async Task Reads_with_the_cookie_and_sign_out_with_its_form_token_still_work()
    {
        // A plain navigation or GET from anywhere changes nothing, so it is not checked.
        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/status");
        read.Headers.Add("Origin", "http://evil.example");
        Assert.Equal(HttpStatusCode.OK, (await _admin.SendAsync(read)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync("/")).StatusCode);
    }
}
