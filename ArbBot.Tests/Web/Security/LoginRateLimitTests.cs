using System.Net;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Web.Security;

/// <summary>Sign-in attempts are limited per client address (429 with Retry-After), on top of the per-account lockout.</summary>
public sealed class LoginRateLimitTests
{
    // A window far longer than any test run, so the count cannot roll over mid-test on a slow machine.
    private static Dictionary<string, string?> Settings(bool trustProxy = false) => new()
    {
        ["ArbBot:Web:LoginAttemptsPerWindow"] = "3",
        ["ArbBot:Web:LoginRateWindow"] = "01:00:00",
        ["ArbBot:Web:TrustForwardedHeaders"] = trustProxy ? "true" : "false",
        // Lockout is per account and would answer first; make it out of reach so only the rate limit speaks.
        ["ArbBot:Auth:MaxFailedLogins"] = "100",
    };

    [Fact]
    public async Task Beyond_the_allowed_attempts_sign_in_posts_get_429_with_retry_after_even_with_the_right_password()
    {
        await using var app = new DeskAppFactory(Settings());
        var baseUrl = LoopbackServer.Start(app);
        using var client = new HttpClient(new HttpClientHandler { UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = baseUrl };

        for (var i = 0; i < 3; i++)
        {
            var wrong = await AuthTests.SignInAsync(client, DeskAppFactory.AdminUser, "not-the-password");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }
        var limited = await AuthTests.SignInAsync(client, DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 3600);
        Assert.Contains("Too many sign-in attempts", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(limited.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("arbbot.auth=", StringComparison.Ordinal));
        // Only sign-in posts count: the page itself (and the rest of the site) still answers.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/login")).StatusCode);
    }

    [Fact]
    public async Task Each_client_address_has_its_own_allowance_when_a_trusted_proxy_names_it()
    {
        await using var app = new DeskAppFactory(Settings(trustProxy: true));
        var baseUrl = LoopbackServer.Start(app);

        // The proxy (loopback, trusted by default) forwards two different clients.
        using var first = Client(baseUrl, "203.0.113.7");
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await AuthTests.SignInAsync(first, DeskAppFactory.AdminUser, "not-the-password")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await AuthTests.SignInAsync(first, DeskAppFactory.AdminUser, "not-the-password")).StatusCode);

        using var second = Client(baseUrl, "198.51.100.9");
        Assert.Equal(HttpStatusCode.Redirect, (await AuthTests.SignInAsync(second, DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword)).StatusCode);
    }

    [Fact]
    public async Task Forwarded_addresses_are_ignored_unless_trusted_so_a_client_cannot_dodge_the_limit()
    {
        await using var app = new DeskAppFactory(Settings(trustProxy: false));
        var baseUrl = LoopbackServer.Start(app);

        for (var i = 0; i < 3; i++)
        {
            using var client = Client(baseUrl, $"203.0.113.{i + 1}");
            Assert.Equal(HttpStatusCode.OK, (await AuthTests.SignInAsync(client, DeskAppFactory.AdminUser, "not-the-password")).StatusCode);
        }
        using var another = Client(baseUrl, "203.0.113.99");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await AuthTests.SignInAsync(another, DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword)).StatusCode);
    }

    private static HttpClient Client(Uri baseUrl, string forwardedFor)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = baseUrl };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client;
    }
}
