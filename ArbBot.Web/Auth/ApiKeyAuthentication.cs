using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using ArbBot.Engine.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ArbBot.Web.Auth;

/// <summary>REST API keys (section <c>ArbBot:Api</c>). Keys are secrets: they are compared, never logged or shown.</summary>
public sealed class ApiKeyOptions
{
    public const string Section = "ArbBot:Api";

    /// <summary>A key that may read and change everything the REST API offers.</summary>
    /// <value>At least 16 characters; empty disables admin API access.</value>
    [System.ComponentModel.DataAnnotations.RegularExpression("^$|^.{16,}$", ErrorMessage = "ArbBot:Api:AdminKey must be empty or at least 16 characters.")]
    [ArbBot.Engine.Hosting.Secret]
    public string? AdminKey { get; set; }

    /// <summary>A key that may only read.</summary>
    /// <value>At least 16 characters; empty disables read-only API access.</value>
    [System.ComponentModel.DataAnnotations.RegularExpression("^$|^.{16,}$", ErrorMessage = "ArbBot:Api:ReadKey must be empty or at least 16 characters.")]
    [ArbBot.Engine.Hosting.Secret]
    public string? ReadKey { get; set; }
}

/// <summary>
/// Authenticates a request by its <c>X-Api-Key</c> header, or an <c>Authorization: Bearer</c> header carrying a key
/// (what Prometheus' <c>authorization</c> scrape setting sends): the admin key gives the Admin role, the read key Viewer.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<ApiKeyOptions> keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (PresentedKey(Request) is not { } presented) return Task.FromResult(AuthenticateResult.NoResult());
        string? role = null;
        if (Matches(presented, keys.Value.AdminKey)) role = Roles.Admin;
        else if (Matches(presented, keys.Value.ReadKey)) role = Roles.Viewer;
        if (role is null) return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, role == Roles.Admin ? "api-admin-key" : "api-read-key"), new Claim(ClaimTypes.Role, role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    /// <summary>The key in <c>X-Api-Key</c>, else in <c>Authorization: Bearer</c>; null when neither is there.</summary>
    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue(Header, out var values)) return values.ToString();
        var authorization = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        return authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) ? authorization[bearer.Length..].Trim() : null;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"Bearer, {SchemeName} header=\"{Header}\"";
        return Task.CompletedTask;
    }

    /// <summary>Constant-time comparison, so response timing does not leak how much of a key was right.</summary>
    private static bool Matches(string presented, string? expected) =>
        !string.IsNullOrEmpty(expected)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
