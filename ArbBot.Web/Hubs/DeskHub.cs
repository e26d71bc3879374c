using System.Text.Json;
using ArbBot.Engine.Control;
using ArbBot.Engine.Matching;
using ArbBot.Web.Api;
using ArbBot.Web.Components;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace ArbBot.Web.Hubs;

/// <summary>What the server calls on a connected hub client.</summary>
public interface IDeskClient
{
    /// <summary>
    /// Client method <c>DeskUpdate</c>: one <see cref="DeskFeedBatch"/> (written ahead as <see cref="DeskFeedPayload"/>)
    /// after a desk refresh, never more than 10 a second and fewer as clients and bytes grow (see <see cref="DeskFeed"/>):
    /// the full state on connect and after a missed batch, otherwise only what changed; opportunities, trades and risk
    /// events since the previous batch.
    /// </summary>
    Task DeskUpdate(DeskFeedPayload batch);
}

/// <summary>
/// The desk for programs: <c>/hubs/desk</c> (SignalR, JSON protocol). Authorized like the REST API: a signed-in
/// dashboard user (cookie) or an <c>X-Api-Key</c> header; the read key (or a Viewer) receives the pushes, the admin key
/// (or an Admin) may also send commands. Commands go through <see cref="DeskCommands"/> and <see cref="PairService"/>,
/// so they are validated, persisted and audited (with the user name or "api-admin-key") exactly as from REST. Each
/// returns a <see cref="CommandResult{T}"/>: <c>succeeded</c>, <c>value</c>, and <c>errors</c> naming each bad field as
/// REST does; a caller without the Admin role gets a <see cref="HubException"/> and nothing changes.
/// </summary>
[Authorize(Policy = DeskApi.ReadPolicy)]
public sealed class DeskHub(DeskCommands commands, PairService pairs, DeskControls controls, DeskHubConnections connections) : Hub<IDeskClient>
{
    public const string Path = "/hubs/desk";

    public override Task OnConnectedAsync()
    {
        connections.Add(Context.ConnectionId);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Context.ConnectionId);
        return Task.CompletedTask;
    }

    /// <summary>Stops new trades (open orders are left alone) until resumed.</summary>
    public async Task<CommandResult<ControlState>> PauseTrading(string? reason) =>
        Fields(await commands.PauseTradingAsync(Admin("pause trading"), reason, Context.ConnectionAborted));

    public async Task<CommandResult<ControlState>> ResumeTrading() =>
        Fields(await commands.ResumeTradingAsync(Admin("resume trading"), Context.ConnectionAborted));

    /// <summary>Blocks every new order and cancels every open one on every venue until reset.</summary>
    public async Task<CommandResult<ControlState>> EngageKillSwitch(string? reason) =>
        Fields(await commands.EngageKillSwitchAsync(Admin("engage the kill switch"), reason, Context.ConnectionAborted));

    public async Task<CommandResult<ControlState>> ResetKillSwitch() =>
        Fields(await commands.ResetKillSwitchAsync(Admin("reset the kill switch"), Context.ConnectionAborted));

    /// <summary>
    /// Changes the risk limits given (an object like REST's <c>PUT /api/limits</c> body: fields left out keep their
    /// value; unknown fields, wrong types and values out of range are refused with the field named).
    /// </summary>
    public async Task<CommandResult<ControlState>> SetLimits(JsonElement limits)
    {
        var actor = Admin("change the risk limits");
        var (patch, error) = ApiJson.Deserialize<DeskApi.LimitsPatch>(limits);
        if (error is not null) return CommandResult<ControlState>.Refused(error);
        return Fields(await commands.SetLimitsAsync(actor, patch!.ApplyTo(controls.Limits), Context.ConnectionAborted));
    }

    /// <summary>Approves a suggested pair; <paramref name="mapping"/> (YesYes or YesNo) confirms the outcome mapping, null keeps the proposal.</summary>
    public async Task<CommandResult<MarketPair>> ApprovePair(long id, string? mapping)
    {
        var actor = Admin("approve a pair");
        PairMapping? parsed = null;
        if (!string.IsNullOrEmpty(mapping))
        {
            if (!Enum.TryParse<PairMapping>(mapping, ignoreCase: false, out var value) || !Enum.IsDefined(value) || int.TryParse(mapping, out _))
            {
                return CommandResult<MarketPair>.Refused(new CommandError("mapping", $"mapping must be one of {string.Join(", ", Enum.GetNames<PairMapping>())}."));
            }
            parsed = value;
        }
        return Fields(await pairs.ApproveAsync(id, parsed, actor, Context.ConnectionAborted));
    }

    public async Task<CommandResult<MarketPair>> PausePair(long id) => Fields(await pairs.PauseAsync(id, Admin("pause a pair"), Context.ConnectionAborted));

    public async Task<CommandResult<MarketPair>> ResumePair(long id) => Fields(await pairs.ResumeAsync(id, Admin("resume a pair"), Context.ConnectionAborted));

    public async Task<CommandResult<MarketPair>> RetirePair(long id) => Fields(await pairs.RetireAsync(id, Admin("retire a pair"), Context.ConnectionAborted));

    /// <summary>The caller's name for the audit trail; refuses anyone without the Admin role before anything is touched.</summary>
    private string Admin(string what) =>
        DeskActor.AdminName(Context.User) ?? throw new HubException($"Only an admin may {what}; this connection has read access only.");

    /// <summary>Field names as REST reports them (camelCase JSON names).</summary>
    private static CommandResult<T> Fields<T>(CommandResult<T> result) =>
        result.Succeeded ? result : result with { Errors = [.. result.Errors.Select(ApiJson.JsonField)] };
}
