using System.Net;
using ArbBot.Engine.Hosting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace ArbBot.Web.Security;

/// <summary>The dashboard's network-facing defences: forwarded headers (opt-in), HTTPS, security headers, cross-site guard, sign-in rate limit.</summary>
public static class WebSecurityExtensions
{
    public static IServiceCollection AddArbBotWebSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.BindSection<WebSecurityOptions>(configuration, WebSecurityOptions.Section);
        services.AddSingleton<IValidateOptions<WebSecurityOptions>, WebSecurityOptionsValidator>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<WebSecurityOptions>>((forwarded, web) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            // Loopback is in KnownProxies by default; anything else must be named.
            foreach (var proxy in web.Value.KnownProxies)
            {
                if (IPAddress.TryParse(proxy, out var address)) forwarded.KnownProxies.Add(address);
            }
        });
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme).Configure<IOptions<WebSecurityOptions>>((cookie, web) =>
        {
            // Secure whenever the request came over HTTPS (directly or, when trusted, through the proxy); always when HTTPS-only.
            cookie.Cookie.SecurePolicy = web.Value.HttpsOnly ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddOptions<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions>().Configure<IOptions<WebSecurityOptions>>((antiforgery, web) =>
        {
            if (web.Value.HttpsOnly) antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        });
        services.AddHsts(hsts =>
        {
            hsts.MaxAge = TimeSpan.FromDays(365);
            hsts.IncludeSubDomains = false;
        });
        services.AddLoginRateLimiting();
        return services;
    }

    /// <summary>The middleware, in order: forwarded headers first (they decide scheme and client address), then headers, HTTPS, rate limit.</summary>
    public static WebApplication UseArbBotWebSecurity(this WebApplication app)
    {
        var web = app.Services.GetRequiredService<IOptions<WebSecurityOptions>>().Value;
        if (web.TrustForwardedHeaders) app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        // HSTS goes only on HTTPS responses (and not to localhost, where it would pin every local port to HTTPS).
        app.UseHsts();
        if (web.HttpsOnly) app.UseHttpsRedirection();
        app.UseRateLimiter();
        return app;
    }
}
