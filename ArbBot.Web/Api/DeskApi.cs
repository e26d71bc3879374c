using System.Security.Claims;
using System.Text.Json;
using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Strategies.CrossVenueArb;
using Microsoft.Extensions.Options;
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
        api.MapStrategiesApi();
        api.MapMultiOutcomeApi();

        api.MapPost("/trading/pause", async (DeskCommands commands, ClaimsPrincipal user, HttpRequest request, CancellationToken ct) =>
            ControlResult(await commands.PauseTradingAsync(Actor(user), request.Query["reason"], ct))).RequireAuthorization(AdminPolicy);
        api.MapPost("/trading/resume", async (DeskCommands commands, ClaimsPrincipal user, CancellationToken ct) =>
            ControlResult(await commands.ResumeTradingAsync(Actor(user), ct))).RequireAuthorization(AdminPolicy);
        api.MapPost("/kill-switch", async (DeskCommands commands, ClaimsPrincipal user, HttpRequest request, CancellationToken ct) =>
            ControlResult(await commands.EngageKillSwitchAsync(Actor(user), request.Query["reason"], ct))).RequireAuthorization(AdminPolicy);
        api.MapDelete("/kill-switch", async (DeskCommands commands, ClaimsPrincipal user, CancellationToken ct) =>
            ControlResult(await commands.ResetKillSwitchAsync(Actor(user), ct))).RequireAuthorization(AdminPolicy);

        api.MapLiveTradingApi();
        api.MapGet("/status", GetStatus);
        api.MapGet("/pairs", GetPairsAsync);
        api.MapGet("/pairs/{id:long}", GetPairAsync);
        api.MapPost("/pairs/{id:long}/approve", ApprovePairAsync).RequireAuthorization(AdminPolicy);
        api.MapPost("/pairs/{id:long}/pause", (long id, PairService pairs, ClaimsPrincipal user, CancellationToken ct) =>
            PairResult(pairs.PauseAsync(id, Actor(user), ct))).RequireAuthorization(AdminPolicy);
        api.MapPost("/pairs/{id:long}/resume", (long id, PairService pairs, ClaimsPrincipal user, CancellationToken ct) =>
            PairResult(pairs.ResumeAsync(id, Actor(user), ct))).RequireAuthorization(AdminPolicy);
        api.MapPost("/pairs/{id:long}/retire", (long id, PairService pairs, ClaimsPrincipal user, CancellationToken ct) =>
            PairResult(pairs.RetireAsync(id, Actor(user), ct))).RequireAuthorization(AdminPolicy);
        api.MapGet("/positions", (DeskMonitor monitor) => TypedResults.Ok(PositionsView.From(monitor.Latest)));
        api.MapGet("/stats/execution", (DeskMonitor monitor) => TypedResults.Ok(ExecutionStatsView.From(monitor.Latest.Execution)));
        api.MapGet("/opportunities", GetOpportunitiesAsync);
        api.MapGet("/orders", GetOrdersAsync);
        api.MapGet("/trades", GetTradesAsync);
        return endpoints;
    }

    private static Ok<StatusView> GetStatus(DeskMonitor monitor, DeskControls controls, VenueSet venues, LiveTrading live, TimeProvider time,
        ArbBot.Engine.Lifecycle.DeskLifecycle lifecycle)
    {
        // Switches are read live (a command's effect shows at once); money comes from the latest snapshot.
        var snapshot = monitor.Latest with { Controls = controls.State };
        var now = time.GetUtcNow();
        var venueViews = venues.Venues.Select(v => new VenueStatusView(
            v.Id.ToString(), v.DisplayName, v.Source.ToString(), v.MarketData.State.ToString(),
            v.MarketData.LastMessageUtcTicks == 0 ? null : (now.UtcTicks - v.MarketData.LastMessageUtcTicks) / (double)TimeSpan.TicksPerMillisecond,
            venues.Gateways.TryGetValue(v.Id, out var gateway) && gateway.IsPaper)
        {
            OrderStreamConnected = snapshot.LiveOrderStream(v.Id)?.Connected,
            OrderStreamDownSince = snapshot.LiveOrderStream(v.Id)?.DisconnectedSince,
        }).ToList();
        return TypedResults.Ok(new StatusView(
            live.Armed ? nameof(TradingMode.Live) : nameof(TradingMode.Paper), snapshot.Controls.TradingPaused, snapshot.Controls.PauseReason, snapshot.Controls.KillSwitchEngaged,
            snapshot.Controls.KillSwitchReason, snapshot.RecordsBacklogged, venueViews, snapshot.Portfolio.DailyPnl, snapshot.Portfolio.RealizedPnl,
            snapshot.Portfolio.UnrealizedPnl, snapshot.Portfolio.Equity, snapshot.Portfolio.Drawdown, snapshot.Portfolio.OpenPositionCount,
            snapshot.Unhedged.Sum(u => Math.Abs(u.Quantity)), snapshot.At)
        {
            Phase = lifecycle.State.Phase.ToString(),
            PhaseDescription = lifecycle.State.Description,
            RecordsPending = snapshot.RecordsPending,
            RecordsFailingSince = snapshot.RecordsFailingSince,
        });
    }

    private static async Task<Results<Ok<List<PairView>>, ValidationProblem>> GetPairsAsync(
        PairService pairs, DeskMonitor monitor, InstrumentRegistry registry, string? status, CancellationToken ct)
    {
        PairStatus? filter = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<PairStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(status, out _))
            {
                return ApiJson.Problem("status", $"status must be one of {string.Join(", ", Enum.GetNames<PairStatus>())}.");
            }
            filter = parsed;
        }
        var list = await pairs.ListAsync(filter, ct);
        var spreads = monitor.Latest.Spreads.ToLookup(s => s.PairId);
        var holdings = monitor.Latest.Portfolio.Pairs.ToDictionary(h => h.PairId);
        return TypedResults.Ok(list.Select(p => PairView.From(p, registry, spreads[p.Id], holdings.GetValueOrDefault(p.Id))).ToList());
    }

    private static async Task<Results<Ok<PairDetails>, NotFound>> GetPairAsync(long id, PairService pairs, CancellationToken ct) =>
        await pairs.GetAsync(id, ct) is { } details ? TypedResults.Ok(details) : TypedResults.NotFound();

    private static async Task<Results<Ok<MarketPair>, ValidationProblem, NotFound>> ApprovePairAsync(
        long id, HttpRequest request, PairService pairs, ClaimsPrincipal user, CancellationToken ct)
    {
        var (body, problem) = await ApiJson.ReadAsync<ApproveRequest>(request, allowEmpty: true);
        if (problem is not null) return problem;
        return await PairResult(pairs.ApproveAsync(id, body?.Mapping, Actor(user), ct));
    }

    private static Results<Ok<ControlState>, ValidationProblem> ControlResult(CommandResult<ControlState> result) =>
        result.Succeeded ? TypedResults.Ok(result.Value!) : ApiJson.Problem(result.Errors);

    private static async Task<Results<Ok<MarketPair>, ValidationProblem, NotFound>> PairResult(Task<CommandResult<MarketPair>> command)
    {
        var result = await command;
        if (result.Succeeded) return TypedResults.Ok(result.Value!);
        if (result.Errors is [{ Field: "id" } error] && error.Message.StartsWith("There is no pair", StringComparison.Ordinal)) return TypedResults.NotFound();
        return ApiJson.Problem(result.Errors);
    }

    /// <summary>
    /// A filter's enum value by name (any case), as the records store it; null for a name the enum does not have (or a
    /// number), so a typo gets a 400 naming the filter rather than a silently empty list.
    /// </summary>
    private static string? KnownName<TEnum>(string text) where TEnum : struct, Enum =>
        Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !int.TryParse(text, out _) ? value.ToString() : null;

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
        IDbContextFactory<ArbBotDbContext> contexts, HttpRequest request, string? decision, CancellationToken ct)
    {
        if (ApiQuery.Limit(request) is { Problem: { } invalid }) return invalid;
        var take = ApiQuery.Limit(request).Value;
        if (ApiQuery.Id(request, "before") is { Problem: { } badBefore }) return badBefore;
        if (ApiQuery.Id(request, "pairId") is { Problem: { } badPair }) return badPair;
        var before = ApiQuery.Id(request, "before").Value;
        var pairId = ApiQuery.Id(request, "pairId").Value;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Opportunities.AsNoTracking();
        if (before is not null) query = query.Where(o => o.Id < before);
        if (pairId is not null) query = query.Where(o => o.PairId == pairId);
        if (!string.IsNullOrEmpty(decision))
        {
            if (KnownName<ArbBot.Engine.Strategies.OpportunityDecision>(decision) is not { } known) return ApiJson.Problem("decision", $"decision must be one of {string.Join(", ", Enum.GetNames<ArbBot.Engine.Strategies.OpportunityDecision>())}.");
            query = query.Where(o => o.Decision == known);
        }
        var rows = await query.OrderByDescending(o => o.Id).Take(take).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(OpportunityView.From).ToList());
    }

    private static async Task<Results<Ok<List<OrderRow>>, ValidationProblem>> GetOrdersAsync(
        IDbContextFactory<ArbBotDbContext> contexts, HttpRequest request, string? status, CancellationToken ct)
    {
        if (ApiQuery.Limit(request) is { Problem: { } invalid }) return invalid;
        if (ApiQuery.Id(request, "pairId") is { Problem: { } badPair }) return badPair;
        var take = ApiQuery.Limit(request).Value;
        var pairId = ApiQuery.Id(request, "pairId").Value;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Orders.AsNoTracking();
        if (!string.IsNullOrEmpty(status))
        {
            if (KnownName<OrderStatus>(status) is not { } known) return ApiJson.Problem("status", $"status must be one of {string.Join(", ", Enum.GetNames<OrderStatus>())}.");
            query = query.Where(o => o.Status == known);
        }
        if (pairId is not null) query = query.Where(o => o.PairId == pairId);
        return TypedResults.Ok(await query.OrderByDescending(o => o.CreatedUtc).Take(take).ToListAsync(ct));
    }

    /// <summary>Executions (what a person calls a trade) with their fills, newest first.</summary>
    private static async Task<Results<Ok<List<TradeView>>, ValidationProblem>> GetTradesAsync(
        IDbContextFactory<ArbBotDbContext> contexts, HttpRequest request, CancellationToken ct)
    {
        if (ApiQuery.Limit(request) is { Problem: { } invalid }) return invalid;
        if (ApiQuery.Id(request, "pairId") is { Problem: { } badPair }) return badPair;
        var take = ApiQuery.Limit(request).Value;
        var pairId = ApiQuery.Id(request, "pairId").Value;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Executions.AsNoTracking();
        if (pairId is not null) query = query.Where(e => e.PairId == pairId);
        var executions = await query.OrderByDescending(e => e.CompletedUtc).Take(take).ToListAsync(ct);
        var ids = executions.Select(e => (long?)e.OpportunityId).ToList();
        var fills = await db.Fills.AsNoTracking().Where(f => ids.Contains(f.OpportunityId)).ToListAsync(ct);
        var byOpportunity = fills.ToLookup(f => f.OpportunityId);
        return TypedResults.Ok(executions.Select(e => new TradeView(e, byOpportunity[e.OpportunityId].OrderBy(f => f.AtUtc).ToList())).ToList());
    }


    /// <summary>A partial update of the risk limits: only the fields present change.</summary>
    public sealed record LimitsPatch(
        decimal? MinNetEdge = null,
        decimal? MaxTradeSize = null,
        decimal? MaxPositionPerMarket = null,
        int? MaxOpenPositions = null,
        decimal? MaxTotalExposure = null,
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
            MaxTotalExposure = MaxTotalExposure ?? current.MaxTotalExposure,
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

    /// <summary>Approving confirms the outcome mapping; without a body the matcher's proposal is confirmed.</summary>
    public sealed record ApproveRequest(PairMapping? Mapping);

    public sealed record VenueStatusView(string Id, string Name, string Source, string Feed, double? LastMessageAgeMs, bool Paper)
    {
        /// <summary>While live trading is armed: whether the venue's order stream (fills, order updates) is connected; null on paper.</summary>
        public bool? OrderStreamConnected { get; init; }

        /// <summary>While live and the order stream is down (or still connecting): since when; null otherwise.</summary>
        public DateTimeOffset? OrderStreamDownSince { get; init; }
    }

    public sealed record StatusView(
        string Mode, bool TradingPaused, string? PauseReason, bool KillSwitchEngaged, string? KillSwitchReason, bool RecordsBacklogged,
        IReadOnlyList<VenueStatusView> Venues, decimal TodayPnl, decimal RealizedPnl, decimal UnrealizedPnl, decimal Equity, decimal Drawdown,
        int OpenPositions, decimal UnhedgedContracts, DateTimeOffset At)
    {
        /// <summary>Starting, Reconciling, Running or Stopping: only Running trades.</summary>
        public string Phase { get; init; } = "Running";

        public string PhaseDescription { get; init; } = "";

        /// <summary>Records queued for the database and not saved yet.</summary>
        public int RecordsPending { get; init; }

        /// <summary>When database writes started failing; null while they go through.</summary>
        public DateTimeOffset? RecordsFailingSince { get; init; }
    }

    public sealed record SpreadView(string Set, string State, decimal? KalshiAsk, decimal? PolymarketAsk, decimal? AskSum, decimal? GrossEdge,
        decimal? NetEdge, decimal SizeAvailable)
    {
        public static SpreadView From(ArbSetSpread s, InstrumentRegistry registry)
        {
            var priced = IsPriced(s);
            return new SpreadView(SetLabel(s, registry), s.State.ToString(), priced ? s.KalshiAsk.Value : null, priced ? s.PolymarketAsk.Value : null,
                priced ? s.AskSum : null, priced ? s.GrossEdge : null, priced ? s.NetEdge : null, s.SizeAvailable);
        }

        /// <summary>Whether the set's asks and edges mean anything (both books fresh, with asks).</summary>
        public static bool IsPriced(ArbSetSpread s) => s.State is ArbSetState.NoEdge or ArbSetState.Edge;

        /// <summary>Which outcome the set buys on each venue, in words: one of four strings, made once.</summary>
        public static string SetLabel(ArbSetSpread s, InstrumentRegistry registry) => (registry[s.Kalshi].IsYes, registry[s.Polymarket].IsYes) switch
        {
            (true, true) => "YES Kalshi + YES Polymarket",
            (true, false) => "YES Kalshi + NO Polymarket",
            (false, true) => "NO Kalshi + YES Polymarket",
            (false, false) => "NO Kalshi + NO Polymarket",
        };
    }

    public sealed record PairView(
        long Id, string KalshiMarket, string? KalshiTitle, string PolymarketMarket, string? PolymarketTitle, string Mapping, string Status,
        double Score, IReadOnlyList<string> Reasons, IReadOnlyList<string> Warnings, string? ApprovedBy, DateTimeOffset UpdatedAt,
        IReadOnlyList<SpreadView> Spreads, decimal SetsHeld, decimal LockedProfit)
    {
        public static PairView From(MarketPair p, InstrumentRegistry registry, IEnumerable<ArbSetSpread> spreads, PairHolding? holding)
        {
            registry.TryGetMarket(VenueId.Kalshi, p.KalshiMarketKey, out var kalshi);
            registry.TryGetMarket(VenueId.Polymarket, p.PolymarketMarketKey, out var polymarket);
            return new PairView(p.Id, p.KalshiMarketKey, kalshi?.Title, p.PolymarketMarketKey, polymarket?.Title, p.Mapping.ToString(), p.Status.ToString(),
                Math.Round(p.Score, 1), p.Reasons, p.Warnings, p.ApprovedBy, p.UpdatedAt,
                spreads.Select(s => SpreadView.From(s, registry)).ToList(), holding?.SetsHeld ?? 0m, holding?.LockedProfit ?? 0m);
        }
    }

    public sealed record PositionsView(IReadOnlyList<PositionSnapshot> Positions, IReadOnlyList<PairHolding> Pairs, IReadOnlyDictionary<VenueId, decimal> Cash,
        decimal RealizedPnl, decimal UnrealizedPnl, decimal FeesPaid, decimal Equity, decimal DailyPnl, decimal Drawdown, IReadOnlyList<UnhedgedPosition> Unhedged)
    {
        public static PositionsView From(DeskSnapshot s) => new(s.Portfolio.Positions, s.Portfolio.Pairs, s.Portfolio.Cash, s.Portfolio.RealizedPnl,
            s.Portfolio.UnrealizedPnl, s.Portfolio.FeesPaid, s.Portfolio.Equity, s.Portfolio.DailyPnl, s.Portfolio.Drawdown, s.Unhedged);
    }

    /// <summary>The execution record the issue asks for: how many were attempted, how many ended hedged, with residual, and how fast.</summary>
    public sealed record ExecutionStatsView(
        int Attempted, int Executed, int FullyHedgedWithinSlippage, int HedgedBeyondSlippage, int Unwound, int LeftWithUnhedgedResidual, int NotFilled,
        double? FullyHedgedWithinSlippagePercent, double? ResidualPercent, double? AverageDetectionToLastFillMs, int Profitable, double? WinRatePercent)
    {
        public static ExecutionStatsView From(ExecutionStats s) => new(s.Attempted, s.Executed, s.HedgedWithinSlippage, s.HedgedBeyondSlippage, s.Unwound,
            s.Residual, s.NotFilled,
            s.Executed == 0 ? null : Math.Round(100.0 * s.HedgedWithinSlippage / s.Executed, 2),
            s.Executed == 0 ? null : Math.Round(100.0 * s.Residual / s.Executed, 2),
            s.AverageDetectionToLastFill?.TotalMilliseconds, s.Profitable, s.WinRate is { } w ? Math.Round(100.0 * w, 2) : null);
    }
}
