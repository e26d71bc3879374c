using ArbBot.Engine.Hosting;
using ArbBot.Web.Auth;
using ArbBot.Web.Health;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Radzen;

namespace ArbBot.Web;

public static class WebServiceCollectionExtensions
{
    /// <summary>The dashboard: Blazor with Radzen, cookie sign-in for every page but the sign-in page, health checks.</summary>
    public static IServiceCollection AddArbBotWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddRadzenComponents();

        services.BindSection<AuthOptions>(configuration, AuthOptions.Section);
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton<UserAccounts>();
        services.TryAddSingleton(Console.Out);
        services.AddHostedService<AdminBootstrap>();

        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.LoginPath = "/login";
                options.LogoutPath = "/logout";
                options.AccessDeniedPath = "/login";
                options.Cookie.Name = "arbbot.auth";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(12);
                options.SlidingExpiration = true;
            });
        services.AddAuthorization(options =>
        {
            // Everything needs a signed-in user unless it says otherwise (/login, /health, static assets).
            options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        });
        services.AddCascadingAuthenticationState();
        services.AddAntiforgery();

        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<VenueFeedsHealthCheck>("venues", tags: [HealthEndpoints.ReadyTag]);
        return services;
    }
}
