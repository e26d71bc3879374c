using ArbBot.Engine.Core;

namespace ArbBot.Engine.Lifecycle;

/// <summary>Where the desk is in its life: only <see cref="Running"/> trades.</summary>
public enum DeskPhase : byte
{
    /// <summary>Loading switches, markets, pairs and positions.</summary>
    Starting,
    /// <summary>Positions are loaded; waiting for every venue to report its open orders and fills.</summary>
    Reconciling,
    /// <summary>Every venue reconciled: trading is allowed (the admin's pause and kill switch still apply).</summary>
    Running,
    /// <summary>A stop was requested: no new order; open ones are being cancelled and records saved.</summary>
    Stopping,
}

/// <summary>What reconciling one venue found after a restart.</summary>
/// <param name="OrdersClosed">Orders stored as open that the venue no longer has open (closed in the records).</param>
/// <param name="FillsAdded">Fills the venue reported that the records did not have.</param>
/// <param name="UnknownOrdersCancelled">Orders open at the venue the records did not know (cancelled there).</param>
public sealed record VenueReconciliation(VenueId Venue, DateTimeOffset At, int OrdersClosed, int FillsAdded, int UnknownOrdersCancelled, string Summary);

/// <summary>One consistent view of the desk's phase, for the dashboard, the API and readiness.</summary>
public sealed record LifecycleState(DeskPhase Phase, IReadOnlyList<VenueId> AwaitingVenues, IReadOnlyList<VenueReconciliation> Reconciled, string Description)
{
    /// <summary>True unless the desk is <see cref="DeskPhase.Running"/>: nothing new trades while it holds.</summary>
    public bool HoldsTrading => Phase != DeskPhase.Running;
}

/// <summary>
/// The desk's phase (starting → reconciling → running → stopping), readable from any thread. The engine holds all new
/// trading unless it is running, so a restarted desk trades only after every venue has been reconciled, and a
/// stopping one sends nothing new.
/// </summary>
public sealed class DeskLifecycle
{
    private readonly Lock _gate = new();
    private volatile LifecycleState _state = new(DeskPhase.Starting, [], [], "Starting: loading positions, orders and pairs.");

    public LifecycleState State => _state;

    /// <summary>Read on the hub's thread for every decision: one volatile read.</summary>
    public bool HoldsTrading => _state.HoldsTrading;

    /// <summary>Raised after every change, on the thread that made it.</summary>
    public event Action<LifecycleState>? Changed;

    /// <summary>Positions are loaded; trading waits for <paramref name="venues"/> to report.</summary>
    public void BeginReconciling(IEnumerable<VenueId> venues)
    {
        lock (_gate)
        {
            if (_state.Phase == DeskPhase.Stopping) return;
            var awaiting = venues.Distinct().ToArray();
            Publish(awaiting.Length == 0
                ? Running([])
                : new LifecycleState(DeskPhase.Reconciling, awaiting, [], Waiting(awaiting)));
        }
    }

    /// <summary>One venue reported; the desk runs once none is awaited.</summary>
    public void VenueReconciled(VenueReconciliation result)
    {
        lock (_gate)
        {
            var current = _state;
            if (current.Phase != DeskPhase.Reconciling) return;
            var awaiting = current.AwaitingVenues.Where(v => v != result.Venue).ToArray();
            var reconciled = current.Reconciled.Append(result).ToArray();
            Publish(awaiting.Length == 0
                ? Running(reconciled)
                : new LifecycleState(DeskPhase.Reconciling, awaiting, reconciled, Waiting(awaiting)));
        }
    }

    /// <summary>A stop was requested: from now on nothing new trades. Idempotent.</summary>
    public void BeginStopping()
    {
        lock (_gate)
        {
            if (_state.Phase == DeskPhase.Stopping) return;
            Publish(_state with { Phase = DeskPhase.Stopping, Description = "Stopping: no new orders; cancelling open orders and saving records." });
        }
    }

    private static LifecycleState Running(IReadOnlyList<VenueReconciliation> reconciled) =>
        new(DeskPhase.Running, [], reconciled, reconciled.Count == 0 ? "Running." : "Running: " + string.Join(" ", reconciled.Select(r => r.Summary)));

    private static string Waiting(IReadOnlyList<VenueId> awaiting) =>
        $"Paused for reconciliation: waiting for {string.Join(", ", awaiting.Select(v => v.DisplayName()))} to report open orders and fills.";

    private void Publish(LifecycleState state)
    {
        _state = state;
        Changed?.Invoke(state);
    }
}
