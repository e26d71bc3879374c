using System.Net;
using System.Text.RegularExpressions;
using ArbBot.Tests.Fixtures;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ArbBot.Tests.Web;

public sealed partial class AuthTests
{
    [Fact]
    public async Task Dashboard_redirects_anonymous_users_to_login()
    {
        await using var app = new DeskAppFactory();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_dashboard_connection_refuses_anonymous_users()
    {
        await using var app = new DeskAppFactory();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", content: null);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Redirect, HttpStatusCode.Unauthorized });
    }

    [Fact]
    public async Task Login_page_and_static_assets_are_open_to_anonymous_users()
    {
        await using var app = new DeskAppFactory();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/login")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/app.css")).StatusCode);
        var script = await client.GetAsync("/_framework/blazor.web.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 50_000, "blazor.web.js should be the real script");
    }

    [Fact]
    public async Task Configured_admin_signs_in_and_sees_the_overview()
    {
        await using var app = new DeskAppFactory();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        var response = await SignInAsync(client, DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", PathOf(response.Headers.Location!));
        var overview = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        var html = await overview.Content.ReadAsStringAsync();
        Assert.Contains("Overview", html, StringComparison.Ordinal);
        Assert.Contains("PAPER", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_is_refused_and_repeated_failures_lock_the_account()
    {
        await using var app = new DeskAppFactory(new Dictionary<string, string?> { ["ArbBot:Auth:MaxFailedLogins"] = "3" });
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        for (var i = 0; i < 2; i++)
        {
            var wrong = await SignInAsync(client, DeskAppFactory.AdminUser, "not-the-password");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("Wrong user name or password", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var third = await SignInAsync(client, DeskAppFactory.AdminUser, "not-the-password");
        Assert.Contains("locked", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var right = await SignInAsync(client, DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_never_redirects_to_another_site()
    {
        await using var app = new DeskAppFactory();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        var response = await SignInAsync(client, DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword, returnUrl: "//evil.example/steal");

        var location = response.Headers.Location!;
        Assert.True(!location.IsAbsoluteUri || location.Host == "localhost", $"redirected to {location}");
        Assert.Equal("/", PathOf(location));
    }

    private static string PathOf(Uri location) => location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;

    [Fact]
    public async Task First_run_creates_an_admin_prints_its_password_once_and_stores_only_a_hash()
    {
        await using var app = new DeskAppFactory(configureAdmin: false);
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        var printed = app.ConsoleOutput.ToString();
        var match = PrintedPassword().Match(printed);
        Assert.True(match.Success, $"The console should show the first-run password; it showed: {printed}");
        var password = match.Groups[1].Value;

        var response = await SignInAsync(client, "admin", password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        foreach (var file in Directory.GetFiles(app.DataDirectory))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.DoesNotContain(password, System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_second_start_with_existing_users_prints_no_password()
    {
        var folder = Directory.CreateTempSubdirectory("arbbot-test-").FullName;
        try
        {
            await using (var first = new DeskAppFactory(configureAdmin: false, dataDirectory: folder))
            {
                first.CreateClient();
                Assert.Matches(PrintedPassword(), first.ConsoleOutput.ToString());
            }
            await using var second = new DeskAppFactory(configureAdmin: false, dataDirectory: folder);
            second.CreateClient();
            Assert.Contains("ArbBot dashboard:", second.ConsoleOutput.ToString(), StringComparison.Ordinal);
            Assert.DoesNotMatch(PrintedPassword(), second.ConsoleOutput.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    internal static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string user, string password, string returnUrl = "/")
    {
        var page = await client.GetStringAsync($"/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "The sign-in form should carry an antiforgery token");
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            [token.Groups["name"].Value] = token.Groups["value"].Value,
            ["Input.UserName"] = user,
            ["Input.Password"] = password,
        });
        return await client.PostAsync($"/login?returnUrl={Uri.EscapeDataString(returnUrl)}", form);
    }

    [GeneratedRegex("""name="(?<name>__RequestVerificationToken)"[^>]*value="(?<value>[^"]+)""")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("sign in as 'admin' with password '([^']+)'")]
    private static partial Regex PrintedPassword();
}
