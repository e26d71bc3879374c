using System.Net;
using System.Text;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Matching;
using ArbBot.Tests.Fixtures;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static ArbBot.Tests.Web.Security.SecurityTestSupport;

namespace ArbBot.Tests.Web.Security;

/// <summary>
/// Every endpoint the app maps, taken from its <see cref="EndpointDataSource"/> (so an endpoint added later is covered
/// without touching this test): who may reach it, and that only an admin may change anything.
/// </summary>
public sealed class EndpointAuthorizationTests : IAsyncLifetime
{
    /// <summary>The only routes open to anyone (besides static files): liveness/readiness, sign-in, and pages that only say where to go.</summary>
    private static readonly string[] AnonymousRoutes = ["/health", "/health/live", "/login", "/access-denied", "/error"];

    private readonly DeskAppFactory _app = new(KeySettings());

    public async Task InitializeAsync() => await _app.Services.GetRequiredService<EngineHost>().Ready;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Only_health_sign_in_and_static_assets_are_open_and_every_other_endpoint_refuses_anonymous_callers()
    {
        var anonymous = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var checkedRoutes = 0;
        foreach (var endpoint in Endpoints())
        {
            var route = Route(endpoint, pairId: 1);
            if (IsStaticAsset(endpoint))
            {
                continue;
            }
            var allowsAnonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null
                && endpoint.Metadata.GetOrderedMetadata<object>().LastOrDefault(m => m is IAllowAnonymous or IAuthorizeData) is IAllowAnonymous;
            if (allowsAnonymous)
            {
                Assert.True(AnonymousRoutes.Contains(route) || IsBlazorFrameworkEndpoint(endpoint),
                    $"{endpoint.DisplayName} ({route}) is open to anonymous callers; only {string.Join(", ", AnonymousRoutes)} and static assets may be.");
                continue;
            }
            foreach (var method in Methods(endpoint))
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), route) { Content = method is "GET" or "HEAD" ? null : Json("{}") };
                using var response = await anonymous.SendAsync(request);
                var refused = response.StatusCode is HttpStatusCode.Unauthorized
                    || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/login", StringComparison.Ordinal));
                Assert.True(refused, $"Anonymous {method} {route} ({endpoint.DisplayName}) answered {(int)response.StatusCode}, not 401 or a redirect to sign-in.");
                checkedRoutes++;
            }
        }
        // Sanity: the sweep really visited the API, the pages, the hub and /metrics.
        Assert.True(checkedRoutes > 30, $"only {checkedRoutes} routes were checked");
    }

    [Fact]
    public async Task Every_state_changing_endpoint_refuses_a_read_key_and_a_signed_in_viewer_and_changes_nothing()
    {
        var pairId = (await _app.Services.GetRequiredService<PairService>().ListAsync(PairStatus.Suggested, CancellationToken.None))[0].Id;
        var reader = KeyClient(_app, ReadKey);
        var viewer = await SignedInViewerAsync(_app);
        var before = await DeskFingerprintAsync(_app);

        var commands = Endpoints().Where(IsCommand).ToList();
        Assert.Contains(commands, e => Route(e, pairId) == "/api/trading/pause");
        Assert.Contains(commands, e => Route(e, pairId) == "/api/limits");
        foreach (var endpoint in commands)
        {
            var route = Route(endpoint, pairId);
            foreach (var method in Methods(endpoint).Where(m => m is not ("GET" or "HEAD")))
            {
                foreach (var (who, client) in new[] { ("read key", reader), ("viewer", viewer) })
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), route + "?reason=forbidden") { Content = Json("""{"maxTradeSize": 1, "enabled": true}""") };
                    using var response = await client.SendAsync(request);
                    Assert.True(response.StatusCode == HttpStatusCode.Forbidden,
                        $"{method} {route} as a {who} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        Assert.Equal(before, await DeskFingerprintAsync(_app));

        // The same requests with the admin key are accepted: the 403s above were the role, not a broken request.
        var admin = KeyClient(_app, AdminKey);
        using var pause = await admin.PostAsync("/api/trading/pause?reason=admin", null);
        Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        Assert.NotEqual(before, await DeskFingerprintAsync(_app));
    }

    [Fact]
    public async Task Metrics_needs_the_read_key_as_a_header_or_a_bearer_token()
    {
        var anonymous = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var refused = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var wrongBearer = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        wrongBearer.Headers.Authorization = new("Bearer", "not-the-read-key-at-all");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrongBearer)).StatusCode);

        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        bearer.Headers.Authorization = new("Bearer", ReadKey);
        using var byBearer = await anonymous.SendAsync(bearer);
        Assert.Equal(HttpStatusCode.OK, byBearer.StatusCode);
        Assert.Contains("arbbot_book_events_total", await byBearer.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var byHeader = await KeyClient(_app, ReadKey).GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, byHeader.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await SignedInViewerAsync(_app)).GetAsync("/metrics")).StatusCode);

        // A bearer read key reads the API too, but changes nothing.
        using var pause = new HttpRequestMessage(HttpMethod.Post, "/api/trading/pause");
        pause.Headers.Authorization = new("Bearer", ReadKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.SendAsync(pause)).StatusCode);
    }

    [Fact]
    public async Task Health_stays_open_to_anonymous_probes()
    {
        var anonymous = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/health")).StatusCode);
    }

    private List<RouteEndpoint> Endpoints() =>
        [.. _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()];

    /// <summary>A state-changing endpoint of the app's own (REST and sign-out); pages' form posts and the SignalR transports are covered elsewhere.</summary>
    private static bool IsCommand(RouteEndpoint endpoint) =>
        Methods(endpoint).Any(m => m is not ("GET" or "HEAD" or "OPTIONS"))
        && endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is null
        && !IsBlazorFrameworkEndpoint(endpoint)
        && !IsStaticAsset(endpoint)
        && !(endpoint.RoutePattern.RawText ?? "").StartsWith("/hubs/", StringComparison.Ordinal)
        // Signing out needs no role: any signed-in user may end their own session.
        && endpoint.RoutePattern.RawText != "/logout";

    private static IEnumerable<string> Methods(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"];

    private static bool IsStaticAsset(RouteEndpoint endpoint) =>
        endpoint.Metadata.Any(m => m.GetType().FullName == "Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor");

    private static bool IsBlazorFrameworkEndpoint(RouteEndpoint endpoint) =>
        (endpoint.RoutePattern.RawText ?? "").StartsWith("/_", StringComparison.Ordinal)
        || (endpoint.RoutePattern.RawText ?? "").StartsWith("_", StringComparison.Ordinal);

    /// <summary>The endpoint's route with every parameter filled in (ids with <paramref name="pairId"/>, the rest with "x").</summary>
    private static string Route(RouteEndpoint endpoint, long pairId)
    {
        var builder = new StringBuilder();
        foreach (var segment in endpoint.RoutePattern.PathSegments)
        {
            builder.Append('/');
            foreach (var part in segment.Parts)
            {
                builder.Append(part switch
                {
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart separator => separator.Content,
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => parameter.Name.Contains("id", StringComparison.OrdinalIgnoreCase)
                        ? pairId.ToString(System.Globalization.CultureInfo.InvariantCulture) : "x",
                    _ => "",
                });
            }
        }
        return builder.Length == 0 ? "/" : builder.ToString();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
