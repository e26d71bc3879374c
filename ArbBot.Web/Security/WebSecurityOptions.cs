using System.ComponentModel.DataAnnotations;
using System.Net;

namespace ArbBot.Web.Security;

/// <summary>How the dashboard and API face the network (section <c>ArbBot:Web</c>).</summary>
public sealed class WebSecurityOptions
{
    public const string Section = "ArbBot:Web";

    /// <summary>
    /// Whether to believe <c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c> and <c>X-Forwarded-Host</c> from the proxies in
    /// <see cref="KnownProxies"/>. Turn on only behind a reverse proxy that terminates TLS and overwrites those headers:
    /// the scheme they give decides HSTS and <c>Secure</c> cookies, the client address they give is what login rate
    /// limiting counts.
    /// </summary>
    /// <value>Default false (headers ignored).</value>
    public bool TrustForwardedHeaders { get; set; }

    /// <summary>The proxies whose forwarded headers are believed when <see cref="TrustForwardedHeaders"/> is on.</summary>
    /// <value>IP addresses; default none beyond loopback (127.0.0.1, ::1), which is always trusted.</value>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>
    /// Serve only over HTTPS: plain HTTP requests are redirected, and cookies are always marked <c>Secure</c> (otherwise
    /// they are <c>Secure</c> whenever the request came over HTTPS). HSTS is sent on every HTTPS response either way.
    /// </summary>
    /// <value>Default false.</value>
    public bool HttpsOnly { get; set; }

    /// <summary>Sign-in attempts (form posts to <c>/login</c>) one client address may make per <see cref="LoginRateWindow"/>; more get 429 with Retry-After.</summary>
    /// <value>1–1000, default 10.</value>
    [Range(1, 1000, ErrorMessage = "ArbBot:Web:LoginAttemptsPerWindow must be between {1} and {2}.")]
    public int LoginAttemptsPerWindow { get; set; } = 10;

    /// <summary>The window <see cref="LoginAttemptsPerWindow"/> counts over.</summary>
    /// <value>00:00:01 to 1.00:00:00, default 00:01:00.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "ArbBot:Web:LoginRateWindow must be between {1} and {2}.")]
    public TimeSpan LoginRateWindow { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Checks what DataAnnotations cannot: every known proxy is an IP address (named by its index).</summary>
public sealed class WebSecurityOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<WebSecurityOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, WebSecurityOptions options)
    {
        var failures = options.KnownProxies
            .Select((proxy, i) => (proxy, i))
            // An over-long entry is refused by the section's general rules (one message per mistake).
            .Where(p => p.proxy.Length <= ArbBot.Engine.Hosting.SectionValidation<WebSecurityOptions>.MaxStringLength && !IPAddress.TryParse(p.proxy, out _))
            .Select(p => $"{WebSecurityOptions.Section}:KnownProxies:{p.i} must be an IP address (was '{p.proxy}').")
            .ToList();
        return failures.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(failures);
    }
}
