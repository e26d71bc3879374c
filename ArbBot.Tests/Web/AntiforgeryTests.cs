using System.Net;
using ArbBot.Tests.Fixtures;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ArbBot.Tests.Web;

/// <summary>The dashboard's HTTP form posts (sign-in, sign-out) need the antiforgery token the forms carry.</summary>
public sealed class AntiforgeryTests
{
    [Fact]
    public async Task A_sign_in_post_without_the_antiforgery_token_is_refused_and_signs_nobody_in()
    {
        await using var app = new DeskAppFactory();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["Input.UserName"] = DeskAppFactory.AdminUser,
            ["Input.Password"] = DeskAppFactory.AdminPassword,
        });

        var response = await client.PostAsync("/login?returnUrl=%2F", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("arbbot.auth=", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task A_sign_out_post_without_the_antiforgery_token_is_refused_and_the_user_stays_signed_in()
    {
        await using var app = new DeskAppFactory();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await AuthTests.SignInAsync(client, DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword)).StatusCode);

        var forged = await client.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
    }
}
