using System.Net;
using ArbBot.Tests.Fixtures;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ArbBot.Tests.Web.Security;

/// <summary>Every response carries the security headers; HTTPS adds HSTS and Secure cookies.</summary>
public sealed class SecurityHeadersTests
{
    [Theory]
    [InlineData("/login")]
    [InlineData("/health/live")]
    [InlineData("/app.css")]
    [InlineData("/_framework/blazor.web.js")]
    [InlineData("/api/status")]
    [InlineData("/")]
    [InlineData("/no-such-page")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        await using var app = new DeskAppFactory();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync(path);

        var csp = Header(response, "Content-Security-Policy");
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("same-origin", Header(response, "Referrer-Policy"));
        Assert.Contains("camera=()", Header(response, "Permissions-Policy"), StringComparison.Ordinal);
        // Plain HTTP: no HSTS (it would be ignored, and on localhost would pin every local port).
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Over_https_responses_carry_hsts_and_the_sign_in_cookie_is_secure_http_only_and_strict()
    {
        await using var app = new DeskAppFactory();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            HandleCookies = true,
            BaseAddress = new Uri("https://desk.example"),
        });

        var signIn = await AuthTests.SignInAsync(client, DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.StartsWith("max-age=31536000", Header(signIn, "Strict-Transport-Security"), StringComparison.Ordinal);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("arbbot.auth=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("; secure", cookie, StringComparison.Ordinal);
        Assert.Contains("; httponly", cookie, StringComparison.Ordinal);
        Assert.Contains("; samesite=strict", cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_plain_http_the_sign_in_cookie_is_not_marked_secure_so_a_local_desk_still_works()
    {
        await using var app = new DeskAppFactory();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        var signIn = await AuthTests.SignInAsync(client, DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);

        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("arbbot.auth=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.DoesNotContain("; secure", cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_only_redirects_plain_http_and_marks_cookies_secure()
    {
        await using var app = new DeskAppFactory(new Dictionary<string, string?> { ["ArbBot:Web:HttpsOnly"] = "true", ["https_port"] = "443" });
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("http://desk.example") });

        using var response = await client.GetAsync("/login");

        Assert.True(response.StatusCode is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect or HttpStatusCode.Redirect, $"{response.StatusCode}");
        Assert.Equal("https", response.Headers.Location!.Scheme);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_forwarded_https_scheme_gives_hsts_and_secure_cookies_and_untrusted_it_does_not()
    {
        foreach (var trusted in new[] { true, false })
        {
            await using var app = new DeskAppFactory(new Dictionary<string, string?> { ["ArbBot:Web:TrustForwardedHeaders"] = trusted ? "true" : "false" });
            var baseUrl = LoopbackServer.Start(app);
            // The proxy would speak HTTPS to the browser; this client speaks plain HTTP as the proxy does, so it sends
            // cookies back whether or not they are marked Secure.
            using var client = new HttpClient(new ProxiedCookies { InnerHandler = new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false } }) { BaseAddress = baseUrl };
            client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
            client.DefaultRequestHeaders.Add("X-Forwarded-Host", "desk.example");

            var signIn = await AuthTests.SignInAsync(client, DeskAppFactory.AdminUser, DeskAppFactory.AdminPassword);

            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("arbbot.auth=", StringComparison.Ordinal)).ToLowerInvariant();
            Assert.Equal(trusted, cookie.Contains("; secure", StringComparison.Ordinal));
            Assert.Equal(trusted, signIn.Headers.Contains("Strict-Transport-Security"));
        }
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues)
        : throw new Xunit.Sdk.XunitException($"{name} is missing on {response.RequestMessage?.RequestUri}");

    /// <summary>Keeps cookies by name and sends them all back, as a proxy relaying a browser's HTTPS cookies would.</summary>
    private sealed class ProxiedCookies : DelegatingHandler
    {
        private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (_cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
            var response = await base.SendAsync(request, cancellationToken);
            foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
            {
                var pair = header.Split(';')[0];
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                _cookies[pair[..equals]] = pair[(equals + 1)..];
            }
            return response;
        }
    }
}
