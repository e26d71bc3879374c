using System.Security.Claims;
using System.Text.Json;
using ArbBot.Engine.Control;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Risk;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ArbBot.Web.Api;

/// <summary>
/// The REST API under <c>/api</c>. Reads need a read or admin key (or a signed-in user); changes need an admin key
/// (or a signed-in Admin). Every change goes through <see cref="DeskCommands"/>, so it is validated, persisted and
/// audited exactly as from the dashboard.
/// </summary>
public static class DeskApi
{
    public const string ReadPolicy = "api.read";
    public const string AdminPolicy = "api.admin";

    public static IEndpointRouteBuilder MapDeskApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").RequireAuthorization(ReadPolicy);

        api.MapGet("/limits", (DeskControls controls) => TypedResults.Ok(controls.Limits));
        api.MapPut("/limits", PutLimitsAsync).RequireAuthorization(AdminPolicy);

        api.MapPost("/trading/pause", async Task<Ok<ControlState>> (DeskCommands commands, ClaimsPrincipal user, HttpRequest request, CancellationToken ct) =>
            TypedResults.Ok((await commands.PauseTradingAsync(Actor(user), request.Query["reason"], ct)).Value!)).RequireAuthorization(AdminPolicy);
        api.MapPost("/trading/resume", async Task<Ok<ControlState>> (DeskCommands commands, ClaimsPrincipal user, CancellationToken ct) =>
            TypedResults.Ok((await commands.ResumeTradingAsync(Actor(user), ct)).Value!)).RequireAuthorization(AdminPolicy);
        api.MapPost("/kill-switch", async Task<Ok<ControlState>> (DeskCommands commands, ClaimsPrincipal user, HttpRequest request, CancellationToken ct) =>
            TypedResults.Ok((await commands.EngageKillSwitchAsync(Actor(user), request.Query["reason"], ct)).Value!)).RequireAuthorization(AdminPolicy);
        api.MapDelete("/kill-switch", async Task<Ok<ControlState>> (DeskCommands commands, ClaimsPrincipal user, CancellationToken ct) =>
            TypedResults.Ok((await commands.ResetKillSwitchAsync(Actor(user), ct)).Value!)).RequireAuthorization(AdminPolicy);

