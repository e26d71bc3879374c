using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;

namespace ArbBot.Engine.Control;

/// <summary>Whether live trading is armed, by whom and when (persisted under <see cref="SettingsStore.LiveTradingKey"/>).</summary>
public sealed record LiveTradingState(bool Armed, string? ChangedBy, DateTimeOffset? ChangedAt)
{
    public static LiveTradingState Paper { get; } = new(false, null, null);
}

/// <summary>A venue's real gateway could not be opened: credentials refused, the venue unreachable. The message names the venue and setting, never a secret.</summary>
public sealed class LiveGatewayException(string field, string message) : Exception(message)
{
    /// <summary>The setting or venue at fault, as a <see cref="CommandError.Field"/>.</summary>
    public string Field { get; } = field;
}

/// <summary>The real order gateways live trading switches to, and what each venue still lacks for them.</summary>
public interface ILiveGateways
{
    /// <summary>
    /// What is missing for every venue that will trade: a real data source (not simulated or replayed) and trading
    /// credentials that are present and load (Kalshi key id and private key; Polymarket wallet key and L2 API
    /// credentials). Empty when nothing is missing. Never reads the network.
    /// </summary>
    IReadOnlyList<CommandError> MissingRequirements();

    /// <summary>
    /// Opens (the first time) every venue's real gateway and proves its credentials with an authenticated read (the
    /// account balance). Later calls return the same gateways.
    /// </summary>
    /// <exception cref="LiveGatewayException">A venue refused the credentials or could not be reached.</exception>
    Task<IReadOnlyDictionary<VenueId, IOrderGateway>> OpenAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Paper or live, for the whole desk. The desk always starts on paper; <see cref="DeskCommands.ArmLiveAsync"/> (an
/// admin, the exact confirmation phrase, every requirement met) routes each venue's orders to its real gateway, and
/// <see cref="DeskCommands.DisarmLiveAsync"/> routes them back. The route changes on the hub's thread, between
/// executions, never in the middle of one. Read from any thread.
/// </summary>
/// <param name="hub">The hub whose thread switches the route.</param>
/// <param name="desk">The desk whose gateways are routed (resolved on first switch: the desk is built after the commands).</param>
/// <param name="gateways">The venues' real gateways and what they lack.</param>
public sealed class LiveTrading(MarketDataHub hub, Func<TradingDesk> desk, Func<ILiveGateways> gateways)
{
    /// <summary>What an admin must type, exactly, to arm live trading.</summary>
    public const string ConfirmationPhrase = "ARM LIVE";

    /// <summary>How long a switch waits for executions in flight to finish before it is refused.</summary>
    public static TimeSpan SwitchWait { get; set; } = TimeSpan.FromSeconds(30);

    private volatile LiveTradingState _state = LiveTradingState.Paper;
    private volatile string? _restartNotice;

    /// <summary>The current state: armed (orders reach the venues) or paper.</summary>
    public LiveTradingState State => _state;

    /// <summary>True while orders go to the venues' real gateways.</summary>
    public bool Armed => _state.Armed;

    /// <summary>
    /// Set when the desk started on paper although live trading was armed before the restart: says so until an admin
    /// arms or disarms again.
    /// </summary>
    public string? RestartNotice => _restartNotice;

    /// <summary>Raised after the state changes (any thread).</summary>
    public event Action<LiveTradingState>? Changed;

    /// <summary>The venues' real gateways and what they lack.</summary>
    public ILiveGateways Gateways => gateways();

    internal void NoteRestart(string notice) => _restartNotice = notice;

    internal void Publish(LiveTradingState state)
    {
        _state = state;
        _restartNotice = null;
        Changed?.Invoke(state);
    }

    /// <summary>Routes every venue to <paramref name="live"/>'s gateway (null: paper) on the hub's thread once no execution is in flight.</summary>
    /// <returns>False when executions stayed in flight for <see cref="SwitchWait"/>; nothing was changed.</returns>
    internal async Task<bool> SwitchAsync(IReadOnlyDictionary<VenueId, IOrderGateway>? live, LiveTradingState state, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + SwitchWait;
        while (true)
        {
            var work = new SwitchWork(desk(), live);
            await hub.PostAsync(work, cancellationToken).ConfigureAwait(false);
            if (await work.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                Publish(state);
                return true;
            }
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Switches only between executions: an arbitrage or single order in flight keeps every leg on one side.</summary>
    private sealed class SwitchWork(TradingDesk desk, IReadOnlyDictionary<VenueId, IOrderGateway>? live) : IHubWork
    {
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(MarketDataHub hub)
        {
            try
            {
                if (desk.Executor.ActiveExecutions > 0 || desk.SingleOrders.OpenOrders > 0)
                {
                    Done.TrySetResult(false);
                    return;
                }
                foreach (var (venue, route) in desk.Routes)
                {
                    route.Route(live is null ? null : live.TryGetValue(venue, out var gateway) ? gateway
                        : throw new InvalidOperationException($"No live gateway for {venue.DisplayName()}."));
                }
                Done.TrySetResult(true);
            }
            catch (Exception ex)
            {
                Done.TrySetException(ex);
            }
        }
    }
}
