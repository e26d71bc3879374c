using ArbBot.Web.Auth;
using Microsoft.Net.Http.Headers;

namespace ArbBot.Web.Security;

/// <summary>
/// Refuses requests a browser could be tricked into sending with the desk's sign-in cookie from another page.
/// <para>
/// Why an Origin check rather than only SameSite=Strict or an antiforgery token on the API: the cookie is already
/// SameSite=Strict, but "site" ignores the port, so a page served from another port of the same host (another local
/// tool, a dev server) is same-site and its requests still carry the cookie. Browsers always send <c>Origin</c> (and
/// <c>Sec-Fetch-Site</c>) on cross-origin POST/PUT/DELETE and on WebSocket handshakes, so checking them covers the REST
/// API, the SignalR hub and the Blazor circuit's WebSocket alike, with nothing for the dashboard to carry. Forms the
/// server renders (sign-in, sign-out) also carry antiforgery tokens. Programs use an API key header instead of the
/// cookie: a page cannot set such a header cross-origin without a CORS preflight, which this server never grants, so
/// requests with a key are not forgeable and are left alone.
/// </para>
/// <para>
/// The rule, for requests that carry the sign-in cookie and no API key and change state (any method but GET, HEAD,
/// OPTIONS, TRACE) or open a WebSocket: refused with 403 when <c>Sec-Fetch-Site</c> says the request came from another
/// origin, or when <c>Origin</c> is present and is not this server's own. Under <c>/api</c>, one of the two must also be
/// present and say same-origin: a cookie-authenticated API change must come from the dashboard's own origin.
/// </para>
/// </summary>
public static class CrossSiteRequestGuard
{
    public const string CookieName = "arbbot.auth";

    public static IApplicationBuilder UseCrossSiteRequestGuard(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (Refusal(context.Request) is { } reason)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(reason);
        }
        return next(context);
    });

    /// <summary>Why the request is refused as possibly forged, or null to let it through.</summary>
    public static string? Refusal(HttpRequest request)
    {
        // Read from the header: the WebSockets feature is only set up further down the pipeline. HTTP/2 WebSockets use
        // CONNECT, which is not a safe method and so is checked anyway.
        var isWebSocket = request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase);
        if (!request.Cookies.ContainsKey(CookieName)) return null;
        if (request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header) || request.Headers.ContainsKey(HeaderNames.Authorization)) return null;
        if (!isWebSocket && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method)))
        {
            return null;
        }
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0 && !fetchSite.Equals("same-origin", StringComparison.OrdinalIgnoreCase) && !fetchSite.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return "Refused: this request came from another site's page (Sec-Fetch-Site: " + Printable(fetchSite) + ").";
        }
        var origin = request.Headers.Origin.ToString();
        // Sec-Fetch-Site is set by the browser alone (a page cannot forge it): "same-origin" settles it even when a
        // privacy setting made the browser send "Origin: null".
        if (origin.Length > 0 && !fetchSite.Equals("same-origin", StringComparison.OrdinalIgnoreCase) && !IsOwnOrigin(request, origin))
        {
            return "Refused: this request came from another origin (" + Printable(origin) + "), not the desk's own.";
        }
        if (origin.Length == 0 && fetchSite.Length == 0 && request.Path.StartsWithSegments("/api"))
        {
            return "Refused: a signed-in API change must come from the dashboard's own origin (an Origin header); programs use the X-Api-Key header.";
        }
        return null;
    }

    private static bool IsOwnOrigin(HttpRequest request, string origin) =>
        string.Equals(origin.TrimEnd('/'), $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);

    /// <summary>Echoes at most a short, printable form of a header in the refusal.</summary>
    private static string Printable(string value)
    {
        var clean = new string([.. value.Take(100).Select(c => char.IsControl(c) ? '?' : c)]);
        return clean;
    }
}