        api.MapGet("/opportunities", GetOpportunitiesAsync);
        api.MapGet("/orders", GetOrdersAsync);
        api.MapGet("/trades", GetTradesAsync);
        return endpoints;
    }

    /// <summary>The name recorded in the audit trail: the signed-in user or which API key was used.</summary>
    public static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";

    /// <summary>Fields left out keep their current value; every field given is range-checked.</summary>
    private static async Task<Results<Ok<RiskLimits>, ValidationProblem>> PutLimitsAsync(
        HttpRequest request, DeskCommands commands, DeskControls controls, ClaimsPrincipal user, CancellationToken ct)
    {
        var (patch, problem) = await ApiJson.ReadAsync<LimitsPatch>(request);
        if (problem is not null) return problem;
        var result = await commands.SetLimitsAsync(Actor(user), patch!.ApplyTo(controls.Limits), ct);
        return result.Succeeded ? TypedResults.Ok(result.Value!.Limits) : ApiJson.Problem(result.Errors);
    }

    private static async Task<Results<Ok<List<OpportunityView>>, ValidationProblem>> GetOpportunitiesAsync(
        IDbContextFactory<ArbBotDbContext> contexts, int? limit, long? before, long? pairId, string? decision, CancellationToken ct)
    {
        if (Limit(limit) is not { } take) return ApiJson.Problem("limit", "limit must be between 1 and 1000.");
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Opportunities.AsNoTracking();
        if (before is not null) query = query.Where(o => o.Id < before);
        if (pairId is not null) query = query.Where(o => o.PairId == pairId);
        if (!string.IsNullOrEmpty(decision)) query = query.Where(o => o.Decision == decision);
        var rows = await query.OrderByDescending(o => o.Id).Take(take).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(OpportunityView.From).ToList());
    }

    private static async Task<Results<Ok<List<OrderRow>>, ValidationProblem>> GetOrdersAsync(
        IDbContextFactory<ArbBotDbContext> contexts, int? limit, string? status, long? pairId, CancellationToken ct)
    {
        if (Limit(limit) is not { } take) return ApiJson.Problem("limit", "limit must be between 1 and 1000.");
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Orders.AsNoTracking();
        if (!string.IsNullOrEmpty(status)) query = query.Where(o => o.Status == status);
        if (pairId is not null) query = query.Where(o => o.PairId == pairId);
        return TypedResults.Ok(await query.OrderByDescending(o => o.CreatedUtc).Take(take).ToListAsync(ct));
    }

    /// <summary>Executions (what a person calls a trade) with their fills, newest first.</summary>
    private static async Task<Results<Ok<List<TradeView>>, ValidationProblem>> GetTradesAsync(
        IDbContextFactory<ArbBotDbContext> contexts, int? limit, long? pairId, CancellationToken ct)
    {
        if (Limit(limit) is not { } take) return ApiJson.Problem("limit", "limit must be between 1 and 1000.");
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Executions.AsNoTracking();
        if (pairId is not null) query = query.Where(e => e.PairId == pairId);
        var executions = await query.OrderByDescending(e => e.CompletedUtc).Take(take).ToListAsync(ct);
        var ids = executions.Select(e => (long?)e.OpportunityId).ToList();
        var fills = await db.Fills.AsNoTracking().Where(f => ids.Contains(f.OpportunityId)).ToListAsync(ct);
        var byOpportunity = fills.ToLookup(f => f.OpportunityId);
        return TypedResults.Ok(executions.Select(e => new TradeView(e, byOpportunity[e.OpportunityId].OrderBy(f => f.AtUtc).ToList())).ToList());
    }

    private static int? Limit(int? limit) => limit switch
    {
        null => 100,
        >= 1 and <= 1000 => limit,
        _ => null,
    };

    /// <summary>A partial update of the risk limits: only the fields present change.</summary>
    public sealed record LimitsPatch(
        decimal? MinNetEdge = null,
        decimal? MaxTradeSize = null,
        decimal? MaxPositionPerMarket = null,
        int? MaxOpenPositions = null,
        decimal? DailyLossLimit = null,
        decimal? MaxDrawdown = null,
        TimeSpan? PairCooldown = null,
        int? CircuitBreakerFailures = null,
        TimeSpan? CircuitBreakerWindow = null,
        TimeSpan? MaxBookAge = null,
        decimal? SlippageTolerance = null,
        decimal? MaxHedgeLoss = null,
        TimeSpan? OrderTimeout = null,
        decimal? FixedCostPerSet = null)
    {
        public RiskLimits ApplyTo(RiskLimits current) => current with
        {
            MinNetEdge = MinNetEdge ?? current.MinNetEdge,
            MaxTradeSize = MaxTradeSize ?? current.MaxTradeSize,
            MaxPositionPerMarket = MaxPositionPerMarket ?? current.MaxPositionPerMarket,
            MaxOpenPositions = MaxOpenPositions ?? current.MaxOpenPositions,
            DailyLossLimit = DailyLossLimit ?? current.DailyLossLimit,
            MaxDrawdown = MaxDrawdown ?? current.MaxDrawdown,
            PairCooldown = PairCooldown ?? current.PairCooldown,
            CircuitBreakerFailures = CircuitBreakerFailures ?? current.CircuitBreakerFailures,
            CircuitBreakerWindow = CircuitBreakerWindow ?? current.CircuitBreakerWindow,
            MaxBookAge = MaxBookAge ?? current.MaxBookAge,
            SlippageTolerance = SlippageTolerance ?? current.SlippageTolerance,
            MaxHedgeLoss = MaxHedgeLoss ?? current.MaxHedgeLoss,
            OrderTimeout = OrderTimeout ?? current.OrderTimeout,
            FixedCostPerSet = FixedCostPerSet ?? current.FixedCostPerSet,
        };
    }

    public sealed record OpportunityView(
        long Id, string Strategy, long? PairId, DateTime DetectedUtc, decimal Quantity, decimal GrossEdgePerSet,
        decimal TotalCosts, decimal NetEdgePerSet, decimal ExpectedProfit, string Decision, string Reason, JsonElement Legs)
    {
        public static OpportunityView From(OpportunityRow r) => new(r.Id, r.Strategy, r.PairId, r.DetectedUtc, r.Quantity, r.GrossEdgePerSet,
            r.TotalCosts, r.NetEdgePerSet, r.ExpectedProfit, r.Decision, r.Reason, JsonDocument.Parse(r.LegsJson).RootElement.Clone());
    }

    public sealed record TradeView(ExecutionRow Execution, List<FillRow> Fills);
}
