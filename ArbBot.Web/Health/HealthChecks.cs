using System.Text.Json;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Venues;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ArbBot.Web.Health;

/// <summary>Ready only when the database answers and its schema is at the version this release writes.</summary>
public sealed class DatabaseHealthCheck(IDbContextFactory<ArbBotDbContext> contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            if (!await db.Database.CanConnectAsync(cancellationToken)) return HealthCheckResult.Unhealthy("The database does not answer.");
            await db.Database.OpenConnectionAsync(cancellationToken);
            int version;
            try
            {
                version = await SchemaMigrator.CurrentVersionAsync(db.Database.GetDbConnection(), cancellationToken);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
            return version == SchemaMigrator.LatestVersion
                ? HealthCheckResult.Healthy($"The database answers at schema version {version}.")
                : HealthCheckResult.Unhealthy($"The database is at schema version {version}, not {SchemaMigrator.LatestVersion}.");
        }
        catch (Exception ex)
        {
            // The exception's text can hold a connection string; report its type only.
            return HealthCheckResult.Unhealthy($"The database cannot be reached ({ex.GetType().Name}).");
        }
    }
}

/// <summary>Ready only when every venue's feed is live and has spoken within the stale age.</summary>
public sealed class VenueFeedsHealthCheck(IEnumerable<IVenue> venues, IOptions<MarketDataOptions> marketData, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcTicks;
        var staleAfter = marketData.Value.StaleAfter;
        var data = new Dictionary<string, object>();
        var problems = new List<string>();
        foreach (var venue in venues)
        {
            var feed = venue.MarketData;
            var age = feed.LastMessageUtcTicks == 0 ? (TimeSpan?)null : TimeSpan.FromTicks(now - feed.LastMessageUtcTicks);
            data[venue.DisplayName] = new { state = feed.State.ToString(), lastMessageAgeSeconds = age?.TotalSeconds };
            if (feed.State != FeedState.Live) problems.Add($"{venue.DisplayName} is {feed.State}");
            else if (age is null || age > staleAfter) problems.Add($"{venue.DisplayName} has been silent for {(age is null ? "ever" : $"{age.Value.TotalSeconds:0.0} s")}");
        }
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy("Every venue feed is live and fresh.", data)
            : HealthCheckResult.Unhealthy(string.Join("; ", problems) + ".", data: data));
    }
}

/// <summary>Ready only once every venue has been reconciled after the start and the desk is not stopping.</summary>
public sealed class LifecycleHealthCheck(ArbBot.Engine.Lifecycle.DeskLifecycle lifecycle) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = lifecycle.State;
        var data = new Dictionary<string, object> { ["phase"] = state.Phase.ToString() };
        return Task.FromResult(state.HoldsTrading
            ? HealthCheckResult.Unhealthy(state.Description, data: data)
            : HealthCheckResult.Healthy(state.Description, data));
    }
}

public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>
    /// <c>/health</c>: readiness (database and venue feeds), 200 when healthy and 503 otherwise, with a JSON body.
    /// <c>/health/live</c>: liveness, 200 whenever the process serves requests.
    /// </summary>
    /// <summary>Probes only read: anything but GET or HEAD gets 405 rather than a health report.</summary>
    private static readonly HttpMethodMetadata ProbeMethods = new([HttpMethods.Get, HttpMethods.Head]);

    public static IEndpointRouteBuilder MapArbBotHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag),
            ResponseWriter = WriteJsonAsync,
        }).AllowAnonymous().WithMetadata(ProbeMethods);
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = WriteJsonAsync,
        }).AllowAnonymous().WithMetadata(ProbeMethods);
        return endpoints;
    }

    private static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
