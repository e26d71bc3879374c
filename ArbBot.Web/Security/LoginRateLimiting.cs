using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace ArbBot.Web.Security;

/// <summary>
/// Limits sign-in attempts per client address (a fixed window of <see cref="WebSecurityOptions.LoginAttemptsPerWindow"/>
/// form posts to <c>/login</c>), answering 429 with Retry-After beyond it. Lockout protects one account from many guesses;
/// this protects every account (and the CPU that hashes passwords) from one address trying many names.
/// </summary>
public static class LoginRateLimiting
{
    public const string LoginPath = "/login";

    public static IServiceCollection AddLoginRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<Microsoft.Extensions.Options.IOptions<WebSecurityOptions>>((limiter, web) =>
        {
            var settings = web.Value;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                IsSignInAttempt(context.Request)
                    ? RateLimitPartition.GetFixedWindowLimiter(ClientKey(context), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = settings.LoginAttemptsPerWindow,
                        Window = settings.LoginRateWindow,
                        QueueLimit = 0,
                    })
                    : RateLimitPartition.GetNoLimiter("not-sign-in"));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : settings.LoginRateWindow;
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                var response = rejected.HttpContext.Response;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync($"Too many sign-in attempts from this address; try again in {seconds} s.", cancellationToken);
            };
        });
        return services;
    }

    private static bool IsSignInAttempt(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.Equals(LoginPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>The client's address (the forwarded one when forwarded headers are trusted; see <see cref="WebSecurityOptions"/>).</summary>
    private static string ClientKey(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
