using System.Security.Claims;
using ArbBot.Engine.Control;
using ArbBot.Engine.Strategies.SpikeHunter;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ArbBot.Web.Api;

/// <summary>
/// The strategies' settings under <c>/api/strategies</c>: <c>GET /api/strategies/spike</c> (read key) and
/// <c>PUT /api/strategies/spike</c> (admin key), a partial update read strictly like <c>PUT /api/limits</c>: unknown fields
/// and wrong types are refused, fields left out keep their value, every field given is range-checked, and the change is
/// persisted and audited through <see cref="DeskCommands"/>.
/// </summary>
public static class StrategiesApi
{
    public static RouteGroupBuilder MapStrategiesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/strategies/spike", (SpikeHunterControls controls) => TypedResults.Ok(controls.Settings));
        api.MapPut("/strategies/spike", PutSpikeAsync).RequireAuthorization(DeskApi.AdminPolicy);
        return api;
    }

    private static async Task<Results<Ok<SpikeHunterSettings>, ValidationProblem>> PutSpikeAsync(
        HttpRequest request, DeskCommands commands, SpikeHunterControls controls, ClaimsPrincipal user, CancellationToken ct)
    {
        var (patch, problem) = await ApiJson.ReadAsync<SpikeHunterPatch>(request);
        if (problem is not null) return problem;
        var result = await commands.SetSpikeHunterSettingsAsync(DeskApi.Actor(user), patch!.ApplyTo(controls.Settings), ct);
        return result.Succeeded ? TypedResults.Ok(result.Value!) : ApiJson.Problem(result.Errors);
    }

    /// <summary>A partial update of the spike hunter's settings: only the fields present change.</summary>
    public sealed record SpikeHunterPatch(
        bool? Enabled = null,
        SpikeTradeDirection? Direction = null,
        TimeSpan? SampleInterval = null,
        decimal? CusumThreshold = null,
        decimal? CusumSlack = null,
        int? EwmaSpan = null,
        decimal? EwmaMultiplier = null,
        decimal? RocThresholdPercent = null,
        int? RocPeriods = null,
        decimal? MinLiquidityUsd = null,
        decimal? MaxSpread = null,
        TimeSpan? Cooldown = null,
        decimal? StopMultiplier = null,
        decimal? ProfitMultiplier = null,
        decimal? TrailingMultiplier = null,
        TimeSpan? MaxHoldingTime = null,
        int? MaxConcurrentPositions = null,
        decimal? KellyFraction = null,
        decimal? MaxBankrollFraction = null)
    {
        public SpikeHunterSettings ApplyTo(SpikeHunterSettings current) => current with
        {
            Enabled = Enabled ?? current.Enabled,
            Direction = Direction ?? current.Direction,
            SampleInterval = SampleInterval ?? current.SampleInterval,
            CusumThreshold = CusumThreshold ?? current.CusumThreshold,
            CusumSlack = CusumSlack ?? current.CusumSlack,
            EwmaSpan = EwmaSpan ?? current.EwmaSpan,
            EwmaMultiplier = EwmaMultiplier ?? current.EwmaMultiplier,
            RocThresholdPercent = RocThresholdPercent ?? current.RocThresholdPercent,
            RocPeriods = RocPeriods ?? current.RocPeriods,
            MinLiquidityUsd = MinLiquidityUsd ?? current.MinLiquidityUsd,
            MaxSpread = MaxSpread ?? current.MaxSpread,
            Cooldown = Cooldown ?? current.Cooldown,
            StopMultiplier = StopMultiplier ?? current.StopMultiplier,
            ProfitMultiplier = ProfitMultiplier ?? current.ProfitMultiplier,
            TrailingMultiplier = TrailingMultiplier ?? current.TrailingMultiplier,
            MaxHoldingTime = MaxHoldingTime ?? current.MaxHoldingTime,
            MaxConcurrentPositions = MaxConcurrentPositions ?? current.MaxConcurrentPositions,
            KellyFraction = KellyFraction ?? current.KellyFraction,
            MaxBankrollFraction = MaxBankrollFraction ?? current.MaxBankrollFraction,
        };
    }
}
