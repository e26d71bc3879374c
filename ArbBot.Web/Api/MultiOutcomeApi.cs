using System.Security.Claims;
using ArbBot.Engine.Control;
using ArbBot.Engine.Strategies.MultiOutcomeArb;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ArbBot.Web.Api;

/// <summary>
/// <c>GET/PUT /api/strategies/multi-outcome</c>: the multi-outcome arbitrage settings. Reading needs the group's read
/// policy; changing needs an admin, and goes through <see cref="DeskCommands.SetMultiOutcomeAsync"/> (validated,
/// persisted, audited, then applied on the hub's thread).
/// </summary>
public static class MultiOutcomeApi
{
    public const string Route = "/strategies/multi-outcome";

    /// <summary>Maps the routes on <paramref name="api"/> (the <c>/api</c> group).</summary>
    public static RouteGroupBuilder MapMultiOutcomeApi(this RouteGroupBuilder api)
    {
        api.MapGet(Route, (DeskControls controls) => TypedResults.Ok(controls.MultiOutcome));
        api.MapPut(Route, PutAsync).RequireAuthorization(DeskApi.AdminPolicy);
        return api;
    }

    /// <summary>Fields left out keep their current value; unknown fields and wrong types are refused; every field is range-checked.</summary>
    private static async Task<Results<Ok<MultiOutcomeSettings>, ValidationProblem>> PutAsync(
        HttpRequest request, DeskCommands commands, DeskControls controls, ClaimsPrincipal user, CancellationToken ct)
    {
        var (patch, problem) = await ApiJson.ReadAsync<MultiOutcomePatch>(request);
        if (problem is not null) return problem;
        var result = await commands.SetMultiOutcomeAsync(DeskApi.Actor(user), patch!.ApplyTo(controls.MultiOutcome), ct);
        return result.Succeeded ? TypedResults.Ok(result.Value!) : ApiJson.Problem(result.Errors);
    }

    /// <summary>A partial update of the multi-outcome settings: only the fields present change.</summary>
    public sealed record MultiOutcomePatch(
        bool? Enabled = null,
        decimal? MinNetEdge = null,
        int? MaxOutcomes = null,
        bool? TradeNoSets = null,
        IReadOnlyList<string>? KalshiExhaustiveEvents = null)
    {
        public MultiOutcomeSettings ApplyTo(MultiOutcomeSettings current) => current with
        {
            Enabled = Enabled ?? current.Enabled,
            MinNetEdge = MinNetEdge ?? current.MinNetEdge,
            MaxOutcomes = MaxOutcomes ?? current.MaxOutcomes,
            TradeNoSets = TradeNoSets ?? current.TradeNoSets,
            KalshiExhaustiveEvents = KalshiExhaustiveEvents ?? current.KalshiExhaustiveEvents,
        };
    }
}
