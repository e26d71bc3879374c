using ArbBot.Engine.Hosting;
using ArbBot.Engine.Persistence;
using ArbBot.Web.Api;
using ArbBot.Web.Auth;
using ArbBot.Web.Hubs;
using ArbBot.Engine.Core;
using Microsoft.AspNetCore.Authentication;
using ArbBot.Web.Health;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Radzen;

namespace ArbBot.Web;

public static class WebServiceCollectionExtensions
{
    /// <summary>
    /// The dashboard: Blazor with Radzen, cookie sign-in for every page but the sign-in page, the SignalR hub and its feed,
    /// health checks.
    /// </summary>
    public static IServiceCollection AddArbBotWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddRadzenComponents();

        services.BindSection<AuthOptions>(configuration, AuthOptions.Section);
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton<UserAccounts>();
        services.TryAddSingleton(Console.Out);
        services.AddHostedService<AdminBootstrap>();

        services.BindSection<ApiKeyOptions>(configuration, ApiKeyOptions.Section);
        services.BindSection<Observability.ConsoleLoggingOptions>(configuration, Observability.ConsoleLoggingOptions.Section);
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(options =>
            {
                options.LoginPath = "/login";
                options.LogoutPath = "/logout";
                options.AccessDeniedPath = "/access-denied";
                options.Cookie.Name = Security.CrossSiteRequestGuard.CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(12);
                options.SlidingExpiration = true;
                // The API answers 401/403 instead of sending programs to the sign-in page.
                options.Events.OnRedirectToLogin = context => ApiAwareRedirect(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => ApiAwareRedirect(context, StatusCodes.Status403Forbidden);
            });
        services.AddAuthorization(options =>
        {
            // Everything needs a signed-in user unless it says otherwise (/login, /health, static assets).
            options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
            // The REST API takes an X-Api-Key header or a signed-in dashboard user; roles decide what each may do.
            string[] schemes = [ApiKeyAuthenticationHandler.SchemeName, CookieAuthenticationDefaults.AuthenticationScheme];
            options.AddPolicy(DeskApi.ReadPolicy, p => p.AddAuthenticationSchemes(schemes).RequireRole(Roles.Admin, Roles.Viewer));
            options.AddPolicy(DeskApi.AdminPolicy, p => p.AddAuthenticationSchemes(schemes).RequireRole(Roles.Admin));
        });
        services.AddCascadingAuthenticationState();
        services.AddAntiforgery();

        // The API speaks enums as their names ("Approved", "YesNo"), never as numbers.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));

        // The SignalR hub for programs (/hubs/desk) and the throttled feed it pushes.
        services.AddSignalR().AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        services.AddSingleton(sp => new DeskFeed(sp.GetRequiredService<InstrumentRegistry>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<DeskHubConnections>();
        services.AddHostedService<DeskHubBroadcaster>();

        services.AddSingleton<Observability.PrometheusMetrics>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<VenueFeedsHealthCheck>("venues", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<LifecycleHealthCheck>("reconciliation", tags: [HealthEndpoints.ReadyTag]);
        return services;
    }

    private static Task ApiAwareRedirect(RedirectContext<CookieAuthenticationOptions> context, int apiStatus)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/hubs") || context.Request.Path.StartsWithSegments("/metrics"))
        {
            context.Response.StatusCode = apiStatus;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
