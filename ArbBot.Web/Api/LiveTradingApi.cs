using System.Security.Claims;
using ArbBot.Engine.Control;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ArbBot.Web.Api;

/// <summary>
/// Live trading over REST: <c>GET /api/live</c> (state and what is missing, for any reader), <c>POST /api/live/arm</c>
/// with <c>{"confirmation":"ARM LIVE"}</c> and <c>POST /api/live/disarm</c> (admins only). Both go through
/// <see cref="DeskCommands"/>, like the dashboard's Live trading page.
/// </summary>
public static class LiveTradingApi
{
    public static RouteGroupBuilder MapLiveTradingApi(this RouteGroupBuilder api)
    {
        api.MapGet("/live", (LiveTrading live) => TypedResults.Ok(LiveTradingView.From(live)));
        api.MapPost("/live/arm", ArmAsync).RequireAuthorization(DeskApi.AdminPolicy);
        api.MapPost("/live/disarm", async Task<Results<Ok<LiveTradingView>, ValidationProblem>> (DeskCommands commands, LiveTrading live, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var result = await commands.DisarmLiveAsync(DeskApi.Actor(user), ct);
            return result.Succeeded ? TypedResults.Ok(LiveTradingView.From(live)) : ApiJson.Problem(result.Errors);
        }).RequireAuthorization(DeskApi.AdminPolicy);
        return api;
    }

    private static async Task<Results<Ok<LiveTradingView>, ValidationProblem>> ArmAsync(
        HttpRequest request, DeskCommands commands, LiveTrading live, ClaimsPrincipal user, CancellationToken ct)
    {
        var (body, problem) = await ApiJson.ReadAsync<ArmRequest>(request);
        if (problem is not null) return problem;
        var result = await commands.ArmLiveAsync(DeskApi.Actor(user), body?.Confirmation, ct);
        return result.Succeeded ? TypedResults.Ok(LiveTradingView.From(live)) : ApiJson.Problem(result.Errors);
    }

    /// <summary>The body of an arming request: the confirmation phrase, typed.</summary>
    public sealed record ArmRequest(string? Confirmation);

    /// <summary>Live or paper, who changed it and when, a restart notice, and what is missing before live can be armed.</summary>
    public sealed record LiveTradingView(string Mode, bool Armed, string? ChangedBy, DateTimeOffset? ChangedAt, string? RestartNotice,
        IReadOnlyList<CommandError> Missing, string ConfirmationPhrase)
    {
        public static LiveTradingView From(LiveTrading live)
        {
            var state = live.State;
            return new LiveTradingView(state.Armed ? "Live" : "Paper", state.Armed, state.ChangedBy, state.ChangedAt, live.RestartNotice,
                live.Gateways.MissingRequirements(), LiveTrading.ConfirmationPhrase);
        }
    }
}
