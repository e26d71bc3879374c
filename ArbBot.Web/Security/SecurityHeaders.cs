namespace ArbBot.Web.Security;

/// <summary>
/// Headers every response carries (pages, API, static files, errors), set just before the response starts so nothing
/// downstream can forget them.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// Only this origin's scripts run: Blazor's, Radzen's and the local plotly.js are files served from here, and no
    /// page has an inline script or event handler. Styles allow 'unsafe-inline' because Radzen and plotly set style
    /// attributes on the elements they draw (a style cannot run code). The live connection (SignalR over WebSockets)
    /// is covered by connect-src 'self'. Nothing may frame the desk (clickjacking a kill switch), forms post only
    /// here, and there is no &lt;base&gt; or plugin trick to play.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>The desk needs no device or payment feature; saying so stops any script (or embedded page) from asking.</summary>
    public const string PermissionsPolicy =
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpContext)state).Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            // Old browsers that ignore frame-ancestors.
            headers.XFrameOptions = "DENY";
            // Not "no-referrer": with it, browsers send "Origin: null" on the dashboard's own form posts (sign-out), which the
            // cross-site guard must then refuse. "same-origin" still tells other sites nothing.
            headers["Referrer-Policy"] = "same-origin";
            headers["Permissions-Policy"] = PermissionsPolicy;
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        }, context);
        return next(context);
    });
}
